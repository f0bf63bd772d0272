// Authentication+ for public companies (#14): the brand is registered but waits for its contact to open Twilio's
// verification email (identity_status UNVERIFIED); the portal says so with "send the email again" (Twilio's brand
// 2FA resend, POST /v1/a2p/BrandRegistrations/{sid}/2fa), an expired email parks for that action, and a campaign
// that failed with 30994 is mapped to "finish the brand's email verification" and submitted again afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signUp } from '../helpers/auth.ts';
import { addMember } from '../messaging/tenant.ts';
import { submitA2p } from '../../server/brands/brands.service.ts';
import { decideBrandApproval } from '../../server/admin/admin.service.ts';
import { findSubaccountByCustomer } from '../../server/subaccounts/subaccounts.dao.ts';
import { handlingOf } from '../../server/onboarding/twilio-errors.ts';
import { onboardingResponseSchema } from '../../shared/onboarding.ts';
import { a2pRequest, createCustomer, drive, flowsOf, insertAdminUser, movableClock, testEngine, type Clock } from './fixtures.ts';
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

const publicCompany = () => a2pRequest({ companyType: 'public', stockExchange: 'NASDAQ', stockTicker: 'ACME' });
const a2p = async (customerId: string) => (await flowsOf(ctx.db, customerId, 'a2p'))[0]!;

async function twoFactor(brandSid: string, result: 'verified' | 'expired') {
  const res = await fetch(`${ctx.sandbox.url}/sandbox/brands/2fa`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ brand_sid: brandSid, result }) });
  expect(res.status).toBe(200);
}

/** A public company's approved A2P request, driven until the brand waits for its contact's email verification. */
async function waitingForEmail() {
  const customerId = await createCustomer(ctx.db, { legalName: 'Acme Widgets Inc' });
  const { brand } = await submitA2p(ctx.db, customerId, publicCompany(), clock.now());
  await decideBrandApproval(ctx.db, await insertAdminUser(ctx.db), brand.id, { decision: 'approve' }, clock.now());
  await drive(ctx, [engine], clock, [customerId], 12);
  const flow = await a2p(customerId);
  expect(flow).toMatchObject({ state: 'wait_brand', status: 'waiting_on_twilio', waiting_for: 'twilio:brand_email_verification' });
  const owner = await signUp(ctx);
  await addMember(ctx.db, owner.userId, customerId);
  const sub = (await findSubaccountByCustomer(ctx.db, customerId))!;
  return { customerId, owner, brandSid: String(flow.context.brandSid), accountSid: sub.account_sid };
}

const twoFactorRequests = (brandSid: string) => ctx.sandbox.requests.filter((r) => r.method === 'POST' && r.path === `/v1/a2p/BrandRegistrations/${brandSid}/2fa`);

describe('a public company’s brand (Authentication+)', () => {
  it('waits for the contact’s email verification, sends the email again when asked, and registers the campaign once verified', async () => {
    const { customerId, owner, brandSid, accountSid } = await waitingForEmail();
    // The portal says what to do, and no campaign is submitted meanwhile (it would fail with 30994).
    const view = onboardingResponseSchema.parse((await ctx.request.get(`/api/isv/customers/${customerId}/onboarding`).set(owner.auth)).body);
    const flow = view.flows.find((f) => f.kind === 'a2p')!;
    expect(flow.waitingFor).toBe('twilio:brand_email_verification');
    expect(flow.events.map((e) => e.message)).toContain('Twilio emailed jane@acme.example.com a link to verify your brand (Authentication+, required for public companies): open it to continue');
    expect(ctx.sandbox.resources('us_app_to_person', accountSid)).toHaveLength(0);
    expect(ctx.sandbox.resources<{ sid: string; account_sid: string; identity_status: string; two_factor: { status: string; emails: number } }>('brand', accountSid)[0]).toMatchObject({ identity_status: 'UNVERIFIED', two_factor: { status: 'pending', emails: 1 } });

    const resent = await ctx.request.post(`/api/isv/customers/${customerId}/a2p/brand-email/resend`).set(owner.auth).send({});
    expect(resent.status).toBe(200);
    await drive(ctx, [engine], clock, [customerId], 6);
    expect(twoFactorRequests(brandSid)).toHaveLength(1);
    expect(ctx.sandbox.resource<{ sid: string; account_sid: string; two_factor: { emails: number } }>('brand', brandSid)!.two_factor.emails).toBe(2);
    expect(await a2p(customerId)).toMatchObject({ state: 'wait_brand', waiting_for: 'twilio:brand_email_verification' });

    await twoFactor(brandSid, 'verified');
    await drive(ctx, [engine], clock, [customerId]);
    expect(await a2p(customerId)).toMatchObject({ state: 'done', status: 'done' });
    expect(ctx.sandbox.resources<{ sid: string; account_sid: string; campaign_status: string }>('us_app_to_person', accountSid)).toEqual([expect.objectContaining({ campaign_status: 'VERIFIED' })]);
    // Nothing to resend any more.
    expect((await ctx.request.post(`/api/isv/customers/${customerId}/a2p/brand-email/resend`).set(owner.auth).send({})).body).toMatchObject({ code: 'brand_email_not_expected' });
  });

  it('parks for “send the email again” once the verification email expired, and continues after the new one is opened', async () => {
    const { customerId, owner, brandSid } = await waitingForEmail();
    await twoFactor(brandSid, 'expired');
    await drive(ctx, [engine], clock, [customerId], 6);
    const expired = await a2p(customerId);
    expect(expired).toMatchObject({ state: 'brand_email', status: 'action_required', waiting_for: 'brand_email_resend' });
    expect(expired.last_error).toMatchObject({ code: 'brand_email_expired', twilioCode: 21737, fields: [] });
    expect(expired.last_error!.message).toBe('The email Twilio sent to jane@acme.example.com to verify your brand was not opened in time. Send it again, then open the link in it.');

    expect((await ctx.request.post(`/api/isv/customers/${customerId}/a2p/brand-email/resend`).set(owner.auth).send({})).status).toBe(200);
    await drive(ctx, [engine], clock, [customerId], 6);
    expect(twoFactorRequests(brandSid)).toHaveLength(1);
    expect(await a2p(customerId)).toMatchObject({ state: 'wait_brand', waiting_for: 'twilio:brand_email_verification' });
    await twoFactor(brandSid, 'verified');
    await drive(ctx, [engine], clock, [customerId]);
    expect(await a2p(customerId)).toMatchObject({ state: 'done', status: 'done' });
  });

  it('maps a campaign that failed with 30994 to finishing the brand’s email verification, then submits the campaign again unchanged', async () => {
    const { customerId, brandSid, accountSid } = await waitingForEmail();
    // A registration that went on to the campaign before the verification was finished (as a platform that did
    // not wait for it would have): its campaign is reviewed while the brand is still pending.
    const waiting = await a2p(customerId);
    await ctx.db.query(`UPDATE isv.flows SET state = 'messaging_service', status = 'in_progress', waiting_for = NULL, next_run_at = now(), version = version + 1 WHERE id = $1`, [waiting.id]);
    for (let i = 0; i < 6 && (await a2p(customerId)).state !== 'wait_campaign'; i++) await engine.drain();
    await ctx.sandbox.advanceReviews();
    const failed = ctx.sandbox.resources<{ sid: string; account_sid: string; campaign_status: string; errors: { error_code: number }[] }>('us_app_to_person', accountSid)[0]!;
    expect(failed).toMatchObject({ campaign_status: 'FAILED', errors: [expect.objectContaining({ error_code: 30994 })] });
    clock.advance(5_000);
    await engine.drain();
    // Back to the brand's verification, which the customer sees with its action; not a campaign fix.
    expect(await a2p(customerId)).toMatchObject({ state: 'wait_brand', waiting_for: 'twilio:brand_email_verification', last_error: null });

    await twoFactor(brandSid, 'verified');
    await drive(ctx, [engine], clock, [customerId]);
    const flow = await a2p(customerId);
    expect(flow).toMatchObject({ state: 'done', status: 'done' });
    const events = (await ctx.db.query<{ message: string; data: Record<string, unknown> | null }>(`SELECT message, data FROM isv.flow_events WHERE flow_id = $1 ORDER BY at, id`, [flow.id]));
    expect(events.map((e) => e.message)).toContain("Twilio could not register the campaign because your brand's email verification is not finished; it is submitted again once the verification email is opened");
    // Never "change the campaign": no customer fix was asked for, and the same campaign data went in again.
    expect(events.map((e) => e.message).join('\n')).not.toMatch(/Change the campaign/);
    const svcSid = String(flow.context.messagingServiceSid);
    const creates = ctx.sandbox.requests.filter((r) => r.accountSid === accountSid && r.method === 'POST' && r.path === `/v1/Services/${svcSid}/Compliance/Usa2p`);
    expect(creates).toHaveLength(2);
    expect(ctx.sandbox.resources<{ sid: string; account_sid: string; campaign_status: string }>('us_app_to_person', accountSid)).toEqual([expect.objectContaining({ campaign_status: 'VERIFIED' })]);
    // The error table says the same to whoever reads it.
    expect(handlingOf(30994)).toMatchObject({ who: 'customer', fields: [], message: expect.stringMatching(/^Finish your brand’s email verification/) });
    expect(handlingOf(30994).message).toMatch(/you do not need to change it/);
  });
});
