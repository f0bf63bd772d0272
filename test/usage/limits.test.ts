// Limits per customer (#18): each limit refuses the next send before Twilio is called, with which limit, the
// current figure, the limit and when it resets (Retry-After), and lets sends through again once it has reset.
// The clock is injected (no sleeping): the platform's counters are keyed by the injected time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signUp, TEST_PASSWORD, uniqueEmail, type SignedUp } from '../helpers/auth.ts';
import { createTenant, type Tenant } from '../messaging/tenant.ts';
import { limitsSchema } from '../../shared/usage.ts';

let ctx: TestContext;
let staff: SignedUp;
let clock = new Date();

beforeAll(async () => {
  ctx = await createTestContext({ now: () => clock });
  staff = await signUp(ctx, uniqueEmail('admin'), { roles: ['admin'] });
});
afterAll(async () => ctx?.close());

const limitsPath = (t: Tenant) => `/api/isv/customers/${t.customerId}/limits`;
const creates = (t: Tenant) => ctx.sandbox.requests.filter((r) => r.method === 'POST' && r.path === `/2010-04-01/Accounts/${t.accountSid}/Messages.json`).length;
const send = (t: Tenant) => ctx.request.post(`/api/isv/customers/${t.customerId}/messages`).set(t.owner.auth).send({ to: '+14155551201', body: 'Hello from the limits test' });

/** Signs the owner in again at the current (injected) time: a session outlives a clock jump, a token does not. */
async function signInAgain(t: Tenant) {
  const res = await ctx.request.post('/api/auth/login').send({ email: t.owner.email, password: TEST_PASSWORD });
  expect(res.status).toBe(200);
  t.owner.auth = { Authorization: `Bearer ${res.body.token}` };
}

async function expectSends(t: Tenant, n: number) {
  for (let i = 0; i < n; i++) expect((await send(t)).status).toBe(201);
}

describe('limits per customer', () => {
  it('lets staff set ceilings and owners lower values, never above the ceiling (422 naming the field)', async () => {
    const t = await createTenant(ctx);
    const staffPut = await ctx.request.put(limitsPath(t)).set(staff.auth).send({ messagesPerDay: 100, monthlyBudgetUsd: 50 });
    expect(staffPut.status).toBe(200);
    expect(limitsSchema.parse(staffPut.body)).toMatchObject({ messagesPerDay: 100, monthlyBudgetUsd: 50, ceilings: { messagesPerDay: 100 }, own: { messagesPerDay: null } });

    const above = await ctx.request.put(limitsPath(t)).set(t.owner.auth).send({ messagesPerDay: 500, sendsPerSecond: 5 });
    expect(above.status).toBe(422);
    expect(above.body.errors).toEqual([{ path: 'messagesPerDay', message: expect.stringContaining('at most 100') }]);
    const removed = await ctx.request.put(limitsPath(t)).set(t.owner.auth).send({ monthlyBudgetUsd: null });
    expect(removed.status).toBe(422);
    expect(removed.body.errors[0].path).toBe('monthlyBudgetUsd');
    // Nothing was half-written.
    expect(limitsSchema.parse((await ctx.request.get(limitsPath(t)).set(t.owner.auth)).body).own).toEqual({ messagesPerDay: null, messagesPerMonth: null, monthlyBudgetUsd: null, sendsPerSecond: null });

    const lower = await ctx.request.put(limitsPath(t)).set(t.owner.auth).send({ messagesPerDay: 40, sendsPerSecond: 5 });
    expect(lower.status).toBe(200);
    expect(limitsSchema.parse(lower.body)).toMatchObject({ messagesPerDay: 40, sendsPerSecond: 5, ceilings: { messagesPerDay: 100, sendsPerSecond: null }, own: { messagesPerDay: 40 } });

    const bad = await ctx.request.put(limitsPath(t)).set(t.owner.auth).send({ messagesPerMonth: -1 });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([{ path: 'messagesPerMonth', message: 'must be 0 or more' }]);
  });

  it('refuses the next send over the daily limit with 429 limit_exceeded, and sends again the next day', async () => {
    clock = new Date('2026-12-07T22:00:00.000Z');
    const t = await createTenant(ctx);
    await ctx.request.put(limitsPath(t)).set(t.owner.auth).send({ messagesPerDay: 2 }).expect(200);
    await expectSends(t, 2);
    const refused = await send(t);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: 'limit_exceeded', limit: 'messagesPerDay', current: 2, max: 2, resetsAt: '2026-12-08T00:00:00.000Z' });
    expect(refused.headers['retry-after']).toBe(String(2 * 3600));
    expect(creates(t)).toBe(2); // Twilio never saw the third
    expect(limitsSchema.parse((await ctx.request.get(limitsPath(t)).set(t.owner.auth)).body).current.messagesToday).toBe(2);

    clock = new Date('2026-12-08T00:00:00.000Z');
    expect((await send(t)).status).toBe(201);
    expect(creates(t)).toBe(3);
  });

  it('does not count a send Twilio refused against the daily limit', async () => {
    clock = new Date('2026-12-09T10:00:00.000Z');
    const t = await createTenant(ctx);
    await ctx.request.put(limitsPath(t)).set(t.owner.auth).send({ messagesPerDay: 1 }).expect(200);
    // Twilio's magic number for "not a valid phone number" (21211): refused by Twilio, never sent.
    const invalid = await ctx.request.post(`/api/isv/customers/${t.customerId}/messages`).set(t.owner.auth).send({ to: '+15005550001', body: 'Hello' });
    expect(invalid.status).toBe(422);
    expect(creates(t)).toBe(1);
    expect(limitsSchema.parse((await ctx.request.get(limitsPath(t)).set(t.owner.auth)).body).current.messagesToday).toBe(0);
    // The one message of the day is still available.
    expect((await send(t)).status).toBe(201);
    expect((await send(t)).status).toBe(429);
  });

  it('refuses the next send over the monthly cap until the first of next month', async () => {
    clock = new Date('2026-12-30T12:00:00.000Z');
    const t = await createTenant(ctx);
    const admin = await signUp(ctx, uniqueEmail('admin'), { roles: ['admin'] }); // a token of the injected time
    await ctx.request.put(limitsPath(t)).set(admin.auth).send({ messagesPerMonth: 3 }).expect(200);
    await expectSends(t, 2);
    clock = new Date('2026-12-31T12:00:00.000Z'); // another day, same month
    await signInAgain(t);
    await expectSends(t, 1);
    const refused = await send(t);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: 'limit_exceeded', limit: 'messagesPerMonth', current: 3, max: 3, resetsAt: '2027-01-01T00:00:00.000Z' });
    expect(Number(refused.headers['retry-after'])).toBe(12 * 3600);
    clock = new Date('2027-01-01T00:00:01.000Z');
    await signInAgain(t);
    expect((await send(t)).status).toBe(201);
  });

  it('refuses the next send in the same second over sends per second, and sends again the next second', async () => {
    clock = new Date('2026-12-07T10:00:00.100Z');
    const t = await createTenant(ctx);
    await ctx.request.put(limitsPath(t)).set(t.owner.auth).send({ sendsPerSecond: 1 }).expect(200);
    await expectSends(t, 1);
    const refused = await send(t);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: 'limit_exceeded', limit: 'sendsPerSecond', current: 1, max: 1, resetsAt: '2026-12-07T10:00:01.000Z' });
    expect(refused.headers['retry-after']).toBe('1');
    // The refused send consumed none of the other counters.
    expect(limitsSchema.parse((await ctx.request.get(limitsPath(t)).set(t.owner.auth)).body).current.messagesToday).toBe(1);
    clock = new Date('2026-12-07T10:00:01.000Z');
    expect((await send(t)).status).toBe(201);
  });

  it('refuses sends once the month\'s spend (reported usage plus an estimate for unpriced messages) reaches the budget', async () => {
    clock = new Date();
    const t = await createTenant(ctx);
    // Three unpriced messages are estimated at $0.0083 each: $0.0249 ≥ $0.02.
    await ctx.request.put(limitsPath(t)).set(t.owner.auth).send({ monthlyBudgetUsd: 0.02 }).expect(200);
    await expectSends(t, 3);
    const refused = await send(t);
    expect(refused.status).toBe(429);
    const next = new Date(Date.UTC(clock.getUTCFullYear(), clock.getUTCMonth() + 1, 1));
    expect(refused.body).toMatchObject({ code: 'limit_exceeded', limit: 'monthlyBudgetUsd', max: 0.02, resetsAt: next.toISOString() });
    expect(refused.body.current).toBeCloseTo(0.0249, 4);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(creates(t)).toBe(3);

    // Twilio's reported usage replaces the estimate once read: the sandbox charged $0.0079 per segment plus the number.
    await ctx.sandbox.flushCallbacks();
    await ctx.features.usage.usage.ingest({ customerId: t.customerId });
    const limits = limitsSchema.parse((await ctx.request.get(limitsPath(t)).set(t.owner.auth)).body);
    expect(limits.current.spendThisMonthUsd).toBeCloseTo(3 * 0.0079 + 1.15, 4);

    clock = next;
    await signInAgain(t);
    expect((await send(t)).status).toBe(201);
  });
});
