// SQL for isv.flows and isv.flow_events: inserting flows, claiming due ones under a lease (SKIP LOCKED), writing a
// step's result with a version guard, parking/resuming from services, waking on webhooks, and the read model.
import type { Db } from '../platform/db/db.ts';
import { one } from '../platform/db/db.ts';
import type { FlowError, FlowKind, FlowStatus } from '../../shared/onboarding.ts';

export interface FlowRow {
  id: string;
  kind: FlowKind;
  customer_id: string;
  subject_id: string | null;
  depends_on: string | null;
  state: string;
  status: FlowStatus;
  context: Record<string, unknown>;
  waiting_for: string | null;
  attempts: number;
  poll_interval_ms: number;
  next_run_at: Date | null;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  last_error: FlowError | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface FlowEventRow {
  id: string;
  flow_id: string;
  at: Date;
  from_state: string | null;
  to_state: string;
  message: string;
  data: unknown;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

export interface NewFlow {
  kind: FlowKind;
  customerId: string;
  subjectId?: string | null;
  dependsOn?: string | null;
  state: string;
  status: FlowStatus;
  context?: Record<string, unknown>;
  waitingFor?: string | null;
  nextRunAt: Date | null;
  lastError?: FlowError | null;
}

export async function insertFlow(db: Db, f: NewFlow): Promise<FlowRow> {
  const rows = await db.query<FlowRow>(
    `INSERT INTO isv.flows (kind, customer_id, subject_id, depends_on, state, status, context, waiting_for, next_run_at, last_error)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9::timestamptz, $10::jsonb)
     RETURNING *`,
    [f.kind, f.customerId, f.subjectId ?? null, f.dependsOn ?? null, f.state, f.status, json(f.context ?? {}),
      f.waitingFor ?? null, iso(f.nextRunAt), json(f.lastError)],
  );
  return rows[0]!;
}

/** The subaccount flow is unique per customer (partial unique index); a second start is a no-op. */
export async function insertSubaccountFlowIfAbsent(db: Db, customerId: string, state: string): Promise<FlowRow | undefined> {
  return one(
    db.query<FlowRow>(
      `INSERT INTO isv.flows (kind, customer_id, state, status, next_run_at)
       VALUES ('subaccount', $1, $2, 'in_progress', now())
       ON CONFLICT (customer_id) WHERE kind = 'subaccount' DO NOTHING
       RETURNING *`,
      [customerId, state],
    ),
  );
}

/**
 * Claims up to `limit` due flows for `owner` until `leaseUntil`. A flow is due when its next_run_at has passed
 * and nobody holds a live lease on it; an expired lease (a crashed or stuck worker) is simply taken back here.
 * The claim bumps `version`, so a late write from the previous holder fails its guard.
 */
export async function claimDueFlows(
  db: Db,
  c: { owner: string; now: Date; leaseUntil: Date; limit: number },
): Promise<FlowRow[]> {
  return db.query<FlowRow>(
    `UPDATE isv.flows f
        SET lease_owner = $1, lease_expires_at = $3::timestamptz, version = f.version + 1
      WHERE f.id IN (
        SELECT id FROM isv.flows
         WHERE next_run_at IS NOT NULL AND next_run_at <= $2::timestamptz
           AND (lease_expires_at IS NULL OR lease_expires_at <= $2::timestamptz)
         ORDER BY next_run_at
         LIMIT $4
         FOR UPDATE SKIP LOCKED)
      RETURNING f.*`,
    [c.owner, iso(c.now), iso(c.leaseUntil), c.limit],
  );
}

export interface FlowResult {
  state: string;
  status: FlowStatus;
  context: Record<string, unknown>;
  waitingFor: string | null;
  attempts: number;
  pollIntervalMs: number;
  nextRunAt: Date | null;
  lastError: FlowError | null;
  /** Kept when the worker continues with the next step under the same lease. */
  lease: { owner: string; expiresAt: Date } | null;
  now: Date;
}

/** GUARD: zero rows means the lease was lost (another worker reclaimed it); the caller discards its result. */
export async function writeFlowResult(db: Db, id: string, version: number, r: FlowResult): Promise<FlowRow | undefined> {
  return one(
    db.query<FlowRow>(
      `UPDATE isv.flows
          SET state = $3, status = $4, context = $5::jsonb, waiting_for = $6, attempts = $7, poll_interval_ms = $8,
              next_run_at = $9::timestamptz, last_error = $10::jsonb, lease_owner = $11, lease_expires_at = $12::timestamptz,
              version = version + 1, updated_at = $13::timestamptz
        WHERE id = $1 AND version = $2
        RETURNING *`,
      [id, version, r.state, r.status, json(r.context), r.waitingFor, r.attempts, r.pollIntervalMs, iso(r.nextRunAt),
        json(r.lastError), r.lease?.owner ?? null, iso(r.lease?.expiresAt), iso(r.now)],
    ),
  );
}

/**
 * Pushes a held lease further out while its step is still running (a step waiting for A2P slots or a slow Twilio
 * can outlast ONBOARDING_LEASE_MS; another worker would then claim the flow and run the same step beside it).
 * Leaves version alone, so the step's result is still written against the version it claimed. False when the
 * lease is no longer this owner's.
 */
export async function extendLease(db: Db, id: string, version: number, owner: string, until: Date): Promise<boolean> {
  const rows = await db.query(
    `UPDATE isv.flows SET lease_expires_at = $4::timestamptz WHERE id = $1 AND version = $2 AND lease_owner = $3 RETURNING id`,
    [id, version, owner, until.toISOString()],
  );
  return rows.length === 1;
}

/** Lets go of a lease without changing anything else (used on stop, so another instance can pick it up at once). */
export async function releaseLease(db: Db, id: string, version: number): Promise<boolean> {
  const rows = await db.query(
    `UPDATE isv.flows SET lease_owner = NULL, lease_expires_at = NULL, version = version + 1
      WHERE id = $1 AND version = $2 RETURNING id`,
    [id, version],
  );
  return rows.length === 1;
}

export async function insertFlowEvent(
  db: Db,
  e: { flowId: string; at: Date; from: string | null; to: string; message: string; data?: unknown },
): Promise<void> {
  await db.query(
    `INSERT INTO isv.flow_events (flow_id, at, from_state, to_state, message, data) VALUES ($1, $2::timestamptz, $3, $4, $5, $6::jsonb)`,
    [e.flowId, iso(e.at), e.from, e.to, e.message, json(e.data)],
  );
}

export async function findFlow(db: Db, id: string): Promise<FlowRow | undefined> {
  return one(db.query<FlowRow>(`SELECT * FROM isv.flows WHERE id = $1`, [id]));
}

export async function findFlowForUpdate(db: Db, id: string): Promise<FlowRow | undefined> {
  return one(db.query<FlowRow>(`SELECT * FROM isv.flows WHERE id = $1 FOR UPDATE`, [id]));
}

export async function findSubaccountFlow(db: Db, customerId: string): Promise<FlowRow | undefined> {
  return one(db.query<FlowRow>(`SELECT * FROM isv.flows WHERE customer_id = $1 AND kind = 'subaccount'`, [customerId]));
}

export async function findFlowBySubject(db: Db, kind: FlowKind, subjectId: string): Promise<FlowRow | undefined> {
  return one(
    db.query<FlowRow>(`SELECT * FROM isv.flows WHERE kind = $1 AND subject_id = $2 ORDER BY created_at DESC LIMIT 1`, [kind, subjectId]),
  );
}

export async function listFlowsByCustomer(db: Db, customerId: string): Promise<FlowRow[]> {
  return db.query<FlowRow>(`SELECT * FROM isv.flows WHERE customer_id = $1 ORDER BY created_at, id`, [customerId]);
}

export async function listFlowsByCustomerAndKind(db: Db, customerId: string, kind: FlowKind): Promise<FlowRow[]> {
  return db.query<FlowRow>(`SELECT * FROM isv.flows WHERE customer_id = $1 AND kind = $2 ORDER BY created_at, id`, [customerId, kind]);
}

export async function listFlowEvents(db: Db, flowIds: readonly string[]): Promise<FlowEventRow[]> {
  if (flowIds.length === 0) return [];
  return db.query<FlowEventRow>(
    `SELECT * FROM isv.flow_events WHERE flow_id = ANY($1::uuid[]) ORDER BY at, id`,
    [flowIds],
  );
}

/**
 * Moves a flow that is not leased (parked, or waiting) to a new state from outside the engine: an admin's
 * decision, a customer's fix or OTP. GUARD: compare-and-set on the version read by the caller.
 */
export async function moveFlow(
  db: Db,
  id: string,
  version: number,
  m: {
    state: string;
    status: FlowStatus;
    context: Record<string, unknown>;
    waitingFor: string | null;
    nextRunAt: Date | null;
    lastError: FlowError | null;
    attempts?: number;
    now: Date;
  },
): Promise<FlowRow | undefined> {
  return one(
    db.query<FlowRow>(
      `UPDATE isv.flows
          SET state = $3, status = $4, context = $5::jsonb, waiting_for = $6, next_run_at = $7::timestamptz,
              last_error = $8::jsonb, attempts = COALESCE($9, attempts), poll_interval_ms = 0,
              lease_owner = NULL, lease_expires_at = NULL, version = version + 1, updated_at = $10::timestamptz
        WHERE id = $1 AND version = $2
        RETURNING *`,
      [id, version, m.state, m.status, json(m.context), m.waitingFor, iso(m.nextRunAt), json(m.lastError),
        m.attempts ?? null, iso(m.now)],
    ),
  );
}

/** Flows of dependants waiting on a flow that just finished run right away instead of at their next poll. */
export async function wakeDependants(db: Db, flowId: string, now: Date): Promise<void> {
  await db.query(
    `UPDATE isv.flows SET next_run_at = $2::timestamptz, poll_interval_ms = 0
      WHERE depends_on = $1 AND next_run_at IS NOT NULL AND next_run_at > $2::timestamptz`,
    [flowId, iso(now)],
  );
}

export async function countFlowsByStatus(db: Db): Promise<{ status: FlowStatus; count: number }[]> {
  return db.query(`SELECT status, count(*)::int AS count FROM isv.flows GROUP BY status`);
}

export async function listUnfinishedFlows(db: Db): Promise<Pick<FlowRow, 'id' | 'kind' | 'customer_id' | 'state' | 'status' | 'last_error'>[]> {
  return db.query(`SELECT id, kind, customer_id, state, status, last_error FROM isv.flows WHERE status <> 'done' ORDER BY created_at`);
}

/** A signed webhook from a subaccount wakes only that customer's flows waiting on the resource it names. */
export async function wakeFlowsForAccountResource(db: Db, accountSid: string, resourceSid: string, now: Date = new Date()): Promise<number> {
  const rows = await db.query(
    `UPDATE isv.flows SET next_run_at = $3::timestamptz, poll_interval_ms = 0
      WHERE status = 'waiting_on_twilio' AND context->>'waitingOnSid' = $2
        AND customer_id = (SELECT customer_id FROM isv.twilio_subaccounts WHERE account_sid = $1)
      RETURNING id`,
    [accountSid, resourceSid, iso(now)],
  );
  return rows.length;
}

export interface AttentionRow extends FlowRow {
  customer_name: string;
}

/** The operator queue: flows parked on a fault the customer cannot fix, oldest first. */
export async function listNeedsAttention(db: Db, limit: number): Promise<AttentionRow[]> {
  return db.query<AttentionRow>(
    `SELECT f.*, c.legal_name AS customer_name
       FROM isv.flows f JOIN isv.customers c ON c.id = f.customer_id
      WHERE f.status = 'needs_attention'
      ORDER BY f.updated_at, f.id
      LIMIT $1`,
    [limit],
  );
}

/** Recoveries the engine made on its own (timeline events flagged `recovery`). */
export async function countRecoveries(db: Db): Promise<number> {
  const rows = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM isv.flow_events WHERE data->>'recovery' = 'true'`);
  return rows[0]?.n ?? 0;
}

/**
 * Stops every unfinished flow that runs in the customer's connected Twilio account (its account is being
 * disconnected). Bumps the version, so a worker holding one discards its result instead of writing after this.
 */
export async function stopConnectedAccountFlows(db: Db, customerId: string, error: FlowError, now: Date): Promise<FlowRow[]> {
  return db.query<FlowRow>(
    `UPDATE isv.flows
        SET status = 'failed', waiting_for = NULL, next_run_at = NULL, last_error = $2::jsonb, poll_interval_ms = 0,
            lease_owner = NULL, lease_expires_at = NULL, version = version + 1, updated_at = $3::timestamptz
      WHERE customer_id = $1 AND context->>'twilioAccount' = 'connected' AND status NOT IN ('done', 'failed')
      RETURNING *`,
    [customerId, json(error), iso(now)],
  );
}
