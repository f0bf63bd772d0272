// Sending through the customer's own subaccount, end to end against the sandbox: the checks that refuse a send
// before Twilio (onboarding, opt-out, rate limit), idempotent retries, 21610, and delivery seen through the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signUp } from '../helpers/auth.ts';
import { messageDetailSchema, messagePageSchema, sendMessageResponseSchema } from '../../shared/messages.ts';
import { optOutPageSchema } from '../../shared/opt-outs.ts';
import { DEFAULT_SEND_RATE_LIMIT } from '../../server/messaging/messaging.service.ts';
import { createSubaccountTenant, createTenant, type Tenant } from './tenant.ts';

let ctx: TestContext;
let tenant: Tenant;

beforeAll(async () => {
  ctx = await createTestContext();
  tenant = await createTenant(ctx);
});
afterAll(async () => ctx?.close());

const messagesPath = (customerId: string) => `/api/isv/customers/${customerId}/messages`;

/** Message creates the sandbox received for this tenant's subaccount. */
function twilioCreates(accountSid: string): number {
  return ctx.sandbox.requests.filter((r) => r.method === 'POST' && r.path === `/2010-04-01/Accounts/${accountSid}/Messages.json`).length;
}

async function inbound(from: string, to: string, body: string): Promise<void> {
  const res = await fetch(`${ctx.sandbox.url}/sandbox/inbound`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ from, to, body }),
  });
  expect(res.status).toBe(201);
  await ctx.sandbox.flushCallbacks();
}

describe('sending a message', () => {
  it('sends through the subaccount and messaging service, and delivered shows through the API with its history', async () => {
    const res = await ctx.request.post(messagesPath(tenant.customerId)).set(tenant.owner.auth).send({ to: '+14155551001', body: 'Your order shipped' });
    expect(res.status).toBe(201);
    const sent = sendMessageResponseSchema.parse(res.body);
    expect(sent.sid).toMatch(/^SM[0-9a-f]{32}$/);

    const create = ctx.sandbox.requests.filter((r) => r.path === `/2010-04-01/Accounts/${tenant.accountSid}/Messages.json` && r.method === 'POST').at(-1)!;
    // The subaccount's own credentials, its messaging service, and a status callback to the platform.
    expect(create.accountSid).toBe(tenant.accountSid);
    expect(create.params).toMatchObject({
      To: '+14155551001',
      MessagingServiceSid: tenant.messagingServiceSid,
      StatusCallback: `${ctx.config.publicBaseUrl}/api/isv/webhooks/twilio/status`,
    });

    await ctx.sandbox.flushCallbacks();
    const detail = await ctx.request.get(`${messagesPath(tenant.customerId)}/${sent.id}`).set(tenant.owner.auth);
    expect(detail.status).toBe(200);
    const message = messageDetailSchema.parse(detail.body);
    expect(message).toMatchObject({ id: sent.id, sid: sent.sid, status: 'delivered', direction: 'outbound', channel: 'sms', to: '+14155551001', from: tenant.phoneNumber });
    const callbacks = message.history.filter((h) => h.source === 'callback');
    expect(callbacks.map((h) => h.status)).toEqual(['queued', 'sending', 'sent', 'delivered']);
    // queued ranks with accepted (what the API answered), so it is history only unless it outran the answer.
    expect(callbacks.filter((h) => h.status !== 'queued').every((h) => h.applied)).toBe(true);
    expect(message.history.at(-1)!.status).toBe('delivered');
    expect(JSON.stringify(detail.body)).not.toContain('Your order shipped');
  });

  it('sends WhatsApp from the customer\'s online sender and tracks it to delivered', async () => {
    const t = await createTenant(ctx);
    const sender = await t.client.messaging.v2.channelsSenders.create({
      sender_id: `whatsapp:${t.phoneNumber}`,
      configuration: { verification_method: 'sms' },
      profile: { name: 'Acme Dental' },
      webhook: { callback_url: `${ctx.config.publicBaseUrl}/api/isv/webhooks/twilio/inbound` },
    } as never);
    // Take the sender to ONLINE the way the onboarding engine does: review, then the OTP.
    const senderStatus = async () => (await t.client.messaging.v2.channelsSenders(sender.sid).fetch()).status;
    for (let i = 0; i < 10 && (await senderStatus()) !== 'PENDING_VERIFICATION'; i++) await ctx.sandbox.advanceReviews();
    await t.client.messaging.v2.channelsSenders(sender.sid).update({ configuration: { verification_code: '123456' } } as never);
    for (let i = 0; i < 10 && !(await senderStatus()).startsWith('ONLINE'); i++) await ctx.sandbox.advanceReviews();
    expect(await senderStatus()).toMatch(/^ONLINE/);
    await ctx.db.query(
      `INSERT INTO isv.whatsapp_senders (customer_id, phone_number, profile, sender_sid, status) VALUES ($1, $2, '{}', $3, 'online')`,
      [t.customerId, t.phoneNumber, sender.sid],
    );
    // Free-form text needs the contact to have written within 24 hours (63016): refused before Twilio until then.
    const cold = await ctx.request.post(messagesPath(t.customerId)).set(t.owner.auth).send({ to: '+14155551008', body: 'Your appointment is at 3pm', channel: 'whatsapp' });
    expect(cold.status).toBe(409);
    expect(cold.body).toMatchObject({ code: 'whatsapp_window_closed', detail: expect.stringMatching(/24 hours.*template/), twilioCode: 63016, lastInboundAt: null });
    expect(twilioCreates(t.accountSid)).toBe(0);
    await inbound('whatsapp:+14155551008', `whatsapp:${t.phoneNumber}`, 'Can I come at 3?');
    const res = await ctx.request.post(messagesPath(t.customerId)).set(t.owner.auth).send({ to: '+14155551008', body: 'Your appointment is at 3pm', channel: 'whatsapp' });
    expect(res.status).toBe(201);
    const create = ctx.sandbox.requests.filter((r) => r.path === `/2010-04-01/Accounts/${t.accountSid}/Messages.json` && r.method === 'POST').at(-1)!;
    expect(create.params).toMatchObject({ To: 'whatsapp:+14155551008', From: `whatsapp:${t.phoneNumber}` });
    await ctx.sandbox.flushCallbacks();
    const detail = messageDetailSchema.parse((await ctx.request.get(`${messagesPath(t.customerId)}/${res.body.id}`).set(t.owner.auth)).body);
    expect(detail).toMatchObject({ channel: 'whatsapp', to: '+14155551008', status: 'delivered' });
  });

  it('refuses an invalid number with 422 and the field path', async () => {
    const res = await ctx.request.post(messagesPath(tenant.customerId)).set(tenant.owner.auth).send({ to: '4155551001', body: 'hi' });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'to' })]);
  });

  it('refuses a customer whose onboarding is not complete with 409 and the reason', async () => {
    const early = await createSubaccountTenant(ctx);
    const res = await ctx.request.post(messagesPath(early.customerId)).set(early.owner.auth).send({ to: '+14155551002', body: 'hi' });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ code: 'onboarding_incomplete', detail: expect.stringMatching(/campaign/) });
    const wa = await ctx.request.post(messagesPath(tenant.customerId)).set(tenant.owner.auth).send({ to: '+14155551002', body: 'hi', channel: 'whatsapp' });
    expect(wa.status).toBe(409);
    expect(wa.body.detail).toMatch(/WhatsApp sender/);
    expect(twilioCreates(early.accountSid)).toBe(0);
  });

  it('after STOP the send is refused with recipient_opted_out and no Twilio call; after START it goes through', async () => {
    const phone = '+14155551003';
    await inbound(phone, tenant.phoneNumber, 'STOP');
    const optOuts = optOutPageSchema.parse((await ctx.request.get(`/api/isv/customers/${tenant.customerId}/opt-outs`).set(tenant.owner.auth)).body);
    expect(optOuts.items).toContainEqual(expect.objectContaining({ phoneNumber: phone, channel: 'sms', status: 'opted_out', keyword: 'STOP' }));

    const before = twilioCreates(tenant.accountSid);
    const refused = await ctx.request.post(messagesPath(tenant.customerId)).set(tenant.owner.auth).send({ to: phone, body: 'hello?' });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('recipient_opted_out');
    expect(twilioCreates(tenant.accountSid)).toBe(before);

    await inbound(phone, tenant.phoneNumber, 'START');
    const allowed = await ctx.request.post(messagesPath(tenant.customerId)).set(tenant.owner.auth).send({ to: phone, body: 'welcome back' });
    expect(allowed.status).toBe(201);
    expect(twilioCreates(tenant.accountSid)).toBe(before + 1);
  });

  it('records the opt-out when Twilio answers 21610, and refuses the next send without calling Twilio', async () => {
    const phone = '+15005550004'; // the sandbox answers 21610 for this number, like Twilio's test credentials
    const first = await ctx.request.post(messagesPath(tenant.customerId)).set(tenant.owner.auth).send({ to: phone, body: 'hi' });
    expect(first.status).toBe(409);
    expect(first.body.code).toBe('recipient_opted_out');
    const rows = await ctx.db.query(`SELECT status, source FROM isv.opt_outs WHERE customer_id = $1 AND phone_number = $2`, [tenant.customerId, phone]);
    expect(rows).toEqual([{ status: 'opted_out', source: 'error_21610' }]);
    // The failed attempt left no message behind.
    const left = await ctx.db.query(`SELECT count(*)::int AS n FROM isv.messages WHERE customer_id = $1 AND to_number = $2`, [tenant.customerId, phone]);
    expect(left).toEqual([{ n: 0 }]);

    const before = twilioCreates(tenant.accountSid);
    const second = await ctx.request.post(messagesPath(tenant.customerId)).set(tenant.owner.auth).send({ to: phone, body: 'hi' });
    expect(second.body.code).toBe('recipient_opted_out');
    expect(twilioCreates(tenant.accountSid)).toBe(before);
  });

  it('explains other Twilio refusals with 422 and the Twilio code', async () => {
    const res = await ctx.request.post(messagesPath(tenant.customerId)).set(tenant.owner.auth).send({ to: '+15005550009', body: 'hi' });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ code: 'twilio_rejected', detail: expect.stringContaining('21614') });
  });

  it('with the same Idempotency-Key, retries (even concurrent ones) get the same message and Twilio is called once', async () => {
    const before = twilioCreates(tenant.accountSid);
    const send = () =>
      ctx.request.post(messagesPath(tenant.customerId)).set(tenant.owner.auth).set('Idempotency-Key', 'order-42-shipped').send({ to: '+14155551004', body: 'Shipped' });
    const first = await send();
    expect(first.status).toBe(201);
    const [again, concurrent] = await Promise.all([send(), send()]);
    // Same message (its status may have moved on meanwhile: the answer reports the current one).
    const same = (b: { id: string; sid: string }) => ({ id: b.id, sid: b.sid });
    expect(same(again.body)).toEqual(same(first.body));
    expect(same(concurrent.body)).toEqual(same(first.body));
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(twilioCreates(tenant.accountSid)).toBe(before + 1);

    const racing = await Promise.all(
      Array.from({ length: 5 }, () =>
        ctx.request.post(messagesPath(tenant.customerId)).set(tenant.owner.auth).set('Idempotency-Key', 'race-1').send({ to: '+14155551005', body: 'Race' }),
      ),
    );
    const created = racing.filter((r) => r.status === 201);
    // Every answer is the one message, or "still in progress, retry" while the first is talking to Twilio.
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    expect(racing.every((r) => r.status === 201 || (r.status === 409 && r.body.code === 'idempotency_key_in_use'))).toBe(true);
    expect(twilioCreates(tenant.accountSid)).toBe(before + 2);
  });

  it('answers 429 with Retry-After once the customer used up its send window', async () => {
    const other = await createTenant(ctx);
    const windowMs = DEFAULT_SEND_RATE_LIMIT.windowMs;
    // Fill this window and the next few (the test may cross a window boundary between fill and send).
    const start = Math.floor(Date.now() / windowMs) * windowMs;
    for (let i = 0; i < 5; i++) {
      await ctx.db.query(`INSERT INTO isv.rate_limits (key, window_start, count) VALUES ($1, $2, $3)`, [
        `messages.send:${other.customerId}`,
        new Date(start + i * windowMs),
        DEFAULT_SEND_RATE_LIMIT.limit,
      ]);
    }
    const before = twilioCreates(other.accountSid);
    const res = await ctx.request.post(messagesPath(other.customerId)).set(other.owner.auth).send({ to: '+14155551006', body: 'hi' });
    expect(res.status).toBe(429);
    expect(res.body.code).toBe('rate_limited');
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(twilioCreates(other.accountSid)).toBe(before);
  });

  it("hides another customer's messages and refuses to send for it (404)", async () => {
    const stranger = await signUp(ctx);
    const send = await ctx.request.post(messagesPath(tenant.customerId)).set(stranger.auth).send({ to: '+14155551007', body: 'hi' });
    expect(send.status).toBe(404);
    const list = await ctx.request.get(messagesPath(tenant.customerId)).set(stranger.auth);
    expect(list.status).toBe(404);
    const optOuts = await ctx.request.get(`/api/isv/customers/${tenant.customerId}/opt-outs`).set(stranger.auth);
    expect(optOuts.status).toBe(404);
    const anonymous = await ctx.request.get(messagesPath(tenant.customerId));
    expect(anonymous.status).toBe(401);
  });
});

describe('reading the message log', () => {
  it('filters and pages with a keyset cursor, newest first, without repeats or gaps', async () => {
    const t = await createTenant(ctx);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await ctx.request.post(messagesPath(t.customerId)).set(t.owner.auth).send({ to: `+1415555200${i}`, body: `m${i}` });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    await inbound('+14155552999', t.phoneNumber, 'hello');

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await ctx.request
        .get(messagesPath(t.customerId))
        .query({ direction: 'outbound', limit: 2, ...(cursor ? { cursor } : {}) })
        .set(t.owner.auth);
      expect(res.status).toBe(200);
      const page = messagePageSchema.parse(res.body);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((m) => m.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const inboundOnly = messagePageSchema.parse((await ctx.request.get(messagesPath(t.customerId)).query({ direction: 'inbound' }).set(t.owner.auth)).body);
    expect(inboundOnly.items.map((m) => m.from)).toEqual(['+14155552999']);
    const byTo = messagePageSchema.parse((await ctx.request.get(messagesPath(t.customerId)).query({ to: '+14155552003' }).set(t.owner.auth)).body);
    expect(byTo.items.map((m) => m.id)).toEqual([ids[3]]);
    const future = messagePageSchema.parse(
      (await ctx.request.get(messagesPath(t.customerId)).query({ since: new Date(Date.now() + 60_000).toISOString() }).set(t.owner.auth)).body,
    );
    expect(future.items).toEqual([]);

    const bad = await ctx.request.get(messagesPath(t.customerId)).query({ cursor: 'nonsense' }).set(t.owner.auth);
    expect(bad.status).toBe(422);
    const missing = await ctx.request.get(`${messagesPath(t.customerId)}/${ids[0]!.replace(/.$/, (c) => (c === '0' ? '1' : '0'))}`).set(t.owner.auth);
    expect(missing.status).toBe(404);
  });
});
