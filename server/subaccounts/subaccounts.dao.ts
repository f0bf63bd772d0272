// SQL for isv.twilio_subaccounts: one Twilio subaccount per customer, its auth token encrypted with the key ring
// (AAD = account SID, so a ciphertext copied to another row fails). Rows returned here never carry the ciphertext.
import type { Db } from '../platform/db/db.ts';
import { one } from '../platform/db/db.ts';
import type { KeyRing } from '../platform/crypto/keyring.ts';

export type SubaccountStatus = 'active' | 'suspended' | 'closed';

export interface SubaccountRow {
  id: string;
  customer_id: string;
  account_sid: string;
  friendly_name: string;
  status: SubaccountStatus;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, customer_id, account_sid, friendly_name, status, created_at, updated_at';

export async function insertSubaccount(
  db: Db,
  keyRing: KeyRing,
  s: { customerId: string; accountSid: string; friendlyName: string; authToken: string; status?: SubaccountStatus },
): Promise<SubaccountRow> {
  const sealed = keyRing.encrypt(s.authToken, s.accountSid);
  const rows = await db.query<SubaccountRow>(
    `INSERT INTO isv.twilio_subaccounts (customer_id, account_sid, friendly_name, status, auth_token_key_id, auth_token_ciphertext)
     VALUES ($1, $2, $3, $4, $5, $6)
     RETURNING ${COLUMNS}`,
    [s.customerId, s.accountSid, s.friendlyName, s.status ?? 'active', sealed.keyId, sealed.ciphertext],
  );
  return rows[0]!;
}

export async function findSubaccountByCustomer(db: Db, customerId: string): Promise<SubaccountRow | undefined> {
  return one(db.query<SubaccountRow>(`SELECT ${COLUMNS} FROM isv.twilio_subaccounts WHERE customer_id = $1`, [customerId]));
}

export async function findSubaccountBySid(db: Db, accountSid: string): Promise<SubaccountRow | undefined> {
  return one(db.query<SubaccountRow>(`SELECT ${COLUMNS} FROM isv.twilio_subaccounts WHERE account_sid = $1`, [accountSid]));
}

export async function listSubaccounts(db: Db): Promise<SubaccountRow[]> {
  return db.query<SubaccountRow>(`SELECT ${COLUMNS} FROM isv.twilio_subaccounts ORDER BY created_at, account_sid`);
}

/** Returns the updated row, or undefined when no subaccount has that SID. */
export async function updateSubaccountStatus(
  db: Db,
  accountSid: string,
  status: SubaccountStatus,
): Promise<SubaccountRow | undefined> {
  return one(
    db.query<SubaccountRow>(
      `UPDATE isv.twilio_subaccounts SET status = $2, updated_at = now() WHERE account_sid = $1 RETURNING ${COLUMNS}`,
      [accountSid, status],
    ),
  );
}

/** Decrypts the subaccount's auth token; undefined when the SID is unknown. Throws DecryptionError on tampering. */
export async function readSubaccountAuthToken(db: Db, keyRing: KeyRing, accountSid: string): Promise<string | undefined> {
  const row = await one(
    db.query<{ auth_token_key_id: string; auth_token_ciphertext: string }>(
      `SELECT auth_token_key_id, auth_token_ciphertext FROM isv.twilio_subaccounts WHERE account_sid = $1`,
      [accountSid],
    ),
  );
  if (!row) return undefined;
  return keyRing.decrypt({ keyId: row.auth_token_key_id, ciphertext: row.auth_token_ciphertext }, accountSid);
}

/** Stores a new token (e.g. after a rotation in Twilio). The caller must then call gateway.invalidate(accountSid). */
export async function updateSubaccountAuthToken(
  db: Db,
  keyRing: KeyRing,
  accountSid: string,
  authToken: string,
): Promise<boolean> {
  const sealed = keyRing.encrypt(authToken, accountSid);
  const rows = await db.query(
    `UPDATE isv.twilio_subaccounts SET auth_token_key_id = $2, auth_token_ciphertext = $3, updated_at = now()
      WHERE account_sid = $1 RETURNING account_sid`,
    [accountSid, sealed.keyId, sealed.ciphertext],
  );
  return rows.length === 1;
}
