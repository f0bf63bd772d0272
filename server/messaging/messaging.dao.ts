// SQL for a customer's messages: what a send needs to know (sending set-up, idempotency reservations), recording
// Twilio's answer, and reading the log with keyset pages and the status history.
import type { Db } from '../platform/db/db.ts';
import { one } from '../platform/db/db.ts';
import type { MessageChannel, MessageDirection, MessageStatus } from '../../shared/messages.ts';

export interface MessageRow {
  id: string;
  customer_id: string;
  account_sid: string;
  sid: string | null;
  direction: MessageDirection;
  channel: MessageChannel;
  from_number: string | null;
  to_number: string;
  content_sid: string | null;
  messaging_service_sid: string | null;
  status: MessageStatus;
  error_code: number | null;
  error_message: string | null;
  price: string | null;
  price_unit: string | null;
  num_segments: number | null;
  num_media: number | null;
  idempotency_key: string | null;
  created_at: Date;
  updated_at: Date;
}

// Never the body: it stays in the database (DESIGN §4).
const COLUMNS = `id, customer_id, account_sid, sid, direction, channel, from_number, to_number, content_sid,
  messaging_service_sid, status, error_code, error_message, price::text AS price, price_unit, num_segments, num_media,
  idempotency_key, created_at, updated_at`;

export async function findVerifiedCampaignService(db: Db, customerId: string): Promise<string | undefined> {
  const row = await one(
    db.query<{ messaging_service_sid: string }>(
      `SELECT messaging_service_sid FROM isv.campaigns
        WHERE customer_id = $1 AND status = 'verified' AND messaging_service_sid IS NOT NULL
        ORDER BY updated_at DESC LIMIT 1`,
      [customerId],
    ),
  );
  return row?.messaging_service_sid;
}

export async function countActiveNumbers(db: Db, customerId: string): Promise<number> {
  const rows = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM isv.numbers WHERE customer_id = $1 AND status = 'active'`,
    [customerId],
  );
  return rows[0]?.n ?? 0;
}

export async function findOnlineWhatsappSender(db: Db, customerId: string): Promise<{ phone_number: string; sender_sid: string | null } | undefined> {
  return one(
    db.query<{ phone_number: string; sender_sid: string | null }>(
      `SELECT phone_number, sender_sid FROM isv.whatsapp_senders
        WHERE customer_id = $1 AND status = 'online' ORDER BY updated_at DESC LIMIT 1`,
      [customerId],
    ),
  );
}

export interface MessageReservation {
  customerId: string;
  accountSid: string;
  channel: MessageChannel;
  to: string;
  body: string | null;
  contentSid: string | null;
  messagingServiceSid: string | null;
  idempotencyKey: string | null;
}

/**
 * The row exists before Twilio is called, so a send is never unrecorded and a second request with the same
 * Idempotency-Key finds it. Returns undefined when the key is already taken (the caller reads that row).
 */
export async function reserveMessage(db: Db, r: MessageReservation): Promise<MessageRow | undefined> {
  return one(
    db.query<MessageRow>(
      `INSERT INTO isv.messages (customer_id, account_sid, direction, channel, to_number, body, content_sid,
                                 messaging_service_sid, status, idempotency_key)
       VALUES ($1, $2, 'outbound', $3, $4, $5, $6, $7, 'accepted', $8)
       ON CONFLICT (customer_id, idempotency_key) DO NOTHING
       RETURNING ${COLUMNS}`,
      [r.customerId, r.accountSid, r.channel, r.to, r.body, r.contentSid, r.messagingServiceSid, r.idempotencyKey],
    ),
  );
}

export async function findMessageByIdempotencyKey(db: Db, customerId: string, key: string): Promise<MessageRow | undefined> {
  return one(
    db.query<MessageRow>(`SELECT ${COLUMNS} FROM isv.messages WHERE customer_id = $1 AND idempotency_key = $2`, [customerId, key]),
  );
}

/**
 * When this contact last wrote to the customer's WhatsApp sender: WhatsApp's 24-hour customer-service window
 * opens with each inbound message (DOCS /docs/api/errors/63016). Served by messages_customer_from_created_idx.
 */
export async function lastWhatsAppInbound(db: Db, customerId: string, contact: string, sender: string): Promise<Date | undefined> {
  const row = await one(
    db.query<{ created_at: string | Date }>(
      `SELECT created_at FROM isv.messages
        WHERE customer_id = $1 AND from_number = $2 AND direction = 'inbound' AND channel = 'whatsapp' AND to_number = $3
        ORDER BY created_at DESC, id DESC LIMIT 1`,
      [customerId, contact, sender],
    ),
  );
  return row ? new Date(row.created_at) : undefined;
}

export interface TwilioAnswer {
  sid: string;
  status: MessageStatus;
  from: string | null;
  numSegments: number | null;
  errorCode: number | null;
  errorMessage: string | null;
}

/** Stores Twilio's answer on the reservation. Throws a unique violation when a callback already created the SID's row. */
export async function recordTwilioAnswer(db: Db, id: string, a: TwilioAnswer): Promise<MessageRow> {
  const rows = await db.query<MessageRow>(
    // Twilio answers 0 segments while a Messaging Service has not chosen a sender yet: unknown, not zero.
    `UPDATE isv.messages
        SET sid = $2, status = $3, from_number = coalesce($4, from_number), num_segments = nullif($5::int, 0),
            error_code = $6, error_message = $7, updated_at = now()
      WHERE id = $1
      RETURNING ${COLUMNS}`,
    [id, a.sid, a.status, a.from, a.numSegments, a.errorCode, a.errorMessage],
  );
  return rows[0]!;
}

export async function deleteMessage(db: Db, id: string): Promise<void> {
  await db.query(`DELETE FROM isv.messages WHERE id = $1 AND sid IS NULL`, [id]);
}

/**
 * A status callback outran Twilio's answer and created the SID's row first: that row takes over what only the
 * send knew (idempotency key, body, template). Run after deleting the reservation, in the same transaction.
 */
export async function adoptCallbackRow(
  db: Db,
  customerId: string,
  sid: string,
  r: { idempotencyKey: string | null; body: string | null; contentSid: string | null; messagingServiceSid: string | null; from: string | null; to: string },
): Promise<MessageRow | undefined> {
  return one(
    db.query<MessageRow>(
      `UPDATE isv.messages
          SET idempotency_key = $3, body = $4, content_sid = $5, messaging_service_sid = coalesce(messaging_service_sid, $6),
              from_number = coalesce(from_number, $7), to_number = CASE WHEN to_number = '' THEN $8 ELSE to_number END,
              updated_at = now()
        WHERE customer_id = $1 AND sid = $2
        RETURNING ${COLUMNS}`,
      [customerId, sid, r.idempotencyKey, r.body, r.contentSid, r.messagingServiceSid, r.from, r.to],
    ),
  );
}

export interface MessageFilters {
  status?: MessageStatus;
  direction?: MessageDirection;
  channel?: MessageChannel;
  to?: string;
  from?: string;
  since?: string;
  until?: string;
}

/**
 * Newest first; `after` is the (created_at as text, id) of the last row of the previous page. The statement names
 * only the filters given, so each combination is planned on its own and finds its index (one per filter, led by
 * customer_id and ending in the page order: supabase/migrations/20261207093000_list_indexes.sql).
 */
export async function listMessages(
  db: Db,
  customerId: string,
  f: MessageFilters,
  after: { createdAt: string; id: string } | undefined,
  limit: number,
): Promise<(MessageRow & { cursor_ts: string })[]> {
  const params: unknown[] = [customerId];
  const where = ['customer_id = $1'];
  const param = (value: unknown) => `$${params.push(value)}`;
  if (f.status !== undefined) where.push(`status = ${param(f.status)}`);
  if (f.direction !== undefined) where.push(`direction = ${param(f.direction)}`);
  if (f.channel !== undefined) where.push(`channel = ${param(f.channel)}`);
  if (f.to !== undefined) where.push(`to_number = ${param(f.to)}`);
  if (f.from !== undefined) where.push(`from_number = ${param(f.from)}`);
  if (f.since !== undefined) where.push(`created_at >= ${param(f.since)}::timestamptz`);
  if (f.until !== undefined) where.push(`created_at < ${param(f.until)}::timestamptz`);
  if (after) where.push(`(created_at, id) < (${param(after.createdAt)}::timestamptz, ${param(after.id)}::uuid)`);
  return db.query(
    `SELECT ${COLUMNS}, created_at::text AS cursor_ts
       FROM isv.messages
      WHERE ${where.join(' AND ')}
      ORDER BY created_at DESC, id DESC
      LIMIT ${param(limit)}`,
    params,
  );
}

export async function findMessage(db: Db, customerId: string, id: string): Promise<MessageRow | undefined> {
  return one(db.query<MessageRow>(`SELECT ${COLUMNS} FROM isv.messages WHERE customer_id = $1 AND id = $2`, [customerId, id]));
}

export interface StatusHistoryRow {
  status: MessageStatus;
  error_code: number | null;
  source: 'api' | 'callback' | 'inbound';
  applied: boolean;
  at: Date;
}

export async function listStatusHistory(db: Db, messageId: string): Promise<StatusHistoryRow[]> {
  return db.query<StatusHistoryRow>(
    `SELECT status, error_code, source, applied, at FROM isv.message_status_history WHERE message_id = $1 ORDER BY seq`,
    [messageId],
  );
}

/** Finished statuses: Twilio has counted the segments and (usually) priced the message by now. */
const SETTLED_STATUSES = `('delivered', 'undelivered', 'failed', 'read')`;

export interface UnsettledMessage {
  id: string;
  sid: string;
  account_sid: string;
  settle_attempts: number;
}

/**
 * Claims finished outbound messages still missing segments or price (at most `maxAttempts` fetches each, none older
 * than `maxAgeDays`): the lease is `settle_after`, pushed out by `backoffMs` × 2^attempts, so another instance skips them.
 */
export async function claimUnsettledMessages(db: Db, o: { limit: number; maxAttempts: number; backoffMs: number; maxAgeDays: number }): Promise<UnsettledMessage[]> {
  return db.query<UnsettledMessage>(
    `UPDATE isv.messages m
        SET settle_attempts = m.settle_attempts + 1,
            settle_after = now() + make_interval(secs => $3::float8 / 1000 * 2 ^ m.settle_attempts)
      WHERE m.id IN (
        SELECT id FROM isv.messages
         WHERE direction = 'outbound' AND sid IS NOT NULL AND (price IS NULL OR num_segments IS NULL)
           AND status IN ${SETTLED_STATUSES}
           AND settle_attempts < $2 AND (settle_after IS NULL OR settle_after <= now())
           AND created_at > now() - $4::int * interval '1 day'
         ORDER BY settle_after NULLS FIRST, created_at
         LIMIT $1
         FOR UPDATE SKIP LOCKED)
      RETURNING m.id, m.sid, m.account_sid, m.settle_attempts`,
    [o.limit, o.maxAttempts, o.backoffMs, o.maxAgeDays],
  );
}

/** Stores what Twilio's fetch reported; values it does not have yet (null, or 0 segments) leave the row as it was. */
export async function recordSettlement(db: Db, id: string, s: { numSegments: number | null; price: string | null; priceUnit: string | null }): Promise<void> {
  await db.query(
    `UPDATE isv.messages
        SET num_segments = coalesce(nullif($2::int, 0), num_segments),
            price = coalesce($3::numeric, price),
            price_unit = coalesce($4, price_unit),
            updated_at = now()
      WHERE id = $1`,
    [id, s.numSegments, s.price, s.priceUnit],
  );
}
