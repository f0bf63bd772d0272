// SQL for isv.twilio_subaccounts: the Twilio accounts of each customer, at most one of each kind: the platform
// subaccount ('subaccount') and an account the customer connected ('connected', #17). Auth tokens are encrypted
// with the key ring (AAD = account SID, so a ciphertext copied to another row fails); rows returned here never
// carry the ciphertext. Token look-ups by SID serve both kinds (webhook verification, SDK clients).
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
  return one(db.query<SubaccountRow>(`SELECT ${COLUMNS} FROM isv.twilio_subaccounts WHERE customer_id = $1 AND kind = 'subaccount'`, [customerId]));
}

export async function findSubaccountBySid(db: Db, accountSid: string): Promise<SubaccountRow | undefined> {
  return one(db.query<SubaccountRow>(`SELECT ${COLUMNS} FROM isv.twilio_subaccounts WHERE account_sid = $1 AND kind = 'subaccount'`, [accountSid]));
}

export async function listSubaccounts(db: Db): Promise<SubaccountRow[]> {
  return db.query<SubaccountRow>(`SELECT ${COLUMNS} FROM isv.twilio_subaccounts WHERE kind = 'subaccount' ORDER BY created_at, account_sid`);
}

/** Returns the updated row, or undefined when no subaccount has that SID. */
export async function updateSubaccountStatus(
  db: Db,
  accountSid: string,
  status: SubaccountStatus,
): Promise<SubaccountRow | undefined> {
  return one(
    db.query<SubaccountRow>(
      `UPDATE isv.twilio_subaccounts SET status = $2, updated_at = now(),
              closed_at = CASE WHEN $2 = 'closed' THEN COALESCE(closed_at, now()) ELSE closed_at END
        WHERE account_sid = $1 AND kind = 'subaccount' RETURNING ${COLUMNS}`,
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

// ------------------------------------------------------------------------------ connected accounts

export type ConnectionStatus = 'connected' | 'credentials_invalid';

export interface ConnectionRow extends SubaccountRow {
  connection_status: ConnectionStatus;
  account_type: string | null;
  token_last4: string;
  messaging_service_sid: string | null;
  previous_callbacks: { inboundRequestUrl: string | null; statusCallback: string | null } | null;
  connected_at: Date;
  last_checked_at: Date;
  last_error: string | null;
  /** Twilio's campaign_status of the chosen service's A2P campaign when last read; null: it has none. */
  sender_campaign_status: string | null;
  /** The customer's own WhatsApp sender (XE…) and its address (`whatsapp:+…`), when one was chosen. */
  whatsapp_sender_sid: string | null;
  whatsapp_from: string | null;
  previous_whatsapp_webhook: { callbackUrl: string | null; callbackMethod: string | null } | null;
}

const CONNECTION_COLUMNS = `${COLUMNS}, connection_status, account_type, token_last4, messaging_service_sid, previous_callbacks, connected_at, last_checked_at, last_error,
  sender_campaign_status, whatsapp_sender_sid, whatsapp_from, previous_whatsapp_webhook`;
/** The same columns of the table aliased `s`, for statements that join. */
const S_CONNECTION_COLUMNS = CONNECTION_COLUMNS.split(', ').map((c) => `s.${c}`).join(', ');

export async function findConnectionByCustomer(db: Db, customerId: string, opts: { forUpdate?: boolean } = {}): Promise<ConnectionRow | undefined> {
  return one(
    db.query<ConnectionRow>(
      `SELECT ${CONNECTION_COLUMNS} FROM isv.twilio_subaccounts WHERE customer_id = $1 AND kind = 'connected'${opts.forUpdate ? ' FOR UPDATE' : ''}`,
      [customerId],
    ),
  );
}

/** Whether any customer's row (subaccount or connection) already holds this SID, and whose. */
export async function findAccountOwner(db: Db, accountSid: string): Promise<{ customer_id: string; kind: 'subaccount' | 'connected' } | undefined> {
  return one(db.query(`SELECT customer_id, kind FROM isv.twilio_subaccounts WHERE account_sid = $1`, [accountSid]));
}

/** Stores (or replaces) the customer's connected account with a freshly checked token. */
export async function upsertConnection(
  db: Db,
  keyRing: KeyRing,
  c: { customerId: string; accountSid: string; friendlyName: string; status: SubaccountStatus; accountType: string; authToken: string; at: Date },
): Promise<ConnectionRow> {
  const sealed = keyRing.encrypt(c.authToken, c.accountSid);
  const rows = await db.query<ConnectionRow>(
    `INSERT INTO isv.twilio_subaccounts AS s (customer_id, kind, account_sid, friendly_name, status, account_type, auth_token_key_id, auth_token_ciphertext,
            token_last4, connection_status, connected_at, last_checked_at)
     VALUES ($1, 'connected', $2, $3, $4, $5, $6, $7, $8, 'connected', $9, $9)
     ON CONFLICT (customer_id, kind) DO UPDATE SET
       account_sid = EXCLUDED.account_sid, friendly_name = EXCLUDED.friendly_name, status = EXCLUDED.status,
       account_type = EXCLUDED.account_type, auth_token_key_id = EXCLUDED.auth_token_key_id,
       auth_token_ciphertext = EXCLUDED.auth_token_ciphertext, token_last4 = EXCLUDED.token_last4,
       connection_status = 'connected', last_checked_at = EXCLUDED.last_checked_at, last_error = NULL, updated_at = now(),
       -- Reconnecting the same account (a rotated token) keeps its sender; another account starts without one.
       connected_at = CASE WHEN s.account_sid = EXCLUDED.account_sid THEN s.connected_at ELSE EXCLUDED.connected_at END,
       messaging_service_sid = CASE WHEN s.account_sid = EXCLUDED.account_sid THEN s.messaging_service_sid END,
       previous_callbacks = CASE WHEN s.account_sid = EXCLUDED.account_sid THEN s.previous_callbacks END,
       sender_campaign_status = CASE WHEN s.account_sid = EXCLUDED.account_sid THEN s.sender_campaign_status END,
       whatsapp_sender_sid = CASE WHEN s.account_sid = EXCLUDED.account_sid THEN s.whatsapp_sender_sid END,
       whatsapp_from = CASE WHEN s.account_sid = EXCLUDED.account_sid THEN s.whatsapp_from END,
       previous_whatsapp_webhook = CASE WHEN s.account_sid = EXCLUDED.account_sid THEN s.previous_whatsapp_webhook END
     RETURNING ${CONNECTION_COLUMNS}`,
    [c.customerId, c.accountSid, c.friendlyName, c.status, c.accountType, sealed.keyId, sealed.ciphertext, c.authToken.slice(-4), c.at],
  );
  return rows[0]!;
}

export async function setConnectionSender(
  db: Db,
  customerId: string,
  sender: { messagingServiceSid: string | null; previousCallbacks: ConnectionRow['previous_callbacks']; campaignStatus: string | null },
): Promise<ConnectionRow | undefined> {
  return one(
    db.query<ConnectionRow>(
      `UPDATE isv.twilio_subaccounts SET messaging_service_sid = $2, previous_callbacks = $3, sender_campaign_status = $4, updated_at = now()
        WHERE customer_id = $1 AND kind = 'connected' RETURNING ${CONNECTION_COLUMNS}`,
      [customerId, sender.messagingServiceSid, sender.previousCallbacks === null ? null : JSON.stringify(sender.previousCallbacks), sender.campaignStatus],
    ),
  );
}

export async function setConnectionWhatsappSender(
  db: Db,
  customerId: string,
  sender: { sid: string; from: string; previousWebhook: NonNullable<ConnectionRow['previous_whatsapp_webhook']> } | null,
): Promise<ConnectionRow | undefined> {
  return one(
    db.query<ConnectionRow>(
      `UPDATE isv.twilio_subaccounts SET whatsapp_sender_sid = $2, whatsapp_from = $3, previous_whatsapp_webhook = $4, updated_at = now()
        WHERE customer_id = $1 AND kind = 'connected' RETURNING ${CONNECTION_COLUMNS}`,
      [customerId, sender?.sid ?? null, sender?.from ?? null, sender ? JSON.stringify(sender.previousWebhook) : null],
    ),
  );
}

/** The chosen service's campaign status as last read from Twilio (discovery, the A2P flow). */
export async function setSenderCampaignStatus(db: Db, customerId: string, messagingServiceSid: string, campaignStatus: string | null): Promise<void> {
  await db.query(
    `UPDATE isv.twilio_subaccounts SET sender_campaign_status = $3, updated_at = now()
      WHERE customer_id = $1 AND kind = 'connected' AND messaging_service_sid = $2 AND sender_campaign_status IS DISTINCT FROM $3`,
    [customerId, messagingServiceSid, campaignStatus],
  );
}

/** The outcome of a credentials check: the account's status in Twilio, or why Twilio refused the token. */
export async function recordConnectionCheck(
  db: Db,
  accountSid: string,
  check: { at: Date; ok: true; status: SubaccountStatus; friendlyName: string } | { at: Date; ok: false; error: string },
): Promise<{ before: ConnectionStatus; row: ConnectionRow } | undefined> {
  const rows = await db.query<ConnectionRow & { before: ConnectionStatus }>(
    `UPDATE isv.twilio_subaccounts s SET last_checked_at = $2, updated_at = now(),
            connection_status = CASE WHEN $3 THEN 'connected' ELSE 'credentials_invalid' END,
            last_error = $4, status = COALESCE($5, s.status), friendly_name = COALESCE($6, s.friendly_name)
       FROM (SELECT account_sid, connection_status AS before FROM isv.twilio_subaccounts WHERE account_sid = $1 AND kind = 'connected' FOR UPDATE) old
      WHERE s.account_sid = old.account_sid
      RETURNING ${S_CONNECTION_COLUMNS}, old.before`,
    [accountSid, check.at, check.ok, check.ok ? null : check.error, check.ok ? check.status : null, check.ok ? check.friendlyName : null],
  );
  const r = rows[0];
  return r ? { before: r.before, row: r } : undefined;
}

export async function listConnections(db: Db): Promise<(ConnectionRow & { customer_name: string })[]> {
  return db.query(
    `SELECT ${S_CONNECTION_COLUMNS}, COALESCE(c.display_name, c.legal_name) AS customer_name
       FROM isv.twilio_subaccounts s JOIN isv.customers c ON c.id = s.customer_id
      WHERE s.kind = 'connected' ORDER BY s.connected_at, s.account_sid`,
  );
}

export async function deleteConnection(db: Db, customerId: string): Promise<boolean> {
  const rows = await db.query(`DELETE FROM isv.twilio_subaccounts WHERE customer_id = $1 AND kind = 'connected' RETURNING account_sid`, [customerId]);
  return rows.length === 1;
}

/** The account the customer sends through now: its connected account in `byoa` mode, else its subaccount. */
export async function findSendingAccount(
  db: Db,
  customerId: string,
): Promise<{ twilio_mode: 'subaccount' | 'byoa'; account: (Partial<ConnectionRow> & SubaccountRow) | undefined }> {
  const rows = await db.query<{ twilio_mode: 'subaccount' | 'byoa' } & Record<string, unknown>>(
    `SELECT c.twilio_mode, ${S_CONNECTION_COLUMNS}
       FROM isv.customers c
       LEFT JOIN isv.twilio_subaccounts s ON s.customer_id = c.id AND s.kind = CASE c.twilio_mode WHEN 'byoa' THEN 'connected' ELSE 'subaccount' END
      WHERE c.id = $1`,
    [customerId],
  );
  const r = rows[0];
  if (!r) return { twilio_mode: 'subaccount', account: undefined };
  const { twilio_mode, ...row } = r;
  return { twilio_mode, account: row.account_sid ? (row as unknown as ConnectionRow) : undefined };
}
