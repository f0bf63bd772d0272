// Inbound messages and opt-out keywords: TwiML answers, one message per MessageSid, STOP/START/HELP from
// OptOutType or the default keyword lists, and the separate opt-out route sharing the inbound key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { createSubaccountTenant, INBOUND_PATH, inboundParams, newSid, OPT_OUT_PATH, postSigned } from '../messaging/tenant.ts';
import { classifyOptOut } from '../../server/opt-outs/opt-out-keywords.ts';

let ctx: TestContext;
let tenant: Awaited<ReturnType<typeof createSubaccountTenant>>;

beforeAll(async () => {
  ctx = await createTestContext();
  tenant = await createSubaccountTenant(ctx);
});
afterAll(async () => ctx?.close());

async function optOutOf(phone: string, channel = 'sms') {
  return ctx.db.query<{ status: string; keyword: string | null; source: string }>(
    `SELECT status, keyword, source FROM isv.opt_outs WHERE customer_id = $1 AND phone_number = $2 AND channel = $3`,
    [tenant.customerId, phone, channel],
  );
}

describe('opt-out keywords', () => {
  it('follows OptOutType when present and the default lists otherwise, in any case', () => {
    expect(classifyOptOut({ OptOutType: 'STOP', Body: 'arrête' })).toEqual({ action: 'STOP', keyword: 'ARRÊTE' });
    expect(classifyOptOut({ Body: ' unsubscribe ' })).toEqual({ action: 'STOP', keyword: 'UNSUBSCRIBE' });
    expect(classifyOptOut({ Body: 'Unstop' })).toEqual({ action: 'START', keyword: 'UNSTOP' });
    expect(classifyOptOut({ Body: 'info' })).toEqual({ action: 'HELP', keyword: 'INFO' });
    expect(classifyOptOut({ Body: 'please stop texting me' })).toBeUndefined();
  });
});

describe('inbound webhook', () => {
  it('answers empty TwiML as text/xml and records the message once', async () => {
    const sid = newSid('SM');
    const params = inboundParams(tenant, sid, 'Hello there');
    for (let i = 0; i < 2; i++) {
      const res = await postSigned(ctx, tenant.authToken, INBOUND_PATH, params);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/xml/);
      expect(res.text).toContain('<Response/>');
    }
    const rows = await ctx.db.query(`SELECT customer_id, direction, status, from_number, to_number, channel FROM isv.messages WHERE sid = $1`, [sid]);
    expect(rows).toEqual([{ customer_id: tenant.customerId, direction: 'inbound', status: 'received', from_number: '+14155550199', to_number: '+14155550100', channel: 'sms' }]);
    const events = await ctx.db.query(`SELECT idempotency_key, kind FROM isv.webhook_events WHERE message_sid = $1`, [sid]);
    expect(events).toEqual([{ idempotency_key: `inbound:${tenant.accountSid}:${sid}`, kind: 'inbound' }]);
  });

  it('records STOP (OptOutType) as an opt-out and START as an opt-in for that customer, number and channel', async () => {
    const phone = '+14155550311';
    await postSigned(ctx, tenant.authToken, INBOUND_PATH, inboundParams(tenant, newSid('SM'), 'STOP', { From: phone, OptOutType: 'STOP' }));
    expect(await optOutOf(phone)).toEqual([{ status: 'opted_out', keyword: 'STOP', source: 'inbound' }]);
    await postSigned(ctx, tenant.authToken, INBOUND_PATH, inboundParams(tenant, newSid('SM'), 'start', { From: phone, OptOutType: 'START' }));
    expect(await optOutOf(phone)).toEqual([{ status: 'opted_in', keyword: 'START', source: 'inbound' }]);
  });

  it('matches the default keywords when Advanced Opt-Out is off, and HELP changes nothing', async () => {
    const phone = '+14155550312';
    await postSigned(ctx, tenant.authToken, INBOUND_PATH, inboundParams(tenant, newSid('SM'), 'Quit', { From: phone }));
    expect(await optOutOf(phone)).toEqual([{ status: 'opted_out', keyword: 'QUIT', source: 'inbound' }]);
    await postSigned(ctx, tenant.authToken, INBOUND_PATH, inboundParams(tenant, newSid('SM'), 'HELP', { From: phone, OptOutType: 'HELP' }));
    expect(await optOutOf(phone)).toEqual([{ status: 'opted_out', keyword: 'QUIT', source: 'inbound' }]);
  });

  it('keeps WhatsApp opt-outs apart from SMS ones', async () => {
    const phone = '+14155550313';
    await postSigned(ctx, tenant.authToken, INBOUND_PATH, inboundParams(tenant, newSid('SM'), 'STOP', { From: `whatsapp:${phone}`, To: 'whatsapp:+14155550100', OptOutType: 'STOP' }));
    expect(await optOutOf(phone, 'whatsapp')).toEqual([{ status: 'opted_out', keyword: 'STOP', source: 'inbound' }]);
    expect(await optOutOf(phone, 'sms')).toEqual([]);
  });

  it('takes the same payload on the opt-out route, and one message delivered to both routes has one effect', async () => {
    const phone = '+14155550314';
    const sid = newSid('SM');
    const params = inboundParams(tenant, sid, 'STOP', { From: phone, OptOutType: 'STOP' });
    const res = await postSigned(ctx, tenant.authToken, OPT_OUT_PATH, params);
    expect(res.status).toBe(200);
    expect(await optOutOf(phone)).toEqual([{ status: 'opted_out', keyword: 'STOP', source: 'opt_out_webhook' }]);
    expect((await postSigned(ctx, tenant.authToken, INBOUND_PATH, params)).status).toBe(200);
    const events = await ctx.db.query(`SELECT kind FROM isv.webhook_events WHERE message_sid = $1`, [sid]);
    expect(events).toEqual([{ kind: 'opt_out' }]);
    const messages = await ctx.db.query(`SELECT count(*)::int AS n FROM isv.messages WHERE sid = $1`, [sid]);
    expect(messages).toEqual([{ n: 1 }]);
  });

  it('refuses an unsigned opt-out and leaves the recipient subscribed', async () => {
    const phone = '+14155550315';
    const res = await ctx.request.post(OPT_OUT_PATH).type('form').send(inboundParams(tenant, newSid('SM'), 'STOP', { From: phone, OptOutType: 'STOP' }));
    expect(res.status).toBe(403);
    expect(await optOutOf(phone)).toEqual([]);
  });
});
