// Several engines on one database never run the same step twice (judged by the sandbox's request log), and with
// the sandbox failing 30% of requests every flow still finishes while the timeline records the retries.
import { afterEach, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { listFlowEvents } from '../../server/onboarding/flows.dao.ts';
import { createCustomer, movableClock, onboardFully, testEngine } from './fixtures.ts';

let ctx: TestContext | undefined;
afterEach(async () => {
  await ctx?.close();
  ctx = undefined;
});

/** Every write request the sandbox answered successfully, keyed by what it did; GET polls are left out. */
function successfulWrites(c: TestContext): string[] {
  return c.sandbox.requests
    .filter((r) => r.method !== 'GET' && r.status < 400 && !r.path.startsWith('/sandbox/'))
    .map((r) => `${r.method} ${r.host}${r.path} ${r.accountSid ?? ''} ${JSON.stringify(r.params)}`);
}

describe('engines sharing one database', () => {
  it('two engines ticking together never send the same Twilio write twice', { timeout: 180_000 }, async () => {
    ctx = await createTestContext({ sandbox: { autoAdvance: false } });
    const clock = movableClock();
    const engines = [testEngine(ctx, clock, { owner: 'engine-a', concurrency: 3 }), testEngine(ctx, clock, { owner: 'engine-b', concurrency: 3 })];
    const customers = await Promise.all(Array.from({ length: 4 }, (_, i) => createCustomer(ctx!.db, { contactName: `Owner${i}` })));
    const flows = await onboardFully(ctx, engines, clock, customers);
    expect(flows).toHaveLength(customers.length * 4);
    expect(flows.filter((f) => f.status !== 'done').map((f) => [f.kind, f.state, f.status, f.last_error])).toEqual([]);

    const writes = successfulWrites(ctx);
    const dupes = writes.filter((w, i) => writes.indexOf(w) !== i);
    expect(dupes).toEqual([]);
    const creates = (path: RegExp) => ctx!.sandbox.requests.filter((r) => r.method === 'POST' && r.status < 400 && path.test(r.path)).length;
    expect(creates(/^\/2010-04-01\/Accounts\.json$/)).toBe(customers.length);
    expect(creates(/^\/v1\/a2p\/BrandRegistrations$/)).toBe(customers.length);
    expect(creates(/\/Compliance\/Usa2p$/)).toBe(customers.length);
    expect(creates(/IncomingPhoneNumbers\.json$/)).toBe(customers.length);
    // Both engines did work.
    const owners = await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM isv.flows`);
    expect(owners[0]!.n).toBe(customers.length * 4);
  });
});

describe('Twilio faults', () => {
  it('with SANDBOX_FAULT_RATE=0.3 every flow completes and the timeline records the retries', { timeout: 180_000 }, async () => {
    ctx = await createTestContext({
      env: { SANDBOX_FAULT_RATE: '0.3' },
      sandbox: { autoAdvance: false },
      // Two attempts per call: many calls exhaust them, so engine-level retries show up as well.
      gateway: { retry: { baseMs: 1, maxMs: 5, maxAttempts: 2 } },
    });
    const clock = movableClock();
    const engine = testEngine(ctx, clock);
    const customers = await Promise.all(Array.from({ length: 3 }, () => createCustomer(ctx!.db)));
    const flows = await onboardFully(ctx, [engine], clock, customers);
    expect(flows.filter((f) => f.status !== 'done').map((f) => [f.kind, f.state, f.last_error])).toEqual([]);
    expect(ctx.sandbox.requests.filter((r) => r.faulted).length).toBeGreaterThan(20);

    const events = await listFlowEvents(ctx.db, flows.map((f) => f.id));
    const retries = events.filter((e) => (e.data as { retry?: boolean } | null)?.retry);
    expect(retries.length).toBeGreaterThan(10);
    expect(retries.some((e) => /retrying \(attempt 2\)/.test(e.message))).toBe(true);
    expect(retries.some((e) => /will retry in/.test(e.message))).toBe(true);
    // Faults never fail or park a flow: no permanent error was recorded.
    expect(flows.every((f) => f.last_error === null)).toBe(true);
    // And they never duplicate a Twilio resource.
    expect(ctx.sandbox.resources<{ sid: string; account_sid: string; friendly_name: string }>('account').filter((a) => a.friendly_name.startsWith('isv:') && a.friendly_name !== 'isv:primary-profile')).toHaveLength(customers.length);
    expect(ctx.sandbox.resources('brand')).toHaveLength(customers.length);
  });
});
