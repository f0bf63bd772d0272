// The process's Prometheus metrics (prom-client), one registry per process. Features record into the metrics
// below through the small functions at the end; GET /metrics (metrics-server.ts) serves the registry, or, in a
// clustered start, the primary serves every worker's registry aggregated (AggregatorRegistry). docs/metrics.md
// lists every metric and its labels.
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '../platform/db/db.ts';
import { flowKindSchema, flowStatusSchema } from '../../shared/onboarding.ts';
import type { BreakerState, TwilioOutcome } from '../twilio/health.ts';

export const registry = new Registry();
// Workers answer the primary's AggregatorRegistry.clusterMetrics() with this registry (not prom-client's global one).
AggregatorRegistry.setRegistries([registry]);
collectDefaultMetrics({ register: registry });

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export const httpRequestDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP requests to the platform by matched Express route pattern (never the raw URL), method and status',
  labelNames: ['route', 'method', 'status'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const webhooksTotal = new Counter({
  name: 'isv_webhooks_total',
  help: 'Twilio webhooks received, by kind and outcome (accepted, duplicate, rejected with its reason)',
  labelNames: ['kind', 'outcome', 'reason'] as const,
  registers: [registry],
});

export const twilioRequestsTotal = new Counter({
  name: 'isv_twilio_requests_total',
  help: 'HTTP requests the Twilio SDK made, by operation and outcome (ok, client_error, throttled, server_error, timeout, network_error)',
  labelNames: ['operation', 'outcome'] as const,
  registers: [registry],
});

export const twilioRequestDuration = new Histogram({
  name: 'isv_twilio_request_duration_seconds',
  help: 'Latency of HTTP requests to Twilio, by operation and outcome',
  labelNames: ['operation', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const twilioBreakerState = new Gauge({
  name: 'isv_twilio_breaker_state',
  help: "The Twilio circuit breaker: 0 closed, 1 half-open (probing), 2 open (in a cluster: the worst worker's)",
  registers: [registry],
  aggregator: 'max',
});

export const twilioBreakerTransitions = new Counter({
  name: 'isv_twilio_breaker_transitions_total',
  help: 'Twilio circuit breaker state changes, by the state entered',
  labelNames: ['to'] as const,
  registers: [registry],
});

export const twilioBreakerRefusals = new Counter({
  name: 'isv_twilio_breaker_refusals_total',
  help: 'Work refused while the Twilio breaker was open (sends answered 503, onboarding steps not started, calls not made)',
  registers: [registry],
});

export const sendsTotal = new Counter({
  name: 'isv_sends_total',
  help: 'Message sends through the API, by outcome (sent, replayed, refused, limited, opted_out, twilio_rejected, twilio_unavailable, error)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

// The database gauges are read at scrape time from whichever database the features registered (one per
// process; every worker sees the same rows, so a cluster reports the largest worker's figure, not a sum).
let flowSource: Db | undefined;

const onboardingFlows = new Gauge({
  name: 'isv_onboarding_flows',
  help: 'Onboarding flows by kind and status (read from the database at scrape time)',
  labelNames: ['kind', 'status'] as const,
  registers: [registry],
  aggregator: 'max',
  async collect() {
    this.reset();
    const db = flowSource;
    if (!db) return;
    const rows = await db.query<{ kind: string; status: string; n: number }>('SELECT kind, status, count(*)::int AS n FROM isv.flows GROUP BY kind, status').catch(() => undefined);
    if (!rows) return;
    for (const kind of flowKindSchema.options) for (const status of flowStatusSchema.options) this.set({ kind, status }, 0);
    for (const r of rows) this.set({ kind: r.kind, status: r.status }, Number(r.n));
  },
});

const onboardingDueFlows = new Gauge({
  name: 'isv_onboarding_due_flows',
  help: 'Onboarding flows due to run now and not leased by a worker (a backlog that keeps growing means the engine is stuck or paused by the Twilio breaker)',
  registers: [registry],
  aggregator: 'max',
  async collect() {
    this.reset();
    const db = flowSource;
    if (!db) return;
    const rows = await db
      .query<{ n: number }>(
        `SELECT count(*)::int AS n FROM isv.flows
          WHERE next_run_at IS NOT NULL AND next_run_at <= now() AND (lease_expires_at IS NULL OR lease_expires_at <= now())`,
      )
      .catch(() => undefined);
    if (rows) this.set(Number(rows[0]?.n ?? 0));
  },
});
void onboardingFlows;
void onboardingDueFlows;

/** Points the database gauges at `db`; returns the undo (call it before the database closes). */
export function collectFlowGaugesFrom(db: Db): () => void {
  flowSource = db;
  return () => {
    if (flowSource === db) flowSource = undefined;
  };
}

export function recordTwilioRequest(operation: string, outcome: TwilioOutcome, seconds: number): void {
  twilioRequestsTotal.inc({ operation, outcome });
  twilioRequestDuration.observe({ operation, outcome }, seconds);
}

const BREAKER_VALUE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };
export function recordBreakerState(to: BreakerState): void {
  twilioBreakerState.set(BREAKER_VALUE[to]);
  twilioBreakerTransitions.inc({ to });
}

export type WebhookOutcome = 'accepted' | 'duplicate' | 'rejected';
/** `reason` of a rejection: missing_signature, unknown_account, bad_signature, malformed or error. */
export function recordWebhook(kind: string, outcome: WebhookOutcome, reason = ''): void {
  webhooksTotal.inc({ kind, outcome, reason });
}

export function recordSend(outcome: string): void {
  sendsTotal.inc({ outcome });
}
