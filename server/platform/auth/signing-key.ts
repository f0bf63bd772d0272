// The embedded mode's token signing key: 32 random bytes generated once, kept encrypted in isv.platform_secrets
// (AES-256-GCM under the key ring, the secret's name as additional data), shared by every server instance.
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/db.ts';
import type { KeyRing } from '../crypto/keyring.ts';

export const EMBEDDED_JWT_SECRET_NAME = 'auth.embedded_jwt_hs256';

export async function loadOrCreatePlatformSecret(db: Db, keyRing: KeyRing, name: string, make: () => string): Promise<string> {
  const sealed = keyRing.encrypt(make(), name);
  // Two instances starting together both try to insert; the first wins and both read the winner's row.
  await db.query(
    `INSERT INTO isv.platform_secrets (name, key_id, ciphertext) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`,
    [name, sealed.keyId, sealed.ciphertext],
  );
  const rows = await db.query<{ key_id: string; ciphertext: string }>(
    `SELECT key_id, ciphertext FROM isv.platform_secrets WHERE name = $1`,
    [name],
  );
  const row = rows[0];
  if (!row) throw new Error(`platform secret ${name} vanished right after it was written`);
  return keyRing.decrypt({ keyId: row.key_id, ciphertext: row.ciphertext }, name);
}

export async function loadEmbeddedSigningKey(db: Db, keyRing: KeyRing): Promise<Uint8Array> {
  const b64 = await loadOrCreatePlatformSecret(db, keyRing, EMBEDDED_JWT_SECRET_NAME, () => randomBytes(32).toString('base64'));
  return new Uint8Array(Buffer.from(b64, 'base64'));
}
