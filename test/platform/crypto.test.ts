import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyRing, DecryptionError, loadOrCreateLocalKey } from '../../server/platform/crypto/keyring.ts';
import { rotateSecrets } from '../../server/platform/crypto/rotate.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

const newKey = (id: string) => ({ id, key: randomBytes(32) });

describe('the key ring', () => {
  const k1 = newKey('k1');
  const ring = createKeyRing([k1]);

  it('round-trips a secret', () => {
    const sealed = ring.encrypt('token-123', 'AC1');
    expect(sealed.keyId).toBe('k1');
    expect(sealed.ciphertext).not.toContain('token-123');
    expect(ring.decrypt(sealed, 'AC1')).toBe('token-123');
  });

  it('uses a fresh nonce each time', () => {
    expect(ring.encrypt('same', 'AC1').ciphertext).not.toBe(ring.encrypt('same', 'AC1').ciphertext);
  });

  it('refuses a tampered ciphertext', () => {
    const sealed = ring.encrypt('token-123', 'AC1');
    const raw = Buffer.from(sealed.ciphertext, 'base64');
    raw[raw.length - 1]! ^= 1;
    expect(() => ring.decrypt({ ...sealed, ciphertext: raw.toString('base64') }, 'AC1')).toThrow(DecryptionError);
  });

  it('refuses a ciphertext moved to another row', () => {
    const sealed = ring.encrypt('token-123', 'AC1');
    expect(() => ring.decrypt(sealed, 'AC2')).toThrow(DecryptionError);
  });

  it('refuses an unknown key id', () => {
    const other = createKeyRing([newKey('k9')]);
    expect(() => other.decrypt(ring.encrypt('x', 'AC1'), 'AC1')).toThrow(/unknown key id k1/);
  });

  it('decrypts with an older key after a new one is added in front', () => {
    const sealed = ring.encrypt('token-123', 'AC1');
    const rotated = createKeyRing([newKey('k2'), k1]);
    expect(rotated.currentKeyId).toBe('k2');
    expect(rotated.decrypt(sealed, 'AC1')).toBe('token-123');
  });

  it('creates the embedded key file once, owner-readable only, and reuses it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'isv-key-'));
    const a = await loadOrCreateLocalKey(dir);
    const b = await loadOrCreateLocalKey(dir);
    expect(b.id).toBe(a.id);
    expect(b.key.equals(a.key)).toBe(true);
    expect(statSync(path.join(dir, 'encryption.key')).mode & 0o077).toBe(0);
    expect(readFileSync(path.join(dir, 'encryption.key'), 'utf8')).toMatch(/^local[a-z0-9]+:/);
  });
});

describe('key rotation', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(() => db.close());

  it('re-encrypts every stored secret under the newest key, in batches, and a re-run changes nothing', async () => {
    const old = newKey('old');
    const oldRing = createKeyRing([old]);
    for (let i = 0; i < 7; i++) {
      const s = oldRing.encrypt(`secret-${i}`, `name-${i}`);
      await db.query('INSERT INTO isv.platform_secrets (name, key_id, ciphertext) VALUES ($1, $2, $3)', [`name-${i}`, s.keyId, s.ciphertext]);
    }
    const fresh = newKey('new');
    const ring = createKeyRing([fresh, old]);
    const report = await rotateSecrets(db, ring, { batchSize: 3 });
    expect(report.find((r) => r.table === 'isv.platform_secrets')?.reencrypted).toBe(7);

    const rows = await db.query<{ name: string; key_id: string; ciphertext: string }>('SELECT name, key_id, ciphertext FROM isv.platform_secrets ORDER BY name');
    expect(rows.every((r) => r.key_id === 'new')).toBe(true);
    // Readable with the new key alone: the old one can now be retired.
    const newOnly = createKeyRing([fresh]);
    rows.forEach((r, i) => expect(newOnly.decrypt({ keyId: r.key_id, ciphertext: r.ciphertext }, r.name)).toBe(`secret-${i}`));

    const again = await rotateSecrets(db, ring, { batchSize: 3 });
    expect(again.every((r) => r.reencrypted === 0)).toBe(true);
  });
});
