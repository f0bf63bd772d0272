// SQL of the A2P watch: claiming the registered brands due for a re-read (across instances), recording
// what Twilio answered, and the live statuses sending readiness reads.
import type { Db } from '../platform/db/db.ts';
import { one } from '../platform/db/db.ts';

export interface WatchedBrand {
  brand_id: string;
  customer_id: string;
  brand_sid: string;
  brand_status: string | null;
  campaign_sid: string;
  messaging_service_sid: string;
  campaign_status: string | null;
  watch_interval_ms: number | null;
  /** The a2p flow ran in the customer's own connected account, not its subaccount. */
  connected: boolean;
  flow_id: string | null;
  /** The flow recorded the Event Streams sink (flows finished before the `event_sink` step existed did not). */
  has_event_sink: boolean;
}

/**
 * Claims up to `limit` registered brands (with a verified campaign) whose next read is due, moving their next
 * read `leaseMs` ahead first so another instance skips them; SKIP LOCKED keeps concurrent claims apart.
 */
export async function claimDueBrands(db: Db, o: { now: Date; leaseMs: number; limit: number; settleMs: number }): Promise<WatchedBrand[]> {
  return db.query<WatchedBrand>(
    `WITH due AS (
       SELECT b.id FROM isv.brands b JOIN isv.campaigns c ON c.brand_id = b.id
        WHERE b.status = 'registered' AND c.status = 'verified' AND b.brand_sid IS NOT NULL
          AND c.campaign_sid IS NOT NULL AND c.messaging_service_sid IS NOT NULL
          -- Never read yet: first once the registration has settled (it was just read by the flow).
          AND (b.watch_next_at <= $1::timestamptz
               OR (b.watch_next_at IS NULL AND b.updated_at <= $1::timestamptz - make_interval(secs => $4::double precision / 1000)))
        ORDER BY b.watch_next_at NULLS FIRST
        LIMIT $3
        FOR UPDATE OF b SKIP LOCKED
     )
     UPDATE isv.brands b SET watch_next_at = $1::timestamptz + make_interval(secs => $2::double precision / 1000)
       FROM due, isv.campaigns c
      WHERE b.id = due.id AND c.brand_id = b.id
     RETURNING b.id AS brand_id, b.customer_id, b.brand_sid, b.twilio_status AS brand_status, c.campaign_sid,
               c.messaging_service_sid, c.twilio_status AS campaign_status, b.watch_interval_ms,
               EXISTS (SELECT 1 FROM isv.flows f WHERE f.kind = 'a2p' AND f.subject_id = b.id AND f.context->>'twilioAccount' = 'connected') AS connected,
               (SELECT f.id FROM isv.flows f WHERE f.kind = 'a2p' AND f.subject_id = b.id ORDER BY f.created_at DESC LIMIT 1) AS flow_id,
               EXISTS (SELECT 1 FROM isv.flows f WHERE f.kind = 'a2p' AND f.subject_id = b.id AND f.context ? 'eventSinkSid') AS has_event_sink`,
    [o.now.toISOString(), o.leaseMs, o.limit, o.settleMs],
  );
}

export async function recordWatch(
  db: Db,
  brandId: string,
  w: { at: Date; brandStatus: string; campaignStatus: string; intervalMs: number; attention: Record<string, unknown> | null },
): Promise<void> {
  await db.query(
    `UPDATE isv.brands SET twilio_status = $2, watched_at = $3::timestamptz, watch_interval_ms = $4::integer,
            watch_next_at = $3::timestamptz + make_interval(secs => $4::double precision / 1000), watch_attention = $5::jsonb, updated_at = now()
      WHERE id = $1`,
    [brandId, w.brandStatus, w.at.toISOString(), w.intervalMs, w.attention === null ? null : JSON.stringify(w.attention)],
  );
  await db.query(`UPDATE isv.campaigns SET twilio_status = $2, updated_at = now() WHERE brand_id = $1`, [brandId, w.campaignStatus]);
}

/** A read that failed (Twilio's fault): try again after `retryMs`, statuses unchanged. */
export async function postponeWatch(db: Db, brandId: string, at: Date, retryMs: number): Promise<void> {
  await db.query(`UPDATE isv.brands SET watch_next_at = $2::timestamptz + make_interval(secs => $3::double precision / 1000) WHERE id = $1`, [brandId, at.toISOString(), retryMs]);
}

/** The live statuses of the customer's registration on a messaging service (or its latest), for sending readiness. */
export async function findLiveA2pStatus(
  db: Db,
  customerId: string,
  messagingServiceSid?: string,
): Promise<{ brand_status: string | null; campaign_status: string | null } | undefined> {
  return one(
    db.query(
      `SELECT b.twilio_status AS brand_status, c.twilio_status AS campaign_status
         FROM isv.campaigns c JOIN isv.brands b ON b.id = c.brand_id
        WHERE c.customer_id = $1 AND c.status = 'verified' AND ($2::text IS NULL OR c.messaging_service_sid = $2)
        ORDER BY c.updated_at DESC LIMIT 1`,
      [customerId, messagingServiceSid ?? null],
    ),
  );
}

/** Brands whose status the platform did not know at the last read, for operators. */
export async function listWatchAttention(
  db: Db,
): Promise<{ brand_id: string; customer_id: string; customer_name: string; brand_sid: string; watch_attention: Record<string, unknown>; watched_at: Date }[]> {
  return db.query(
    `SELECT b.id AS brand_id, b.customer_id, COALESCE(c.display_name, c.legal_name) AS customer_name, b.brand_sid, b.watch_attention, b.watched_at
       FROM isv.brands b JOIN isv.customers c ON c.id = b.customer_id
      WHERE b.watch_attention IS NOT NULL ORDER BY b.watched_at`,
  );
}

/** Makes a registered brand due now; false when there is no such brand. */
export async function rereadSoon(db: Db, brandId: string): Promise<boolean> {
  const rows = await db.query(`UPDATE isv.brands SET watch_next_at = '-infinity' WHERE id = $1 AND status = 'registered' AND brand_sid IS NOT NULL RETURNING id`, [brandId]);
  return rows.length === 1;
}

/** Records the Event Streams sink the watch created for a flow that finished without one. */
export async function recordEventSink(db: Db, flowId: string, sink: { sinkSid: string; subscriptionSid: string }): Promise<void> {
  await db.query(`UPDATE isv.flows SET context = context || $2::jsonb WHERE id = $1`, [flowId, JSON.stringify({ eventSinkSid: sink.sinkSid, eventSubscriptionSid: sink.subscriptionSid })]);
}
