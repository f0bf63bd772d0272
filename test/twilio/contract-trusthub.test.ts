// Contract: trusthub.twilio.com v1 (FACTS §5): Policies, EndUsers, SupportingDocuments, CustomerProfiles and
// TrustProducts with EntityAssignments, Evaluations and the submission to review, called with the subaccount's
// own credentials (the ISV's primary profile with the master's), checked against trusthub_v1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approvedPrimaryProfile,
  approvedStandardBundles,
  businessInformation,
  createAddress,
  draftBusinessProfile,
  POLICY,
  representative,
  settle,
} from './a2p-fixtures.ts';
import { createContractRig, type ContractRig, type Subaccount } from './contract-rig.ts';

describe('contract: TrustHub', () => {
  let rig: ContractRig;
  let sub: Subaccount;
  let primaryProfileSid: string;
  beforeAll(async () => {
    rig = await createContractRig();
    sub = await rig.newSubaccount();
    primaryProfileSid = await approvedPrimaryProfile(rig);
  });
  afterAll(async () => {
    await rig?.close();
  });

  const th = () => sub.client.trusthub.v1;

  it('ListPolicies and FetchPolicies return the A2P policies with their requirements', async () => {
    const policies = await rig.twilio.call('policies.list', () => th().policies.list({ limit: 50 }));
    rig.expectContract('trusthub_v1', 'GET', '/v1/Policies', 200);
    expect(policies.map((p) => p.sid)).toEqual(expect.arrayContaining(Object.values(POLICY)));
    const policy = await rig.twilio.call('policies.fetch', () => th().policies(POLICY.secondaryCustomerProfile).fetch());
    rig.expectContract('trusthub_v1', 'GET', '/v1/Policies/{Sid}', 200);
    expect(policy.requirements).toBeTruthy();
  });

  it('CreateEndUser, FetchEndUser, ListEndUser and UpdateEndUser', async () => {
    const endUser = await rig.twilio.call('endUsers.create', () =>
      th().endUsers.create({ friendlyName: 'isv:business', type: 'customer_profile_business_information', attributes: businessInformation('Acme Dental LLC') }),
    );
    const body = rig.expectContract('trusthub_v1', 'POST', '/v1/EndUsers', 201);
    expect(endUser.sid).toMatch(/^IT[0-9a-f]{32}$/);
    expect(body).toMatchObject({ account_sid: sub.sid, type: 'customer_profile_business_information' });
    expect((body.attributes as Record<string, unknown>).business_name).toBe('Acme Dental LLC');

    await rig.twilio.call('endUsers.fetch', () => th().endUsers(endUser.sid).fetch());
    rig.expectContract('trusthub_v1', 'GET', '/v1/EndUsers/{Sid}', 200);
    const listed = await rig.twilio.call('endUsers.list', () => th().endUsers.list({ limit: 200 }));
    rig.expectContract('trusthub_v1', 'GET', '/v1/EndUsers', 200);
    expect(listed.map((e) => e.sid)).toContain(endUser.sid);
    const updated = await rig.twilio.call('endUsers.update', () =>
      th().endUsers(endUser.sid).update({ attributes: businessInformation('Acme Dental Group LLC') }),
    );
    rig.expectContract('trusthub_v1', 'POST', '/v1/EndUsers/{Sid}', 200);
    expect((updated.attributes as Record<string, unknown>).business_name).toBe('Acme Dental Group LLC');
  });

  it('CreateSupportingDocument for the address, FetchSupportingDocument and ListSupportingDocument', async () => {
    const address = await createAddress(rig, sub.sid);
    const doc = await rig.twilio.call('supportingDocuments.create', () =>
      th().supportingDocuments.create({ friendlyName: 'isv:address', type: 'customer_profile_address', attributes: { address_sids: address.sid } }),
    );
    const body = rig.expectContract('trusthub_v1', 'POST', '/v1/SupportingDocuments', 201);
    expect(doc.sid).toMatch(/^RD[0-9a-f]{32}$/);
    expect(body.type).toBe('customer_profile_address');
    await rig.twilio.call('supportingDocuments.fetch', () => th().supportingDocuments(doc.sid).fetch());
    rig.expectContract('trusthub_v1', 'GET', '/v1/SupportingDocuments/{Sid}', 200);
    const listed = await rig.twilio.call('supportingDocuments.list', () => th().supportingDocuments.list({ limit: 200 }));
    rig.expectContract('trusthub_v1', 'GET', '/v1/SupportingDocuments', 200);
    expect(listed.map((d) => d.sid)).toContain(doc.sid);
  });

  it('a secondary CustomerProfile: create, assign, evaluate, submit, fetch and list through its review', async () => {
    const profile = await rig.twilio.call('customerProfiles.create', () =>
      th().customerProfiles.create({
        friendlyName: 'isv:contract-profile',
        email: 'compliance@acme-dental.example.com',
        policySid: POLICY.secondaryCustomerProfile,
        statusCallback: 'https://hooks.example.com/trusthub',
      }),
    );
    const created = rig.expectContract('trusthub_v1', 'POST', '/v1/CustomerProfiles', 201);
    expect(profile.sid).toMatch(/^BU[0-9a-f]{32}$/);
    expect(created).toMatchObject({ status: 'draft', policy_sid: POLICY.secondaryCustomerProfile });

    // Not compliant before anything is assigned: the evaluation says what is missing.
    const empty = await rig.twilio.call('customerProfiles.evaluations.create', () =>
      th().customerProfiles(profile.sid).customerProfilesEvaluations.create({ policySid: POLICY.secondaryCustomerProfile }),
    );
    rig.expectContract('trusthub_v1', 'POST', '/v1/CustomerProfiles/{CustomerProfileSid}/Evaluations', 201);
    expect(empty.status).toBe('noncompliant');

    const address = await createAddress(rig, sub.sid);
    const business = await th().endUsers.create({ friendlyName: 'b', type: 'customer_profile_business_information', attributes: businessInformation('Acme Dental LLC') });
    const rep = await th().endUsers.create({ friendlyName: 'r', type: 'authorized_representative_1', attributes: representative });
    const doc = await th().supportingDocuments.create({ friendlyName: 'a', type: 'customer_profile_address', attributes: { address_sids: address.sid } });
    for (const objectSid of [business.sid, rep.sid, doc.sid, primaryProfileSid]) {
      const assignment = await rig.twilio.call('customerProfiles.entityAssignments.create', () =>
        th().customerProfiles(profile.sid).customerProfilesEntityAssignments.create({ objectSid }),
      );
      rig.expectContract('trusthub_v1', 'POST', '/v1/CustomerProfiles/{CustomerProfileSid}/EntityAssignments', 201);
      expect(assignment.sid).toMatch(/^BV[0-9a-f]{32}$/);
    }
    const assignments = await rig.twilio.call('customerProfiles.entityAssignments.list', () =>
      th().customerProfiles(profile.sid).customerProfilesEntityAssignments.list({ limit: 50 }),
    );
    rig.expectContract('trusthub_v1', 'GET', '/v1/CustomerProfiles/{CustomerProfileSid}/EntityAssignments', 200);
    expect(assignments.map((a) => a.objectSid).sort()).toEqual([business.sid, rep.sid, doc.sid, primaryProfileSid].sort());

    const evaluation = await rig.twilio.call('customerProfiles.evaluations.create', () =>
      th().customerProfiles(profile.sid).customerProfilesEvaluations.create({ policySid: POLICY.secondaryCustomerProfile }),
    );
    expect(evaluation.status).toBe('compliant');

    const submitted = await rig.twilio.call('customerProfiles.update', () => th().customerProfiles(profile.sid).update({ status: 'pending-review' }));
    rig.expectContract('trusthub_v1', 'POST', '/v1/CustomerProfiles/{Sid}', 200);
    expect(submitted.status).toBe('pending-review');

    const final = await settle(
      rig,
      () => rig.twilio.call('customerProfiles.fetch', () => th().customerProfiles(profile.sid).fetch()),
      (p) => p.status === 'twilio-approved' || p.status === 'twilio-rejected',
    );
    rig.expectContract('trusthub_v1', 'GET', '/v1/CustomerProfiles/{Sid}', 200);
    expect(final.status).toBe('twilio-approved');

    const listed = await rig.twilio.call('customerProfiles.list', () => th().customerProfiles.list({ friendlyName: 'isv:contract-profile', limit: 50 }));
    rig.expectContract('trusthub_v1', 'GET', '/v1/CustomerProfiles', 200);
    expect(listed.map((p) => p.sid)).toEqual([profile.sid]);
  });

  it('an A2P TrustProduct: create, assign, evaluate, submit, fetch and list through its review', async () => {
    // A submitted secondary profile to attach (made by the fixture, which the previous test covers call by call).
    const { customerProfileSid } = await approvedStandardBundles(rig, sub, primaryProfileSid, 'Acme Orthodontics LLC');

    const product = await rig.twilio.call('trustProducts.create', () =>
      th().trustProducts.create({ friendlyName: 'isv:contract-a2p', email: 'compliance@acme-dental.example.com', policySid: POLICY.a2pMessagingProfile }),
    );
    const created = rig.expectContract('trusthub_v1', 'POST', '/v1/TrustProducts', 201);
    expect(created).toMatchObject({ status: 'draft', policy_sid: POLICY.a2pMessagingProfile });

    const info = await th().endUsers.create({ friendlyName: 'a2p', type: 'us_a2p_messaging_profile_information', attributes: { company_type: 'private' } });
    for (const objectSid of [info.sid, customerProfileSid]) {
      await rig.twilio.call('trustProducts.entityAssignments.create', () =>
        th().trustProducts(product.sid).trustProductsEntityAssignments.create({ objectSid }),
      );
      rig.expectContract('trusthub_v1', 'POST', '/v1/TrustProducts/{TrustProductSid}/EntityAssignments', 201);
    }
    const assignments = await rig.twilio.call('trustProducts.entityAssignments.list', () =>
      th().trustProducts(product.sid).trustProductsEntityAssignments.list({ limit: 50 }),
    );
    rig.expectContract('trusthub_v1', 'GET', '/v1/TrustProducts/{TrustProductSid}/EntityAssignments', 200);
    expect(assignments).toHaveLength(2);

    const evaluation = await rig.twilio.call('trustProducts.evaluations.create', () =>
      th().trustProducts(product.sid).trustProductsEvaluations.create({ policySid: POLICY.a2pMessagingProfile }),
    );
    rig.expectContract('trusthub_v1', 'POST', '/v1/TrustProducts/{TrustProductSid}/Evaluations', 201);
    expect(evaluation.status).toBe('compliant');

    const submitted = await rig.twilio.call('trustProducts.update', () => th().trustProducts(product.sid).update({ status: 'pending-review' }));
    rig.expectContract('trusthub_v1', 'POST', '/v1/TrustProducts/{Sid}', 200);
    expect(submitted.status).toBe('pending-review');

    const final = await settle(
      rig,
      () => rig.twilio.call('trustProducts.fetch', () => th().trustProducts(product.sid).fetch()),
      (p) => p.status === 'twilio-approved' || p.status === 'twilio-rejected',
    );
    rig.expectContract('trusthub_v1', 'GET', '/v1/TrustProducts/{Sid}', 200);
    expect(final.status).toBe('twilio-approved');

    const listed = await rig.twilio.call('trustProducts.list', () => th().trustProducts.list({ friendlyName: 'isv:contract-a2p', limit: 50 }));
    rig.expectContract('trusthub_v1', 'GET', '/v1/TrustProducts', 200);
    expect(listed.map((p) => p.sid)).toEqual([product.sid]);
  });

  it('a bundle whose data carries the rejection trigger is twilio-rejected with errors', async () => {
    const sid = await draftBusinessProfile(rig, sub.client, sub.sid, { businessName: 'REJECT Dental LLC', primaryProfileSid });
    await th().customerProfiles(sid).customerProfilesEvaluations.create({ policySid: POLICY.secondaryCustomerProfile });
    await th().customerProfiles(sid).update({ status: 'pending-review' });
    const final = await settle(rig, () => th().customerProfiles(sid).fetch(), (p) => p.status === 'twilio-rejected' || p.status === 'twilio-approved');
    rig.expectContract('trusthub_v1', 'GET', '/v1/CustomerProfiles/{Sid}', 200);
    expect(final.status).toBe('twilio-rejected');
    expect(final.errors?.length).toBeGreaterThan(0);
  });
});
