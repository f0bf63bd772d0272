// AES-256-GCM encryption of secrets at rest. Each ciphertext names the key that made it (so keys rotate) and is
// bound to its row's identity as additional authenticated data (so a ciphertext copied to another row fails).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

export interface Sealed {
  keyId: string;
  /** base64(nonce 12 bytes ‖ tag 16 bytes ‖ ciphertext) */
  ciphertext: string;
}

export class DecryptionError extends Error {
  constructor(reason: string) {
    super(`cannot decrypt secret: ${reason}`);
    this.name = 'DecryptionError';
  }
}

export interface KeyRing {
  readonly currentKeyId: string;
  encrypt(plaintext: string, aad: string): Sealed;
  decrypt(sealed: Sealed, aad: string): string;
}

/** keys: newest first; the first one encrypts, any of them decrypts. */
export function createKeyRing(keys: readonly EncryptionKey[]): KeyRing {
  if (keys.length === 0) throw new Error('a key ring needs at least one key');
  for (const k of keys) if (k.key.length !== 32) throw new Error(`key ${k.id} is not 32 bytes`);
  const byId = new Map(keys.map((k) => [k.id, k.key]));
  const current = keys[0]!;
  return {
    currentKeyId: current.id,
    encrypt(plaintext, aad) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current.key, nonce);
      cipher.setAAD(Buffer.from(aad, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return { keyId: current.id, ciphertext: Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64') };
    },
    decrypt(sealed, aad) {
      const key = byId.get(sealed.keyId);
      if (!key) throw new DecryptionError(`unknown key id ${sealed.keyId}`);
      const raw = Buffer.from(sealed.ciphertext, 'base64');
      if (raw.length < 28) throw new DecryptionError('ciphertext too short');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(raw.subarray(12, 28));
      try {
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      } catch {
        throw new DecryptionError('authentication failed (tampered, wrong key or wrong row)');
      }
    },
  };
}

/**
 * The embedded default's key: created once under the data directory with owner-only permissions and reused.
 * Never used in live mode, where ENCRYPTION_KEYS is required.
 */
export async function loadOrCreateLocalKey(dataDir: string): Promise<EncryptionKey> {
  const file = path.join(dataDir, 'encryption.key');
  if (existsSync(file)) {
    const [id, b64] = (await readFile(file, 'utf8')).trim().split(':');
    const key = Buffer.from(b64 ?? '', 'base64');
    if (!id || key.length !== 32) throw new Error(`${file} is corrupt: expected kid:base64-32-bytes`);
    return { id, key };
  }
  await mkdir(dataDir, { recursive: true });
  const key = { id: `local${Date.now().toString(36)}`, key: randomBytes(32) };
  await writeFile(file, `${key.id}:${key.key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
