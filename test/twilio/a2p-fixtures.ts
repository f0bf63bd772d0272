// The TrustHub and A2P steps the contract tests need as set-up, done the way the onboarding flows do them:
// the ISV's primary profile (master credentials, master account), then per subaccount (its own credentials)
// a secondary customer profile, an A2P trust product, brands and services. Every call goes through the gateway.
import type { Twilio } from 'twilio';
import type { ContractRig, Subaccount } from './contract-rig.ts';

/** Policy SIDs are global constants (FACTS §5). */
export const POLICY = {
  secondaryCustomerProfile: 'RNdfbf3fae0e1107f8aded0e7cead80bf5',
  a2pMessagingProfile: 'RNb0d4771c2c98518d916a3d4cd70a8f8b',
  starterCustomerProfile: 'RN806dd6cd175f314e1f96a9727ee271f4',
  soleProprietorTrustProduct: 'RN670d5d2e282a6130ae063b234b6019c8',
} as const;

export const businessInformation = (businessName: string) => ({
  business_name: businessName,
  business_identity: 'direct_customer',
  business_type: 'Limited Liability Corporation',
  business_industry: 'HEALTHCARE',
  business_registration_identifier: 'EIN',
  business_registration_number: '12-3456789',
  business_regions_of_operation: 'USA_AND_CANADA',
  website_url: 'https://acme-dental.example.com',
  social_media_profile_urls: '',
});

export const representative = {
  first_name: 'Ada',
  last_name: 'Lovelace',
  email: 'ada@acme-dental.example.com',
  phone_number: '+14155550100',
  business_title: 'CEO',
  job_position: 'CEO',
};

/** Applies due review steps until `done` holds (reviews take several steps: pending → in review → decided). */
export async function settle<T>(rig: ContractRig, read: () => Promise<T>, done: (v: T) => boolean, rounds = 8): Promise<T> {
  let value = await read();
  for (let i = 0; i < rounds && !done(value); i++) {
    await rig.sandbox.advanceReviews();
    value = await read();
  }
  if (!done(value)) throw new Error(`still not settled after ${rounds} review rounds: ${JSON.stringify(value)}`);
  return value;
}

/** An address in `accountSid`, made with the master credentials on that account's path (FACTS §0). */
export async function createAddress(rig: ContractRig, accountSid: string, customerName = 'Acme Dental LLC') {
  return rig.twilio.call('addresses.create', () =>
    rig.twilio.master.api.v2010.accounts(accountSid).addresses.create({
      customerName,
      street: '1 Market St',
      city: 'San Francisco',
      region: 'CA',
      postalCode: '94105',
      isoCountry: 'US',
    }),
  );
}

async function assignToProfile(rig: ContractRig, client: Twilio, profileSid: string, objectSid: string) {
  return rig.twilio.call('customerProfiles.entityAssignments.create', () =>
    client.trusthub.v1.customerProfiles(profileSid).customerProfilesEntityAssignments.create({ objectSid }),
  );
}

async function submitProfile(rig: ContractRig, client: Twilio, profileSid: string, policySid: string) {
  const evaluation = await rig.twilio.call('customerProfiles.evaluations.create', () =>
    client.trusthub.v1.customerProfiles(profileSid).customerProfilesEvaluations.create({ policySid }),
  );
  if (evaluation.status !== 'compliant') throw new Error(`profile ${profileSid} is ${evaluation.status}: ${JSON.stringify(evaluation.results)}`);
  await rig.twilio.call('customerProfiles.update', () => client.trusthub.v1.customerProfiles(profileSid).update({ status: 'pending-review' }));
}

async function submitTrustProduct(rig: ContractRig, client: Twilio, trustProductSid: string, policySid: string) {
  const evaluation = await rig.twilio.call('trustProducts.evaluations.create', () =>
    client.trusthub.v1.trustProducts(trustProductSid).trustProductsEvaluations.create({ policySid }),
  );
  if (evaluation.status !== 'compliant') throw new Error(`trust product ${trustProductSid} is ${evaluation.status}: ${JSON.stringify(evaluation.results)}`);
  await rig.twilio.call('trustProducts.update', () => client.trusthub.v1.trustProducts(trustProductSid).update({ status: 'pending-review' }));
}

/** A customer profile with business information, a representative and an address, not yet submitted. */
export async function draftBusinessProfile(
  rig: ContractRig,
  client: Twilio,
  accountSid: string,
  opts: { businessName: string; primaryProfileSid?: string },
): Promise<string> {
  const address = await createAddress(rig, accountSid);
  const profile = await rig.twilio.call('customerProfiles.create', () =>
    client.trusthub.v1.customerProfiles.create({
      friendlyName: `isv:${opts.businessName}`,
      email: 'compliance@acme-dental.example.com',
      policySid: POLICY.secondaryCustomerProfile,
    }),
  );
  const business = await rig.twilio.call('endUsers.create', () =>
    client.trusthub.v1.endUsers.create({ friendlyName: 'business', type: 'customer_profile_business_information', attributes: businessInformation(opts.businessName) }),
  );
  const rep = await rig.twilio.call('endUsers.create', () =>
    client.trusthub.v1.endUsers.create({ friendlyName: 'representative', type: 'authorized_representative_1', attributes: representative }),
  );
  const doc = await rig.twilio.call('supportingDocuments.create', () =>
    client.trusthub.v1.supportingDocuments.create({ friendlyName: 'address', type: 'customer_profile_address', attributes: { address_sids: address.sid } }),
  );
  for (const objectSid of [business.sid, rep.sid, doc.sid, ...(opts.primaryProfileSid ? [opts.primaryProfileSid] : [])]) {
    await assignToProfile(rig, client, profile.sid, objectSid);
  }
  return profile.sid;
}

const approved = (s: { status: string }) => s.status === 'twilio-approved' || s.status === 'twilio-rejected';

/** The ISV's own approved primary customer profile, in the master account. */
export async function approvedPrimaryProfile(rig: ContractRig): Promise<string> {
  const master = rig.twilio.master;
  const sid = await draftBusinessProfile(rig, master, rig.masterAccountSid, { businessName: 'Example ISV Inc' });
  await submitProfile(rig, master, sid, POLICY.secondaryCustomerProfile);
  const final = await settle(rig, () => rig.twilio.call('customerProfiles.fetch', () => master.trusthub.v1.customerProfiles(sid).fetch()), approved);
  if (final.status !== 'twilio-approved') throw new Error(`primary profile ${sid} ended ${final.status}`);
  return sid;
}

export interface StandardBundles {
  customerProfileSid: string;
  trustProductSid: string;
}

/** A subaccount's approved secondary customer profile and A2P trust product (standard brand path). */
export async function approvedStandardBundles(
  rig: ContractRig,
  sub: Subaccount,
  primaryProfileSid: string,
  businessName = 'Acme Dental LLC',
): Promise<StandardBundles> {
  const c = sub.client;
  const customerProfileSid = await draftBusinessProfile(rig, c, sub.sid, { businessName, primaryProfileSid });
  await submitProfile(rig, c, customerProfileSid, POLICY.secondaryCustomerProfile);
  const trustProduct = await rig.twilio.call('trustProducts.create', () =>
    c.trusthub.v1.trustProducts.create({ friendlyName: `isv:a2p:${businessName}`, email: 'compliance@acme-dental.example.com', policySid: POLICY.a2pMessagingProfile }),
  );
  const a2pInfo = await rig.twilio.call('endUsers.create', () =>
    c.trusthub.v1.endUsers.create({ friendlyName: 'a2p', type: 'us_a2p_messaging_profile_information', attributes: { company_type: 'private' } }),
  );
  for (const objectSid of [a2pInfo.sid, customerProfileSid]) {
    await rig.twilio.call('trustProducts.entityAssignments.create', () =>
      c.trusthub.v1.trustProducts(trustProduct.sid).trustProductsEntityAssignments.create({ objectSid }),
    );
  }
  await submitTrustProduct(rig, c, trustProduct.sid, POLICY.a2pMessagingProfile);
  await settle(rig, () => rig.twilio.call('customerProfiles.fetch', () => c.trusthub.v1.customerProfiles(customerProfileSid).fetch()), approved);
  const tp = await settle(rig, () => rig.twilio.call('trustProducts.fetch', () => c.trusthub.v1.trustProducts(trustProduct.sid).fetch()), approved);
  if (tp.status !== 'twilio-approved') throw new Error(`trust product ${trustProduct.sid} ended ${tp.status}`);
  return { customerProfileSid, trustProductSid: trustProduct.sid };
}

/** A subaccount's approved starter customer profile and sole-proprietor trust product. */
export async function approvedSoleProprietorBundles(rig: ContractRig, sub: Subaccount, primaryProfileSid: string, brandName = 'Ada Tutoring'): Promise<StandardBundles> {
  const c = sub.client;
  const address = await createAddress(rig, sub.sid, 'Ada Lovelace');
  const profile = await rig.twilio.call('customerProfiles.create', () =>
    c.trusthub.v1.customerProfiles.create({ friendlyName: `isv:starter:${brandName}`, email: 'ada@example.com', policySid: POLICY.starterCustomerProfile }),
  );
  const info = await rig.twilio.call('endUsers.create', () =>
    c.trusthub.v1.endUsers.create({
      friendlyName: 'starter',
      type: 'starter_customer_profile_information',
      attributes: { first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com', phone_number: '+14155550101' },
    }),
  );
  const doc = await rig.twilio.call('supportingDocuments.create', () =>
    c.trusthub.v1.supportingDocuments.create({ friendlyName: 'address', type: 'customer_profile_address', attributes: { address_sids: address.sid } }),
  );
  for (const objectSid of [info.sid, doc.sid, primaryProfileSid]) await assignToProfile(rig, c, profile.sid, objectSid);
  await submitProfile(rig, c, profile.sid, POLICY.starterCustomerProfile);
  const trustProduct = await rig.twilio.call('trustProducts.create', () =>
    c.trusthub.v1.trustProducts.create({ friendlyName: `isv:sole:${brandName}`, email: 'ada@example.com', policySid: POLICY.soleProprietorTrustProduct }),
  );
  const sole = await rig.twilio.call('endUsers.create', () =>
    c.trusthub.v1.endUsers.create({
      friendlyName: 'sole proprietor',
      type: 'sole_proprietor_information',
      attributes: { brand_name: brandName, mobile_phone_number: '+14155550101', vertical: 'EDUCATION' },
    }),
  );
  for (const objectSid of [sole.sid, profile.sid]) {
    await rig.twilio.call('trustProducts.entityAssignments.create', () =>
      c.trusthub.v1.trustProducts(trustProduct.sid).trustProductsEntityAssignments.create({ objectSid }),
    );
  }
  await submitTrustProduct(rig, c, trustProduct.sid, POLICY.soleProprietorTrustProduct);
  await settle(rig, () => rig.twilio.call('customerProfiles.fetch', () => c.trusthub.v1.customerProfiles(profile.sid).fetch()), approved);
  const tp = await settle(rig, () => rig.twilio.call('trustProducts.fetch', () => c.trusthub.v1.trustProducts(trustProduct.sid).fetch()), approved);
  if (tp.status !== 'twilio-approved') throw new Error(`sole proprietor trust product ${trustProduct.sid} ended ${tp.status}`);
  return { customerProfileSid: profile.sid, trustProductSid: trustProduct.sid };
}

const decided = (b: { status: string }) => b.status === 'APPROVED' || b.status === 'FAILED';

/** Registers a brand (an A2P call: rate limited) and waits for TCR's decision. */
export async function registeredBrand(rig: ContractRig, sub: Subaccount, bundles: StandardBundles, brandType: 'STANDARD' | 'SOLE_PROPRIETOR' = 'STANDARD') {
  const c = sub.client;
  const brand = await rig.twilio.call(
    'brandRegistrations.create',
    () => c.messaging.v1.brandRegistrations.create({ customerProfileBundleSid: bundles.customerProfileSid, a2PProfileBundleSid: bundles.trustProductSid, brandType }),
    { a2p: true },
  );
  return settle(rig, () => rig.twilio.call('brandRegistrations.fetch', () => c.messaging.v1.brandRegistrations(brand.sid).fetch(), { a2p: true }), decided);
}
