// Life after approval (#14): a registered brand and campaign are re-read from Twilio; a suspension the carriers
// impose refuses sends with the reason before Twilio is called, shows on the registration's timeline and in the
// audit log, and lifts when Twilio reinstates it; a status the platform does not know goes to operators; stable
// registrations are read less and less often, up to A2P_WATCH_INTERVAL_MS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signUp, type SignedUp } from '../helpers/auth.ts';
import { a2pRequest, createCustomer, drive, flowsOf, insertAdminUser, movableClock, testEngine, type Clock } from '../onboarding/fixtures.ts';
import { addMember } from '../messaging/tenant.ts';
import { submitA2p } from '../../server/brands/brands.service.ts';
import { decideBrandApproval } from '../../server/admin/admin.service.ts';
import { findSubaccountByCustomer } from '../../server/subaccounts/subaccounts.dao.ts';
import { createA2pWatch } from '../../server/a2p-watch/a2p-watch.ts';
import { CAMPAIGN_COMPLIANCE_SID } from '../../server/onboarding/flows/a2p.flow.ts';
import { sendingStatusSchema } from '../../shared/messages.ts';
import { a2pWatchAttentionSchema } from '../../shared/a2p.ts';
import { onboardingResponseSchema } from '../../shared/onboarding.ts';

let ctx: TestContext;
let clock: Clock;
let operator: SignedUp;

beforeAll(async () => {
  ctx = await createTestContext({ sandbox: { autoAdvance: false } });
  clock = movableClock();
  operator = await signUp(ctx, undefined, { roles: ['operator'] });
});
afterAll(async () => ctx?.close());

interface Registered {
  customerId: string;
  owner: SignedUp;
  brandId: string;
  brandSid: string;
  serviceSid: string;
  accountSid: string;
}

/** A customer whose A2P registration ran to the end through the engine, with an owner who can send. */
async function registered(): Promise<Registered> {
  const engine = testEngine(ctx, clock);
  const customerId = await createCustomer(ctx.db);
  const { brand } = await submitA2p(ctx.db, customerId, a2pRequest(), clock.now());
  await decideBrandApproval(ctx.db, await insertAdminUser(ctx.db), brand.id, { decision: 'approve' }, clock.now());
  await drive(ctx, [engine], clock, [customerId]);
  const flow = (await flowsOf(ctx.db, customerId, 'a2p'))[0]!;
  expect(flow.status, JSON.stringify(flow.last_error)).toBe('done');
  const owner = await signUp(ctx);
  await addMember(ctx.db, owner.userId, customerId);
  const row = (await ctx.db.query<{ brand_sid: string; messaging_service_sid: string }>(
    `SELECT b.brand_sid, c.messaging_service_sid FROM isv.brands b JOIN isv.campaigns c ON c.brand_id = b.id WHERE b.id = $1`, [brand.id]))[0]!;
  const sub = (await findSubaccountByCustomer(ctx.db, customerId))!;
  return { customerId, owner, brandId: brand.id, brandSid: row.brand_sid, serviceSid: row.messaging_service_sid, accountSid: sub.account_sid };
}

async function setStatus(body: Record<string, unknown>) {
  const res = await fetch(`${ctx.sandbox.url}/sandbox/resources/status`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** What an operator's "read it now" does: the brand is read from Twilio at once. */
const reread = (r: Registered) => ctx.request.post(`/api/isv/operator/a2p-watch/${r.brandId}/reread`).set(operator.auth).send({});
const send = (r: Registered, body = 'Acme: your order has shipped. Reply STOP to opt out.') =>
  ctx.request.post(`/api/isv/customers/${r.customerId}/messages`).set(r.owner.auth).send({ to: '+15125550123', body });
const messagesCreated = (r: Registered) => ctx.sandbox.requests.filter((q) => q.method === 'POST' && q.path === `/2010-04-01/Accounts/${r.accountSid}/Messages.json`).length;

describe('a registration after approval', () => {
  it('refuses sends with the reason while the brand is suspended, and sends again once Twilio reinstates it', async () => {
    const r = await registered();
    expect((await send(r)).status).toBe(201);

    expect(await setStatus({ sid: r.brandSid, status: 'SUSPENDED' })).toEqual({ status: 200, body: { sid: r.brandSid, status: 'SUSPENDED' } });
    expect((await reread(r)).body).toMatchObject({ checked: 1, changed: 1 });
    const before = messagesCreated(r);
    const refused = await send(r);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('a2p_brand_suspended');
    expect(refused.body.detail).toMatch(/suspended your business’s A2P 10DLC brand/);
    expect(messagesCreated(r)).toBe(before);
    const status = sendingStatusSchema.parse((await ctx.request.get(`/api/isv/customers/${r.customerId}/sending-status`).set(r.owner.auth)).body);
    expect(status.sms).toMatchObject({ ready: false, code: 'a2p_brand_suspended' });
    const progress = onboardingResponseSchema.parse((await ctx.request.get(`/api/isv/customers/${r.customerId}/onboarding`).set(r.owner.auth)).body);
    expect(progress.flows.find((f) => f.kind === 'a2p')!.events.map((e) => e.message)).toContain('Twilio reports that the A2P 10DLC brand was suspended by the carriers');
    const audit = await ctx.db.query<{ action: string; after: { status: string } }>(`SELECT action, after FROM isv.audit_log WHERE customer_id = $1 AND action LIKE 'a2p.%'`, [r.customerId]);
    expect(audit).toEqual([{ action: 'a2p.brand_status_changed', after: { status: 'SUSPENDED' } }]);

    await setStatus({ sid: r.brandSid, status: 'APPROVED' });
    expect((await reread(r)).body).toMatchObject({ changed: 1 });
    expect((await send(r)).status).toBe(201);
    expect((await ctx.request.get(`/api/isv/customers/${r.customerId}/sending-status`).set(r.owner.auth)).body.sms).toEqual({ ready: true, code: null, detail: null });
  });

  it('refuses sends while the campaign is suspended, and after it expired', async () => {
    const r = await registered();
    const campaign = `${CAMPAIGN_COMPLIANCE_SID}/${r.serviceSid}`;
    await setStatus({ sid: campaign, status: 'SUSPENDED' });
    await reread(r);
    const refused = await send(r);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('a2p_campaign_suspended');
    await setStatus({ sid: campaign, status: 'VERIFIED' });
    await reread(r);
    expect((await send(r)).status).toBe(201);
    await setStatus({ sid: campaign, status: 'EXPIRED' });
    await reread(r);
    expect((await send(r)).body).toMatchObject({ code: 'a2p_campaign_inactive', detail: expect.stringMatching(/expired/) });
  });

  it('sends a status it does not know to operators and keeps the customer out of it', async () => {
    const r = await registered();
    await setStatus({ sid: r.brandSid, status: 'UNDER_CARRIER_AUDIT', unlisted: true });
    expect((await reread(r)).body).toMatchObject({ attention: 1 });
    const list = a2pWatchAttentionSchema.parse((await ctx.request.get('/api/isv/operator/a2p-watch').set(operator.auth)).body);
    expect(list.items.find((i) => i.brandId === r.brandId)).toMatchObject({ brandSid: r.brandSid, attention: { reason: 'unknown_a2p_status', statuses: ['brand UNDER_CARRIER_AUDIT'] } });
    expect((await ctx.request.get('/api/isv/operator/a2p-watch').set(r.owner.auth)).status).toBe(403);
    // Not read again soon: an unknown status waits for the longest interval instead of being polled.
    const row = (await ctx.db.query<{ watch_interval_ms: number }>(`SELECT watch_interval_ms FROM isv.brands WHERE id = $1`, [r.brandId]))[0]!;
    expect(row.watch_interval_ms).toBe(ctx.config.a2pWatch.intervalMs);
    // The customer is told texting is paused, in words for them.
    expect((await send(r)).body).toMatchObject({ code: 'a2p_brand_inactive' });
  });

  it('reads a stable registration less and less often, two Twilio requests a time, up to the longest interval', async () => {
    const r = await registered();
    const watch = createA2pWatch({ db: ctx.db, twilio: ctx.twilio, logger: ctx.logger, maxIntervalMs: 8_000, now: clock.now, publicBaseUrl: ctx.config.publicBaseUrl });
    const intervals: number[] = [];
    const reads = () => ctx.sandbox.requests.filter((q) => q.accountSid === r.accountSid && q.method === 'GET' && (q.path.startsWith('/v1/a2p/BrandRegistrations/') || q.path.includes('/Compliance/Usa2p/'))).length;
    const start = reads();
    // Only this registration is due for this watch (the others of this file are read by the platform's own).
    await ctx.db.query(`UPDATE isv.brands SET watch_next_at = now() + interval '1 day' WHERE id <> $1`, [r.brandId]);
    for (let i = 0; i < 5; i++) {
      expect((await watch.runOnce()).checked).toBe(1);
      intervals.push((await ctx.db.query<{ watch_interval_ms: number }>(`SELECT watch_interval_ms FROM isv.brands WHERE id = $1`, [r.brandId]))[0]!.watch_interval_ms);
      // Not due again until its interval has passed.
      expect((await watch.runOnce()).checked).toBe(0);
      clock.advance(intervals.at(-1)!);
    }
    // The first read starts at the shortest interval (an eighth of the longest), then it doubles.
    expect(intervals).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
    expect(reads() - start).toBe(10);
  });
});

describe('registrations finished before the flow subscribed to number-registration events', () => {
  it('get the Event Streams sink and subscription from the watch, once, recorded on the flow', async () => {
    const r = await registered();
    const client = await ctx.twilio.subaccount(r.accountSid);
    // As a flow finished before the event_sink step existed left it: no sink in Twilio, none on the flow.
    for (const sub of await client.events.v1.subscriptions.list()) await client.events.v1.subscriptions(sub.sid).remove();
    for (const sink of await client.events.v1.sinks.list()) await client.events.v1.sinks(sink.sid).remove();
    await ctx.db.query(`UPDATE isv.flows SET context = context - 'eventSinkSid' - 'eventSubscriptionSid' WHERE kind = 'a2p' AND customer_id = $1`, [r.customerId]);
    await ctx.db.query(`UPDATE isv.brands SET watch_next_at = now() + interval '1 day' WHERE id <> $1`, [r.brandId]);
    await ctx.db.query(`UPDATE isv.brands SET watch_next_at = now() - interval '1 second' WHERE id = $1`, [r.brandId]);
    const watch = createA2pWatch({ db: ctx.db, twilio: ctx.twilio, logger: ctx.logger, maxIntervalMs: 8_000, now: () => new Date(), publicBaseUrl: ctx.config.publicBaseUrl });
    expect((await watch.runOnce()).checked).toBe(1);

    const sinks = await client.events.v1.sinks.list();
    expect(sinks.map((k) => (k.sinkConfiguration as { destination?: string }).destination)).toEqual([`${ctx.config.publicBaseUrl}/api/isv/webhooks/twilio/events`]);
    const subs = await client.events.v1.subscriptions.list();
    expect(subs).toHaveLength(1);
    expect(subs[0]!.sinkSid).toBe(sinks[0]!.sid);
    const flow = (await flowsOf(ctx.db, r.customerId, 'a2p'))[0]!;
    expect(flow.context).toMatchObject({ eventSinkSid: sinks[0]!.sid, eventSubscriptionSid: subs[0]!.sid });

    // The next read does not create or even list them again.
    const before = ctx.sandbox.requests.filter((q) => q.accountSid === r.accountSid && q.path.startsWith('/v1/Sinks')).length;
    await ctx.db.query(`UPDATE isv.brands SET watch_next_at = now() - interval '1 second' WHERE id = $1`, [r.brandId]);
    expect((await watch.runOnce()).checked).toBe(1);
    expect(ctx.sandbox.requests.filter((q) => q.accountSid === r.accountSid && q.path.startsWith('/v1/Sinks')).length).toBe(before);
  });
});

describe('the sandbox’s lifecycle control route', () => {
  it('answers 404 for an unknown SID and 400 naming the allowed values for a status the resource cannot have', async () => {
    const r = await registered();
    expect((await setStatus({ sid: `BN${'0'.repeat(32)}`, status: 'SUSPENDED' })).status).toBe(404);
    expect((await setStatus({ sid: `${CAMPAIGN_COMPLIANCE_SID}/MG${'0'.repeat(32)}`, status: 'SUSPENDED' })).status).toBe(404);
    const bad = await setStatus({ sid: r.brandSid, status: 'ON_HOLD' });
    expect(bad.status).toBe(400);
    expect(String(bad.body.message)).toMatch(/APPROVED, FAILED, SUSPENDED, DELETION_PENDING, DELETION_FAILED/);
    const brand = await (await ctx.twilio.subaccount(r.accountSid)).messaging.v1.brandRegistrations(r.brandSid).fetch();
    expect(brand.status).toBe('APPROVED');
  });
});
