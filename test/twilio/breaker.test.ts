// The Twilio circuit breaker against the sandbox's fault injection: under SANDBOX_FAULT_RATE=1 it opens, the
// engine starts no step (flows wait, none fails, no attempt counted), sends answer 503 twilio_unavailable with
// Retry-After before Twilio is called, the operator sees it on GET /api/isv/operator/health; when the faults
// stop, the probe closes it and the flows carry on. Plus the breaker's rules on a clock of its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signUp, type SignedUp } from '../helpers/auth.ts';
import { createTenant, type Tenant } from '../messaging/tenant.ts';
import { createCustomer, flowsOf, movableClock, testEngine } from '../onboarding/fixtures.ts';
import { twilioHealthSchema } from '../../shared/twilio-health.ts';
import { TwilioHealth } from '../../server/twilio/health.ts';
import { reportHealth } from '../../server/twilio-health/health-reports.ts';

const OPEN_MS = 1_500;

let ctx: TestContext;
let tenant: Tenant;
let operator: SignedUp;

beforeAll(async () => {
  ctx = await createTestContext({
    sandbox: { autoAdvance: false },
    env: { TWILIO_BREAKER_MIN_REQUESTS: '5', TWILIO_BREAKER_OPEN_MS: String(OPEN_MS), TWILIO_BREAKER_FAILURE_RATE: '0.5' },
  });
  tenant = await createTenant(ctx);
  operator = await signUp(ctx, undefined, { roles: ['operator'] });
});
afterAll(async () => ctx?.close());

const messagesPath = () => `/api/isv/customers/${tenant.customerId}/messages`;
const messageCreates = () => ctx.sandbox.requests.filter((r) => r.method === 'POST' && r.path === `/2010-04-01/Accounts/${tenant.accountSid}/Messages.json`).length;

async function health() {
  const res = await ctx.request.get('/api/isv/operator/health').set(operator.auth);
  expect(res.status).toBe(200);
  return twilioHealthSchema.parse(res.body);
}

describe('the Twilio circuit breaker under SANDBOX_FAULT_RATE=1', () => {
  it('opens without failing any flow, refuses sends with 503 and Retry-After, and closes when the faults stop', async () => {
    const clock = movableClock();
    const engine = testEngine(ctx, clock);
    const customerId = await createCustomer(ctx.db);
    expect((await health()).breaker.state).toBe('closed');

    ctx.sandbox.setFaultRate(1);
    const requestsBefore = ctx.sandbox.requests.length;
    await engine.drain();
    const faulted = ctx.sandbox.requests.slice(requestsBefore);
    expect(faulted.length).toBeGreaterThan(0);
    expect(faulted.every((r) => r.faulted)).toBe(true);
    // The gateway's retry budget is 10 attempts here: the open breaker cut the retries short.
    expect(faulted.length).toBeLessThan(10);

    const open = await health();
    expect(open.breaker).toMatchObject({ state: 'open', opened: 1 });
    expect(open.breaker.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    const failing = open.operations.find((o) => o.failures > 0)!;
    expect(failing.errorRate).toBeGreaterThan(0);
    expect(failing.p95LatencyMs).not.toBeNull();
    expect(open.recentErrors[0]).toMatchObject({ countsAsFailure: true });
    expect([429, 503]).toContain(open.recentErrors[0]!.httpStatus);
    // No credentials in what the operator sees.
    const text = JSON.stringify(open);
    for (const secret of [tenant.authToken, ctx.config.twilio.masterAuthToken!]) expect(text).not.toContain(secret);

    // The flow waits: not failed, no attempt counted.
    const [waiting] = await flowsOf(ctx.db, customerId, 'subaccount');
    expect(waiting!.status).toBe('in_progress');
    expect(waiting!.attempts).toBe(0);

    // A send is refused before Twilio is called, and nothing is stored.
    const createsBefore = messageCreates();
    const requestsWhileOpen = ctx.sandbox.requests.length;
    const refused = await ctx.request.post(messagesPath()).set(tenant.owner.auth).send({ to: '+14155551001', body: 'Your order shipped' });
    expect(refused.status).toBe(503);
    expect(refused.body.code).toBe('twilio_unavailable');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(Math.ceil(OPEN_MS / 1000));
    expect(messageCreates()).toBe(createsBefore);
    const stored = await ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM isv.messages WHERE customer_id = $1', [tenant.customerId]);
    expect(Number(stored[0]!.n)).toBe(0);

    // The engine starts nothing while the breaker is open, even with the flow due: the row is left as it was.
    clock.advance(60_000);
    expect(await engine.drain()).toBe(0);
    expect(ctx.sandbox.requests.length).toBe(requestsWhileOpen);
    const [untouched] = await flowsOf(ctx.db, customerId, 'subaccount');
    expect(untouched).toMatchObject({ version: waiting!.version, status: 'in_progress', attempts: 0 });

    // Faults stop; once the open time is over the first caller probes Twilio, the breaker closes, the flow runs.
    ctx.sandbox.setFaultRate(0);
    await new Promise((r) => setTimeout(r, OPEN_MS + 100));
    expect(await engine.drain()).toBeGreaterThan(0);
    const closed = await health();
    expect(closed.breaker).toMatchObject({ state: 'closed', lastProbe: { ok: true } });
    expect(closed.operations.some((o) => o.operation === 'health.probe')).toBe(true);
    const flows = await flowsOf(ctx.db, customerId);
    expect(flows.some((f) => f.status === 'failed')).toBe(false);
    const [resumed] = await flowsOf(ctx.db, customerId, 'subaccount');
    expect(resumed!.state).toBe('done');

    const sent = await ctx.request.post(messagesPath()).set(tenant.owner.auth).send({ to: '+14155551001', body: 'Your order shipped' });
    expect(sent.status).toBe(201);
  });

  it("sets the sandbox's fault rate at run time through POST /sandbox/faults, refusing a rate outside 0–1", async () => {
    const set = (rate: unknown) => fetch(`${ctx.sandbox.url}/sandbox/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ rate }) });
    expect((await set(2)).status).toBe(400);
    expect((await set('x')).status).toBe(400);
    const on = await set(1);
    expect(on.status).toBe(200);
    expect(await on.json()).toEqual({ fault_rate: 1 });
    await expect(ctx.twilio.master.api.v2010.accounts(ctx.twilio.masterAccountSid).fetch()).rejects.toMatchObject({ status: expect.any(Number) });
    expect(ctx.sandbox.requests.at(-1)!.faulted).toBe(true);
    expect((await set(0)).status).toBe(200);
    await ctx.twilio.master.api.v2010.accounts(ctx.twilio.masterAccountSid).fetch();
    expect(ctx.sandbox.requests.at(-1)!.faulted).toBeFalsy();
  });

  it('shows every server process: operations and errors summed, each process with its own breaker; a stopped one drops out', async () => {
    // Another worker (or instance) whose breaker opened on its own traffic, reporting as each process does.
    const other = new TwilioHealth({ breaker: { windowMs: 30_000, minRequests: 2, failureRate: 0.5, openMs: 60_000, statsWindowMs: 300_000 } });
    for (let i = 0; i < 3; i++) other.record({ operation: 'messages.create', outcome: 'server_error', durationMs: 900, httpStatus: 503, twilioCode: 20503, message: 'Service Unavailable' });
    await other.admit();
    const ownBefore = (await health()).operations.find((o) => o.operation === 'messages.create')?.requests ?? 0;
    await reportHealth(ctx.db, { instance: 'worker-2:999:abcd', pid: 999, snapshot: other.snapshot(), at: new Date() });

    const merged = await health();
    expect(merged.instances.map((i) => [i.self, i.pid, i.breaker])).toEqual([[true, process.pid, 'closed'], [false, 999, 'open']]);
    expect(merged.instances[1]).toMatchObject({ instance: 'worker-2:999:abcd', requests: 3, failures: 3, opened: 1 });
    expect(merged.breaker.state).toBe('closed'); // this process's own
    expect(merged.operations.find((o) => o.operation === 'messages.create')).toMatchObject({ requests: ownBefore + 3, failures: 3 });
    expect(merged.operations.find((o) => o.operation === 'messages.create')!.p95LatencyMs).toBeGreaterThanOrEqual(900);
    expect(merged.recentErrors.some((e) => e.twilioCode === 20503 && e.message === 'Service Unavailable')).toBe(true);

    // A process that stopped reporting (15 s without a report) is no longer counted.
    await reportHealth(ctx.db, { instance: 'worker-2:999:abcd', pid: 999, snapshot: other.snapshot(), at: new Date(Date.now() - 60_000) });
    expect((await health()).instances.map((i) => i.pid)).toEqual([process.pid]);
  });

  it('is for operators only', async () => {
    const res = await ctx.request.get('/api/isv/operator/health').set(tenant.owner.auth);
    expect(res.status).toBe(403);
  });
});

describe('the breaker rules', () => {
  function breaker(over: { probe?: () => Promise<void> } = {}) {
    let t = 1_000_000;
    const h = new TwilioHealth({ now: () => t, breaker: { windowMs: 10_000, minRequests: 10, failureRate: 0.5, openMs: 5_000, statsWindowMs: 60_000 }, probe: over.probe });
    return { h, advance: (ms: number) => void (t += ms) };
  }
  const ok = { operation: 'messages.create', outcome: 'ok' as const, durationMs: 100, httpStatus: 201 };
  const fail = { operation: 'messages.create', outcome: 'server_error' as const, durationMs: 300, httpStatus: 503, twilioCode: 20503 };

  it('stays closed below the minimum number of requests and when Twilio only refuses requests (4xx)', () => {
    const { h } = breaker();
    for (let i = 0; i < 9; i++) h.record(fail);
    expect(h.breakerState).toBe('closed');
    const { h: h2 } = breaker();
    for (let i = 0; i < 30; i++) h2.record({ operation: 'messages.create', outcome: 'client_error', durationMs: 50, httpStatus: 400, twilioCode: 21211 });
    expect(h2.breakerState).toBe('closed');
    expect(h2.snapshot().operations[0]).toMatchObject({ requests: 30, failures: 0, clientErrors: 30, errorRate: 0 });
  });

  it('opens at the failure rate over the sliding window, forgetting failures older than the window', async () => {
    const { h, advance } = breaker();
    for (let i = 0; i < 6; i++) h.record(fail);
    advance(11_000);
    for (let i = 0; i < 6; i++) h.record(ok);
    for (let i = 0; i < 4; i++) h.record(fail);
    expect(h.breakerState).toBe('closed'); // 4 of 10 in the window
    h.record(fail); // 5 of 11
    expect(h.breakerState).toBe('closed');
    h.record(fail); // 6 of 12
    expect(h.breakerState).toBe('open');
    expect(await h.admit()).toBe(false);
    expect(h.retryAfterSeconds()).toBe(5);
    expect(h.snapshot().breaker).toMatchObject({ state: 'open', refused: 1, opened: 1 });
  });

  it('probes once after the open time: a failed probe keeps it open, a good one closes it', async () => {
    let probes = 0;
    let twilioUp = false;
    const { h, advance } = breaker({
      probe: async () => {
        probes++;
        if (!twilioUp) throw Object.assign(new Error('Service Unavailable'), { status: 503 });
      },
    });
    for (let i = 0; i < 10; i++) h.record(fail);
    expect(h.breakerState).toBe('open');
    advance(5_000);
    expect(h.breakerState).toBe('half_open');
    // Concurrent callers share one probe.
    expect(await Promise.all([h.admit(), h.admit(), h.admit()])).toEqual([false, false, false]);
    expect(probes).toBe(1);
    expect(h.breakerState).toBe('open');
    expect(h.snapshot().breaker.lastProbe).toMatchObject({ ok: false, message: 'Service Unavailable' });
    advance(5_000);
    twilioUp = true;
    expect(await h.admit()).toBe(true);
    expect(probes).toBe(2);
    expect(h.breakerState).toBe('closed');
    // The failures before it closed do not reopen it.
    h.record(fail);
    expect(h.breakerState).toBe('closed');
  });

  it('reports p95 latency per operation', () => {
    const { h } = breaker();
    for (let i = 1; i <= 100; i++) h.record({ ...ok, durationMs: i });
    expect(h.snapshot().operations[0]).toMatchObject({ operation: 'messages.create', requests: 100, p95LatencyMs: 95 });
  });
});
