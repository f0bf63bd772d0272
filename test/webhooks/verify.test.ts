// Signature verification of Twilio webhooks through the real app: signatures are built with the SDK's own
// getExpectedTwilioSignature / getExpectedBodyHash, and every rejection must leave nothing stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signUp } from '../helpers/auth.ts';
import { signedUrlOf } from '../../server/webhooks/verify-twilio-signature.ts';
import { createSubaccountTenant, newSid, postSigned, STATUS_PATH, statusParams } from '../messaging/tenant.ts';

let ctx: TestContext;
let tenant: Awaited<ReturnType<typeof createSubaccountTenant>>;

beforeAll(async () => {
  ctx = await createTestContext();
  tenant = await createSubaccountTenant(ctx);
});
afterAll(async () => ctx?.close());

async function eventCount(messageSid: string): Promise<number> {
  const rows = await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM isv.webhook_events WHERE message_sid = $1`, [messageSid]);
  return rows[0]!.n;
}

async function messageCount(sid: string): Promise<number> {
  const rows = await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM isv.messages WHERE sid = $1`, [sid]);
  return rows[0]!.n;
}

describe('Twilio webhook signatures', () => {
  it('stores a status callback signed with the subaccount token', async () => {
    const sid = newSid('SM');
    const res = await postSigned(ctx, tenant.authToken, STATUS_PATH, statusParams(tenant, sid, 'sent'));
    expect(res.status).toBe(200);
    expect(await eventCount(sid)).toBe(1);
    expect(await messageCount(sid)).toBe(1);
  });

  it('refuses a forged signature with 403 and stores nothing', async () => {
    const sid = newSid('SM');
    const res = await postSigned(ctx, 'not-the-real-token-0000000000000', STATUS_PATH, statusParams(tenant, sid, 'sent'));
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ code: 'twilio_signature_invalid', detail: expect.any(String) });
    expect(await eventCount(sid)).toBe(0);
    expect(await messageCount(sid)).toBe(0);
  });

  it('refuses a request without X-Twilio-Signature', async () => {
    const sid = newSid('SM');
    const res = await ctx.request.post(STATUS_PATH).type('form').send(statusParams(tenant, sid, 'sent'));
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('twilio_signature_missing');
    expect(await eventCount(sid)).toBe(0);
  });

  it('refuses a subaccount event signed with the parent (master) token', async () => {
    const sid = newSid('SM');
    const res = await postSigned(ctx, ctx.config.twilio.masterAuthToken!, STATUS_PATH, statusParams(tenant, sid, 'sent'));
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('twilio_signature_invalid');
    expect(await eventCount(sid)).toBe(0);
  });

  it('refuses an AccountSid the platform does not know', async () => {
    const sid = newSid('SM');
    const stranger = { accountSid: newSid('AC') };
    const res = await postSigned(ctx, 'some-token-of-another-account-00', STATUS_PATH, statusParams(stranger, sid, 'sent'));
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('twilio_account_unknown');
    expect(await eventCount(sid)).toBe(0);
  });

  it('refuses a signature over another URL, and never trusts Host or X-Forwarded-* headers', async () => {
    const sid = newSid('SM');
    const params = statusParams(tenant, sid, 'sent');
    const otherPath = twilio.getExpectedTwilioSignature(tenant.authToken, `${ctx.config.publicBaseUrl}/api/isv/webhooks/twilio/inbound`, params);
    const r1 = await ctx.request.post(STATUS_PATH).type('form').set('X-Twilio-Signature', otherPath).send(params);
    expect(r1.status).toBe(403);

    // Signed for the host an attacker controls, then sent with that Host and forwarded headers.
    const evil = twilio.getExpectedTwilioSignature(tenant.authToken, `https://evil.example${STATUS_PATH}`, params);
    const r2 = await ctx.request
      .post(STATUS_PATH)
      .type('form')
      .set({ 'X-Twilio-Signature': evil, Host: 'evil.example', 'X-Forwarded-Host': 'evil.example', 'X-Forwarded-Proto': 'https' })
      .send(params);
    expect(r2.status).toBe(403);

    // Query strings are part of the signed URL.
    const r3 = await ctx.request.post(`${STATUS_PATH}?tenant=x`).type('form').set('X-Twilio-Signature', twilio.getExpectedTwilioSignature(tenant.authToken, ctx.config.publicBaseUrl + STATUS_PATH, params)).send(params);
    expect(r3.status).toBe(403);
    expect(await eventCount(sid)).toBe(0);
  });

  it('accepts a URL with a query string signed as configured', async () => {
    const sid = newSid('SM');
    const res = await postSigned(ctx, tenant.authToken, `${STATUS_PATH}?tenant=acme&x=1`, statusParams(tenant, sid, 'queued'));
    expect(res.status).toBe(200);
    expect(await eventCount(sid)).toBe(1);
  });

  it('rebuilds the signed URL from PUBLIC_BASE_URL and drops a connection-override fragment', () => {
    expect(signedUrlOf('https://hooks.example.com', '/api/isv/webhooks/twilio/status?x=1#rc=2&rp=5xx')).toBe(
      'https://hooks.example.com/api/isv/webhooks/twilio/status?x=1',
    );
    // FACTS §9.1 worked example B: valid with the URL as signed, invalid with the fragment left on.
    const params = {
      AccountSid: 'AC00000000000000000000000000000001', ApiVersion: '2010-04-01', Body: 'Hello world', From: '+14155550199',
      FromCity: 'SAN FRANCISCO', FromCountry: 'US', FromState: 'CA', FromZip: '94103', MessageSid: 'SM00000000000000000000000000000001',
      MessagingServiceSid: 'MG00000000000000000000000000000001', NumMedia: '0', NumSegments: '1', SmsMessageSid: 'SM00000000000000000000000000000001',
      SmsSid: 'SM00000000000000000000000000000001', SmsStatus: 'received', To: '+14155550100', ToCity: 'SAN FRANCISCO', ToCountry: 'US',
      ToState: 'CA', ToZip: '94105',
    };
    const url = signedUrlOf('https://hooks.example.com', '/twilio/messaging/inbound?tenant=acme#rc=2&rp=5xx');
    expect(twilio.validateRequest('test_subaccount_auth_token_0001', 'kzHZ7f80ibxeCpicAIatiBOedbw=', url, params)).toBe(true);
  });

  it('accepts a JSON body whose bodySHA256 and signature match, and refuses it tampered', async () => {
    const sid = newSid('SM');
    const body = JSON.stringify(statusParams(tenant, sid, 'delivered'));
    const path = `${STATUS_PATH}?bodySHA256=${twilio.getExpectedBodyHash(body)}`;
    const signature = twilio.getExpectedTwilioSignature(tenant.authToken, ctx.config.publicBaseUrl + path, {});
    const ok = await ctx.request.post(path).set({ 'Content-Type': 'application/json', 'X-Twilio-Signature': signature }).send(body);
    expect(ok.status).toBe(200);
    expect(await eventCount(sid)).toBe(1);

    const sid2 = newSid('SM');
    const original = JSON.stringify(statusParams(tenant, sid2, 'sent'));
    const path2 = `${STATUS_PATH}?bodySHA256=${twilio.getExpectedBodyHash(original)}`;
    const sig2 = twilio.getExpectedTwilioSignature(tenant.authToken, ctx.config.publicBaseUrl + path2, {});
    const tampered = original.replace('"sent"', '"delivered"');
    const bad = await ctx.request.post(path2).set({ 'Content-Type': 'application/json', 'X-Twilio-Signature': sig2 }).send(tampered);
    expect(bad.status).toBe(403);
    expect(bad.body.code).toBe('twilio_signature_invalid');
    expect(await eventCount(sid2)).toBe(0);

    // A JSON body without bodySHA256 in the URL cannot be verified.
    const sid3 = newSid('SM');
    const plain = JSON.stringify(statusParams(tenant, sid3, 'sent'));
    const sig3 = twilio.getExpectedTwilioSignature(tenant.authToken, ctx.config.publicBaseUrl + STATUS_PATH, {});
    const noHash = await ctx.request.post(STATUS_PATH).set({ 'Content-Type': 'application/json', 'X-Twilio-Signature': sig3 }).send(plain);
    expect(noHash.status).toBe(403);
    expect(await eventCount(sid3)).toBe(0);
  });

  it('counts rejections per reason and shows the counters to staff only', async () => {
    const before = structuredClone(ctx.features.webhooks.metrics);
    await ctx.request.post(STATUS_PATH).type('form').send(statusParams(tenant, newSid('SM'), 'sent'));
    await postSigned(ctx, 'wrong-token-000000000000000000000', STATUS_PATH, statusParams(tenant, newSid('SM'), 'sent'));
    await postSigned(ctx, 'wrong-token-000000000000000000000', STATUS_PATH, statusParams({ accountSid: newSid('AC') }, newSid('SM'), 'sent'));
    const after = ctx.features.webhooks.metrics;
    expect(after.rejected.missing_signature - before.rejected.missing_signature).toBe(1);
    expect(after.rejected.bad_signature - before.rejected.bad_signature).toBe(1);
    expect(after.rejected.unknown_account - before.rejected.unknown_account).toBe(1);

    const operator = await signUp(ctx, undefined, { roles: ['operator'] });
    const seen = await ctx.request.get('/api/isv/webhook-metrics').set(operator.auth);
    expect(seen.status).toBe(200);
    expect(seen.body.rejected).toEqual(after.rejected);
    const member = await ctx.request.get('/api/isv/webhook-metrics').set(tenant.owner.auth);
    expect(member.status).toBe(403);
  });
});
