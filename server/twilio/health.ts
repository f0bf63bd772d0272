// Twilio's health as this process sees it, and the circuit breaker in front of it. Every HTTP exchange the SDK
// makes is recorded (the gateway's transport wrapper): outcome, latency, Twilio's code. Kept in memory per
// process (each worker of WEB_CONCURRENCY has its own windows and its own breaker), which is enough: a Twilio
// outage shows in every process within a few requests, and nothing here must survive a restart.
//
// The breaker: closed while the share of failed requests (5xx, 429/20429, timeouts, no answer) over the last
// `windowMs` stays under `failureRate` (or fewer than `minRequests` were made). Beyond it the breaker opens:
// callers ask admit() before starting Twilio work and are told no for `openMs`; then the next caller runs one
// probe (a cheap GET of the master account) while everyone else still waits, and the probe's answer closes the
// breaker again or keeps it open for another `openMs`. 4xx answers other than 429 are Twilio working as
// designed (a bad number, an unverified brand): they never count as failures.
import { AppError } from '../platform/errors.ts';

export type TwilioOutcome = 'ok' | 'client_error' | 'throttled' | 'server_error' | 'timeout' | 'network_error';
export type BreakerState = 'closed' | 'open' | 'half_open';

export const FAILURE_OUTCOMES: ReadonlySet<TwilioOutcome> = new Set(['throttled', 'server_error', 'timeout', 'network_error']);

export interface BreakerOptions {
  /** Sliding window the failure share is computed over (ms). */
  windowMs: number;
  /** Fewer requests than this in the window never open the breaker. */
  minRequests: number;
  /** Share of failed requests (0–1] in the window that opens the breaker. */
  failureRate: number;
  /** How long the breaker stays open before a probe may close it (ms). */
  openMs: number;
  /** Window of the per-operation figures on the operator's health page (ms). */
  statsWindowMs: number;
}

export const DEFAULT_BREAKER: BreakerOptions = { windowMs: 30_000, minRequests: 20, failureRate: 0.7, openMs: 15_000, statsWindowMs: 300_000 };

export interface TwilioSample {
  operation: string;
  outcome: TwilioOutcome;
  durationMs: number;
  httpStatus?: number;
  twilioCode?: number;
  /** Twilio's message or the network error's; never headers, credentials or request bodies. */
  message?: string;
}

export interface OperationHealth {
  operation: string;
  requests: number;
  failures: number;
  clientErrors: number;
  errorRate: number;
  p95LatencyMs: number | null;
  lastAt: string | null;
}

export interface RecentTwilioError {
  at: string;
  operation: string;
  outcome: TwilioOutcome;
  httpStatus: number | null;
  twilioCode: number | null;
  message: string | null;
  /** Counted towards opening the breaker (5xx, 429, timeout, no answer) or Twilio refusing one request (4xx). */
  countsAsFailure: boolean;
}

export interface BreakerSnapshot {
  state: BreakerState;
  since: string;
  /** When a probe may next run (open), else null. */
  retryAt: string | null;
  retryAfterSeconds: number | null;
  window: { ms: number; requests: number; failures: number; failureRate: number };
  thresholds: { failureRate: number; minRequests: number; openMs: number };
  /** Times the breaker opened since this process started. */
  opened: number;
  /** Work refused while it was open (sends answered 503, steps not started, calls not made). */
  refused: number;
  lastProbe: { at: string; ok: boolean; message: string | null } | null;
}

export interface HealthSnapshot {
  checkedAt: string;
  windowMs: number;
  operations: OperationHealth[];
  breaker: BreakerSnapshot;
  recentErrors: RecentTwilioError[];
}

interface StoredSample extends TwilioSample {
  at: number;
  failure: boolean;
}

export interface TwilioHealthOptions {
  breaker?: Partial<BreakerOptions>;
  now?: () => number;
  /** The probe run when an open breaker's time is up: resolves when Twilio answered without a failure. */
  probe?: () => Promise<void>;
  /** Told of every state change (metrics, logs). */
  onStateChange?: (to: BreakerState, from: BreakerState) => void;
  /** Told when admit() said no. */
  onRefused?: () => void;
}

const MAX_SAMPLES = 20_000;
const MAX_RECENT_ERRORS = 25;

export class TwilioHealth {
  readonly options: BreakerOptions;
  private readonly now: () => number;
  private samples: StoredSample[] = [];
  private recent: RecentTwilioError[] = [];
  private state: BreakerState = 'closed';
  private since: number;
  private retryAt = 0;
  /** Samples before this instant do not count towards opening again (the breaker closed after them). */
  private countFrom = 0;
  private probing: Promise<boolean> | undefined;
  private opened = 0;
  private refused = 0;
  private lastProbe: BreakerSnapshot['lastProbe'] = null;

  constructor(private readonly opts: TwilioHealthOptions = {}) {
    this.options = { ...DEFAULT_BREAKER, ...stripUndefined(opts.breaker ?? {}) };
    this.now = opts.now ?? Date.now;
    this.since = this.now();
  }

  /** Records one HTTP exchange with Twilio (or its failure to happen). */
  record(sample: TwilioSample): void {
    const at = this.now();
    const failure = FAILURE_OUTCOMES.has(sample.outcome);
    this.samples.push({ ...sample, at, failure });
    if (this.samples.length > MAX_SAMPLES) this.samples.splice(0, this.samples.length - MAX_SAMPLES);
    if (sample.outcome !== 'ok') {
      this.recent.unshift({
        at: new Date(at).toISOString(),
        operation: sample.operation,
        outcome: sample.outcome,
        httpStatus: sample.httpStatus ?? null,
        twilioCode: sample.twilioCode ?? null,
        message: sample.message?.slice(0, 300) ?? null,
        countsAsFailure: failure,
      });
      if (this.recent.length > MAX_RECENT_ERRORS) this.recent.length = MAX_RECENT_ERRORS;
    }
    if (this.state === 'closed' && failure) {
      const w = this.windowCounts(at);
      if (w.requests >= this.options.minRequests && w.failures / w.requests >= this.options.failureRate) this.open(at);
    }
  }

  /** The breaker's state now (an open breaker whose time is up reads half_open until a probe has run). */
  get breakerState(): BreakerState {
    if (this.state === 'open' && this.now() >= this.retryAt) return 'half_open';
    return this.state;
  }

  /** Seconds a caller refused now should wait before trying again (at least 1). */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((this.retryAt - this.now()) / 1000));
  }

  /**
   * May new Twilio work start? Closed: yes. Open: no, until openMs has passed; then one probe runs (concurrent
   * callers share it) and its answer decides. A refusal is counted.
   */
  async admit(): Promise<boolean> {
    if (this.state === 'closed') return true;
    if (this.state === 'open' && this.now() < this.retryAt && !this.probing) {
      this.refuse();
      return false;
    }
    const ok = await this.runProbe();
    if (!ok) this.refuse();
    return ok;
  }

  /** Without waiting or probing: would admit() refuse right now? (Cheap check for a loop.) */
  isOpen(): boolean {
    return this.state !== 'closed';
  }

  snapshot(): HealthSnapshot {
    const t = this.now();
    this.prune(t);
    const from = t - this.options.statsWindowMs;
    const byOp = new Map<string, StoredSample[]>();
    for (const s of this.samples) {
      if (s.at < from) continue;
      let list = byOp.get(s.operation);
      if (!list) byOp.set(s.operation, (list = []));
      list.push(s);
    }
    const operations: OperationHealth[] = [...byOp.entries()]
      .map(([operation, list]) => {
        const failures = list.filter((s) => s.failure).length;
        const durations = list.map((s) => s.durationMs).sort((a, b) => a - b);
        return {
          operation,
          requests: list.length,
          failures,
          clientErrors: list.filter((s) => s.outcome === 'client_error').length,
          errorRate: round(failures / list.length),
          p95LatencyMs: durations.length ? Math.round(percentile(durations, 0.95)) : null,
          lastAt: new Date(list[list.length - 1]!.at).toISOString(),
        };
      })
      .sort((a, b) => b.failures - a.failures || b.requests - a.requests || a.operation.localeCompare(b.operation));
    const w = this.windowCounts(t);
    const state = this.breakerState;
    return {
      checkedAt: new Date(t).toISOString(),
      windowMs: this.options.statsWindowMs,
      operations,
      breaker: {
        state,
        since: new Date(this.since).toISOString(),
        retryAt: this.state === 'closed' ? null : new Date(this.retryAt).toISOString(),
        retryAfterSeconds: this.state === 'closed' ? null : this.retryAfterSeconds(),
        window: { ms: this.options.windowMs, requests: w.requests, failures: w.failures, failureRate: w.requests ? round(w.failures / w.requests) : 0 },
        thresholds: { failureRate: this.options.failureRate, minRequests: this.options.minRequests, openMs: this.options.openMs },
        opened: this.opened,
        refused: this.refused,
        lastProbe: this.lastProbe,
      },
      recentErrors: [...this.recent],
    };
  }

  private refuse(): void {
    this.refused++;
    this.opts.onRefused?.();
  }

  private runProbe(): Promise<boolean> {
    if (this.probing) return this.probing;
    this.setState('half_open', this.now());
    const probe = this.opts.probe ?? (() => Promise.resolve());
    this.probing = (async () => {
      let ok = false;
      let message: string | null = null;
      try {
        await probe();
        ok = true;
      } catch (err) {
        message = err instanceof Error ? err.message.slice(0, 300) : String(err).slice(0, 300);
        // A 4xx other than 429 still means Twilio answers.
        const status = (err as { status?: unknown; httpStatus?: unknown })?.status ?? (err as { httpStatus?: unknown })?.httpStatus;
        ok = typeof status === 'number' && status >= 400 && status < 500 && status !== 429;
      }
      const at = this.now();
      this.lastProbe = { at: new Date(at).toISOString(), ok, message: ok ? null : message };
      if (ok) {
        this.countFrom = at;
        this.setState('closed', at);
      } else this.open(at);
      return ok;
    })().finally(() => {
      this.probing = undefined;
    });
    return this.probing;
  }

  private open(at: number): void {
    if (this.state !== 'open') this.opened++;
    this.retryAt = at + this.options.openMs;
    this.setState('open', at);
  }

  private setState(to: BreakerState, at: number): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    this.since = at;
    this.opts.onStateChange?.(to, from);
  }

  private windowCounts(t: number): { requests: number; failures: number } {
    const from = Math.max(t - this.options.windowMs, this.countFrom);
    let requests = 0;
    let failures = 0;
    for (let i = this.samples.length - 1; i >= 0; i--) {
      const s = this.samples[i]!;
      if (s.at < from) break;
      requests++;
      if (s.failure) failures++;
    }
    return { requests, failures };
  }

  private prune(t: number): void {
    const keepFrom = t - Math.max(this.options.windowMs, this.options.statsWindowMs);
    let drop = 0;
    while (drop < this.samples.length && this.samples[drop]!.at < keepFrom) drop++;
    if (drop) this.samples.splice(0, drop);
  }
}

/**
 * The send path's check before Twilio is called: while the breaker is open the customer hears at once that the
 * message was not sent and when to retry (503 twilio_unavailable with Retry-After), instead of waiting on a
 * Twilio that is failing. Operators see the outage on the health page and in the metrics.
 */
export async function assertTwilioAvailable(health: TwilioHealth): Promise<void> {
  if (await health.admit()) return;
  const seconds = health.retryAfterSeconds();
  throw new AppError(
    503,
    'twilio_unavailable',
    `Twilio is not answering reliably right now, so your message was not sent. Nothing was charged; try again in ${seconds} s.`,
    undefined,
    { 'Retry-After': String(seconds) },
  );
}

function percentile(sorted: number[], p: number): number {
  // Nearest rank.
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1]!;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
