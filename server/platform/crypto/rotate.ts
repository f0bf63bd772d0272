// Re-encrypts every stored secret under the newest key, in batches. Safe to re-run or to run beside live
// servers: each batch claims rows with SKIP LOCKED and each update is guarded on the key id it read.
import type { Db } from '../db/db.ts';
import type { KeyRing } from './keyring.ts';

/** Every encrypted column in the schema: table, the row identity used as AAD, and the two columns. */
export const ENCRYPTED_COLUMNS = [
  { table: 'isv.twilio_subaccounts', aad: 'account_sid', keyId: 'auth_token_key_id', ciphertext: 'auth_token_ciphertext' },
  { table: 'isv.platform_secrets', aad: 'name', keyId: 'key_id', ciphertext: 'ciphertext' },
] as const;

export async function rotateSecrets(
  db: Db,
  ring: KeyRing,
  opts: { batchSize?: number } = {},
): Promise<{ table: string; reencrypted: number }[]> {
  const batchSize = opts.batchSize ?? 200;
  const report: { table: string; reencrypted: number }[] = [];
  for (const col of ENCRYPTED_COLUMNS) {
    let total = 0;
    for (;;) {
      const n = await db.tx(async (tx) => {
        const rows = await tx.query<{ aad: string; key_id: string; ciphertext: string }>(
          `SELECT ${col.aad} AS aad, ${col.keyId} AS key_id, ${col.ciphertext} AS ciphertext
             FROM ${col.table} WHERE ${col.keyId} <> $1
             ORDER BY ${col.aad} LIMIT $2 FOR UPDATE SKIP LOCKED`,
          [ring.currentKeyId, batchSize],
        );
        for (const row of rows) {
          const plain = ring.decrypt({ keyId: row.key_id, ciphertext: row.ciphertext }, row.aad);
          const sealed = ring.encrypt(plain, row.aad);
          await tx.query(
            `UPDATE ${col.table} SET ${col.keyId} = $1, ${col.ciphertext} = $2, updated_at = now()
              WHERE ${col.aad} = $3 AND ${col.keyId} = $4`,
            [sealed.keyId, sealed.ciphertext, row.aad, row.key_id],
          );
        }
        return rows.length;
      });
      total += n;
      if (n < batchSize) break;
    }
    report.push({ table: col.table, reencrypted: total });
  }
  return report;
}
