// The one boundary between the platform and Twilio: master and per-subaccount SDK clients, error classification,
// retries with backoff and jitter, and the A2P brand/campaign rate limit. Sandbox and live differ only in the
// SDK's httpClient (FACTS §12); every other line runs the same in both modes.
import twilio from 'twilio';
import type { Twilio } from 'twilio';
import type { Db } from '../platform/db/db.ts';
import type { KeyRing } from '../platform/crypto/keyring.ts';
import type { Logger } from '../platform/logger.ts';
import { readSubaccountAuthToken } from '../subaccounts/subaccounts.dao.ts';
import { claimRateWindow, deleteRateWindowsBefore } from './a2p-rate-limit.dao.ts';
import { createSandboxHttpClient, type TwilioHttpClient } from './sandbox-http-client.ts';
import { AsyncLocalStorage } from 'node:async_hooks';
import { TwilioHealth, type BreakerOptions, type TwilioOutcome } from './health.ts';
import { recordBreakerState, recordTwilioRequest, twilioBreakerRefusals } from '../metrics/metrics.ts';

export class TwilioCallError extends Error {
  readonly kind: 'transient' | 'permanent';
  readonly httpStatus?: number;
  readonly twilioCode?: number;
  readonly moreInfo?: string;
  /** Twilio's own message (or the network error's), without the operation prefix. */
  readonly twilioMessage: string;
  readonly operation: string;
  /** How many attempts call() made before giving up; set by call(). */
  attempts?: number;

  constructor(init: {
    kind: 'transient' | 'permanent';
    operation: string;
    message: string;
    httpStatus?: number;
    twilioCode?: number;
    moreInfo?: string;
  }) {
    const where = [init.httpStatus && `HTTP ${init.httpStatus}`, init.twilioCode && `code ${init.twilioCode}`].filter(Boolean);
    super(`${init.operation}: ${init.message}${where.length ? ` (${where.join(', ')})` : ''}`);
    this.name = 'TwilioCallError';
    this.kind = init.kind;
    this.operation = init.operation;
    this.twilioMessage = init.message;
    this.httpStatus = init.httpStatus;
    this.twilioCode = init.twilioCode;
    this.moreInfo = init.moreInfo;
  }
}

/** Error codes of failures where no HTTP answer arrived (Node, undici, axios, our sandbox client). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'ENETUNREACH',
  'ENETDOWN', 'EHOSTUNREACH', 'EHOSTDOWN', 'ERR_NETWORK', 'ECONNERROR', 'ERR_SOCKET_CONNECTION_TIMEOUT',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED',
]);

/**
 * Transient: no answer (network error, timeout), HTTP 429 / Twilio 20429 (request not processed, DOCS
 * /docs/api/errors/20429) and 5xx. Permanent: any other 4xx with its Twilio code, message and more_info, and
 * anything the SDK refused before sending (e.g. a missing required parameter).
 */
export function classifyTwilioError(err: unknown, operation: string): TwilioCallError {
  if (err instanceof TwilioCallError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>;
  const status = typeof e.status === 'number' ? e.status : undefined;
  if (status !== undefined && status >= 100) {
    // RestException {status, code, message, moreInfo}; TwilioServiceException (RFC 9457) {status, code, title, detail, type}.
    const code = typeof e.code === 'number' ? e.code : undefined;
    const moreInfo = typeof e.moreInfo === 'string' ? e.moreInfo : typeof e.type === 'string' ? e.type : undefined;
    const message =
      (typeof e.detail === 'string' && e.detail) ||
      (typeof e.message === 'string' && e.message) ||
      (typeof e.title === 'string' && e.title) ||
      `HTTP ${status}`;
    const transient = status === 429 || code === 20429 || status >= 500;
    return new TwilioCallError({ kind: transient ? 'transient' : 'permanent', operation, message, httpStatus: status, twilioCode: code, moreInfo });
  }
  const causeCode = (e.cause as { code?: unknown } | undefined)?.code;
  const netCode = typeof e.code === 'string' ? e.code : typeof causeCode === 'string' ? causeCode : undefined;
  const isTimeout = e.name === 'TimeoutError' || e.name === 'AbortError';
  const message = typeof e.message === 'string' && e.message ? e.message : String(err);
  if (isTimeout || (netCode && NETWORK_CODES.has(netCode))) {
    return new TwilioCallError({ kind: 'transient', operation, message: isTimeout ? `timed out: ${message}` : message });
  }
  return new TwilioCallError({ kind: 'permanent', operation, message });
}

/** Thrown by call() while the circuit breaker is open: Twilio was not called at all. */
export class TwilioUnavailableError extends TwilioCallError {
  constructor(operation: string, readonly retryAfterSeconds: number) {
    super({ kind: 'transient', operation, message: `not called: the Twilio circuit breaker is open (retry in ${retryAfterSeconds} s)` });
    this.name = 'TwilioUnavailableError';
  }
}

export interface CallOptions {
  /** A2P brand/campaign call: rate limited to about one per second per master account. */
  a2p?: boolean;
  maxAttempts?: number;
  onRetry?: (err: TwilioCallError, attempt: number, delayMs: number) => void;
}

export interface TwilioGateway {
  readonly mode: 'live' | 'sandbox';
  readonly masterAccountSid: string;
  /** Master credentials: the Accounts API and any subaccount's 2010-04-01 resources (FACTS §0). */
  readonly master: Twilio;
  /** The subaccount's own credentials (Messaging, TrustHub, Content); token decrypted once and cached. */
  subaccount(accountSid: string): Promise<Twilio>;
  /** Classifies errors, retries transient ones with exponential backoff and full jitter, throws TwilioCallError. */
  call<T>(operation: string, fn: () => Promise<T>, opts?: CallOptions): Promise<T>;
  /** The master token for the master SID, else the subaccount's (cached); undefined when unknown. */
  authTokenFor(accountSid: string): Promise<string | undefined>;
  /** Forgets a subaccount's cached token and client (call after storing a new token). */
  invalidate(accountSid: string): void;
  /** A client for credentials not stored yet (checking a customer's own account before connecting it). */
  withCredentials(accountSid: string, authToken: string): Twilio;
  /** Error rate and latency per operation and the circuit breaker, from every HTTP exchange of this process. */
  readonly health: TwilioHealth;
}

export interface GatewayOptions {
  mode: 'live' | 'sandbox';
  masterAccountSid: string;
  masterAuthToken: string;
  /** Required in sandbox mode: the sandbox origin, e.g. http://127.0.0.1:4010. */
  sandboxUrl?: string;
  db: Db;
  keyRing: KeyRing;
  logger: Logger;
  retry?: { baseMs?: number; maxMs?: number; maxAttempts?: number };
  /** Minimum spacing of A2P brand/campaign calls per master account; 0 disables the limit. Default 1000. */
  a2pIntervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Clock for the A2P limiter (ms since epoch). */
  now?: () => number;
  /** Jitter source in [0, 1). */
  random?: () => number;
  /** Circuit breaker thresholds (server/twilio/health.ts has the defaults). */
  breaker?: Partial<BreakerOptions>;
  /** Sees every HTTP exchange the SDK makes (method, URL, status, parsed body): diagnostics and contract tests. */
  onHttpExchange?: (exchange: HttpExchange) => void;
}

export interface HttpExchange {
  method: string;
  uri: string;
  statusCode: number;
  body: unknown;
}

interface CachedSubaccount {
  token: string;
  client: Twilio;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createTwilioGateway(opts: GatewayOptions): TwilioGateway {
  if (opts.mode === 'sandbox' && !opts.sandboxUrl) throw new Error('createTwilioGateway: sandbox mode needs sandboxUrl');
  const log = opts.logger.child({ component: 'twilio', mode: opts.mode });
  const sleep = opts.sleep ?? defaultSleep;
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const baseMs = opts.retry?.baseMs ?? 250;
  const maxMs = opts.retry?.maxMs ?? 8_000;
  const defaultAttempts = opts.retry?.maxAttempts ?? 5;
  const a2pIntervalMs = opts.a2pIntervalMs ?? 1_000;

  // Sandbox: our adapter onto the sandbox. Live: the SDK's own RequestClient, shared by every client for
  // keep-alive, with its 429 auto-retry off because call() retries every transient error itself.
  const transport: TwilioHttpClient =
    opts.mode === 'sandbox'
      ? createSandboxHttpClient({ sandboxUrl: opts.sandboxUrl! })
      : (new twilio.RequestClient({ autoRetry: false, keepAlive: true, timeout: 30_000 }) as unknown as TwilioHttpClient);
  // Every request of every client passes here: its outcome and latency feed the health windows, the breaker
  // and the metrics, named after the call() operation it runs under (else after its method and URL pattern).
  // Measured in place, so the live clients keep the SDK's own RequestClient (keep-alive, no auto-retry).
  const send = transport.request.bind(transport);
  transport.request = async (req) => {
    const operation = currentOperation.getStore() ?? operationOfUri(req.method, req.uri);
    const started = performance.now();
    let outcome: TwilioOutcome;
    try {
      const res = await send(req);
      const durationMs = performance.now() - started;
      outcome = outcomeOfStatus(res.statusCode);
      const answer = outcome === 'ok' ? undefined : twilioErrorOf(res.body);
      health.record({ operation, outcome, durationMs, httpStatus: res.statusCode, twilioCode: answer?.code, message: answer?.message });
      recordTwilioRequest(operation, outcome, durationMs / 1000);
      return res;
    } catch (err) {
      const durationMs = performance.now() - started;
      outcome = isTimeout(err) ? 'timeout' : 'network_error';
      health.record({ operation, outcome, durationMs, message: err instanceof Error ? err.message : String(err) });
      recordTwilioRequest(operation, outcome, durationMs / 1000);
      throw err;
    }
  };
  const health = new TwilioHealth({
    breaker: opts.breaker,
    now,
    // A cheap read of the master account: Twilio answering it means requests go through again.
    probe: async () => {
      await currentOperation.run('health.probe', () => master.api.v2010.accounts(opts.masterAccountSid).fetch());
    },
    onStateChange: (to, from) => {
      recordBreakerState(to);
      const fields = { from, to, retryAfterSeconds: to === 'open' ? health.retryAfterSeconds() : undefined };
      if (to === 'open') log.error(fields, 'twilio.breaker_opened');
      else log.warn(fields, 'twilio.breaker_changed');
    },
    onRefused: () => twilioBreakerRefusals.inc(),
  });
  const observe = opts.onHttpExchange;
  const baseHttpClient: TwilioHttpClient = observe
    ? {
        async request(req) {
          const res = await transport.request(req);
          let body = res.body;
          if (typeof body === 'string' && body !== '') {
            try {
              body = JSON.parse(body);
            } catch {
              // not JSON: hand over the text
            }
          }
          observe({ method: req.method.toUpperCase(), uri: req.uri, statusCode: res.statusCode, body });
          return res;
        },
      }
    : transport;

  const buildClient = (accountSid: string, token: string, httpClient: TwilioHttpClient): Twilio =>
    twilio(accountSid, token, { httpClient: httpClient as never, autoRetry: false });

  const master = buildClient(opts.masterAccountSid, opts.masterAuthToken, baseHttpClient);
  const cache = new Map<string, CachedSubaccount>();
  const loading = new Map<string, Promise<CachedSubaccount | undefined>>();

  function invalidate(accountSid: string): void {
    cache.delete(accountSid);
    loading.delete(accountSid);
  }

  async function load(accountSid: string): Promise<CachedSubaccount | undefined> {
    const hit = cache.get(accountSid);
    if (hit) return hit;
    let pending = loading.get(accountSid);
    if (!pending) {
      pending = (async () => {
        const token = await readSubaccountAuthToken(opts.db, opts.keyRing, accountSid);
        if (token === undefined) return undefined;
        // A 401 means the token changed in Twilio (or another instance stored a new one): drop the cache entry
        // so the next call reads the current token from the database.
        const watching: TwilioHttpClient = {
          async request(req) {
            const res = await baseHttpClient.request(req);
            if (res.statusCode === 401 && cache.get(accountSid)?.token === token) {
              log.warn({ accountSid }, 'twilio.subaccount_token_rejected');
              invalidate(accountSid);
            }
            return res;
          },
        };
        const entry = { token, client: buildClient(accountSid, token, watching) };
        if (loading.get(accountSid) === pending) cache.set(accountSid, entry);
        return entry;
      })();
      loading.set(accountSid, pending);
      pending.finally(() => {
        if (loading.get(accountSid) === pending) loading.delete(accountSid);
      }).catch(() => undefined);
    }
    return pending;
  }

  // A2P slots: one claim per window of a2pIntervalMs in isv.rate_limits, shared across instances; callers in
  // this process are also queued and spaced locally so they do not race each other for the same window.
  const a2pKey = `twilio-a2p:${opts.masterAccountSid}`;
  let a2pQueue: Promise<void> = Promise.resolve();
  let a2pLocalNext = 0;
  async function acquireA2pSlot(operation: string): Promise<void> {
    if (a2pIntervalMs <= 0) return;
    const previous = a2pQueue;
    let release!: () => void;
    a2pQueue = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      for (;;) {
        const t = now();
        if (t < a2pLocalNext) {
          await sleep(a2pLocalNext - t);
          continue;
        }
        const windowStart = Math.floor(t / a2pIntervalMs) * a2pIntervalMs;
        const count = await claimRateWindow(opts.db, a2pKey, new Date(windowStart));
        if (count === 1) {
          a2pLocalNext = t + a2pIntervalMs;
          await deleteRateWindowsBefore(opts.db, a2pKey, new Date(windowStart - 60 * a2pIntervalMs));
          return;
        }
        const waitMs = windowStart + a2pIntervalMs - t;
        log.debug({ operation, waitMs }, 'twilio.a2p_rate_limited');
        await sleep(waitMs);
      }
    } finally {
      release();
    }
  }

  return {
    mode: opts.mode,
    masterAccountSid: opts.masterAccountSid,
    master,

    async subaccount(accountSid) {
      const entry = await load(accountSid);
      if (!entry) throw new TwilioCallError({ kind: 'permanent', operation: 'subaccount.client', message: `unknown subaccount ${accountSid}` });
      return entry.client;
    },

    async call(operation, fn, callOpts = {}) {
      const maxAttempts = Math.max(1, callOpts.maxAttempts ?? defaultAttempts);
      let lastErr: TwilioCallError | undefined;
      for (let attempt = 1; ; attempt++) {
        // While the breaker is open nothing new goes to Twilio, and a retry loop stops where it is.
        if (!(await health.admit())) {
          log.info({ operation, attempt }, 'twilio.call_refused_breaker_open');
          throw lastErr ?? new TwilioUnavailableError(operation, health.retryAfterSeconds());
        }
        if (callOpts.a2p) await acquireA2pSlot(operation);
        try {
          return await currentOperation.run(operation, fn);
        } catch (raw) {
          const err = classifyTwilioError(raw, operation);
          err.attempts = attempt;
          // Only the classified fields are logged: raw SDK/axios errors carry request headers with credentials.
          const fields = { operation, attempt, kind: err.kind, httpStatus: err.httpStatus, twilioCode: err.twilioCode };
          if (err.kind === 'permanent' || attempt >= maxAttempts) {
            log.warn({ ...fields, reason: err.twilioMessage }, 'twilio.call_failed');
            throw err;
          }
          // Full jitter (AWS architecture blog "Exponential Backoff And Jitter"): uniform in [0, min(cap, base·2^n)).
          const delayMs = Math.floor(random() * Math.min(maxMs, baseMs * 2 ** (attempt - 1)));
          lastErr = err;
          callOpts.onRetry?.(err, attempt, delayMs);
          log.info({ ...fields, delayMs }, 'twilio.call_retry');
          await sleep(delayMs);
        }
      }
    },

    async authTokenFor(accountSid) {
      if (accountSid === opts.masterAccountSid) return opts.masterAuthToken;
      return (await load(accountSid))?.token;
    },

    invalidate,

    withCredentials: (accountSid, authToken) => buildClient(accountSid, authToken, baseHttpClient),

    health,
  };
}

/** The call() operation an SDK request runs under, for the health windows and metrics. */
const currentOperation = new AsyncLocalStorage<string>();

/** `GET api.twilio.com/2010-04-01/Accounts/:sid/Messages`: SIDs replaced, so the names stay few. */
export function operationOfUri(method: string, uri: string): string {
  try {
    const u = new URL(uri);
    const path = u.pathname.replace(/\b[A-Z]{2}[0-9a-f]{32}\b/g, ':sid').replace(/\.json$/, '');
    return `${method.toUpperCase()} ${u.host}${path}`;
  } catch {
    return `${method.toUpperCase()} (unparsable URL)`;
  }
}

function outcomeOfStatus(status: number): TwilioOutcome {
  if (status === 429) return 'throttled';
  if (status >= 500) return 'server_error';
  if (status >= 400) return 'client_error';
  return 'ok';
}

function isTimeout(err: unknown): boolean {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { name?: unknown; code?: unknown; cause?: { code?: unknown } };
  const code = typeof e.code === 'string' ? e.code : e.cause?.code;
  return e.name === 'TimeoutError' || e.name === 'AbortError' || code === 'ETIMEDOUT' || code === 'ECONNABORTED' || (typeof code === 'string' && code.includes('TIMEOUT'));
}

/** Twilio's `code` and `message` from an error body (JSON text or parsed); nothing else of the body is kept. */
function twilioErrorOf(body: unknown): { code?: number; message?: string } {
  let b = body;
  if (typeof b === 'string') {
    try {
      b = JSON.parse(b);
    } catch {
      return {};
    }
  }
  if (typeof b !== 'object' || b === null) return {};
  const o = b as Record<string, unknown>;
  const message = typeof o.message === 'string' ? o.message : typeof o.detail === 'string' ? o.detail : undefined;
  return { code: typeof o.code === 'number' ? o.code : undefined, message };
}
