// Starts the local Twilio sandbox: loads state, registers every resource module, serves HTTP, runs the
// lifecycle timer and the callback loop. `startSandbox` is what main.ts and the tests call.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../platform/logger.ts';
import { createCallbackQueue } from './callbacks.ts';
import {
  iso,
  newSid,
  pageV1,
  pageV2010,
  type AccountRecord,
  type CallbackDelivery,
  type SandboxApi,
  type SandboxModule,
  type StoredRecord,
  type Transition,
} from './framework.ts';
import { createLifecycle } from './lifecycle.ts';
import { sandboxModules } from './modules.ts';
import { createRequestHandler, createRouter, type SandboxRequestLogEntry } from './server.ts';
import { createPersistentState, loadState } from './state.ts';

export type { SandboxRequestLogEntry } from './server.ts';

export interface SandboxOptions {
  port?: number; // 0 = ephemeral (tests); default 4010
  host?: string; // default '127.0.0.1'
  stateFile?: string; // JSON persistence; undefined = in memory only
  masterAccountSid: string;
  masterAuthToken: string;
  reviewDelayMs: number;
  callbackChaos: boolean;
  faultRate: number;
  latencyMs: number;
  logger?: Logger;
  now?: () => Date;
  /** Background timers apply due lifecycle steps and deliver callbacks (default true). Tests that want to
   *  observe intermediate states set false and drive everything with advanceReviews()/flushCallbacks(). */
  autoAdvance?: boolean;
  /** Source of randomness for faults and chaos ordering (default Math.random). */
  random?: () => number;
  /** The Event Streams webhook sink A2P events go to; also settable with POST /sandbox/event-streams/sink. */
  eventSinkUrl?: string;
  /** Extra modules (tests); the standard set from modules.ts is always registered. */
  extraModules?: SandboxModule[];
}

export interface Sandbox {
  url: string;
  requests: SandboxRequestLogEntry[];
  /** Every callback delivery attempt made so far (status, url, idempotency token). */
  callbackDeliveries: CallbackDelivery[];
  flushCallbacks(): Promise<void>;
  advanceReviews(): Promise<void>;
  setFaultRate(rate: number): void;
  close(): Promise<void>;
  /** Read-only inspection: stored records of a kind ('account', 'message', 'service', 'brand', ...). */
  resources<T extends StoredRecord = StoredRecord>(kind: string, accountSid?: string): T[];
  resource<T extends StoredRecord = StoredRecord>(kind: string, sid: string): T | undefined;
  pendingTransitions(): Transition[];
  pendingCallbackCount(): number;
}

const noopLogger = { info: () => undefined, warn: () => undefined, debug: () => undefined, error: () => undefined };

export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const now = opts.now ?? (() => new Date());
  const random = opts.random ?? Math.random;
  const auto = opts.autoAdvance ?? true;
  const log = opts.logger ? opts.logger.child({ component: 'sandbox' }) : noopLogger;
  let faultRate = opts.faultRate;

  const persistent = createPersistentState(await loadState(opts.stateFile), opts.stateFile);
  const { store } = persistent;

  // The master account exists from the start; configuration wins over a stale token in an old state file.
  const existing = store.get<AccountRecord>('account', opts.masterAccountSid);
  if (!existing) {
    const at = now().toISOString();
    store.insert<AccountRecord>('account', {
      sid: opts.masterAccountSid,
      account_sid: opts.masterAccountSid,
      owner_account_sid: opts.masterAccountSid,
      friendly_name: 'Sandbox master account',
      status: 'active',
      type: 'Full',
      auth_token: opts.masterAuthToken,
      date_created: at,
      date_updated: at,
    });
  } else if (existing.auth_token !== opts.masterAuthToken || existing.status !== 'active') {
    store.update<AccountRecord>('account', opts.masterAccountSid, { auth_token: opts.masterAuthToken, status: 'active' });
  }

  const router = createRouter();
  const lifecycle = createLifecycle({
    state: persistent,
    now,
    auto,
    onError: (t, err) => log.warn({ kind: t.kind, sid: t.sid, err: (err as Error).message }, 'sandbox.transition_failed'),
  });
  const callbacks = createCallbackQueue({
    state: persistent,
    tokenFor: (sid) => store.get<AccountRecord>('account', sid)?.auth_token,
    now,
    chaos: opts.callbackChaos,
    random,
    auto,
    onDelivered: (d) => log.debug({ kind: d.kind, status: d.status, error: d.error }, 'sandbox.callback_delivered'),
  });
  const accountClosedHooks: ((a: AccountRecord) => void)[] = [];

  const api: SandboxApi = {
    settings: { masterAccountSid: opts.masterAccountSid, reviewDelayMs: opts.reviewDelayMs, callbackChaos: opts.callbackChaos },
    state: store,
    route: (method, host, template, handler, options) => router.add(method, host, template, handler, options),
    control: (method, p, handler) => router.addControl(method, p, handler),
    sid: newSid,
    now,
    account: (sid) => store.get<AccountRecord>('account', sid),
    schedule: (kind, sid, data = {}, o = {}) =>
      lifecycle.schedule(kind, sid, data, o.delayMs ?? opts.reviewDelayMs, o.group ?? 'review'),
    cancelTransitions: (sid, kind) => lifecycle.cancel(sid, kind),
    onTransition: (kind, handler) => lifecycle.on(kind, handler),
    enqueueCallback: (cb) => callbacks.enqueue(cb),
    onAccountClosed: (h) => void accountClosedHooks.push(h),
    emitAccountClosed: (a) => accountClosedHooks.forEach((h) => h(a)),
    pageV1,
    pageV2010,
    logger: log,
  };

  for (const mod of [...sandboxModules, ...(opts.extraModules ?? [])]) mod.register(api);
  if (opts.eventSinkUrl) store.setMeta('eventSinkUrl', opts.eventSinkUrl);

  const requests: SandboxRequestLogEntry[] = [];
  api.control('GET', '/sandbox/requests', () => ({ status: 200, body: { requests } }));
  api.control('POST', '/sandbox/flush', async () => {
    await flushCallbacks();
    return { status: 200, body: { ok: true } };
  });
  api.control('POST', '/sandbox/advance', async () => {
    await advanceReviews();
    return { status: 200, body: { ok: true } };
  });
  // SANDBOX_FAULT_RATE changed at run time, e.g. to open the platform's Twilio circuit breaker and close it again.
  api.control('POST', '/sandbox/faults', (req) => {
    const raw = req.field('rate');
    const rate = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
    if (!(rate >= 0 && rate <= 1)) return { status: 400, body: { message: 'rate must be a number from 0 to 1' } };
    faultRate = rate;
    return { status: 200, body: { fault_rate: faultRate } };
  });

  const handler = createRequestHandler({
    router,
    state: store,
    masterAccountSid: opts.masterAccountSid,
    now,
    random,
    getFaultRate: () => faultRate,
    latencyMs: opts.latencyMs,
    requests,
    commit: (changed) => {
      if (changed) persistent.markDirty();
      return persistent.commit();
    },
    logError: (err, where) => log.warn({ where, err: (err as Error).message }, 'sandbox.handler_failed'),
  });

  const server: Server = createServer((req, res) => {
    handler(req, res).catch((err: unknown) => {
      log.warn({ err: (err as Error).message }, 'sandbox.request_failed');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 4010, opts.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${opts.host ?? '127.0.0.1'}:${address.port}`;

  lifecycle.start();
  callbacks.start();
  log.info({ url, stateFile: opts.stateFile, at: iso(now()) }, 'sandbox.listening');

  async function flushCallbacks(): Promise<void> {
    // Message steps are forced (their short delays are not what a test waits for), then everything queued
    // is delivered; repeat because a step enqueues a callback and a delivery may be followed by more steps.
    for (let i = 0; i < 100; i++) {
      const ran = await lifecycle.run({ group: 'message', force: true });
      const queued = callbacks.pendingCount();
      await callbacks.flush();
      if (ran === 0 && queued === 0) return;
    }
  }

  async function advanceReviews(): Promise<void> {
    await lifecycle.run({});
  }

  return {
    url,
    requests,
    callbackDeliveries: callbacks.deliveries,
    flushCallbacks,
    advanceReviews,
    setFaultRate: (rate) => {
      if (!(rate >= 0 && rate <= 1)) throw new Error('fault rate must be between 0 and 1');
      faultRate = rate;
    },
    async close() {
      lifecycle.stop();
      callbacks.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await persistent.flush();
      log.info({}, 'sandbox.closed');
    },
    resources: <T extends StoredRecord>(kind: string, accountSid?: string) =>
      store.list<T>(kind, (r) => !accountSid || r.account_sid === accountSid).map((r) => structuredClone(r)),
    resource: <T extends StoredRecord>(kind: string, sid: string) => {
      const r = store.get<T>(kind, sid);
      return r ? structuredClone(r) : undefined;
    },
    pendingTransitions: () => lifecycle.pending(),
    pendingCallbackCount: () => callbacks.pendingCount(),
  };
}

