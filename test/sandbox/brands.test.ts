// A2P brand registrations in the sandbox: creation rules, PENDING → IN_REVIEW → APPROVED | FAILED, the BRANDFAIL
// trigger with resubmission (21725/21724), and the sole proprietor's OTP. Bodies are checked against messaging_v1.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  approvedSoleProprietorBundles,
  approvedStandardBundles,
  businessInformation,
  createBundle,
  draftSecondaryProfile,
  expectSpec,
  expectTwilioError,
  MSG,
  openHarness,
  POLICY,
  primaryProfile,
  registerBrand,
  submit,
  type Harness,
} from './review-fixtures.ts';

const SPEC = 'messaging_v1';
let h: Harness;
let primary: string;

beforeEach(async () => {
  h = await openHarness();
  primary = await primaryProfile(h);
});
afterEach(async () => {
  await h.close();
});

async function otp(sandboxUrl: string, body: Record<string, string>) {
  const res = await fetch(`${sandboxUrl}/sandbox/brands/otp`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('A2P brand registrations', () => {
  it('registers a standard brand PENDING → IN_REVIEW → APPROVED with a TCR id', async () => {
    const sub = await h.newSubaccount();
    const bundles = await approvedStandardBundles(h, sub, primary);
    const created = expectSpec(
      SPEC,
      'POST',
      '/v1/a2p/BrandRegistrations',
      await sub.form('POST', MSG, '/v1/a2p/BrandRegistrations', {
        CustomerProfileBundleSid: bundles.customerProfileSid,
        A2PProfileBundleSid: bundles.trustProductSid,
      }),
      201,
    );
    expect(created).toMatchObject({ status: 'PENDING', brand_type: 'STANDARD', tcr_id: null, errors: [], account_sid: sub.sid });
    expect(created.sid).toMatch(/^BN[0-9a-f]{32}$/);
    await h.step();
    expect((await sub.form('GET', MSG, `/v1/a2p/BrandRegistrations/${created.sid}`)).body.status).toBe('IN_REVIEW');
    await h.step();
    const approved = expectSpec(SPEC, 'GET', '/v1/a2p/BrandRegistrations/{Sid}', await sub.form('GET', MSG, `/v1/a2p/BrandRegistrations/${created.sid}`), 200);
    expect(approved).toMatchObject({ status: 'APPROVED', identity_status: 'VERIFIED', errors: [] });
    expect(approved.tcr_id).toMatch(/^B[A-Z0-9]{6}$/);
    const list = expectSpec(SPEC, 'GET', '/v1/a2p/BrandRegistrations', await sub.form('GET', MSG, '/v1/a2p/BrandRegistrations'), 200);
    expect(list.meta.key).toBe('data');
    expect(list.data.map((b: { sid: string }) => b.sid)).toEqual([created.sid]);
  });

  it('requires both bundle SIDs, approved bundles of this account with the policies of the brand type, and one brand per profile', async () => {
    const sub = await h.newSubaccount('a');
    const sibling = await h.newSubaccount('b');
    const bundles = await approvedStandardBundles(h, sub, primary);
    const post = (c = sub, params: Record<string, string> = {}) => c.form('POST', MSG, '/v1/a2p/BrandRegistrations', params);
    expectTwilioError(await post(sub, { A2PProfileBundleSid: bundles.trustProductSid }), 400, 20001, /CustomerProfileBundleSid/);
    expectTwilioError(await post(sub, { CustomerProfileBundleSid: bundles.customerProfileSid }), 400, 20001, /A2PProfileBundleSid/);
    const both = { CustomerProfileBundleSid: bundles.customerProfileSid, A2PProfileBundleSid: bundles.trustProductSid };
    expectTwilioError(await post(sub, { ...both, BrandType: 'STARTER' }), 400, 20001, /BrandType/);
    expectTwilioError(await post(sub, { ...both, BrandType: 'SOLE_PROPRIETOR' }), 400, 20001, /policy/);
    // Another subaccount cannot use these bundles (subaccount credentials reach only their own account).
    expectTwilioError(await post(sibling, both), 400, 20001, /not a customer profile of this account/);
    const draft = await draftSecondaryProfile(h, sub, primary, 'Other Co');
    expectTwilioError(await post(sub, { ...both, CustomerProfileBundleSid: draft.sid }), 400, 20001, /twilio-approved/);
    const otherTp = await createBundle(sub, 'TrustProducts', POLICY.a2pMessagingProfile);
    expectTwilioError(await post(sub, { ...both, A2PProfileBundleSid: otherTp }), 400, 20001, /twilio-approved/);
    expect((await post(sub, both)).status).toBe(201);
    expectTwilioError(await post(sub, both), 400, 20001, /already exists/);
    expectTwilioError(await sibling.form('GET', MSG, `/v1/a2p/BrandRegistrations/BN${'0'.repeat(32)}`), 404, 20404);
  });

  it('fails a company name containing BRANDFAIL with 30701, refuses resubmitting a non-FAILED brand (21725) and approves the fixed resubmission', async () => {
    const sub = await h.newSubaccount();
    const bundles = await approvedStandardBundles(h, sub, primary, 'BRANDFAIL Dental');
    const failed = await registerBrand(h, sub, bundles);
    expectSpec(SPEC, 'GET', '/v1/a2p/BrandRegistrations/{Sid}', await sub.form('GET', MSG, `/v1/a2p/BrandRegistrations/${failed.sid}`), 200);
    expect(failed.status).toBe('FAILED');
    expect(failed.errors).toEqual([
      expect.objectContaining({ error_code: 30701, fields: ['business_name'], url: 'https://www.twilio.com/docs/api/errors/30701' }),
    ]);

    // Correct the business name in the (approved) profile's end user, then resubmit: POST on the SID, no body, 202.
    expect((await sub.form('POST', 'trusthub.twilio.com', `/v1/EndUsers/${bundles.businessSid}`, { Attributes: businessInformation('Acme Dental') })).status).toBe(200);
    const resubmitted = expectSpec(SPEC, 'POST', '/v1/a2p/BrandRegistrations/{Sid}', await sub.form('POST', MSG, `/v1/a2p/BrandRegistrations/${failed.sid}`), 202);
    expect(resubmitted).toMatchObject({ status: 'PENDING', errors: [] });
    expectTwilioError(await sub.form('POST', MSG, `/v1/a2p/BrandRegistrations/${failed.sid}`), 400, 21725);
    const approved = await h.settle(() => sub.form('GET', MSG, `/v1/a2p/BrandRegistrations/${failed.sid}`), (b) => b.status !== 'PENDING' && b.status !== 'IN_REVIEW');
    expect(approved.status).toBe('APPROVED');
    expectTwilioError(await sub.form('POST', MSG, `/v1/a2p/BrandRegistrations/${failed.sid}`), 400, 21725);
  });

  it('allows three resubmissions and answers the fourth with 21724', async () => {
    const sub = await h.newSubaccount();
    const bundles = await approvedStandardBundles(h, sub, primary, 'BRANDFAIL Forever');
    const brand = await registerBrand(h, sub, bundles);
    for (let i = 0; i < 3; i++) {
      expect((await sub.form('POST', MSG, `/v1/a2p/BrandRegistrations/${brand.sid}`)).status).toBe(202);
      expect((await h.settle(() => sub.form('GET', MSG, `/v1/a2p/BrandRegistrations/${brand.sid}`), (b) => b.status === 'FAILED')).status).toBe('FAILED');
    }
    expectTwilioError(await sub.form('POST', MSG, `/v1/a2p/BrandRegistrations/${brand.sid}`), 400, 21724);
  });

  it('keeps a sole proprietor brand UNVERIFIED until the owner replies YES within 24 hours; a late reply is refused (30752) and SmsOtp sends a new text', async () => {
    const sub = await h.newSubaccount();
    const bundles = await approvedSoleProprietorBundles(h, sub, primary);
    const standard = await sub.form('POST', MSG, '/v1/a2p/BrandRegistrations', {
      CustomerProfileBundleSid: bundles.customerProfileSid,
      A2PProfileBundleSid: bundles.trustProductSid,
    });
    expectTwilioError(standard, 400, 20001, /policy/);
    const brand = await registerBrand(h, sub, bundles, 'SOLE_PROPRIETOR');
    expect(brand).toMatchObject({ status: 'APPROVED', brand_type: 'SOLE_PROPRIETOR', identity_status: 'UNVERIFIED' });
    // Nothing moves it on its own: the brand waits for the sole proprietor's reply.
    await h.step();
    await h.step();
    expect((await sub.form('GET', MSG, `/v1/a2p/BrandRegistrations/${brand.sid}`)).body.identity_status).toBe('UNVERIFIED');
    // A reply other than YES changes nothing.
    expect((await otp(h.sandbox.url, { brand_sid: brand.sid, reply: 'who is this?' })).status).toBe(200);
    expect((await sub.form('GET', MSG, `/v1/a2p/BrandRegistrations/${brand.sid}`)).body.identity_status).toBe('UNVERIFIED');

    h.advance(25 * 3600 * 1000);
    const late = await otp(h.sandbox.url, { brand_sid: brand.sid, reply: 'YES' });
    expectTwilioError(late, 400, 30752);
    const afterLate = (await sub.form('GET', MSG, `/v1/a2p/BrandRegistrations/${brand.sid}`)).body;
    expect(afterLate).toMatchObject({ identity_status: 'UNVERIFIED', errors: [expect.objectContaining({ error_code: 30752 })] });

    const resend = expectSpec(
      SPEC,
      'POST',
      '/v1/a2p/BrandRegistrations/{BrandRegistrationSid}/SmsOtp',
      await sub.form('POST', MSG, `/v1/a2p/BrandRegistrations/${brand.sid}/SmsOtp`),
      201,
    );
    expect(resend).toEqual({ account_sid: sub.sid, brand_registration_sid: brand.sid });

    const right = await otp(h.sandbox.url, { brand_sid: brand.sid, reply: 'yes' });
    expect(right.status).toBe(200);
    const verified = expectSpec(SPEC, 'GET', '/v1/a2p/BrandRegistrations/{Sid}', await sub.form('GET', MSG, `/v1/a2p/BrandRegistrations/${brand.sid}`), 200);
    expect(verified).toMatchObject({ status: 'APPROVED', identity_status: 'VERIFIED', errors: [] });
    expectTwilioError(await sub.form('POST', MSG, `/v1/a2p/BrandRegistrations/${brand.sid}/SmsOtp`), 400, 20001, /not waiting/);
    expect((await otp(h.sandbox.url, { brand_sid: brand.sid, reply: 'YES' })).status).toBe(409);
  });

  it('refuses a public company’s brand whose contact email is on a free e-mail domain (21740, Authentication+)', async () => {
    const sub = await h.newSubaccount();
    const profile = { company_type: 'public', stock_exchange: 'NASDAQ', stock_ticker: 'LSTD', brand_contact_email: 'ceo@gmail.com' };
    const bundles = await approvedStandardBundles(h, sub, primary, 'Listed Corp', profile);
    const res = await sub.form('POST', MSG, '/v1/a2p/BrandRegistrations', { CustomerProfileBundleSid: bundles.customerProfileSid, A2PProfileBundleSid: bundles.trustProductSid });
    expectTwilioError(res, 400, 21740, /Brand Contact Email Domain/);
    const own = await approvedStandardBundles(h, sub, primary, 'Listed Two Corp', { ...profile, brand_contact_email: 'ceo@listedtwo.example.com' });
    expect((await registerBrand(h, sub, own)).status).toBe('APPROVED');
  });

  it('refuses SmsOtp on a standard brand and a brand of another account', async () => {
    const sub = await h.newSubaccount('a');
    const sibling = await h.newSubaccount('b');
    const brand = await registerBrand(h, sub, await approvedStandardBundles(h, sub, primary));
    expectTwilioError(await sub.form('POST', MSG, `/v1/a2p/BrandRegistrations/${brand.sid}/SmsOtp`), 400, 20001, /SOLE_PROPRIETOR/);
    expectTwilioError(await sibling.form('POST', MSG, `/v1/a2p/BrandRegistrations/${brand.sid}/SmsOtp`), 404, 20404);
    expectTwilioError(await sibling.form('POST', MSG, `/v1/a2p/BrandRegistrations/${brand.sid}`), 404, 20404);
  });

  it('reads the company name at review time, so a profile rejected for REJECT never reaches a brand', async () => {
    const sub = await h.newSubaccount();
    const cp = await draftSecondaryProfile(h, sub, primary, 'REJECT Inc');
    await submit(sub, 'CustomerProfiles', cp.sid, POLICY.secondaryCustomerProfile);
    const decided = await h.settle(() => sub.form('GET', 'trusthub.twilio.com', `/v1/CustomerProfiles/${cp.sid}`), (b) => b.status === 'twilio-rejected' || b.status === 'twilio-approved');
    expect(decided.status).toBe('twilio-rejected');
    const tp = await createBundle(sub, 'TrustProducts', POLICY.a2pMessagingProfile);
    expectTwilioError(
      await sub.form('POST', MSG, '/v1/a2p/BrandRegistrations', { CustomerProfileBundleSid: cp.sid, A2PProfileBundleSid: tp }),
      400,
      20001,
      /twilio-rejected/,
    );
  });
});
