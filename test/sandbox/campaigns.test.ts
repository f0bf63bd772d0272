// A2P campaigns (Services/{sid}/Compliance/Usa2p) in the sandbox: Twilio's parameter limits, one campaign per
// service, IN_PROGRESS → VERIFIED | FAILED, the CAMPAIGNFAIL trigger and delete-and-recreate, use cases.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  approvedSoleProprietorBundles,
  approvedStandardBundles,
  createService,
  expectSpec,
  expectTwilioError,
  MSG,
  openHarness,
  primaryProfile,
  registerBrand,
  type Client,
  type FormValue,
  type Harness,
} from './review-fixtures.ts';

const SPEC = 'messaging_v1';
const QE = 'QE2c6890da8086d771620e9b13fadeba0b';
const BASE = '/v1/Services/{MessagingServiceSid}/Compliance/Usa2p';

let h: Harness;
let sub: Client;
let brandSid: string;

beforeEach(async () => {
  h = await openHarness();
  const primary = await primaryProfile(h);
  sub = await h.newSubaccount();
  const brand = await registerBrand(h, sub, await approvedStandardBundles(h, sub, primary));
  expect(brand.status).toBe('APPROVED');
  brandSid = brand.sid;
});
afterEach(async () => {
  await h.close();
});

const campaign = (overrides: Record<string, FormValue> = {}): Record<string, FormValue> => ({
  BrandRegistrationSid: brandSid,
  Description: 'Appointment reminders and confirmations for Acme Dental patients.',
  MessageFlow: 'Patients opt in on the booking form at acme-dental.example.com by ticking an SMS consent box.',
  MessageSamples: ['Acme Dental: your cleaning is booked for Tue 3pm. Reply STOP to opt out.', 'Acme Dental: reminder, your visit is tomorrow at 9am.'],
  UsAppToPersonUsecase: 'ACCOUNT_NOTIFICATION',
  HasEmbeddedLinks: 'false',
  HasEmbeddedPhone: 'false',
  ...overrides,
});

const path = (svc: string) => `/v1/Services/${svc}/Compliance/Usa2p`;

describe('A2P campaigns', () => {
  it('creates the campaign under the constant SID, IN_PROGRESS, and VERIFIED marks the service registered', async () => {
    const svc = await createService(sub);
    const created = expectSpec(SPEC, 'POST', BASE, await sub.form('POST', MSG, path(svc), campaign()), 201);
    expect(created).toMatchObject({
      sid: QE,
      campaign_status: 'IN_PROGRESS',
      messaging_service_sid: svc,
      brand_registration_sid: brandSid,
      account_sid: sub.sid,
      opt_out_keywords: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT'],
      errors: [],
    });
    expect((await sub.form('GET', MSG, `/v1/Services/${svc}`)).body.us_app_to_person_registered).toBe(false);
    await h.step();
    const verified = expectSpec(SPEC, 'GET', `${BASE}/{Sid}`, await sub.form('GET', MSG, `${path(svc)}/${QE}`), 200);
    expect(verified.campaign_status).toBe('VERIFIED');
    expect(verified.campaign_id).toMatch(/^C[A-Z0-9]{6}$/);
    expect((await sub.form('GET', MSG, `/v1/Services/${svc}`)).body.us_app_to_person_registered).toBe(true);
    const list = expectSpec(SPEC, 'GET', BASE, await sub.form('GET', MSG, path(svc)), 200);
    expect(list.meta.key).toBe('compliance');
    expect(list.compliance).toHaveLength(1);
    expectTwilioError(await sub.form('GET', MSG, `${path(svc)}/QE${'0'.repeat(32)}`), 404, 20404);
  });

  it('returns the v2 shape (privacy and terms URLs) when the request carries them', async () => {
    const svc = await createService(sub);
    const created = expectSpec(SPEC, 'POST', BASE, await sub.form('POST', MSG, path(svc), campaign({ PrivacyPolicyUrl: 'https://acme.example.com/privacy' })), 201);
    expect(created).toMatchObject({ privacy_policy_url: 'https://acme.example.com/privacy', terms_and_conditions_url: null });
    expectSpec(SPEC, 'GET', BASE, await sub.form('GET', MSG, path(svc)), 200);
  });

  it('checks required parameters and Twilio’s limits', async () => {
    const svc = await createService(sub);
    const post = (o: Record<string, FormValue>) => sub.form('POST', MSG, path(svc), campaign(o));
    expectTwilioError(await post({ MessageSamples: undefined }), 400, 20001, /MessageSamples/);
    expectTwilioError(await post({ HasEmbeddedPhone: undefined }), 400, 20001, /HasEmbeddedPhone/);
    expectTwilioError(await post({ BrandRegistrationSid: undefined }), 400, 20001, /BrandRegistrationSid/);
    expectTwilioError(await post({ Description: 'Too short to describe anything.' }), 400, 20001, /Description/);
    expectTwilioError(await post({ MessageFlow: 'x'.repeat(2049) }), 400, 20001, /MessageFlow/);
    expectTwilioError(await post({ MessageSamples: ['Only one sample of enough length here.'] }), 400, 20001, /2 to 5/);
    expectTwilioError(await post({ MessageSamples: ['Acme Dental: your visit is booked.', 'short'] }), 400, 20001, /MessageSamples\[1\]/);
    expectTwilioError(await post({ MessageSamples: Array.from({ length: 6 }, (_, i) => `Acme Dental sample message number ${i}`) }), 400, 20001, /2 to 5/);
    expectTwilioError(await post({ UsAppToPersonUsecase: 'SOLE_PROPRIETOR' }), 400, 20001, /UsAppToPersonUsecase/);
    expectTwilioError(await post({ HasEmbeddedLinks: 'yes' }), 400, 20001, /HasEmbeddedLinks/);
    expectTwilioError(await post({ OptInKeywords: ['START!'] }), 400, 20001, /OptInKeywords/);
    expectTwilioError(await post({ HelpMessage: 'Too short' }), 400, 20001, /HelpMessage/);
    expectTwilioError(await sub.form('POST', MSG, path(`MG${'0'.repeat(32)}`), campaign()), 404, 20404);
    expect(h.sandbox.resources('us_app_to_person')).toHaveLength(0);
  });

  it('needs an APPROVED brand of the same account, and allows one campaign per service', async () => {
    const svc = await createService(sub);
    const sibling = await h.newSubaccount('sibling');
    const siblingSvc = await createService(sibling);
    expectTwilioError(await sibling.form('POST', MSG, path(siblingSvc), campaign()), 400, 20001, /not a brand of this account/);
    expectTwilioError(await sibling.form('GET', MSG, path(svc)), 404, 20404);
    expect((await sub.form('POST', MSG, path(svc), campaign())).status).toBe(201);
    expectTwilioError(await sub.form('POST', MSG, path(svc), campaign()), 400, 20001, /already has an A2P campaign/);
  });

  it('fails a description containing CAMPAIGNFAIL with 30897, and a recreated campaign without it is VERIFIED', async () => {
    const svc = await createService(sub);
    const bad = campaign({ Description: 'CAMPAIGNFAIL appointment reminders for Acme Dental patients.' });
    expect((await sub.form('POST', MSG, path(svc), bad)).status).toBe(201);
    await h.step();
    const failed = expectSpec(SPEC, 'GET', `${BASE}/{Sid}`, await sub.form('GET', MSG, `${path(svc)}/${QE}`), 200);
    expect(failed.campaign_status).toBe('FAILED');
    expect(failed.errors).toEqual([expect.objectContaining({ error_code: 30897, fields: ['DESCRIPTION'] })]);
    expect((await sub.form('GET', MSG, `/v1/Services/${svc}`)).body.us_app_to_person_registered).toBe(false);

    expect((await sub.form('DELETE', MSG, `${path(svc)}/${QE}`)).status).toBe(204);
    expectTwilioError(await sub.form('GET', MSG, `${path(svc)}/${QE}`), 404, 20404);
    expect((await sub.form('POST', MSG, path(svc), campaign())).status).toBe(201);
    await h.step();
    expect((await sub.form('GET', MSG, `${path(svc)}/${QE}`)).body.campaign_status).toBe('VERIFIED');
  });

  it('edits a FAILED campaign in place (POST on its SID) and reviews it again; a campaign that is not FAILED cannot be edited', async () => {
    const svc = await createService(sub);
    await sub.form('POST', MSG, path(svc), campaign({ MessageSamples: ['CAMPAIGNFAIL: win a free cleaning today!', 'Acme Dental: reminder, your visit is tomorrow.'] }));
    await h.step();
    expect((await sub.form('GET', MSG, `${path(svc)}/${QE}`)).body.errors[0].fields).toEqual(['MESSAGE_SAMPLES']);
    const edit = (o: Record<string, FormValue> = {}) =>
      sub.form('POST', MSG, `${path(svc)}/${QE}`, {
        Description: campaign().Description,
        MessageFlow: campaign().MessageFlow,
        MessageSamples: campaign().MessageSamples,
        HasEmbeddedLinks: 'false',
        HasEmbeddedPhone: 'false',
        AgeGated: 'false',
        DirectLending: 'false',
        ...o,
      });
    expectTwilioError(await edit({ AgeGated: undefined }), 400, 20001, /AgeGated/);
    const edited = expectSpec(SPEC, 'POST', `${BASE}/{Sid}`, await edit(), 200);
    expect(edited).toMatchObject({ campaign_status: 'IN_PROGRESS', errors: [] });
    expectTwilioError(await edit(), 400, 20001, /only a FAILED campaign/);
    await h.step();
    expect((await sub.form('GET', MSG, `${path(svc)}/${QE}`)).body.campaign_status).toBe('VERIFIED');
  });

  it('names MESSAGE_FLOW when the trigger is in the opt-in flow', async () => {
    const svc = await createService(sub);
    await sub.form('POST', MSG, path(svc), campaign({ MessageFlow: 'CAMPAIGNFAIL patients opt in on the booking form at acme-dental.example.com.' }));
    await h.step();
    expect((await sub.form('GET', MSG, `${path(svc)}/${QE}`)).body.errors[0].fields).toEqual(['MESSAGE_FLOW']);
  });

  it('lists the standard use cases, and only SOLE_PROPRIETOR for a verified sole proprietor brand', async () => {
    const svc = await createService(sub);
    const standard = expectSpec(SPEC, 'GET', `${BASE}/Usecases`, await sub.form('GET', MSG, `${path(svc)}/Usecases`, { BrandRegistrationSid: brandSid }), 200);
    expect(standard.us_app_to_person_usecases.map((u: { code: string }) => u.code)).toContain('ACCOUNT_NOTIFICATION');

    const soleSub = await h.newSubaccount('sole');
    const primary = h.sandbox.resources('customer_profile', h.master.sid)[0]!.sid;
    const soleBrand = await registerBrand(h, soleSub, await approvedSoleProprietorBundles(h, soleSub, primary), 'SOLE_PROPRIETOR');
    const soleSvc = await createService(soleSub);
    const sole = expectSpec(SPEC, 'GET', `${BASE}/Usecases`, await soleSub.form('GET', MSG, `${path(soleSvc)}/Usecases`, { BrandRegistrationSid: soleBrand.sid }), 200);
    expect(sole.us_app_to_person_usecases.map((u: { code: string }) => u.code)).toEqual(['SOLE_PROPRIETOR']);

    const soleCampaign = campaign({ BrandRegistrationSid: soleBrand.sid, UsAppToPersonUsecase: 'SOLE_PROPRIETOR' });
    expectTwilioError(await soleSub.form('POST', MSG, path(soleSvc), soleCampaign), 400, 20001, /OTP/);
    const res = await fetch(`${h.sandbox.url}/sandbox/brands/otp`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ brand_sid: soleBrand.sid, reply: 'YES' }) });
    expect(res.status).toBe(200);
    expectTwilioError(await soleSub.form('POST', MSG, path(soleSvc), campaign({ BrandRegistrationSid: soleBrand.sid })), 400, 20001, /SOLE_PROPRIETOR/);
    expect((await soleSub.form('POST', MSG, path(soleSvc), soleCampaign)).status).toBe(201);
    const secondSvc = await createService(soleSub, 'second');
    expectTwilioError(await soleSub.form('POST', MSG, path(secondSvc), soleCampaign), 400, 20001, /already has a campaign/);
  });
});
