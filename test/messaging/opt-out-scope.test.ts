// Opt-out scope (#14): a STOP applies to the sender it was sent to. A WhatsApp STOP does not block SMS; a STOP to
// one of the customer's numbers does not block a send from another of its senders, unless the messaging service
// uses Advanced Opt-Out, when it covers every sender of the service. The sandbox scopes its 21610 the same way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { createTenant, type Tenant } from './tenant.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ sandbox: { autoAdvance: false } });
});
afterAll(async () => ctx?.close());

const control = async (path: string, body: Record<string, unknown>) => {
  const res = await fetch(`${ctx.sandbox.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
/** The recipient texts a keyword to one of the customer's senders; Twilio's webhook reaches the platform. */
async function reply(from: string, to: string, body: string) {
  expect((await control('/sandbox/inbound', { from, to, body })).status).toBe(201);
  await ctx.sandbox.flushCallbacks();
}
const send = (t: Tenant, to: string, channel: 'sms' | 'whatsapp' = 'sms') =>
  ctx.request.post(`/api/isv/customers/${t.customerId}/messages`).set(t.owner.auth).send({ to, body: 'Acme: your order has shipped.', channel });
const creates = (t: Tenant) => ctx.sandbox.requests.filter((r) => r.method === 'POST' && r.path === `/2010-04-01/Accounts/${t.accountSid}/Messages.json`);

async function withWhatsappSender(t: Tenant): Promise<void> {
  const sender = await t.client.messaging.v2.channelsSenders.create({ sender_id: `whatsapp:${t.phoneNumber}`, configuration: { verification_method: 'sms' }, profile: { name: 'Acme' }, webhook: { callback_url: `${ctx.config.publicBaseUrl}/api/isv/webhooks/twilio/inbound` } } as never);
  const status = async () => (await t.client.messaging.v2.channelsSenders(sender.sid).fetch()).status;
  for (let i = 0; i < 10 && (await status()) !== 'PENDING_VERIFICATION'; i++) await ctx.sandbox.advanceReviews();
  await t.client.messaging.v2.channelsSenders(sender.sid).update({ configuration: { verification_code: '123456' } } as never);
  for (let i = 0; i < 10 && !(await status()).startsWith('ONLINE'); i++) await ctx.sandbox.advanceReviews();
  await ctx.db.query(`INSERT INTO isv.whatsapp_senders (customer_id, phone_number, profile, sender_sid, status) VALUES ($1, $2, '{}', $3, 'online')`, [t.customerId, t.phoneNumber, sender.sid]);
}

/** A second number in the customer's messaging service (Twilio sends from the first). */
async function secondNumber(t: Tenant): Promise<string> {
  const n = await t.client.incomingPhoneNumbers.create({ areaCode: '415' });
  await t.client.messaging.v1.services(t.messagingServiceSid).phoneNumbers.create({ phoneNumberSid: n.sid });
  await ctx.db.query(`INSERT INTO isv.numbers (customer_id, phone_number_sid, phone_number, messaging_service_sid) VALUES ($1, $2, $3, $4)`, [t.customerId, n.sid, n.phoneNumber, t.messagingServiceSid]);
  return n.phoneNumber;
}

describe('opt-out scope', () => {
  it('a WhatsApp STOP blocks WhatsApp only: SMS to the same person still goes out and is delivered', async () => {
    const t = await createTenant(ctx);
    await withWhatsappSender(t);
    await reply('whatsapp:+14155551020', `whatsapp:${t.phoneNumber}`, 'STOP');
    const wa = await send(t, '+14155551020', 'whatsapp');
    expect(wa.status).toBe(409);
    expect(wa.body.code).toBe('recipient_opted_out');
    const sms = await send(t, '+14155551020');
    expect(sms.status).toBe(201);
    await ctx.sandbox.flushCallbacks();
    const row = (await ctx.db.query<{ status: string; error_code: number | null }>(`SELECT status, error_code FROM isv.messages WHERE id = $1`, [sms.body.id]))[0]!;
    expect(row).toEqual({ status: 'delivered', error_code: null });
  });

  it('a STOP to one number does not block a send from the customer’s other sender without Advanced Opt-Out', async () => {
    const t = await createTenant(ctx);
    const other = await secondNumber(t);
    await reply('+14155551021', other, 'STOP');
    const rows = await ctx.db.query<{ sender: string; status: string }>(`SELECT sender, status FROM isv.opt_out_senders WHERE customer_id = $1`, [t.customerId]);
    expect(rows).toEqual([{ sender: other, status: 'opted_out' }]);
    const sent = await send(t, '+14155551021');
    expect(sent.status).toBe(201);
    await ctx.sandbox.flushCallbacks();
    const row = (await ctx.db.query<{ status: string; from_number: string }>(`SELECT status, from_number FROM isv.messages WHERE id = $1`, [sent.body.id]))[0]!;
    expect(row).toEqual({ status: 'delivered', from_number: t.phoneNumber });
  });

  it('a STOP to the only number that can send blocks the send before Twilio is called', async () => {
    const t = await createTenant(ctx);
    await reply('+14155551022', t.phoneNumber, 'STOP');
    const before = creates(t).length;
    const refused = await send(t, '+14155551022');
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('recipient_opted_out');
    expect(creates(t).length).toBe(before);
  });

  it('with Advanced Opt-Out on the messaging service, a STOP to one number blocks every sender of the service', async () => {
    const t = await createTenant(ctx);
    const other = await secondNumber(t);
    expect(await control('/sandbox/services/advanced-opt-out', { service_sid: t.messagingServiceSid, enabled: true })).toEqual({ status: 200, body: { service_sid: t.messagingServiceSid, advanced_opt_out: true } });
    const set = await ctx.request.put(`/api/isv/customers/${t.customerId}/opt-outs/scope`).set(t.owner.auth).send({ messagingServiceSid: t.messagingServiceSid, advancedOptOut: true });
    expect(set.status).toBe(200);
    expect((await ctx.request.get(`/api/isv/customers/${t.customerId}/opt-outs/scope`).set(t.owner.auth)).body).toEqual({ items: [{ messagingServiceSid: t.messagingServiceSid, advancedOptOut: true }] });
    await reply('+14155551023', other, 'STOP');
    const before = creates(t).length;
    const refused = await send(t, '+14155551023');
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('recipient_opted_out');
    expect(creates(t).length).toBe(before);
    // Twilio (the sandbox) scopes it the same way: a send that reached it would be refused with 21610.
    await expect(t.client.messages.create({ to: '+14155551023', messagingServiceSid: t.messagingServiceSid, body: 'hi' })).rejects.toMatchObject({ code: 21610 });
    // START to any sender of the service lifts it.
    await reply('+14155551023', other, 'START');
    expect((await send(t, '+14155551023')).status).toBe(201);
  });

  it('refuses an Advanced Opt-Out setting for a messaging service that is not the customer’s, naming the field', async () => {
    const t = await createTenant(ctx);
    const res = await ctx.request.put(`/api/isv/customers/${t.customerId}/opt-outs/scope`).set(t.owner.auth).send({ messagingServiceSid: `MG${'0'.repeat(32)}`, advancedOptOut: true });
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.body)).toMatch(/messagingServiceSid/);
    const bad = await ctx.request.put(`/api/isv/customers/${t.customerId}/opt-outs/scope`).set(t.owner.auth).send({ messagingServiceSid: 'nope', advancedOptOut: 'yes' });
    expect(bad.status).toBe(422);
  });
});
