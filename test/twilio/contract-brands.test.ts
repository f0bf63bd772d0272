// Contract: messaging.twilio.com a2p/BrandRegistrations (FACTS §6): create from approved bundles (rate limited as
// an A2P call), fetch, list, resubmission of a FAILED brand (202; 21725 otherwise) and the sole proprietor's OTP
// resend (SmsOtp), with the subaccount's own credentials, checked against messaging_v1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvedPrimaryProfile, approvedSoleProprietorBundles, approvedStandardBundles, registeredBrand, settle } from './a2p-fixtures.ts';
import { createContractRig, type ContractRig, type Subaccount } from './contract-rig.ts';

describe('contract: BrandRegistrations', () => {
  let rig: ContractRig;
  let primaryProfileSid: string;
  beforeAll(async () => {
    rig = await createContractRig();
    primaryProfileSid = await approvedPrimaryProfile(rig);
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('CreateBrandRegistrations registers a standard brand that TCR approves; fetch and list follow', async () => {
    const sub = await rig.newSubaccount();
    const bundles = await approvedStandardBundles(rig, sub, primaryProfileSid);
    const brand = await rig.twilio.call(
      'brandRegistrations.create',
      () =>
        sub.client.messaging.v1.brandRegistrations.create({
          customerProfileBundleSid: bundles.customerProfileSid,
          a2PProfileBundleSid: bundles.trustProductSid,
          brandType: 'STANDARD',
        }),
      { a2p: true },
    );
    const created = rig.expectContract('messaging_v1', 'POST', '/v1/a2p/BrandRegistrations', 201);
    expect(brand.sid).toMatch(/^BN[0-9a-f]{32}$/);
    expect(created).toMatchObject({ status: 'PENDING', brand_type: 'STANDARD', customer_profile_bundle_sid: bundles.customerProfileSid });

    const final = await settle(
      rig,
      () => rig.twilio.call('brandRegistrations.fetch', () => sub.client.messaging.v1.brandRegistrations(brand.sid).fetch(), { a2p: true }),
      (b) => b.status === 'APPROVED' || b.status === 'FAILED',
    );
    rig.expectContract('messaging_v1', 'GET', '/v1/a2p/BrandRegistrations/{Sid}', 200);
    expect(final.status).toBe('APPROVED');
    expect(final.tcrId).toBeTruthy();

    const listed = await rig.twilio.call('brandRegistrations.list', () => sub.client.messaging.v1.brandRegistrations.list({ limit: 100 }), { a2p: true });
    rig.expectContract('messaging_v1', 'GET', '/v1/a2p/BrandRegistrations', 200);
    expect(listed.map((b) => b.sid)).toEqual([brand.sid]);

    // Resubmitting a brand that is not FAILED is refused (21725) and not retried.
    const retries: number[] = [];
    await expect(
      rig.twilio.call('brandRegistrations.resubmit', () => sub.client.messaging.v1.brandRegistrations(brand.sid).update(), {
        a2p: true,
        onRetry: (_e, a) => retries.push(a),
      }),
    ).rejects.toMatchObject({ kind: 'permanent', httpStatus: 400, twilioCode: 21725 });
    expect(retries).toEqual([]);
  });

  it('UpdateBrandRegistrations resubmits a FAILED brand (202) and the review runs again', async () => {
    const sub: Subaccount = await rig.newSubaccount();
    const bundles = await approvedStandardBundles(rig, sub, primaryProfileSid, 'BRANDFAIL Dental LLC');
    const failed = await registeredBrand(rig, sub, bundles);
    expect(failed.status).toBe('FAILED');
    expect(failed.errors[0]).toMatchObject({ error_code: 30701 });

    const resubmitted = await rig.twilio.call('brandRegistrations.resubmit', () => sub.client.messaging.v1.brandRegistrations(failed.sid).update(), { a2p: true });
    const body = rig.expectContract('messaging_v1', 'POST', '/v1/a2p/BrandRegistrations/{Sid}', 202);
    expect(body.sid).toBe(failed.sid);
    expect(resubmitted.status).toBe('PENDING');
  });

  it('CreateBrandRegistrationOtp resends the sole proprietor\'s OTP while the brand awaits verification', async () => {
    const sub = await rig.newSubaccount();
    const bundles = await approvedSoleProprietorBundles(rig, sub, primaryProfileSid);
    const brand = await registeredBrand(rig, sub, bundles, 'SOLE_PROPRIETOR');
    expect(brand).toMatchObject({ status: 'APPROVED', identityStatus: 'UNVERIFIED' });
    const otp = await rig.twilio.call('brandRegistrations.smsOtp', () => sub.client.messaging.v1.brandRegistrations(brand.sid).brandRegistrationOtps.create(), {
      a2p: true,
    });
    const body = rig.expectContract('messaging_v1', 'POST', '/v1/a2p/BrandRegistrations/{BrandRegistrationSid}/SmsOtp', 201);
    expect(otp.brandRegistrationSid).toBe(brand.sid);
    expect(body.account_sid).toBe(sub.sid);
  });
});
