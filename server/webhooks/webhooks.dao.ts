// SQL for recording verified Twilio webhooks and their effects, written set-wise so one transaction carries a
// whole batch. Every statement takes its rows in a fixed order (by key, by SID) so concurrent batches that touch
// the same rows queue behind each other instead of deadlocking.
import type { Db } from '../platform/db/db.ts';
import type { MessageChannel, MessageStatus } from '../../shared/messages.ts';

export type WebhookKind = 'inbound' | 'status' | 'opt_out';

export interface WebhookEventInsert {
  idempotencyKey: string;
  kind: WebhookKind;
  accountSid: string;
  messageSid: string | null;
  payload: Record<string, string>;
}

/** Stores new events (processed in the same transaction) and returns the keys that were not already there. */
export async function insertWebhookEvents(db: Db, events: readonly WebhookEventInsert[]): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const rows = await db.query<{ idempotency_key: string }>(
    `INSERT INTO isv.webhook_events (idempotency_key, kind, account_sid, customer_id, message_sid, payload, processed_at)
     SELECT x.key, x.kind, x.account_sid, s.customer_id, x.message_sid, x.payload::jsonb, now()
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS x(key, kind, account_sid, message_sid, payload)
       LEFT JOIN isv.twilio_subaccounts s ON s.account_sid = x.account_sid
      ORDER BY x.key
     ON CONFLICT (idempotency_key) DO NOTHING
     RETURNING idempotency_key`,
    [
      events.map((e) => e.idempotencyKey),
      events.map((e) => e.kind),
      events.map((e) => e.accountSid),
      events.map((e) => e.messageSid),
      events.map((e) => JSON.stringify(e.payload)),
    ],
  );
  return new Set(rows.map((r) => r.idempotency_key));
}

export interface StatusTarget {
  sid: string;
  accountSid: string;
  channel: MessageChannel;
  from: string | null;
  to: string;
  messagingServiceSid: string | null;
  /** Used only when the message is unknown and the row is created from the callback. */
  status: MessageStatus;
}

export interface LockedMessage {
  id: string;
  sid: string;
  account_sid: string;
  customer_id: string;
  channel: MessageChannel;
  to_number: string;
  status: MessageStatus;
  /** true when this statement created the row (a message sent from the subaccount by other means). */
  inserted: boolean;
}

/**
 * Locks the message row of every SID (in SID order) and returns its current status; creates the rows of
 * messages the platform did not send, for the customer that owns the AccountSid. The no-op DO UPDATE is what
 * takes the row lock and makes RETURNING report rows that already existed.
 */
export async function lockOrCreateMessages(db: Db, targets: readonly StatusTarget[]): Promise<LockedMessage[]> {
  if (targets.length === 0) return [];
  return db.query<LockedMessage>(
    `INSERT INTO isv.messages (customer_id, account_sid, sid, direction, channel, from_number, to_number, messaging_service_sid, status)
     SELECT s.customer_id, x.account_sid, x.sid, 'outbound', x.channel, x.from_number, x.to_number, x.mg, x.status
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
            AS x(sid, account_sid, channel, from_number, to_number, mg, status)
       JOIN isv.twilio_subaccounts s ON s.account_sid = x.account_sid
      ORDER BY x.sid
     ON CONFLICT (sid) DO UPDATE SET sid = EXCLUDED.sid
     RETURNING id, sid, account_sid, customer_id, channel, to_number, status, (xmax = 0) AS inserted`,
    [
      targets.map((t) => t.sid),
      targets.map((t) => t.accountSid),
      targets.map((t) => t.channel),
      targets.map((t) => t.from),
      targets.map((t) => t.to),
      targets.map((t) => t.messagingServiceSid),
      targets.map((t) => t.status),
    ],
  );
}

export interface MessageStatusUpdate {
  id: string;
  status: MessageStatus;
  /** The sender Twilio chose from the service's pool; known only once the message left `accepted`. */
  from: string | null;
  errorCode: number | null;
  price: string | null;
  priceUnit: string | null;
  numSegments: number | null;
}

/** Writes each message's new current status; error code, price and segments keep their last known value. */
export async function updateMessageStatuses(db: Db, updates: readonly MessageStatusUpdate[]): Promise<void> {
  if (updates.length === 0) return;
  await db.query(
    `UPDATE isv.messages m
        SET status = x.status,
            error_code = coalesce(x.error_code, m.error_code),
            price = coalesce(x.price, m.price),
            price_unit = coalesce(x.price_unit, m.price_unit),
            num_segments = coalesce(x.num_segments, m.num_segments),
            from_number = coalesce(m.from_number, x.from_number),
            updated_at = now()
       FROM unnest($1::uuid[], $2::text[], $3::int[], $4::numeric[], $5::text[], $6::int[], $7::text[])
            AS x(id, status, error_code, price, price_unit, num_segments, from_number)
      WHERE m.id = x.id`,
    [
      updates.map((u) => u.id),
      updates.map((u) => u.status),
      updates.map((u) => u.errorCode),
      updates.map((u) => u.price),
      updates.map((u) => u.priceUnit),
      updates.map((u) => u.numSegments),
      updates.map((u) => u.from),
    ],
  );
}

export interface StatusHistoryInsert {
  messageId: string;
  status: MessageStatus;
  errorCode: number | null;
  source: 'api' | 'callback' | 'inbound';
  applied: boolean;
}

/** Appends history rows in the given order (clock_timestamp keeps that order within one transaction). */
export async function insertStatusHistory(db: Db, rows: readonly StatusHistoryInsert[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO isv.message_status_history (message_id, status, error_code, source, applied, at)
     SELECT x.message_id, x.status, x.error_code, x.source, x.applied, clock_timestamp()
       FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::boolean[]) WITH ORDINALITY
            AS x(message_id, status, error_code, source, applied, n)
      ORDER BY x.n`,
    [rows.map((r) => r.messageId), rows.map((r) => r.status), rows.map((r) => r.errorCode), rows.map((r) => r.source), rows.map((r) => r.applied)],
  );
}

export interface InboundMessageInsert {
  sid: string;
  accountSid: string;
  channel: MessageChannel;
  from: string;
  to: string;
  body: string | null;
  messagingServiceSid: string | null;
  numSegments: number | null;
  numMedia: number | null;
}

/** Records inbound messages for the customer owning the AccountSid; returns the rows created. */
export async function insertInboundMessages(
  db: Db,
  rows: readonly InboundMessageInsert[],
): Promise<{ id: string; sid: string; customer_id: string }[]> {
  if (rows.length === 0) return [];
  return db.query(
    `INSERT INTO isv.messages (customer_id, account_sid, sid, direction, channel, from_number, to_number, body,
                               messaging_service_sid, status, num_segments, num_media)
     SELECT s.customer_id, x.account_sid, x.sid, 'inbound', x.channel, x.from_number, x.to_number, x.body, x.mg,
            'received', x.num_segments, x.num_media
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::int[])
            AS x(sid, account_sid, channel, from_number, to_number, body, mg, num_segments, num_media)
       JOIN isv.twilio_subaccounts s ON s.account_sid = x.account_sid
      ORDER BY x.sid
     ON CONFLICT (sid) DO NOTHING
     RETURNING id, sid, customer_id`,
    [
      rows.map((r) => r.sid),
      rows.map((r) => r.accountSid),
      rows.map((r) => r.channel),
      rows.map((r) => r.from),
      rows.map((r) => r.to),
      rows.map((r) => r.body),
      rows.map((r) => r.messagingServiceSid),
      rows.map((r) => r.numSegments),
      rows.map((r) => r.numMedia),
    ],
  );
}

/** customer_id of each known AccountSid among the given ones (inbound opt-outs need the owning customer). */
export async function customersOfAccounts(db: Db, accountSids: readonly string[]): Promise<Map<string, string>> {
  if (accountSids.length === 0) return new Map();
  const rows = await db.query<{ account_sid: string; customer_id: string }>(
    `SELECT account_sid, customer_id FROM isv.twilio_subaccounts WHERE account_sid = ANY($1::text[])`,
    [accountSids],
  );
  return new Map(rows.map((r) => [r.account_sid, r.customer_id]));
}
