// SQL for isv.opt_outs: one row per (customer, recipient number, channel) holding the latest opt-out or opt-in.
import type { Db } from '../platform/db/db.ts';
import { one } from '../platform/db/db.ts';
import type { MessageChannel } from '../../shared/messages.ts';

export type OptOutStatus = 'opted_out' | 'opted_in';
export type OptOutSource = 'inbound' | 'opt_out_webhook' | 'error_21610' | 'api';

export interface OptOutRow {
  customer_id: string;
  phone_number: string;
  channel: MessageChannel;
  status: OptOutStatus;
  keyword: string | null;
  source: OptOutSource;
  updated_at: Date;
}

export interface OptOutUpsert {
  customerId: string;
  phoneNumber: string;
  channel: MessageChannel;
  status: OptOutStatus;
  keyword: string | null;
  source: OptOutSource;
  /** The customer's number or WhatsApp sender the keyword was sent to (#14: a STOP applies to that sender). */
  sender?: string | null;
  messagingServiceSid?: string | null;
}

const bareSender = (s: string) => s.replace(/^[a-z]+:/, '');

/**
 * Sets the latest opt-out state of each (customer, number, channel). The caller passes at most one row per key
 * (DO UPDATE cannot touch a row twice in one statement); rows are written in key order to keep lock order fixed.
 */
export async function upsertOptOuts(db: Db, rows: readonly OptOutUpsert[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO isv.opt_outs (customer_id, phone_number, channel, status, keyword, source, updated_at)
     SELECT x.customer_id, x.phone_number, x.channel, x.status, x.keyword, x.source, now()
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
            AS x(customer_id, phone_number, channel, status, keyword, source)
      ORDER BY x.customer_id, x.phone_number, x.channel
     ON CONFLICT (customer_id, phone_number, channel) DO UPDATE
        SET status = EXCLUDED.status, keyword = EXCLUDED.keyword, source = EXCLUDED.source, updated_at = now()`,
    [
      rows.map((r) => r.customerId),
      rows.map((r) => r.phoneNumber),
      rows.map((r) => r.channel),
      rows.map((r) => r.status),
      rows.map((r) => r.keyword),
      rows.map((r) => r.source),
    ],
  );
  const scoped = rows.filter((r) => r.sender && /^\+[1-9]\d{6,14}$/.test(bareSender(r.sender)));
  if (scoped.length === 0) return;
  await db.query(
    `INSERT INTO isv.opt_out_senders (customer_id, phone_number, channel, sender, messaging_service_sid, status, updated_at)
     SELECT x.customer_id, x.phone_number, x.channel, x.sender, x.service, x.status, now()
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS x(customer_id, phone_number, channel, sender, service, status)
      ORDER BY x.customer_id, x.phone_number, x.channel, x.sender
     ON CONFLICT (customer_id, phone_number, channel, sender) DO UPDATE
        SET status = EXCLUDED.status, messaging_service_sid = COALESCE(EXCLUDED.messaging_service_sid, isv.opt_out_senders.messaging_service_sid), updated_at = now()`,
    [
      scoped.map((r) => r.customerId),
      scoped.map((r) => r.phoneNumber),
      scoped.map((r) => r.channel),
      scoped.map((r) => bareSender(r.sender!)),
      scoped.map((r) => (r.messagingServiceSid && /^MG[0-9a-f]{32}$/.test(r.messagingServiceSid) ? r.messagingServiceSid : null)),
      scoped.map((r) => r.status),
    ],
  );
}

/** The per-sender opt-out state of a recipient. */
export async function listOptOutSenders(
  db: Db,
  customerId: string,
  phoneNumber: string,
  channel: MessageChannel,
): Promise<{ sender: string; messaging_service_sid: string | null; status: OptOutStatus }[]> {
  return db.query(
    `SELECT sender, messaging_service_sid, status FROM isv.opt_out_senders WHERE customer_id = $1 AND phone_number = $2 AND channel = $3`,
    [customerId, phoneNumber, channel],
  );
}

/** The customer's active numbers on a messaging service: the senders Twilio may pick from. */
export async function listServiceSenders(db: Db, customerId: string, messagingServiceSid: string): Promise<string[]> {
  const rows = await db.query<{ phone_number: string }>(
    `SELECT phone_number FROM isv.numbers WHERE customer_id = $1 AND messaging_service_sid = $2 AND status = 'active'`,
    [customerId, messagingServiceSid],
  );
  return rows.map((r) => r.phone_number);
}

export async function findAdvancedOptOut(db: Db, customerId: string, messagingServiceSid: string): Promise<boolean> {
  const rows = await db.query<{ advanced_opt_out: boolean }>(
    `SELECT advanced_opt_out FROM isv.opt_out_scopes WHERE customer_id = $1 AND messaging_service_sid = $2`,
    [customerId, messagingServiceSid],
  );
  return rows[0]?.advanced_opt_out ?? false;
}

export async function setAdvancedOptOut(db: Db, customerId: string, messagingServiceSid: string, enabled: boolean): Promise<void> {
  await db.query(
    `INSERT INTO isv.opt_out_scopes (customer_id, messaging_service_sid, advanced_opt_out, updated_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (customer_id, messaging_service_sid) DO UPDATE SET advanced_opt_out = EXCLUDED.advanced_opt_out, updated_at = now()`,
    [customerId, messagingServiceSid, enabled],
  );
}

export async function findOptOut(
  db: Db,
  customerId: string,
  phoneNumber: string,
  channel: MessageChannel,
): Promise<OptOutRow | undefined> {
  return one(
    db.query<OptOutRow>(
      `SELECT customer_id, phone_number, channel, status, keyword, source, updated_at
         FROM isv.opt_outs WHERE customer_id = $1 AND phone_number = $2 AND channel = $3`,
      [customerId, phoneNumber, channel],
    ),
  );
}

/**
 * A page of a customer's opt-outs in (phone_number, channel) order, after the given key. Only the filters given are
 * named, so the planner picks the index that fits: the primary key, (customer_id, status, phone_number, channel)
 * or (customer_id, channel, phone_number).
 */
export async function listOptOuts(
  db: Db,
  customerId: string,
  q: { status?: OptOutStatus; channel?: MessageChannel; after?: { phoneNumber: string; channel: string }; limit: number },
): Promise<OptOutRow[]> {
  const params: unknown[] = [customerId];
  const where = ['customer_id = $1'];
  const param = (value: unknown) => `$${params.push(value)}`;
  if (q.status !== undefined) where.push(`status = ${param(q.status)}`);
  if (q.channel !== undefined) where.push(`channel = ${param(q.channel)}`);
  if (q.after) {
    const phone = param(q.after.phoneNumber);
    // The second condition follows from the first; it is the one the channel index can range over.
    where.push(`(phone_number, channel) > (${phone}::text, ${param(q.after.channel)}::text)`, `phone_number >= ${phone}::text`);
  }
  return db.query<OptOutRow>(
    `SELECT customer_id, phone_number, channel, status, keyword, source, updated_at
       FROM isv.opt_outs
      WHERE ${where.join(' AND ')}
      ORDER BY phone_number, channel
      LIMIT ${param(q.limit)}`,
    params,
  );
}
