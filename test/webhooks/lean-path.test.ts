// The lean webhook path (issue 13): signed form callbacks skip the general middleware but keep its refusals, and
// what it does not take (a JSON body) still reaches the general stack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { createSubaccountTenant, inboundParams, INBOUND_PATH, newSid, postSigned, signForm, STATUS_PATH, statusParams } from '../messaging/tenant.ts';

let ctx: TestContext;
let tenant: Awaited<ReturnType<typeof createSubaccountTenant>>;

beforeAll(async () => {
  ctx = await createTestContext();
  tenant = await createSubaccountTenant(ctx);
});
afterAll(async () => ctx?.close());

const events = async (sid: string) =>
  (await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM isv.webhook_events WHERE message_sid = $1`, [sid]))[0]!.n;

describe('the lean webhook path', () => {
  it('answers a signed status callback with an empty 200 after storing it, without the general middleware', async () => {
    const sid = newSid('SM');
    const res = await postSigned(ctx, tenant.authToken, STATUS_PATH, statusParams(tenant, sid, 'delivered'));
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    // Neither the request logger's id nor helmet's headers: the general stack never saw this request.
    expect(res.headers['x-request-id']).toBeUndefined();
    expect(res.headers['content-security-policy']).toBeUndefined();
    expect(await events(sid)).toBe(1);
  });

  it('answers an inbound message with empty TwiML', async () => {
    const sid = newSid('SM');
    const res = await postSigned(ctx, tenant.authToken, INBOUND_PATH, inboundParams(tenant, sid, 'hello'));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    expect(res.text).toContain('<Response/>');
  });

  it('refuses a NUL in a field with 422 naming the field, and stores nothing', async () => {
    const sid = newSid('SM');
    const params = statusParams(tenant, sid, 'sent', { Body: 'a\u0000b' });
    const res = await postSigned(ctx, tenant.authToken, STATUS_PATH, params);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'invalid_text', errors: [{ path: 'Body', message: 'must not contain NUL characters' }] });
    expect(await events(sid)).toBe(0);
  });

  it('refuses invalid UTF-8 with 422 and a body over 100 kB with 413, storing nothing', async () => {
    const sid = newSid('SM');
    const body = Buffer.concat([Buffer.from(new URLSearchParams(statusParams(tenant, sid, 'sent')).toString() + '&Body='), Buffer.from([0xff, 0xfe])]);
    const bad = await fetch(ctx.config.publicBaseUrl + STATUS_PATH, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': 'x' },
      body,
    });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { errors: unknown }).errors).toEqual([{ path: '(body)', message: 'is not valid UTF-8' }]);
    const big = statusParams(tenant, sid, 'sent', { Body: 'x'.repeat(101 * 1024) });
    const tooBig = await postSigned(ctx, tenant.authToken, STATUS_PATH, big);
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.code).toBe('payload_too_large');
    expect(await events(sid)).toBe(0);
  });

  it('refuses a parameter given twice before verification, with 400 naming it', async () => {
    const sid = newSid('SM');
    const params = statusParams(tenant, sid, 'sent');
    const raw = `${new URLSearchParams(params).toString()}&MessageStatus=delivered`;
    const res = await ctx.request.post(STATUS_PATH).type('form').set(signForm(ctx, tenant.authToken, STATUS_PATH, params)).send(raw);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'repeated_parameter', errors: [{ path: 'MessageStatus' }] });
    expect(await events(sid)).toBe(0);
  });
});
