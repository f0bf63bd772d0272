// Alerts per customer (#18): raised once per period at each threshold, listed for the portal, mailed to owners and
// POSTed to the customer's endpoint signed with HMAC-SHA256 over timestamp and body (docs/alert-webhooks.md),
// retried with backoff from the durable outbox. The clock is injected: the retry is due when the clock says so.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { createTenant, type Tenant } from '../messaging/tenant.ts';
import { alertListSchema, alertSettingsResponseSchema } from '../../shared/usage.ts';

let ctx: TestContext;
let clock = new Date();
let receiver: Server;
let receiverUrl: string;
let failNext = 0;
const received: { headers: IncomingHttpHeaders; body: string; status: number }[] = [];

beforeAll(async () => {
  ctx = await createTestContext({ now: () => clock });
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const status = failNext > 0 ? 500 : 204;
      if (failNext > 0) failNext--;
      received.push({ headers: req.headers, body, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`;
});
afterAll(async () => {
  await new Promise<void>((r) => receiver?.close(() => r()));
  await ctx?.close();
});

/** What a receiver does (docs/alert-webhooks.md): recompute the HMAC over `${timestamp}.${rawBody}` and compare. */
function verify(secret: string, headers: IncomingHttpHeaders, rawBody: string): boolean {
  const timestamp = String(headers['x-isv-timestamp']);
  const expected = Buffer.from(`v1=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`);
  const given = Buffer.from(String(headers['x-isv-signature']));
  return given.length === expected.length && timingSafeEqual(given, expected) && Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
}

const send = (t: Tenant, to = '+14155551201') => ctx.request.post(`/api/isv/customers/${t.customerId}/messages`).set(t.owner.auth).send({ to, body: 'Hello from the alerts test' });
const alertsOf = async (t: Tenant) => alertListSchema.parse((await ctx.request.get(`/api/isv/customers/${t.customerId}/alerts`).set(t.owner.auth).expect(200)).body);

describe('alerts per customer', () => {
  let t: Tenant;
  let secret: string;

  it('shows the webhook signing secret once, when the endpoint is set, and stores it encrypted', async () => {
    t = await createTenant(ctx);
    const put = await ctx.request.put(`/api/isv/customers/${t.customerId}/alert-settings`).set(t.owner.auth).send({ webhookUrl: receiverUrl });
    expect(put.status).toBe(200);
    const settings = alertSettingsResponseSchema.parse(put.body);
    expect(settings).toMatchObject({ webhookUrl: receiverUrl, budgetThresholds: [50, 80, 100] });
    secret = settings.webhookSecret!;
    expect(secret).toMatch(/^whsec_/);
    const get = await ctx.request.get(`/api/isv/customers/${t.customerId}/alert-settings`).set(t.owner.auth);
    expect(get.body.webhookSecret).toBeUndefined();
    // Changing a threshold keeps the secret and does not show it again.
    const again = await ctx.request.put(`/api/isv/customers/${t.customerId}/alert-settings`).set(t.owner.auth).send({ deliveryRateMin: 0.5 });
    expect(again.body.webhookSecret).toBeUndefined();
    const [row] = await ctx.db.query<{ webhook_secret_ciphertext: string }>(`SELECT webhook_secret_ciphertext FROM isv.alert_settings WHERE customer_id = $1`, [t.customerId]);
    expect(row!.webhook_secret_ciphertext).not.toContain(secret.slice(6));
    // Plain http to anywhere but this machine is refused, naming the field.
    const insecure = await ctx.request.put(`/api/isv/customers/${t.customerId}/alert-settings`).set(t.owner.auth).send({ webhookUrl: 'http://alerts.example.com/hook' });
    expect(insecure.status).toBe(422);
    expect(insecure.body.errors[0].path).toBe('webhookUrl');
    // Addresses inside the platform's network (cloud metadata, private ranges) are refused, naming the field.
    for (const internal of ['https://169.254.169.254/latest/meta-data', 'https://10.0.0.5/hook', 'https://[fd00::1]/hook', 'https://[::ffff:192.168.1.1]/hook']) {
      const res = await ctx.request.put(`/api/isv/customers/${t.customerId}/alert-settings`).set(t.owner.auth).send({ webhookUrl: internal });
      expect(res.status, internal).toBe(422);
      expect(res.body.errors).toEqual([{ path: 'webhookUrl', message: 'must be a public internet address, not a private or reserved one' }]);
    }
    expect((await ctx.request.get(`/api/isv/customers/${t.customerId}/alert-settings`).set(t.owner.auth)).body.webhookUrl).toBe(receiverUrl);
  });

  it('raises the 80 % budget alert once, then the 100 % alert once, and mails the owners', async () => {
    // $0.05 budget; unpriced messages are estimated at $0.0083 each.
    await ctx.request.put(`/api/isv/customers/${t.customerId}/limits`).set(t.owner.auth).send({ monthlyBudgetUsd: 0.05 }).expect(200);
    for (let i = 0; i < 5; i++) expect((await send(t)).status).toBe(201); // $0.0415 = 83 %
    const first = await ctx.features.usage.alerts.evaluate(t.customerId);
    expect(first.map((a) => [a.kind, a.subject])).toEqual([['budget', '50%'], ['budget', '80%']]);
    expect(await ctx.features.usage.alerts.evaluate(t.customerId)).toEqual([]);

    for (let i = 0; i < 2; i++) expect((await send(t)).status).toBe(201); // $0.0581 ≥ 100 %
    const second = await ctx.features.usage.alerts.evaluate(t.customerId);
    expect(second.map((a) => [a.kind, a.subject])).toEqual([['budget', '100%']]);
    expect(second[0]!.message).toContain('whole monthly budget');
    expect(await ctx.features.usage.alerts.evaluate(t.customerId)).toEqual([]);
    expect((await send(t)).status).toBe(429);

    const list = await alertsOf(t);
    expect(list.items.filter((a) => a.kind === 'budget').map((a) => a.subject).sort()).toEqual(['100%', '50%', '80%']);
    expect(list.unread).toBe(3);
    const mails = ctx.mail.sent.filter((m) => m.to === t.owner.email);
    expect(mails.map((m) => m.subject)).toEqual([expect.stringContaining('50%'), expect.stringContaining('80%'), expect.stringContaining('whole monthly budget')]);
    expect(mails[0]!.link).toContain(`/customers/${t.customerId}/usage`);

    const read = await ctx.request.post(`/api/isv/customers/${t.customerId}/alerts/${list.items[0]!.id}/read`).set(t.owner.auth);
    expect(read.status).toBe(200);
    expect((await alertsOf(t)).unread).toBe(2);
  });

  it('POSTs each alert signed so the receiver can verify it, and retries a failed delivery with backoff', async () => {
    failNext = 3; // the first attempt of each of the three alerts fails
    expect(await ctx.features.usage.alerts.deliverDue()).toBe(3);
    expect(received.map((r) => r.status)).toEqual([500, 500, 500]);
    const pending = await ctx.db.query<{ status: string; attempts: number; last_error: string }>(`SELECT status, attempts, last_error FROM isv.alert_deliveries WHERE customer_id = $1`, [t.customerId]);
    expect(pending.every((d) => d.status === 'pending' && d.attempts === 1 && d.last_error === 'HTTP 500')).toBe(true);

    // Not due again before the backoff has passed …
    expect(await ctx.features.usage.alerts.deliverDue()).toBe(0);
    // … and delivered once it has.
    clock = new Date(clock.getTime() + 31_000);
    expect(await ctx.features.usage.alerts.deliverDue()).toBe(3);
    const ok = received.slice(3);
    expect(ok.map((r) => r.status)).toEqual([204, 204, 204]);
    for (const r of ok) {
      expect(verify(secret, r.headers, r.body)).toBe(true);
      expect(verify(secret, r.headers, r.body.replace('budget', 'budgex'))).toBe(false);
      const event = JSON.parse(r.body);
      expect(event).toMatchObject({ type: 'alert.raised', customerId: t.customerId, alert: { kind: 'budget' } });
      expect(r.headers['x-isv-event-id']).toBe(event.id);
    }
    const done = await ctx.db.query<{ status: string; attempts: number }>(`SELECT status, attempts FROM isv.alert_deliveries WHERE customer_id = $1`, [t.customerId]);
    expect(done.every((d) => d.status === 'delivered' && d.attempts === 2)).toBe(true);
    expect(await ctx.features.usage.alerts.deliverDue()).toBe(0);
  });

  it('raises a delivery-rate alert and an error-burst alert once each', async () => {
    const u = await createTenant(ctx);
    await ctx.request.put(`/api/isv/customers/${u.customerId}/alert-settings`).set(u.owner.auth).send({ deliveryRateMin: 0.9, deliveryRateWindow: 3, errorCodes: [30003], errorBurstCount: 2 }).expect(200);
    expect((await send(u)).status).toBe(201);
    expect((await send(u, '+15005550010')).status).toBe(201); // ends undelivered with 30003
    expect((await send(u, '+15005550010')).status).toBe(201);
    await ctx.sandbox.flushCallbacks();
    const raised = await ctx.features.usage.alerts.evaluate(u.customerId);
    expect(raised.map((a) => [a.kind, a.subject]).sort()).toEqual([['delivery_rate', 'below 90%'], ['error_burst', '30003']]);
    expect(raised.find((a) => a.kind === 'delivery_rate')!.message).toContain('33%');
    expect(await ctx.features.usage.alerts.evaluate(u.customerId)).toEqual([]);
  });
});
