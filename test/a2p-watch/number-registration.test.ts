// Per-number A2P 10DLC registration (#14): after the campaign is verified Twilio registers the number to it on its
// own, reported through Event Streams number-registration events. The flow waits for it before `done`, submits a
// failed number again (then asks an operator), a send while no number is registered is refused before Twilio with
// the reason, and traffic that reaches Twilio from an unregistered number ends undelivered with 30034.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signUp, type SignedUp } from '../helpers/auth.ts';
import { a2pRequest, createCustomer, drive, flowsOf, insertAdminUser, movableClock, testEngine, type Clock } from '../onboarding/fixtures.ts';
import { addMember } from '../messaging/tenant.ts';
import { submitA2p } from '../../server/brands/brands.service.ts';
import { decideBrandApproval } from '../../server/admin/admin.service.ts';
import { findSubaccountByCustomer } from '../../server/subaccounts/subaccounts.dao.ts';
import { onboardingResponseSchema } from '../../shared/onboarding.ts';
import { explainMessageError } from '../../shared/message-errors.ts';
import type { OnboardingEngine } from '../../server/onboarding/engine.ts';

let ctx: TestContext;
let clock: Clock;
let engine: OnboardingEngine;
beforeAll(async () => {
  ctx = await createTestContext({ sandbox: { autoAdvance: false } });
  clock = movableClock();
  engine = testEngine(ctx, clock);
});
afterAll(async () => ctx?.close());

const a2p = async (customerId: string) => (await flowsOf(ctx.db, customerId, 'a2p'))[0]!;

async function setStatus(body: Record<string, unknown>) {
  const res = await fetch(`${ctx.sandbox.url}/sandbox/resources/status`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** An approved A2P request driven until the flow waits for the number's registration (which Twilio has not decided). */
async function waitingForNumber(): Promise<{ customerId: string; numberSid: string; serviceSid: string; accountSid: string }> {
  const customerId = await createCustomer(ctx.db);
  const { brand } = await submitA2p(ctx.db, customerId, a2pRequest(), clock.now());
  await decideBrandApproval(ctx.db, await insertAdminUser(ctx.db), brand.id, { decision: 'approve' }, clock.now());
  for (let round = 0; round < 60; round++) {
    await engine.drain();
    const flow = await a2p(customerId);
    if (flow.state === 'wait_number_registration') {
      const sub = (await findSubaccountByCustomer(ctx.db, customerId))!;
      return { customerId, numberSid: String(flow.context.phoneNumberSid), serviceSid: String(flow.context.messagingServiceSid), accountSid: sub.account_sid };
    }
    await ctx.sandbox.advanceReviews();
    await ctx.sandbox.flushCallbacks();
    clock.advance(5_000);
  }
  throw new Error('the flow never reached wait_number_registration');
}

async function owner(customerId: string): Promise<SignedUp> {
  const o = await signUp(ctx);
  await addMember(ctx.db, o.userId, customerId);
  return o;
}

const registration = async (numberSid: string) =>
  (await ctx.db.query<{ a2p_registration_status: string | null }>(`SELECT a2p_registration_status FROM isv.numbers WHERE phone_number_sid = $1`, [numberSid]))[0]?.a2p_registration_status;

describe('a number’s A2P registration', () => {
  it('is waited for before the registration is done, and shows on the progress page while Twilio registers it', async () => {
    const { customerId, numberSid } = await waitingForNumber();
    const waiting = await a2p(customerId);
    expect(waiting).toMatchObject({ status: 'waiting_on_twilio', waiting_for: 'twilio:number_registration' });
    const o = await owner(customerId);
    const view = onboardingResponseSchema.parse((await ctx.request.get(`/api/isv/customers/${customerId}/onboarding`).set(o.auth)).body);
    const flow = view.flows.find((f) => f.kind === 'a2p')!;
    expect(flow.events.map((e) => e.message)).toContain(`Twilio is registering ${String(waiting.context.phoneNumber)} to the campaign`);
    expect(view.overall).not.toBe('complete');

    await drive(ctx, [engine], clock, [customerId]);
    expect(await a2p(customerId)).toMatchObject({ state: 'done', status: 'done' });
    expect(await registration(numberSid)).toBe('registered');
    // Told by Event Streams, signed: one pending and one successful event reached the platform's sink.
    const events = ctx.sandbox.callbackDeliveries.filter((d) => d.kind === 'event-streams.number-registration' && d.resourceSid === numberSid);
    expect(events.map((d) => d.status)).toEqual([200, 200]);
  });

  it('that fails is submitted again (out of the messaging service and back in) and the flow finishes once it succeeds', async () => {
    const { customerId, numberSid, serviceSid, accountSid } = await waitingForNumber();
    expect(await setStatus({ sid: numberSid, status: 'failed', failure_reason: 'Number is already registered to another campaign' })).toEqual({ status: 200, body: { sid: numberSid, status: 'failed' } });
    const before = ctx.sandbox.requests.length;
    await drive(ctx, [engine], clock, [customerId]);
    const flow = await a2p(customerId);
    expect(flow).toMatchObject({ state: 'done', status: 'done' });
    const sent = ctx.sandbox.requests.slice(before).filter((r) => r.accountSid === accountSid && r.path.startsWith(`/v1/Services/${serviceSid}/PhoneNumbers`) && r.method !== 'GET');
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual([`DELETE /v1/Services/${serviceSid}/PhoneNumbers/${numberSid}`, `POST /v1/Services/${serviceSid}/PhoneNumbers`]);
    const o = await owner(customerId);
    const view = onboardingResponseSchema.parse((await ctx.request.get(`/api/isv/customers/${customerId}/onboarding`).set(o.auth)).body);
    const messages = view.flows.find((f) => f.kind === 'a2p')!.events.map((e) => e.message);
    expect(messages).toContain(`Twilio could not register ${String(flow.context.phoneNumber)} to the campaign (Number is already registered to another campaign); submitting it again`);
    expect(await registration(numberSid)).toBe('registered');
  });

  it('that fails again after being submitted again goes to an operator, not to the customer', async () => {
    const { customerId, numberSid } = await waitingForNumber();
    await setStatus({ sid: numberSid, status: 'failed' });
    await ctx.sandbox.flushCallbacks();
    // Resubmitted: wait until it is pending again, then fail it once more.
    for (let i = 0; i < 10 && (await a2p(customerId)).context.numberResubmits !== 1; i++) await engine.drain();
    for (let i = 0; i < 10 && (await a2p(customerId)).state !== 'wait_number_registration'; i++) await engine.drain();
    await setStatus({ sid: numberSid, status: 'failed', failure_reason: 'Carrier rejected the number' });
    await drive(ctx, [engine], clock, [customerId]);
    const flow = await a2p(customerId);
    expect(flow).toMatchObject({ state: 'wait_number_registration', status: 'needs_attention', waiting_for: 'operator' });
    expect(JSON.stringify(flow.context)).toMatch(/failed A2P registration again: Carrier rejected the number/);
  });
});

describe('sending while a number is not registered', () => {
  async function registered() {
    const { customerId, numberSid, accountSid } = await waitingForNumber();
    await drive(ctx, [engine], clock, [customerId]);
    expect((await a2p(customerId)).state).toBe('done');
    return { customerId, numberSid, accountSid, o: await owner(customerId) };
  }
  const send = (customerId: string, o: SignedUp) =>
    ctx.request.post(`/api/isv/customers/${customerId}/messages`).set(o.auth).send({ to: '+15125550123', body: 'Acme: your order has shipped. Reply STOP to opt out.' });
  const creates = (accountSid: string) => ctx.sandbox.requests.filter((q) => q.method === 'POST' && q.path === `/2010-04-01/Accounts/${accountSid}/Messages.json`).length;

  it('is refused before Twilio is called with 409 and a reason in your words, and works once Twilio registered the number', async () => {
    const { customerId, numberSid, accountSid, o } = await registered();
    await setStatus({ sid: numberSid, status: 'pending' });
    await ctx.sandbox.flushCallbacks();
    const before = creates(accountSid);
    const refused = await send(customerId, o);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('number_registration_pending');
    expect(refused.body.detail).toMatch(/^Your number \+1\d{10} is still being registered to your US texting campaign; carriers block texts from it/);
    expect(creates(accountSid)).toBe(before);

    await setStatus({ sid: numberSid, status: 'failed' });
    await ctx.sandbox.flushCallbacks();
    const paused = await send(customerId, o);
    expect(paused.body).toMatchObject({ code: 'a2p_number_unregistered', detail: expect.stringMatching(/^Your number .* could not be registered/) });
    const status = (await ctx.request.get(`/api/isv/customers/${customerId}/sending-status`).set(o.auth)).body;
    expect(status.sms).toMatchObject({ ready: false, code: 'a2p_number_unregistered' });

    await setStatus({ sid: numberSid, status: 'registered' });
    await ctx.sandbox.flushCallbacks();
    expect((await send(customerId, o)).status).toBe(201);
  });

  it('that reaches Twilio before the platform knows ends undelivered with 30034 (the status callback too), explained in plain words', async () => {
    const { customerId, numberSid, o } = await registered();
    // Twilio deregistered the number, and the event has not reached the platform yet.
    await setStatus({ sid: numberSid, status: 'failed' });
    const sent = await send(customerId, o);
    expect(sent.status).toBe(201);
    await ctx.sandbox.flushCallbacks();
    const row = (await ctx.db.query<{ status: string; error_code: number }>(`SELECT status, error_code FROM isv.messages WHERE id = $1`, [sent.body.id]))[0]!;
    expect(row).toEqual({ status: 'undelivered', error_code: 30034 });
    const history = await ctx.db.query<{ status: string; error_code: number | null; source: string }>(
      `SELECT status, error_code, source FROM isv.message_status_history WHERE message_id = $1 AND status = 'undelivered'`, [sent.body.id]);
    expect(history).toEqual([expect.objectContaining({ error_code: 30034, source: 'callback' })]);
    const detail = (await ctx.request.get(`/api/isv/customers/${customerId}/messages/${sent.body.id}`).set(o.auth)).body;
    expect(detail).toMatchObject({ status: 'undelivered', errorCode: 30034 });
    expect(explainMessageError(detail.errorCode)).toMatch(/^Carriers blocked this text because the number it was sent from is not registered to your US texting campaign yet/);
  });
});

describe('the Event Streams sink', () => {
  it('refuses a delivery that is not signed by the account’s token with 403, and records nothing', async () => {
    const { numberSid, accountSid, serviceSid } = await waitingForNumber();
    const event = [{ specversion: '1.0', type: 'com.twilio.messaging.compliance.number-registration.failed', data: { accountsid: accountSid, phonenumbersid: numberSid, messagingservicesid: serviceSid, externalstatus: 'failed', failurereason: 'forged', updateddate: Date.now() + 60_000 } }];
    const unsigned = await ctx.request.post('/api/isv/webhooks/twilio/events?bodySHA256=00').set('Content-Type', 'application/json').send(event);
    expect(unsigned.status).toBe(403);
    const forged = await ctx.request.post('/api/isv/webhooks/twilio/events?bodySHA256=00').set('Content-Type', 'application/json').set('X-Twilio-Signature', 'AAAA').send(event);
    expect(forged.status).toBe(403);
    expect(forged.body.code).toBe('twilio_signature_invalid');
    expect(await registration(numberSid)).not.toBe('failed');
  });
});

describe('the sandbox’s number registration control', () => {
  it('answers 404 for a number in no messaging service and 400 naming the statuses a number registration can have', async () => {
    const { numberSid } = await waitingForNumber();
    expect((await setStatus({ sid: `PN${'0'.repeat(32)}`, status: 'registered' })).status).toBe(404);
    const bad = await setStatus({ sid: numberSid, status: 'APPROVED' });
    expect(bad.status).toBe(400);
    expect(String(bad.body.message)).toMatch(/pending, registered, failed/);
  });
});
