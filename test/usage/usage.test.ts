// Usage per customer (#18): the sandbox's daily Usage Records, derived from what it sent and charged, are read
// into isv.usage_records (a day read again replaces it) and answered with the platform's own message counts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signUp, uniqueEmail, type SignedUp } from '../helpers/auth.ts';
import { createTenant, type Tenant } from '../messaging/tenant.ts';
import { operatorUsageSchema, usageReportSchema } from '../../shared/usage.ts';

let ctx: TestContext;
let tenant: Tenant;
let operator: SignedUp;
const today = () => new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  ctx = await createTestContext();
  tenant = await createTenant(ctx);
  operator = await signUp(ctx, uniqueEmail('operator'), { roles: ['operator'] });
});
afterAll(async () => ctx?.close());

async function send(body: string, to = '+14155551201') {
  const res = await ctx.request.post(`/api/isv/customers/${tenant.customerId}/messages`).set(tenant.owner.auth).send({ to, body });
  expect(res.status).toBe(201);
}

const usagePath = () => `/api/isv/customers/${tenant.customerId}/usage`;
const dailyRequests = () => ctx.sandbox.requests.filter((r) => r.method === 'GET' && r.path === `/2010-04-01/Accounts/${tenant.accountSid}/Usage/Records/Daily.json`).length;
const storedRows = async () => (await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM isv.usage_records WHERE customer_id = $1 AND day = $2`, [tenant.customerId, today()]))[0]!.n;

describe('usage per customer', () => {
  it("stores the sandbox's daily usage records of what was sent and charged, and reading a day again replaces it", async () => {
    await send('Your order shipped.');
    await send('Your order is out for delivery.');
    await send('x'.repeat(200)); // two segments
    await ctx.sandbox.flushCallbacks();
    await ctx.features.messageSettlement.settle();

    const refresh = await ctx.request.post(`${usagePath()}/refresh`).set(tenant.owner.auth).send({ from: today(), to: today() });
    expect(refresh.status).toBe(200);
    expect(refresh.body).toMatchObject({ days: 1 });
    expect(dailyRequests()).toBe(1);

    // What the sandbox itself reports for the day, read with the SDK, is what the platform answers.
    const twilioRecords = await tenant.client.api.v2010.accounts(tenant.accountSid).usage.records.daily.list({ startDate: new Date(`${today()}T00:00:00Z`), endDate: new Date(`${today()}T00:00:00Z`) });
    const outbound = twilioRecords.find((r) => r.category === 'sms-outbound')!;
    const res = await ctx.request.get(usagePath()).set(tenant.owner.auth).query({ from: today(), to: today() });
    expect(res.status).toBe(200);
    const report = usageReportSchema.parse(res.body);
    const sms = report.items.find((i) => i.category === 'sms-outbound');
    expect(sms).toEqual({ date: today(), category: 'sms-outbound', count: 3, usage: 4, price: Number(outbound.price), priceUnit: 'USD' });
    expect(sms!.price).toBeCloseTo(4 * 0.0079, 5);
    expect(report.items.find((i) => i.category === 'phonenumbers')).toMatchObject({ count: 1, price: 1.15 });
    expect(report.totals.price).toBeCloseTo(4 * 0.0079 + 1.15, 5);
    // The platform's own counts: three delivered SMS, four segments.
    expect(report.totals.messages).toEqual({ total: 3, delivered: 3, failed: 0, segments: 4 });
    expect(report.messages).toEqual([{ date: today(), channel: 'sms', direction: 'outbound', status: 'delivered', count: 3, segments: 4 }]);

    // Read again: the same rows, not twice as many.
    const rowsBefore = await storedRows();
    await ctx.request.post(`${usagePath()}/refresh`).set(tenant.owner.auth).send({ from: today(), to: today() }).expect(200);
    expect(await storedRows()).toBe(rowsBefore);
    expect(usageReportSchema.parse((await ctx.request.get(usagePath()).set(tenant.owner.auth).query({ from: today(), to: today() })).body).items).toEqual(report.items);

    // A later send, then the nightly job: the day is replaced with the new figures.
    await send('One more.');
    await ctx.sandbox.flushCallbacks();
    await ctx.features.usage.usage.ingest();
    expect(await storedRows()).toBe(rowsBefore);
    const after = usageReportSchema.parse((await ctx.request.get(usagePath()).set(tenant.owner.auth).query({ from: today(), to: today() })).body);
    expect(after.items.find((i) => i.category === 'sms-outbound')).toMatchObject({ count: 4, usage: 5 });
  });

  it('answers months, and CSV a spreadsheet opens', async () => {
    const month = await ctx.request.get(usagePath()).set(tenant.owner.auth).query({ granularity: 'month' });
    expect(month.status).toBe(200);
    expect(usageReportSchema.parse(month.body).items.find((i) => i.category === 'sms-outbound')).toMatchObject({ date: today().slice(0, 7), count: 4 });

    const csv = await ctx.request.get(usagePath()).set(tenant.owner.auth).query({ from: today(), to: today(), format: 'csv' });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('date,category,count,usage,price,priceUnit');
    expect(lines).toContain(`${today()},phonenumbers,1,1,1.15,USD`);
  });

  it('refuses a range it cannot answer, naming the field', async () => {
    const res = await ctx.request.get(usagePath()).set(tenant.owner.auth).query({ from: '2026-12-10', to: '2026-12-01' });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'from' })]);
    const bad = await ctx.request.get(usagePath()).set(tenant.owner.auth).query({ granularity: 'week' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].path).toBe('granularity');
    const refresh = await ctx.request.post(`${usagePath()}/refresh`).set(tenant.owner.auth).send({ from: '2026-01-01', to: '2026-03-01' });
    expect(refresh.status).toBe(422);
    expect(refresh.body.errors[0].path).toBe('to');
  });

  it('shows operators every customer with spend and delivery rate, sorted by spend, and the top error codes', async () => {
    const other = await createTenant(ctx);
    const res = await ctx.request.post(`/api/isv/customers/${other.customerId}/messages`).set(other.owner.auth).send({ to: '+15005550010', body: 'Will not arrive' });
    expect(res.status).toBe(201);
    await ctx.sandbox.flushCallbacks();
    await ctx.request.post('/api/isv/operator/usage/refresh').set(operator.auth).send({}).expect(200);

    const report = operatorUsageSchema.parse((await ctx.request.get('/api/isv/operator/usage').set(operator.auth).query({ sort: '-spend' }).expect(200)).body);
    const mine = report.customers.find((c) => c.customerId === tenant.customerId)!;
    const theirs = report.customers.find((c) => c.customerId === other.customerId)!;
    expect(mine).toMatchObject({ messages: 4, delivered: 4, failed: 0, deliveryRate: 1 });
    expect(theirs).toMatchObject({ messages: 1, delivered: 0, failed: 1, deliveryRate: 0 });
    expect(report.customers.indexOf(mine)).toBeLessThan(report.customers.indexOf(theirs));
    expect(report.topErrorCodes).toContainEqual({ code: 30003, count: 1, customers: 1 });
    const ascending = operatorUsageSchema.parse((await ctx.request.get('/api/isv/operator/usage').set(operator.auth).query({ sort: 'spend' })).body);
    expect(ascending.customers.map((c) => c.spend)).toEqual([...ascending.customers.map((c) => c.spend)].sort((a, b) => a - b));

    const csv = await ctx.request.get('/api/isv/operator/usage').set(operator.auth).query({ format: 'csv' });
    expect(csv.text.split('\r\n')[0]).toBe('customerId,customerName,spend,priceUnit,messages,delivered,failed,deliveryRate,monthlyBudgetUsd');
    expect(csv.text).toContain(tenant.customerId);

    // A customer's owner is not an operator.
    expect((await ctx.request.get('/api/isv/operator/usage').set(tenant.owner.auth)).status).toBe(403);
  });
});
