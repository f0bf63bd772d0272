// SQL for recording verified Twilio webhooks and their effects, written set-wise so one transaction carries a
// whole batch. Every statement takes its rows in a fixed order (by key, by SID) so concurrent batches that touch
// the same rows queue behind each other instead of deadlocking.
import type { Db } from '../platform/db/db.ts';
import type { MessageChannel, MessageStatus } from '../../shared/messages.ts';

export type WebhookKind = 'inbound' | 'status' | 'opt_out';

export interface WebhookEventInsert {
  idempotencyKey: string;
  idempotencyToken: string | null;
  kind: WebhookKind;
  accountSid: string;
  messageSid: string | null;
  payload: Record<string, string>;
}

/**
 * Stores new events (processed in the same transaction) and returns the keys that were not already there.
 * ON CONFLICT without a target: a repeat of the signed key or of the (account, idempotency token) hint is a
 * duplicate either way.
 */
export async function insertWebhookEvents(db: Db, events: readonly WebhookEventInsert[]): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const rows = await db.query<{ idempotency_key: string }>(
    `INSERT INTO isv.webhook_events (idempotency_key, twilio_idempotency_token, kind, account_sid, customer_id, message_sid, payload, processed_at)
     SELECT x.key, x.token, x.kind, x.account_sid, s.customer_id, x.message_sid, x.payload::jsonb, now()
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS x(key, kind, account_sid, message_sid, payload, token)
       LEFT JOIN isv.twilio_subaccounts s ON s.account_sid = x.account_sid
      ORDER BY x.key
     ON CONFLICT DO NOTHING
     RETURNING idempotency_key`,
    [
      events.map((e) => e.idempotencyKey),
      events.map((e) => e.kind),
      events.map((e) => e.accountSid),
      events.map((e) => e.messageSid),
      events.map((e) => JSON.stringify(e.payload)),
      events.map((e) => e.idempotencyToken),
    ],
  );
  return new Set(rows.map((r) => r.idempotency_key));
}

/** Twilio error 21610: the recipient replied STOP (FACTS §10, §11). */
const OPTED_OUT_CODE = 21610;

export interface StatusEventRow {
  idempotencyKey: string;
  idempotencyToken: string | null;
  accountSid: string;
  messageSid: string;
  payload: Record<string, string>;
  channel: MessageChannel;
  from: string | null;
  to: string | null;
  messagingServiceSid: string | null;
  status: MessageStatus;
  errorCode: number | null;
  price: string | null;
  priceUnit: string | null;
  numSegments: number | null;
}

/**
 * Records a batch of status callbacks and applies them, in ONE statement (one round trip, atomic on its own):
 *  - new_events: stores each event under its key; only keys not seen before go on (duplicates have no effect;
 *    a repeated (account, idempotency token) hint is a duplicate too);
 *  - per_message / last_values: per message, the highest-ranked new status (first arrival wins ties) and the
 *    latest error code, price, segments and sender the callbacks carried;
 *  - up: creates the message for the customer owning the AccountSid when the platform did not send it, or
 *    moves its status only to a higher rank; one tenant never updates another's message (WHERE account_sid);
 *    previous_status returns what the row held before, so…
 *  - hist: every new event goes to the history, applied = it ranked above everything before it (the stored
 *    status and the earlier events of this batch); a late lower status is kept with applied = false;
 *  - oo: error 21610 (recipient opted out, FACTS §10) records the opt-out.
 * Rows are taken in key / SID order so concurrent batches queue instead of deadlocking.
 * Returns the keys that were new.
 */
export async function recordStatusEvents(db: Db, rows: readonly StatusEventRow[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const result = await db.query<{ idempotency_key: string }>(
    `WITH x AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                            $9::text[], $10::int[], $11::numeric[], $12::text[], $13::int[], $14::text[]) WITH ORDINALITY
              AS x(key, account_sid, sid, payload, channel, from_number, to_number, mg, status, error_code, price, price_unit, num_segments, token, n)
     ),
     new_events AS (
       INSERT INTO isv.webhook_events (idempotency_key, twilio_idempotency_token, kind, account_sid, customer_id, message_sid, payload, processed_at)
       SELECT x.key, x.token, 'status', x.account_sid, s.customer_id, x.sid, x.payload::jsonb, now()
         FROM x LEFT JOIN isv.twilio_subaccounts s ON s.account_sid = x.account_sid
        ORDER BY x.key
       ON CONFLICT DO NOTHING
       RETURNING idempotency_key
     ),
     fresh AS (
       SELECT x.*, isv.message_status_rank(x.status) AS rank FROM x JOIN new_events e ON e.idempotency_key = x.key
     ),
     per_message AS (
       SELECT DISTINCT ON (f.sid) f.sid, f.account_sid, f.channel, f.to_number, f.mg, f.status
         FROM fresh f ORDER BY f.sid, f.rank DESC, f.n
     ),
     last_values AS (
       SELECT f.sid,
              (array_agg(f.error_code ORDER BY f.n DESC) FILTER (WHERE f.error_code IS NOT NULL))[1] AS error_code,
              (array_agg(f.price ORDER BY f.n DESC) FILTER (WHERE f.price IS NOT NULL))[1] AS price,
              (array_agg(f.price_unit ORDER BY f.n DESC) FILTER (WHERE f.price_unit IS NOT NULL))[1] AS price_unit,
              (array_agg(f.num_segments ORDER BY f.n DESC) FILTER (WHERE f.num_segments IS NOT NULL))[1] AS num_segments,
              (array_agg(f.from_number ORDER BY f.n DESC) FILTER (WHERE f.from_number IS NOT NULL))[1] AS from_number
         FROM fresh f GROUP BY f.sid
     ),
     up AS (
       INSERT INTO isv.messages AS m (customer_id, account_sid, sid, direction, channel, from_number, to_number,
                                      messaging_service_sid, status, error_code, price, price_unit, num_segments)
       SELECT s.customer_id, p.account_sid, p.sid, 'outbound', p.channel, l.from_number, coalesce(p.to_number, ''),
              p.mg, p.status, l.error_code, l.price, l.price_unit, l.num_segments
         FROM per_message p
         JOIN last_values l ON l.sid = p.sid
         JOIN isv.twilio_subaccounts s ON s.account_sid = p.account_sid
        ORDER BY p.sid
       ON CONFLICT (sid) DO UPDATE
          SET previous_status = m.status,
              status = CASE WHEN isv.message_status_rank(EXCLUDED.status) > isv.message_status_rank(m.status)
                            THEN EXCLUDED.status ELSE m.status END,
              error_code = coalesce(EXCLUDED.error_code, m.error_code),
              price = coalesce(EXCLUDED.price, m.price),
              price_unit = coalesce(EXCLUDED.price_unit, m.price_unit),
              num_segments = coalesce(EXCLUDED.num_segments, m.num_segments),
              from_number = coalesce(m.from_number, EXCLUDED.from_number),
              to_number = CASE WHEN m.to_number = '' THEN EXCLUDED.to_number ELSE m.to_number END,
              updated_at = now()
        WHERE m.account_sid = EXCLUDED.account_sid
       RETURNING m.id, m.sid, m.customer_id, m.channel, m.to_number, m.previous_status, (m.xmax = 0) AS inserted
     ),
     hist AS (
       INSERT INTO isv.message_status_history (message_id, status, error_code, source, applied, at)
       SELECT up.id, f.status, f.error_code, 'callback',
              f.rank > greatest(
                CASE WHEN up.inserted THEN -1 ELSE coalesce(isv.message_status_rank(up.previous_status), -1) END,
                coalesce(max(f.rank) OVER (PARTITION BY f.sid ORDER BY f.n ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), -1)),
              clock_timestamp()
         FROM fresh f JOIN up ON up.sid = f.sid
        ORDER BY f.sid, f.n
     ),
     oo AS (
       INSERT INTO isv.opt_outs (customer_id, phone_number, channel, status, keyword, source, updated_at)
       SELECT DISTINCT ON (up.customer_id, up.to_number, up.channel)
              up.customer_id, up.to_number, up.channel, 'opted_out', NULL, 'error_21610', now()
         FROM up JOIN fresh f ON f.sid = up.sid
        WHERE f.error_code = ${OPTED_OUT_CODE} AND up.to_number <> ''
        ORDER BY up.customer_id, up.to_number, up.channel
       ON CONFLICT (customer_id, phone_number, channel) DO UPDATE
          SET status = 'opted_out', keyword = NULL, source = 'error_21610', updated_at = now()
     )
     SELECT idempotency_key FROM new_events`,
    [
      rows.map((r) => r.idempotencyKey),
      rows.map((r) => r.accountSid),
      rows.map((r) => r.messageSid),
      rows.map((r) => JSON.stringify(r.payload)),
      rows.map((r) => r.channel),
      rows.map((r) => r.from),
      rows.map((r) => r.to),
      rows.map((r) => r.messagingServiceSid),
      rows.map((r) => r.status),
      rows.map((r) => r.errorCode),
      rows.map((r) => r.price),
      rows.map((r) => r.priceUnit),
      rows.map((r) => r.numSegments),
      rows.map((r) => r.idempotencyToken),
    ],
  );
  return new Set(result.map((r) => r.idempotency_key));
}

export interface StatusHistoryInsert {
  messageId: string;
  status: MessageStatus;
  errorCode: number | null;
  source: 'api' | 'callback' | 'inbound';
  applied: boolean;
}

/** Appends history rows in the given order (seq, an identity column, records it). */
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
