// Registrations and WhatsApp in a business's own connected Twilio account (#17): A2P 10DLC run there as a direct
// customer (its primary profile, no ISV primary, the campaign on the service it chose, its own numbers) through
// the same engine, admin approval and timeline; a revoked token parks it for a reconnect; a disconnect stops it;
// WhatsApp sends through the account's own sender, whose inbound webhook points here while connected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signUp, type SignedUp } from '../helpers/auth.ts';
import { a2pRequest, drive, flowsOf, movableClock, testEngine, type Clock } from '../onboarding/fixtures.ts';
import { byoaCustomer, connectionPath, control, ownAccount, ownApprovedPrimaryProfile, ownWhatsappSender, type OwnAccount } from './own-account.ts';
import { POLICY_SECONDARY_PROFILE } from '../../server/onboarding/flows/a2p-constants.ts';
import { twilioConnectionSchema } from '../../shared/twilio-connection.ts';
import { onboardingResponseSchema } from '../../shared/onboarding.ts';
import { messageDetailSchema } from '../../shared/messages.ts';
import type { OnboardingEngine } from '../../server/onboarding/engine.ts';

let ctx: TestContext;
let clock: Clock;
let engine: OnboardingEngine;
let admin: SignedUp;

beforeAll(async () => {
  ctx = await createTestContext({ sandbox: { autoAdvance: false } });
  clock = movableClock();
  engine = testEngine(ctx, clock);
  admin = await signUp(ctx, undefined, { roles: ['admin'] });
});
afterAll(async () => ctx?.close());

/** A byoa customer with its own account connected and that account's service chosen as its sender. */
async function connectedCustomer(opts: { primaryProfile?: boolean } = {}) {
  const { owner, customerId } = await byoaCustomer(ctx);
  const own = await ownAccount(ctx);
  const primaryProfileSid = opts.primaryProfile ? await ownApprovedPrimaryProfile(ctx, own) : undefined;
  expect((await ctx.request.put(connectionPath(customerId)).set(owner.auth).send({ accountSid: own.sid, authToken: own.token })).status).toBe(200);
  const chosen = await ctx.request.put(`${connectionPath(customerId)}/sender`).set(owner.auth).send({ messagingServiceSid: own.serviceSid });
  expect(chosen.status).toBe(200);
  return { owner, customerId, own, primaryProfileSid };
}

async function submitAndApprove(owner: SignedUp, customerId: string) {
  const res = await ctx.request.post(`/api/isv/customers/${customerId}/a2p`).set(owner.auth).send(a2pRequest());
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const approved = await ctx.request.post(`/api/isv/admin/brands/${res.body.id}/approve`).set(admin.auth).send({});
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  return res.body.id as string;
}

const requestsTo = (own: OwnAccount) => ctx.sandbox.requests.filter((r) => r.accountSid === own.sid);
const a2pFlow = async (customerId: string) => (await flowsOf(ctx.db, customerId, 'a2p'))[0]!;

describe('A2P 10DLC in the customer’s own Twilio account', () => {
  it('registers as a direct customer: the account’s own primary profile, no ISV primary, the campaign on the chosen service, its own number', async () => {
    const { owner, customerId, own } = await connectedCustomer();
    const connection = twilioConnectionSchema.parse((await ctx.request.get(connectionPath(customerId)).set(owner.auth)).body);
    expect(connection.senderCampaignStatus).toBeNull();

    const before = ctx.sandbox.requests.length;
    await submitAndApprove(owner, customerId);
    await drive(ctx, [engine], clock, [customerId]);
    const flow = await a2pFlow(customerId);
    expect(flow, JSON.stringify(flow.last_error)).toMatchObject({ state: 'done', status: 'done', depends_on: null });
    const registration = ctx.sandbox.requests.slice(before);

    // Everything was made in the customer's account, with its own credentials; no platform subaccount exists.
    const profiles = ctx.sandbox.resources<{ sid: string; account_sid: string; policy_sid: string; status: string }>('customer_profile', own.sid);
    expect(profiles).toEqual([expect.objectContaining({ policy_sid: POLICY_SECONDARY_PROFILE, status: 'twilio-approved' })]);
    const assignments = ctx.sandbox.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/EntityAssignments') && r.path.includes(profiles[0]!.sid));
    expect(assignments.length).toBe(3);
    expect(assignments.every((a) => !String(a.params.ObjectSid).startsWith('BU'))).toBe(true);
    expect(ctx.sandbox.resources('brand', own.sid)).toHaveLength(1);
    const campaigns = ctx.sandbox.resources<{ sid: string; account_sid: string; messaging_service_sid: string; campaign_status: string }>('us_app_to_person', own.sid);
    expect(campaigns).toEqual([expect.objectContaining({ messaging_service_sid: own.serviceSid, campaign_status: 'VERIFIED' })]);
    expect(registration.filter((r) => r.accountSid !== own.sid)).toEqual([]);
    expect(registration.some((r) => r.method === 'POST' && (r.path === '/v1/Services' || r.path.endsWith('/IncomingPhoneNumbers.json')))).toBe(false);
    expect(await ctx.db.query(`SELECT kind FROM isv.twilio_subaccounts WHERE customer_id = $1`, [customerId])).toEqual([{ kind: 'connected' }]);
    expect(await ctx.db.query(`SELECT phone_number, messaging_service_sid FROM isv.numbers WHERE customer_id = $1`, [customerId])).toEqual([
      { phone_number: own.phoneNumber, messaging_service_sid: own.serviceSid },
    ]);

    // The same timeline as any registration, and the sender now shows the verified campaign.
    const progress = onboardingResponseSchema.parse((await ctx.request.get(`/api/isv/customers/${customerId}/onboarding`).set(owner.auth)).body);
    expect(progress.overall).toBe('complete');
    const messages = progress.flows.find((f) => f.kind === 'a2p')!.events.map((e) => e.message);
    expect(messages).toContain('Registering in your own Twilio account as a direct customer');
    expect(messages.some((m) => m.includes(own.phoneNumber) && m.includes('send under the campaign'))).toBe(true);
    const after = twilioConnectionSchema.parse((await ctx.request.get(connectionPath(customerId)).set(owner.auth)).body);
    expect(after.senderCampaignStatus).toBe('VERIFIED');
    expect((await ctx.request.post(`/api/isv/customers/${customerId}/a2p`).set(owner.auth).send(a2pRequest())).body.code).toBe('a2p_already_registered');
  });

  it('uses the primary profile Twilio already approved in the account instead of making another', async () => {
    const { owner, customerId, own, primaryProfileSid } = await connectedCustomer({ primaryProfile: true });
    await submitAndApprove(owner, customerId);
    await drive(ctx, [engine], clock, [customerId]);
    const flow = await a2pFlow(customerId);
    expect(flow, JSON.stringify(flow.last_error)).toMatchObject({ state: 'done', context: expect.objectContaining({ customerProfileSid: primaryProfileSid }) });
    expect(ctx.sandbox.resources('customer_profile', own.sid)).toHaveLength(1);
    const brand = ctx.sandbox.resources<{ sid: string; account_sid: string; customer_profile_bundle_sid: string }>('brand', own.sid)[0]!;
    expect(brand.customer_profile_bundle_sid).toBe(primaryProfileSid);
  });

  it('asks for a sender first, and refuses a service whose campaign is already verified', async () => {
    const { owner, customerId } = await byoaCustomer(ctx);
    const own = await ownAccount(ctx);
    await ctx.request.put(connectionPath(customerId)).set(owner.auth).send({ accountSid: own.sid, authToken: own.token });
    const early = await ctx.request.post(`/api/isv/customers/${customerId}/a2p`).set(owner.auth).send(a2pRequest());
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('sender_not_chosen');
    expect(await flowsOf(ctx.db, customerId)).toEqual([]);

    // The same account's service after a registration elsewhere: its campaign is verified, nothing to register.
    const done = await connectedCustomer();
    await submitAndApprove(done.owner, done.customerId);
    await drive(ctx, [engine], clock, [done.customerId]);
    expect((await ctx.request.delete(connectionPath(done.customerId)).set(done.owner.auth)).status).toBe(204);
    expect((await ctx.request.put(connectionPath(customerId)).set(owner.auth).send({ accountSid: done.own.sid, authToken: done.own.token })).status).toBe(200);
    const chosen = await ctx.request.put(`${connectionPath(customerId)}/sender`).set(owner.auth).send({ messagingServiceSid: done.own.serviceSid });
    expect(chosen.body.senderCampaignStatus).toBe('VERIFIED');
    const again = await ctx.request.post(`/api/isv/customers/${customerId}/a2p`).set(owner.auth).send(a2pRequest());
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('campaign_already_verified');
  });

  it('parks the registration for a reconnect when the token is revoked, and continues after the owner reconnects', async () => {
    const { owner, customerId, own } = await connectedCustomer();
    await submitAndApprove(owner, customerId);
    const rotated = await control(ctx, '/sandbox/accounts/token', { account_sid: own.sid });
    await drive(ctx, [engine], clock, [customerId]);
    const parked = await a2pFlow(customerId);
    expect(parked).toMatchObject({ status: 'action_required', waiting_for: 'twilio_reconnect', last_error: expect.objectContaining({ code: 'twilio_credentials_invalid' }) });
    expect(parked.last_error!.message).toMatch(/Reconnect/);
    expect((await ctx.request.get(connectionPath(customerId)).set(owner.auth)).body.status).toBe('credentials_invalid');

    expect((await ctx.request.put(connectionPath(customerId)).set(owner.auth).send({ accountSid: own.sid, authToken: rotated.auth_token })).status).toBe(200);
    expect((await a2pFlow(customerId)).status).toBe('in_progress');
    await drive(ctx, [engine], clock, [customerId]);
    expect(await a2pFlow(customerId)).toMatchObject({ state: 'done', status: 'done' });
  });

  it('stops a registration running in the account when it is disconnected, without calling the customer’s progress failed', async () => {
    const { owner, customerId, own } = await connectedCustomer();
    await submitAndApprove(owner, customerId);
    expect((await ctx.request.delete(connectionPath(customerId)).set(owner.auth)).status).toBe(204);
    const stopped = await a2pFlow(customerId);
    expect(stopped).toMatchObject({ status: 'failed', last_error: expect.objectContaining({ code: 'twilio_account_disconnected' }) });
    const before = requestsTo(own).length;
    await drive(ctx, [engine], clock, [customerId]);
    expect(requestsTo(own).length).toBe(before);
    const progress = onboardingResponseSchema.parse((await ctx.request.get(`/api/isv/customers/${customerId}/onboarding`).set(owner.auth)).body);
    expect(progress.overall).not.toBe('failed');
  });
});

describe('WhatsApp through the customer’s own sender', () => {
  it('sends from the chosen sender, receives its inbound messages here, and gives its webhook back on disconnect', async () => {
    const { owner, customerId, own } = await connectedCustomer();
    const refused = await ctx.request.post(`/api/isv/customers/${customerId}/messages`).set(owner.auth).send({ channel: 'whatsapp', to: '+14155553001', body: 'hello' });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/WhatsApp sender/);

    const sender = await ownWhatsappSender(ctx, own, '+14155559001');
    const bad = await ctx.request.put(`${connectionPath(customerId)}/sender`).set(owner.auth).send({ messagingServiceSid: own.serviceSid, whatsappSenderSid: `XE${'0'.repeat(32)}` });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'whatsappSenderSid' })]);
    const chosen = await ctx.request.put(`${connectionPath(customerId)}/sender`).set(owner.auth).send({ messagingServiceSid: own.serviceSid, whatsappSenderSid: sender.sid });
    expect(chosen.status).toBe(200);
    expect(chosen.body).toMatchObject({ messagingServiceSid: own.serviceSid, whatsappFrom: 'whatsapp:+14155559001' });
    const stored = () => ctx.sandbox.resources<{ sid: string; account_sid: string; webhook: { callback_url: string | null } }>('channels_sender', own.sid).find((s) => s.sid === sender.sid)!;
    expect(stored().webhook.callback_url).toBe(`${ctx.config.publicBaseUrl}/api/isv/webhooks/twilio/inbound`);

    // The contact writes first: free-form WhatsApp text needs their message within 24 hours.
    await control(ctx, '/sandbox/inbound', { from: 'whatsapp:+14155553001', to: 'whatsapp:+14155559001', body: 'Is my order ready?' });
    await ctx.sandbox.flushCallbacks();
    const inbound = await ctx.db.query<{ direction: string; channel: string }>(
      `SELECT direction, channel FROM isv.messages WHERE customer_id = $1 AND direction = 'inbound'`, [customerId]);
    expect(inbound).toEqual([expect.objectContaining({ direction: 'inbound', channel: 'whatsapp' })]);

    const sent = await ctx.request.post(`/api/isv/customers/${customerId}/messages`).set(owner.auth).send({ channel: 'whatsapp', to: '+14155553001', body: 'Your order is ready' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    const create = ctx.sandbox.requests.filter((r) => r.method === 'POST' && r.path === `/2010-04-01/Accounts/${own.sid}/Messages.json`).at(-1)!;
    expect(create.params).toMatchObject({ From: 'whatsapp:+14155559001', To: 'whatsapp:+14155553001' });
    await ctx.sandbox.flushCallbacks();
    const detail = messageDetailSchema.parse((await ctx.request.get(`/api/isv/customers/${customerId}/messages/${sent.body.id}`).set(owner.auth)).body);
    expect(detail.channel).toBe('whatsapp');
    expect(['delivered', 'read']).toContain(detail.status);

    expect((await ctx.request.delete(connectionPath(customerId)).set(owner.auth)).status).toBe(204);
    expect(stored().webhook.callback_url).toBe('https://crm.acme.example/whatsapp/inbound');
  });
});
