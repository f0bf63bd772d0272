// The A2P flow end to end against the sandbox (standard and sole-proprietor brands), with the admin gate, and each
// Twilio rejection (bundle rejected, brand FAILED, campaign FAILED) parking with its reason and finishing after the fix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { resendBrandOtp, submitA2p } from '../../server/brands/brands.service.ts';
import { decideBrandApproval } from '../../server/admin/admin.service.ts';
import { getOnboarding, resumeAfterCustomerFix } from '../../server/onboarding/onboarding.service.ts';
import { findSubaccountByCustomer } from '../../server/subaccounts/subaccounts.dao.ts';
import { a2pRequest, createCustomer, drive, flowsOf, insertAdminUser, movableClock, testEngine, type Clock } from './fixtures.ts';
import type { OnboardingEngine } from '../../server/onboarding/engine.ts';
import type { Principal } from '../../server/platform/auth/principal.ts';

let ctx: TestContext;
let clock: Clock;
let engine: OnboardingEngine;
let admin: Principal;
beforeAll(async () => {
  ctx = await createTestContext({ sandbox: { autoAdvance: false } });
  clock = movableClock();
  engine = testEngine(ctx, clock);
  admin = await insertAdminUser(ctx.db);
});
afterAll(async () => ctx?.close());

async function a2pFlow(customerId: string) {
  return (await flowsOf(ctx.db, customerId, 'a2p'))[0]!;
}

async function resources(customerId: string) {
  const sub = (await findSubaccountByCustomer(ctx.db, customerId))!;
  const own = <T extends Record<string, unknown>>(kind: string) => ctx.sandbox.resources<T & { sid: string; account_sid: string }>(kind, sub.account_sid);
  return { sub, own };
}

async function expectRegistered(customerId: string) {
  const { sub, own } = await resources(customerId);
  expect(own('brand')).toHaveLength(1);
  const services = own<{ friendly_name: string }>('service');
  expect(services).toHaveLength(1);
  expect(services[0]!.friendly_name).toBe(`isv:${customerId}`);
  const numbers = own('incoming_phone_number');
  expect(numbers).toHaveLength(1);
  const links = ctx.sandbox.resources<{ sid: string; account_sid: string; service_sid?: string }>('service_phone_number', sub.account_sid);
  expect(links.filter((l) => l.service_sid === services[0]!.sid)).toHaveLength(1);
  expect(links.find((l) => l.sid === numbers[0]!.sid)?.service_sid).toBe(services[0]!.sid);
  const numberRows = await ctx.db.query<{ phone_number_sid: string; messaging_service_sid: string }>(`SELECT * FROM isv.numbers WHERE customer_id = $1`, [customerId]);
  expect(numberRows).toEqual([expect.objectContaining({ phone_number_sid: numbers[0]!.sid, messaging_service_sid: services[0]!.sid })]);
  return { sub, own };
}

describe('A2P standard brand', () => {
  it('waits for admin approval, then registers profile, trust product, brand, service, campaign and one number', async () => {
    const customerId = await createCustomer(ctx.db);
    const { brand } = await submitA2p(ctx.db, customerId, a2pRequest(), clock.now());
    await drive(ctx, [engine], clock, [customerId]);
    expect(await a2pFlow(customerId)).toMatchObject({ state: 'awaiting_approval', status: 'awaiting_approval' });
    expect((await getOnboarding(ctx.db, customerId)).overall).toBe('awaiting_approval');

    await decideBrandApproval(ctx.db, admin, brand.id, { decision: 'approve' }, clock.now());
    await drive(ctx, [engine], clock, [customerId]);
    const flow = await a2pFlow(customerId);
    expect(flow, JSON.stringify(flow.last_error)).toMatchObject({ state: 'done', status: 'done' });

    const { own } = await expectRegistered(customerId);
    expect(own('customer_profile')).toHaveLength(1);
    expect(own('trust_product')).toHaveLength(1);
    expect(own('us_app_to_person')).toHaveLength(1);
    const view = await getOnboarding(ctx.db, customerId);
    expect(view.overall).toBe('complete');
    expect(view.flows.find((f) => f.kind === 'a2p')?.progress).toBe(100);
  });

  it('a rejected customer profile parks with the reason and completes after the customer fixes the data', async () => {
    const customerId = await createCustomer(ctx.db, { legalName: 'REJECT Holdings LLC' });
    const { brand } = await submitA2p(ctx.db, customerId, a2pRequest(), clock.now());
    await decideBrandApproval(ctx.db, admin, brand.id, { decision: 'approve' }, clock.now());
    await drive(ctx, [engine], clock, [customerId]);
    const parked = await a2pFlow(customerId);
    expect(parked).toMatchObject({ state: 'wait_profile', status: 'action_required', waiting_for: 'customer_fix' });
    expect(parked.last_error).toMatchObject({ code: 'bundle_rejected', fields: expect.arrayContaining(['legalName']) });
    const view = await getOnboarding(ctx.db, customerId);
    const message = view.flows.find((f) => f.kind === 'a2p')?.lastError?.message;
    expect(message).toMatch(/^Twilio rejected your business profile: .+\. Correct your business details and resubmit\.$/);
    expect(message).not.toMatch(/\.\.|TrustHub|customer profile/);

    await ctx.db.query(`UPDATE isv.customers SET legal_name = 'Proper Holdings LLC' WHERE id = $1`, [customerId]);
    expect(await resumeAfterCustomerFix(ctx.db, customerId, clock.now())).toBe(1);
    await drive(ctx, [engine], clock, [customerId]);
    expect(await a2pFlow(customerId)).toMatchObject({ state: 'done', status: 'done', attempts: expect.any(Number) });
    expect((await a2pFlow(customerId)).attempts).toBeGreaterThanOrEqual(2);
    const { own } = await expectRegistered(customerId);
    expect(own('customer_profile')).toHaveLength(1);
  });

  it('a FAILED brand parks with Twilio’s reason and is resubmitted after the fix', async () => {
    const customerId = await createCustomer(ctx.db, { legalName: 'BRANDFAIL Trading LLC' });
    const { brand } = await submitA2p(ctx.db, customerId, a2pRequest(), clock.now());
    await decideBrandApproval(ctx.db, admin, brand.id, { decision: 'approve' }, clock.now());
    await drive(ctx, [engine], clock, [customerId]);
    const parked = await a2pFlow(customerId);
    expect(parked).toMatchObject({ state: 'wait_brand', status: 'action_required' });
    expect(parked.last_error).toMatchObject({ code: 'brand_failed', twilioCode: 30701 });
    // Twilio's text ends with a period and sends the customer to "the TrustHub bundle": neither reaches them.
    expect(parked.last_error!.message).toBe(
      'Your brand registration failed: The legal company name could not be verified against the registration records. Correct it in your business details and resubmit the brand. Correct the details and resubmit.',
    );

    await ctx.db.query(`UPDATE isv.customers SET legal_name = 'Honest Trading LLC' WHERE id = $1`, [customerId]);
    await resumeAfterCustomerFix(ctx.db, customerId, clock.now());
    await drive(ctx, [engine], clock, [customerId]);
    expect(await a2pFlow(customerId)).toMatchObject({ state: 'done', status: 'done' });
    const { own } = await expectRegistered(customerId);
    expect(own<{ resubmissions: number }>('brand')[0]!.resubmissions).toBe(1);
  });

  it('a FAILED campaign parks, and new campaign data (approved again) recreates it', async () => {
    const customerId = await createCustomer(ctx.db);
    const bad = a2pRequest({ campaign: { description: 'CAMPAIGNFAIL order and delivery notifications for Acme Widgets online buyers.' } });
    const { brand } = await submitA2p(ctx.db, customerId, bad, clock.now());
    await decideBrandApproval(ctx.db, admin, brand.id, { decision: 'approve' }, clock.now());
    await drive(ctx, [engine], clock, [customerId]);
    const parked = await a2pFlow(customerId);
    expect(parked).toMatchObject({ state: 'wait_campaign', status: 'action_required' });
    expect(parked.last_error).toMatchObject({ code: 'campaign_failed', twilioCode: 30897 });

    await submitA2p(ctx.db, customerId, a2pRequest(), clock.now());
    expect(await a2pFlow(customerId)).toMatchObject({ state: 'awaiting_approval', status: 'awaiting_approval' });
    await decideBrandApproval(ctx.db, admin, brand.id, { decision: 'approve' }, clock.now());
    await drive(ctx, [engine], clock, [customerId]);
    expect(await a2pFlow(customerId)).toMatchObject({ state: 'done', status: 'done' });
    const { own } = await expectRegistered(customerId);
    expect(own('us_app_to_person')).toHaveLength(1);
  });
});

describe('A2P sole proprietor', () => {
  async function replyYes(brandSid: string) {
    const res = await fetch(`${ctx.sandbox.url}/sandbox/brands/otp`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ brand_sid: brandSid, reply: 'YES' }) });
    expect(res.status).toBe(200);
  }
  async function soleProprietorWaitingForYes() {
    const customerId = await createCustomer(ctx.db, { businessType: 'sole_proprietor', legalName: 'Jane Doe', displayName: 'Jane Bakes' });
    const { brand } = await submitA2p(ctx.db, customerId, a2pRequest({ brandType: 'SOLE_PROPRIETOR' }), clock.now());
    await decideBrandApproval(ctx.db, admin, brand.id, { decision: 'approve' }, clock.now());
    // The flow keeps polling for the reply: drive a few rounds only.
    await drive(ctx, [engine], clock, [customerId], 12);
    const waiting = await a2pFlow(customerId);
    expect(waiting).toMatchObject({ state: 'wait_brand', status: 'waiting_on_twilio', waiting_for: 'twilio:brand_otp_reply' });
    return { customerId, flow: waiting, brandSid: String(waiting.context.brandSid) };
  }

  it('waits for the owner to reply YES to Twilio’s text, with the deadline, and finishes once they did', async () => {
    const { customerId, flow, brandSid } = await soleProprietorWaitingForYes();
    expect(Date.parse(String(flow.context.otpDeadline)) - Date.parse(String(flow.context.otpSentAt))).toBe(24 * 3600 * 1000);
    const view = await getOnboarding(ctx.db, customerId);
    expect(view.flows.find((f) => f.kind === 'a2p')!.events.map((e) => e.message)).toContain(`Twilio texted +15125550100 to confirm the brand: reply YES to it by ${String(flow.context.otpDeadline)}`);
    await replyYes(brandSid);
    await drive(ctx, [engine], clock, [customerId]);
    expect(await a2pFlow(customerId)).toMatchObject({ state: 'done', status: 'done' });
    const { own } = await expectRegistered(customerId);
    expect(own<{ brand_type: string; identity_status: string }>('brand')[0]).toMatchObject({ brand_type: 'SOLE_PROPRIETOR', identity_status: 'VERIFIED' });
  });

  it('asks for a new text once 24 hours passed without a reply, sends it when asked, and finishes after YES', async () => {
    const { customerId, brandSid } = await soleProprietorWaitingForYes();
    clock.advance(25 * 3600 * 1000);
    await drive(ctx, [engine], clock, [customerId], 4);
    const expired = await a2pFlow(customerId);
    expect(expired).toMatchObject({ state: 'brand_otp', status: 'action_required', waiting_for: 'otp_resend' });
    expect(expired.last_error).toMatchObject({ code: 'otp_expired', twilioCode: 30752 });

    const before = ctx.sandbox.requests.length;
    await resendBrandOtp(ctx.db, customerId, clock.now());
    await drive(ctx, [engine], clock, [customerId], 4);
    expect(ctx.sandbox.requests.slice(before).filter((r) => r.method === 'POST' && r.path === `/v1/a2p/BrandRegistrations/${brandSid}/SmsOtp`)).toHaveLength(1);
    const again = await a2pFlow(customerId);
    expect(again).toMatchObject({ state: 'wait_brand', waiting_for: 'twilio:brand_otp_reply' });
    expect(Date.parse(String(again.context.otpSentAt))).toBeGreaterThan(Date.parse(String(expired.context.otpSentAt)));

    await replyYes(brandSid);
    await drive(ctx, [engine], clock, [customerId]);
    expect(await a2pFlow(customerId)).toMatchObject({ state: 'done', status: 'done' });
    await expect(resendBrandOtp(ctx.db, customerId, clock.now())).rejects.toMatchObject({ status: 409, code: 'otp_not_expected' });
  });
});
