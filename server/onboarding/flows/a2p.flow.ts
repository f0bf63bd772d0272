// The A2P 10DLC flow (FACTS §5–6, DOCS onboarding-isv-api): customer profile → A2P trust product → brand →
// messaging service → campaign → phone number. Standard and sole-proprietor brands share the table; the
// sole-proprietor path uses the starter/sole-proprietor policies and parks for the brand OTP. Everything runs
// with the subaccount's own credentials (FACTS §0). Each create step adopts what a crashed run made first.
// A business on its own connected Twilio account registers in that account as a direct customer: its
// customer profile is the account's primary profile (one Twilio approved is used as it is, else the flow makes
// it, with no ISV primary assigned), the campaign goes on the messaging service it chose as its sender, and the
// numbers already in that service are the campaign's.
import { inConnectedAccount, needsAttention, type FlowDefinition, type Record_, type StateDef, type StepContext, type StepResult } from '../flow-definition.ts';
import type { FlowError } from '../../../shared/onboarding.ts';
import type { A2pRequest } from '../../../shared/a2p.ts';
import { findBrand, findCampaignByBrand, setBrandTwilio, setCampaignTwilio, upsertNumber, type BrandRow } from '../../brands/brands.dao.ts';
import { findCustomerData, type CustomerData } from '../customers-read.dao.ts';
import { findConnectionByCustomer, setSenderCampaignStatus } from '../../subaccounts/subaccounts.dao.ts';
import { mapTwilioFields } from '../twilio-errors.ts';
import { plainReasons } from './customer-wording.ts';
import { adoptOrCreate, friendlyName, str, waitForSubaccount } from './flow-helpers.ts';
import {
  POLICY_A2P_MESSAGING_PROFILE,
  POLICY_SECONDARY_PROFILE,
  POLICY_SOLE_PROPRIETOR_TRUST_PRODUCT,
  POLICY_STARTER_PROFILE,
} from './a2p-constants.ts';
import { ensureSandboxPrimaryProfile } from './sandbox-primary-profile.ts';
import { registrationIdTypeFor } from '../../../shared/registration-ids.ts';
import { findNumberRegistration, resetNumberRegistration } from '../../a2p-watch/number-registration.ts';
import { ensureNumberRegistrationSink } from '../../a2p-watch/event-sink.ts';

/** The campaign of a Messaging Service is addressed by this constant SID (FACTS §6). */
export const CAMPAIGN_COMPLIANCE_SID = 'QE2c6890da8086d771620e9b13fadeba0b';

interface Inputs {
  customer: CustomerData;
  brand: BrandRow;
  request: A2pRequest;
  soleProp: boolean;
}

async function inputs(s: StepContext): Promise<Inputs> {
  const brand = await findBrand(s.db, s.flow.subject_id!);
  const customer = await findCustomerData(s.db, s.flow.customer_id);
  if (!brand || !customer) throw new Error(`a2p flow ${s.flow.id}: brand or customer row missing`);
  const campaign = await findCampaignByBrand(s.db, brand.id);
  const request = { ...(brand.data as unknown as A2pRequest), campaign: (campaign?.data ?? (brand.data as { campaign: unknown }).campaign) as A2pRequest['campaign'] };
  return { customer, brand, request, soleProp: brand.brand_type === 'SOLE_PROPRIETOR' };
}

const ctxSid = (s: StepContext, key: string): string => {
  const v = str(s.context[key]);
  if (!v) throw new Error(`a2p flow ${s.flow.id}: ${key} not recorded yet`);
  return v;
};

const BUSINESS_TYPES: Record<string, string> = {
  llc: 'Limited Liability Corporation',
  corporation: 'Corporation',
  partnership: 'Partnership',
  // Twilio's mapping for government agencies and non-profits: both are a "Non-profit Corporation", told apart by
  // the industry (GOVERNMENT / NOT_FOR_PROFIT) and the A2P company type (DOCS onboarding-for-government-and-non-profit-agencies).
  non_profit: 'Non-profit Corporation',
  government: 'Non-profit Corporation',
  sole_proprietor: 'Sole Proprietorship',
};

// ------------------------------------------------------------------------------------------ attribute builders

const INDUSTRY_OF: Record<string, string> = { government: 'GOVERNMENT', non_profit: 'NOT_FOR_PROFIT' };

/** `company_type` exactly as the us_a2p_messaging_profile_information end-user type lists it. */
const COMPANY_TYPE: Record<A2pRequest['companyType'], string> = { private: 'private', public: 'public', non_profit: 'non-profit', government: 'government' };

function businessAttributes(c: CustomerData): Record<string, unknown> {
  return {
    business_name: c.legal_name,
    business_identity: 'direct_customer',
    business_type: BUSINESS_TYPES[c.business_type] ?? 'Corporation',
    business_industry: INDUSTRY_OF[c.business_type] ?? c.industry.toUpperCase(),
    business_registration_identifier: registrationIdTypeFor(c.address.country),
    business_registration_number: c.ein ?? '',
    business_regions_of_operation: (c.regions_of_operation.length ? c.regions_of_operation : ['USA_AND_CANADA']).join(','),
    website_url: c.website,
  };
}

function representativeAttributes(c: CustomerData): Record<string, unknown> {
  return {
    first_name: c.contact.firstName,
    last_name: c.contact.lastName,
    email: c.contact.email,
    phone_number: c.contact.phone,
    business_title: c.contact.jobTitle ?? 'Owner',
    job_position: c.contact.jobPosition ?? 'Director',
  };
}

function starterAttributes(c: CustomerData): Record<string, unknown> {
  return { first_name: c.contact.firstName, last_name: c.contact.lastName, email: c.contact.email, phone_number: c.contact.phone };
}

function messagingProfileAttributes(i: Inputs): Record<string, unknown> {
  if (i.soleProp)
    return { brand_name: i.customer.display_name ?? i.customer.legal_name, mobile_phone_number: i.customer.contact.phone, vertical: i.customer.industry.toUpperCase() };
  return {
    company_type: COMPANY_TYPE[i.request.companyType],
    ...(i.request.companyType === 'public' ? { stock_exchange: i.request.stockExchange, stock_ticker: i.request.stockTicker } : {}),
    brand_contact_email: i.customer.contact.email,
  };
}

function addressParams(c: CustomerData) {
  return {
    customerName: c.legal_name,
    street: c.address.street,
    city: c.address.city,
    region: c.address.region,
    postalCode: c.address.postalCode,
    isoCountry: c.address.country,
  };
}

// ------------------------------------------------------------------------------------------ steps

/** The connected account, for a flow that runs in it; it must still be connected with a sender chosen. */
async function connectedSender(s: StepContext): Promise<{ messagingServiceSid: string }> {
  const row = await findConnectionByCustomer(s.db, s.flow.customer_id);
  // Disconnecting stops this flow (stopConnectedFlows); reaching here without a sender is a platform bug.
  if (!row?.messaging_service_sid) throw new Error(`a2p flow ${s.flow.id}: the connected account has no sender chosen`);
  return { messagingServiceSid: row.messaging_service_sid };
}

async function waitForAccount(s: StepContext): Promise<StepResult> {
  if (!inConnectedAccount(s.flow)) return waitForSubaccount(s, 'primary_profile');
  await connectedSender(s);
  return { type: 'goto', to: 'primary_profile', message: 'Registering in your own Twilio account as a direct customer' };
}

/** A direct customer's primary profile: the one Twilio already approved in its account, else the one this flow makes. */
async function ownPrimaryProfile(s: StepContext): Promise<StepResult> {
  const { soleProp, brand } = await inputs(s);
  const client = await s.subaccountClient();
  const profiles = await s.call('trusthub.customer_profiles.list', () => client.trusthub.v1.customerProfiles.list({ policySid: POLICY_SECONDARY_PROFILE, limit: 50 }));
  const approved = profiles.find((p) => p.status === 'twilio-approved');
  if (!approved) return { type: 'goto', to: 'address', message: 'Your Twilio account has no approved primary customer profile yet; creating it' };
  // A sole proprietor's starter profile holds the primary; a standard brand registers the primary itself.
  if (soleProp) return { type: 'goto', to: 'address', message: `Using your account's approved primary customer profile ${approved.sid}`, patch: { primaryProfileSid: approved.sid } };
  return {
    type: 'goto',
    to: 'messaging_end_user',
    message: `Using your account's approved primary customer profile ${approved.sid}`,
    patch: { customerProfileSid: approved.sid },
    record: (tx) => setBrandTwilio(tx, brand.id, { customerProfileSid: approved.sid }),
  };
}

async function primaryProfile(s: StepContext): Promise<StepResult> {
  if (inConnectedAccount(s.flow)) return ownPrimaryProfile(s);
  const configured = s.config.twilio.primaryCustomerProfileSid;
  if (configured) return { type: 'goto', to: 'address', message: 'Using the ISV primary customer profile', patch: { primaryProfileSid: configured } };
  if (s.twilio.mode !== 'sandbox') {
    return {
      type: 'fail',
      message: 'TWILIO_PRIMARY_CUSTOMER_PROFILE_SID is not configured',
      error: { code: 'primary_profile_missing', message: 'The platform has no approved primary customer profile configured; contact the ISV.', twilioCode: null, fields: [] },
    };
  }
  const p = await ensureSandboxPrimaryProfile(s.twilio, (op, fn) => s.call(op, fn), s.db);
  if (p.status === 'twilio-approved') return { type: 'goto', to: 'address', message: `Using the ISV primary customer profile ${p.sid}`, patch: { primaryProfileSid: p.sid } };
  return { type: 'poll', waitingFor: 'twilio:primary_profile_review', message: 'Waiting for the ISV primary profile review', waitingOnSid: p.sid };
}

async function address(s: StepContext): Promise<StepResult> {
  const { customer } = await inputs(s);
  const client = await s.subaccountClient();
  const name = friendlyName(s.flow.customer_id, 'address');
  return adoptOrCreate(s, {
    key: 'addressSid',
    resource: 'address',
    label: 'business address',
    list: () => client.addresses.list({ friendlyName: name, limit: 50 }),
    match: (a) => a.friendlyName === name,
    create: () => client.addresses.create({ ...addressParams(customer), friendlyName: name }),
    next: 'profile_end_user',
  });
}

async function endUser(s: StepContext, o: { key: string; purpose: string; type: string; attributes: Record<string, unknown>; next: string; label: string }) {
  const client = await s.subaccountClient();
  const name = friendlyName(s.flow.customer_id, o.purpose);
  return adoptOrCreate(s, {
    key: o.key,
    resource: 'trusthub.end_user',
    label: o.label,
    list: () => client.trusthub.v1.endUsers.list({ limit: 200 }),
    match: (e) => e.friendlyName === name,
    create: () => client.trusthub.v1.endUsers.create({ friendlyName: name, type: o.type, attributes: o.attributes }),
    next: o.next,
  });
}

async function profileEndUser(s: StepContext): Promise<StepResult> {
  const { customer, soleProp } = await inputs(s);
  return soleProp
    ? endUser(s, { key: 'profileEndUserSid', purpose: 'starter', type: 'starter_customer_profile_information', attributes: starterAttributes(customer), next: 'address_document', label: 'starter profile information' })
    : endUser(s, { key: 'profileEndUserSid', purpose: 'business', type: 'customer_profile_business_information', attributes: businessAttributes(customer), next: 'representative_end_user', label: 'business information' });
}

async function representativeEndUser(s: StepContext): Promise<StepResult> {
  const { customer } = await inputs(s);
  return endUser(s, { key: 'representativeEndUserSid', purpose: 'representative', type: 'authorized_representative_1', attributes: representativeAttributes(customer), next: 'address_document', label: 'authorized representative' });
}

async function addressDocument(s: StepContext): Promise<StepResult> {
  const client = await s.subaccountClient();
  const name = friendlyName(s.flow.customer_id, 'address-doc');
  const addressSid = ctxSid(s, 'addressSid');
  return adoptOrCreate(s, {
    key: 'addressDocumentSid',
    resource: 'trusthub.supporting_document',
    label: 'address document',
    list: () => client.trusthub.v1.supportingDocuments.list({ limit: 200 }),
    match: (d) => d.friendlyName === name,
    create: () => client.trusthub.v1.supportingDocuments.create({ friendlyName: name, type: 'customer_profile_address', attributes: { address_sids: addressSid } }),
    next: 'customer_profile',
  });
}

async function customerProfile(s: StepContext): Promise<StepResult> {
  const { customer, soleProp, brand } = await inputs(s);
  const client = await s.subaccountClient();
  const name = friendlyName(s.flow.customer_id, 'profile');
  return adoptOrCreate(s, {
    key: 'customerProfileSid',
    resource: 'trusthub.customer_profile',
    label: 'customer profile',
    list: () => client.trusthub.v1.customerProfiles.list({ friendlyName: name, limit: 50 }),
    match: (p) => p.friendlyName === name,
    create: () =>
      client.trusthub.v1.customerProfiles.create({
        friendlyName: name,
        email: customer.contact.email,
        policySid: soleProp ? POLICY_STARTER_PROFILE : POLICY_SECONDARY_PROFILE,
        statusCallback: `${s.config.publicBaseUrl}/api/isv/webhooks/twilio/trusthub`,
      }),
    next: 'profile_assignments',
    record: (p) => (tx) => setBrandTwilio(tx, brand.id, { customerProfileSid: p.sid }),
  });
}

type Bundle = 'customer' | 'trust';
const bundleSidOf = (s: StepContext, bundle: Bundle) => ctxSid(s, bundle === 'customer' ? 'customerProfileSid' : 'trustProductSid');

/** What a bundle must hold: the customer profile its primary profile, end users and address document; the A2P profile its end user and the customer profile. */
async function wantedAssignments(s: StepContext, bundle: Bundle): Promise<string[]> {
  if (bundle === 'trust') return [ctxSid(s, 'messagingEndUserSid'), ctxSid(s, 'customerProfileSid')];
  const { soleProp } = await inputs(s);
  // A direct customer's own primary profile has no ISV primary to hold.
  const primary = inConnectedAccount(s.flow) ? str(s.context.primaryProfileSid) : ctxSid(s, 'primaryProfileSid');
  const wanted = [...(primary ? [primary] : []), ctxSid(s, 'profileEndUserSid'), ctxSid(s, 'addressDocumentSid')];
  if (!soleProp) wanted.push(ctxSid(s, 'representativeEndUserSid'));
  return wanted;
}

async function assignmentsApi(s: StepContext, bundle: Bundle) {
  const th = (await s.subaccountClient()).trusthub.v1;
  const bundleSid = bundleSidOf(s, bundle);
  // Both assignment resources have the same shape (objectSid in, sid out).
  return (bundle === 'customer'
    ? th.customerProfiles(bundleSid).customerProfilesEntityAssignments
    : th.trustProducts(bundleSid).trustProductsEntityAssignments) as unknown as {
    list(p: { limit: number }): Promise<{ objectSid: string }[]>;
    create(p: { objectSid: string }): Promise<{ sid: string }>;
  };
}

async function missingAssignments(s: StepContext, bundle: Bundle): Promise<string[]> {
  const api = await assignmentsApi(s, bundle);
  const have = new Set((await s.call('trusthub.assignments.list', () => api.list({ limit: 100 }))).map((a) => a.objectSid));
  return (await wantedAssignments(s, bundle)).filter((w) => !have.has(w));
}

const ASSIGNMENTS_STATE: Record<Bundle, string> = { customer: 'profile_assignments', trust: 'trust_product_assignments' };

/**
 * Every missing assignment in one run: lists once, then assigns what the list lacks, one create at a time. An
 * assignment is adopted by that list, so a run cut short after any create (a crash, a timeout) lists again and
 * assigns only the rest: never twice. (One run per assignment used to list before each, issue 13.)
 */
async function assignments(s: StepContext, bundle: Bundle, next: string): Promise<StepResult> {
  const bundleSid = bundleSidOf(s, bundle);
  const missing = await missingAssignments(s, bundle);
  if (!missing.length) return { type: 'goto', to: next, message: `All entities are assigned to ${bundleSid}` };
  const api = await assignmentsApi(s, bundle);
  for (const objectSid of missing) {
    const a = await s.call('trusthub.assignments.create', () => api.create({ objectSid }), { once: true });
    await s.created('trusthub.entity_assignment', a.sid);
  }
  return { type: 'goto', to: next, message: `Assigned ${missing.join(', ')} to ${bundleSid}` };
}

function evaluationError(results: unknown): FlowError {
  const invalid: string[] = [];
  const reasons: string[] = [];
  for (const r of (Array.isArray(results) ? results : []) as { passed?: boolean; failure_reason?: string | null; invalid?: { object_field?: string; failure_reason?: string }[] }[]) {
    if (r.passed) continue;
    if (r.failure_reason) reasons.push(r.failure_reason);
    for (const i of r.invalid ?? []) if (i.object_field) invalid.push(i.object_field);
  }
  return {
    code: 'evaluation_noncompliant',
    message: `Twilio's compliance check found problems: ${plainReasons(reasons, 'required information is missing')}. Fix your business details and resubmit.`,
    twilioCode: null,
    fields: mapTwilioFields(invalid),
  };
}

async function evaluate(s: StepContext, bundle: Bundle, policySid: string, next: string, fixState: string): Promise<StepResult> {
  const client = await s.subaccountClient();
  const th = client.trusthub.v1;
  const sid = bundleSidOf(s, bundle);
  const ev =
    bundle === 'customer'
      ? await s.call('trusthub.evaluations.create', () => th.customerProfiles(sid).customerProfilesEvaluations.create({ policySid }))
      : await s.call('trusthub.evaluations.create', () => th.trustProducts(sid).trustProductsEvaluations.create({ policySid }));
  if (ev.status === 'compliant') return { type: 'goto', to: next, message: `${sid} passed Twilio's compliance evaluation` };
  // Before the customer is involved: an entity the platform should have assigned is missing (the platform's
  // fault, e.g. removed by hand); assign it again and evaluate once more.
  const missing = await missingAssignments(s, bundle);
  if (missing.length)
    return {
      type: 'goto',
      to: ASSIGNMENTS_STATE[bundle],
      message: `Twilio's compliance check found ${sid} incomplete (${missing.length} of its entities not assigned); assigning them again`,
      data: { recovery: true, missing },
    };
  const error = evaluationError(ev.results);
  // Nothing of the customer's to point at: the customer cannot fix it, an operator must look.
  if (!error.fields.length)
    return needsAttention(s.flow.state, { reason: 'evaluation_noncompliant', operation: 'trusthub.evaluations.create', twilioCode: null, httpStatus: null, twilioMessage: error.message }, s.now());
  return { type: 'park', status: 'action_required', waitingFor: 'customer_fix', message: error.message, error, patch: { fixState } };
}

async function profileEvaluation(s: StepContext): Promise<StepResult> {
  const { soleProp } = await inputs(s);
  return evaluate(s, 'customer', soleProp ? POLICY_STARTER_PROFILE : POLICY_SECONDARY_PROFILE, 'submit_profile', 'fix_profile');
}

async function submitBundle(s: StepContext, bundle: 'customer' | 'trust', next: string): Promise<StepResult> {
  const client = await s.subaccountClient();
  const th = client.trusthub.v1;
  const sid = ctxSid(s, bundle === 'customer' ? 'customerProfileSid' : 'trustProductSid');
  // Already submitted by a run that crashed before recording it: do not submit (and pay) twice. Only a run that
  // follows another claim can be such a rerun; one entering from the evaluation in the same claim cannot.
  if (!s.freshEntry) {
    const current = bundle === 'customer' ? await s.call('trusthub.customer_profiles.fetch', () => th.customerProfiles(sid).fetch()) : await s.call('trusthub.trust_products.fetch', () => th.trustProducts(sid).fetch());
    if (current.status !== 'draft' && current.status !== 'twilio-rejected') return { type: 'goto', to: next, message: `${sid} is already ${current.status}` };
  }
  if (bundle === 'customer') await s.call('trusthub.customer_profiles.submit', () => th.customerProfiles(sid).update({ status: 'pending-review' }));
  else await s.call('trusthub.trust_products.submit', () => th.trustProducts(sid).update({ status: 'pending-review' }));
  return { type: 'goto', to: next, message: `Submitted ${sid} for Twilio review`, countAttempt: true };
}

function bundleRejection(errors: unknown, what: string): FlowError {
  const list = (Array.isArray(errors) ? errors : []) as { code?: number; message?: string; fields?: string[] }[];
  const first = list[0];
  // TrustHub's "customer profile" is the business profile the customer filled in.
  const yours = what === 'customer profile' ? 'business profile' : what;
  return {
    code: 'bundle_rejected',
    message: `Twilio rejected your ${yours}: ${plainReasons(list.map((e) => e.message))}. Correct your business details and resubmit.`,
    twilioCode: typeof first?.code === 'number' ? first.code : null,
    fields: mapBundleFields(list.flatMap((e) => e.fields ?? [])),
  };
}

/** TrustHub reports `<end user type>.<attribute>`; the customer fixes fields of our own forms. */
function mapBundleFields(fields: string[]): string[] {
  const map: Record<string, string> = {
    business_name: 'legalName',
    business_registration_number: 'ein',
    website_url: 'website',
    business_industry: 'industry',
    business_regions_of_operation: 'regionsOfOperation',
    first_name: 'contact.firstName',
    last_name: 'contact.lastName',
    email: 'contact.email',
    phone_number: 'contact.phone',
    business_title: 'contact.jobTitle',
    address_sids: 'address',
    company_type: 'companyType',
    stock_exchange: 'stockExchange',
    stock_ticker: 'stockTicker',
    brand_contact_email: 'contact.email',
    brand_name: 'displayName',
    mobile_phone_number: 'contact.phone',
  };
  return [...new Set(fields.map((f) => map[f.split('.').pop() ?? f] ?? f))];
}

async function waitBundle(s: StepContext, bundle: 'customer' | 'trust', next: string, fixState: string): Promise<StepResult> {
  const client = await s.subaccountClient();
  const th = client.trusthub.v1;
  const sid = ctxSid(s, bundle === 'customer' ? 'customerProfileSid' : 'trustProductSid');
  const b = bundle === 'customer' ? await s.call('trusthub.customer_profiles.fetch', () => th.customerProfiles(sid).fetch()) : await s.call('trusthub.trust_products.fetch', () => th.trustProducts(sid).fetch());
  const what = bundle === 'customer' ? 'customer profile' : 'A2P messaging profile';
  if (b.status === 'twilio-approved') return { type: 'goto', to: next, message: `Twilio approved the ${what}` };
  if (b.status === 'twilio-rejected') {
    const error = bundleRejection((b as unknown as { errors?: unknown }).errors, what);
    return { type: 'park', status: 'action_required', waitingFor: 'customer_fix', message: error.message, error, patch: { fixState } };
  }
  if (b.status === 'draft') return { type: 'goto', to: bundle === 'customer' ? 'submit_profile' : 'submit_trust_product', message: `The ${what} is still a draft; submitting it` };
  return { type: 'poll', waitingFor: `twilio:${bundle === 'customer' ? 'customer_profile' : 'trust_product'}_review`, message: `Twilio is reviewing the ${what} (${b.status})`, waitingOnSid: sid };
}

/** After a rejection: push the customer's corrected data into the end users and address, one write per run. */
async function fixProfile(s: StepContext): Promise<StepResult> {
  const { customer, soleProp } = await inputs(s);
  const client = await s.subaccountClient();
  const th = client.trusthub.v1;
  const done = new Set((s.context.fixed as string[] | undefined) ?? []);
  const updates: { key: string; run: () => Promise<unknown> }[] = [
    {
      key: 'profileEndUser',
      run: () => th.endUsers(ctxSid(s, 'profileEndUserSid')).update({ attributes: soleProp ? starterAttributes(customer) : businessAttributes(customer) }),
    },
  ];
  if (!soleProp) updates.push({ key: 'representativeEndUser', run: () => th.endUsers(ctxSid(s, 'representativeEndUserSid')).update({ attributes: representativeAttributes(customer) }) });
  updates.push({
    key: 'address',
    run: async () => {
      // An address is not edited in place: make one for this attempt (adopting it after a crash) and repoint the document.
      const name = friendlyName(s.flow.customer_id, `address-${s.flow.attempts}`);
      const found = (await client.addresses.list({ friendlyName: name, limit: 20 })).find((a) => a.friendlyName === name);
      const a = found ?? (await client.addresses.create({ ...addressParams(customer), friendlyName: name }));
      await th.supportingDocuments(ctxSid(s, 'addressDocumentSid')).update({ attributes: { address_sids: a.sid } });
      return a;
    },
  });
  const next = updates.find((u) => !done.has(u.key));
  if (!next) return { type: 'goto', to: 'profile_evaluation', message: 'Updated the profile with the corrected details', patch: { fixed: [] } };
  await s.call(`trusthub.fix.${next.key}`, next.run);
  return { type: 'goto', to: 'fix_profile', message: `Updated ${next.key} with the corrected details`, patch: { fixed: [...done, next.key] } };
}

async function messagingEndUser(s: StepContext): Promise<StepResult> {
  const i = await inputs(s);
  return endUser(s, {
    key: 'messagingEndUserSid',
    purpose: 'messaging',
    type: i.soleProp ? 'sole_proprietor_information' : 'us_a2p_messaging_profile_information',
    attributes: messagingProfileAttributes(i),
    next: 'trust_product',
    label: 'A2P messaging profile information',
  });
}

async function trustProduct(s: StepContext): Promise<StepResult> {
  const { customer, soleProp, brand } = await inputs(s);
  const client = await s.subaccountClient();
  const name = friendlyName(s.flow.customer_id, 'a2p-profile');
  return adoptOrCreate(s, {
    key: 'trustProductSid',
    resource: 'trusthub.trust_product',
    label: 'A2P messaging profile',
    list: () => client.trusthub.v1.trustProducts.list({ friendlyName: name, limit: 50 }),
    match: (p) => p.friendlyName === name,
    create: () =>
      client.trusthub.v1.trustProducts.create({
        friendlyName: name,
        email: customer.contact.email,
        policySid: soleProp ? POLICY_SOLE_PROPRIETOR_TRUST_PRODUCT : POLICY_A2P_MESSAGING_PROFILE,
        statusCallback: `${s.config.publicBaseUrl}/api/isv/webhooks/twilio/trusthub`,
      }),
    next: 'trust_product_assignments',
    record: (p) => (tx) => setBrandTwilio(tx, brand.id, { trustProductSid: p.sid }),
  });
}

async function trustProductAssignments(s: StepContext): Promise<StepResult> {
  return assignments(s, 'trust', 'trust_product_evaluation');
}

async function trustProductEvaluation(s: StepContext): Promise<StepResult> {
  const { soleProp } = await inputs(s);
  return evaluate(s, 'trust', soleProp ? POLICY_SOLE_PROPRIETOR_TRUST_PRODUCT : POLICY_A2P_MESSAGING_PROFILE, 'submit_trust_product', 'fix_trust_product');
}

async function fixTrustProduct(s: StepContext): Promise<StepResult> {
  const i = await inputs(s);
  const client = await s.subaccountClient();
  await s.call('trusthub.fix.messaging_end_user', () => client.trusthub.v1.endUsers(ctxSid(s, 'messagingEndUserSid')).update({ attributes: messagingProfileAttributes(i) }));
  return { type: 'goto', to: 'trust_product_evaluation', message: 'Updated the A2P messaging profile with the corrected details' };
}

async function brandRegistration(s: StepContext): Promise<StepResult> {
  const { brand, soleProp, request } = await inputs(s);
  const client = await s.subaccountClient();
  const customerProfileSid = ctxSid(s, 'customerProfileSid');
  const trustProductSid = ctxSid(s, 'trustProductSid');
  return adoptOrCreate(s, {
    key: 'brandSid',
    resource: 'messaging.brand_registration',
    label: 'brand registration',
    a2p: true,
    // A brand is identified by the bundles it registers: list-and-match on them.
    list: () => client.messaging.v1.brandRegistrations.list({ limit: 100 }),
    match: (b) => b.customerProfileBundleSid === customerProfileSid && b.a2pProfileBundleSid === trustProductSid,
    create: () =>
      client.messaging.v1.brandRegistrations.create({
        customerProfileBundleSid: customerProfileSid,
        a2PProfileBundleSid: trustProductSid,
        brandType: soleProp ? 'SOLE_PROPRIETOR' : 'STANDARD',
        // Low-Volume Standard is a STANDARD brand that skips the automatic (charged) secondary vetting (FACTS §6).
        ...(!soleProp && request.lowVolume ? { skipAutomaticSecVet: true } : {}),
      }),
    next: 'wait_brand',
    record: (b) => (tx) => setBrandTwilio(tx, brand.id, { brandSid: b.sid, status: 'submitted', twilioStatus: b.status, countAttempt: true }),
  });
}

function brandFailure(b: { errors?: unknown; failureReason?: string | null }): FlowError {
  const list = (Array.isArray(b.errors) ? b.errors : []) as { error_code?: number; description?: string; fields?: string[] }[];
  const first = list[0];
  const reasons = plainReasons(list.length ? list.map((e) => e.description) : [b.failureReason]);
  return {
    code: 'brand_failed',
    message: `Your brand registration failed: ${reasons}. Correct the details and resubmit.`,
    twilioCode: typeof first?.error_code === 'number' ? first.error_code : null,
    fields: mapTwilioFields(list.flatMap((e) => e.fields ?? [])),
  };
}

async function waitBrand(s: StepContext): Promise<StepResult> {
  const { brand, soleProp, request } = await inputs(s);
  const client = await s.subaccountClient();
  const sid = ctxSid(s, 'brandSid');
  const b = await s.call('messaging.brand_registrations.fetch', () => client.messaging.v1.brandRegistrations(sid).fetch(), { a2p: true });
  // Older status names from the error docs (REGISTERED, REGISTRATION_FAILED) are accepted too (FACTS §6).
  const status = String(b.status);
  const record = (status: BrandRow['status'] | undefined, reason?: string | null) => (tx: Parameters<typeof setBrandTwilio>[0]) =>
    setBrandTwilio(tx, brand.id, { status, twilioStatus: b.status, reason });
  const identity = String((b as unknown as { identityStatus?: string }).identityStatus ?? '');
  if (status === 'APPROVED' || status === 'REGISTERED') {
    // Sole proprietors confirm the brand by replying to the OTP Twilio texts to their mobile (DOCS errors/30752).
    if (soleProp && identity !== 'VERIFIED') {
      return awaitOtpReply(s, sid, record(undefined));
    }
    // Public companies: Authentication+ emails the brand contact a link to open first (DOCS brand-2fa-verify).
    if (!soleProp && request.companyType === 'public' && identity !== 'VERIFIED' && identity !== 'VETTED_VERIFIED') {
      return awaitEmailVerification(s, sid, (b as unknown as { errors?: unknown }).errors, record(undefined));
    }
    // After a campaign that failed for want of the verification (30994), it is submitted again.
    const next = str(s.context.campaignAfterBrand) ?? 'messaging_service';
    return { type: 'goto', to: next, message: 'Twilio approved the brand', record: record('registered', null), patch: { campaignAfterBrand: null } };
  }
  if (status === 'FAILED' || status === 'REGISTRATION_FAILED') {
    const error = brandFailure(b as unknown as { errors?: unknown; failureReason?: string | null });
    return { type: 'park', status: 'action_required', waitingFor: 'customer_fix', message: error.message, error, patch: { fixState: 'fix_brand' }, record: record('failed', error.message) };
  }
  return { type: 'poll', waitingFor: 'twilio:brand_review', message: `Twilio is reviewing the brand (${b.status})`, waitingOnSid: sid, record: record(undefined) };
}

/** Twilio texts the sole proprietor's mobile; the reply YES must come within 24 hours (DOCS errors/30752). */
export const OTP_REPLY_WINDOW_MS = 24 * 3600 * 1000;

/**
 * The sole proprietor confirms the brand by replying YES to the text Twilio sends to their mobile: there is no
 * code to pass through an API. The flow polls the brand's identity status until the deadline (24 hours after
 * the latest text, counted from when the flow first saw the brand waiting), then asks for a new text.
 */
async function awaitOtpReply(s: StepContext, sid: string, record: Record_): Promise<StepResult> {
  const { customer } = await inputs(s);
  const sentAt = str(s.context.otpSentAt) ?? s.now().toISOString();
  const deadline = new Date(Date.parse(sentAt) + OTP_REPLY_WINDOW_MS).toISOString();
  if (s.now().getTime() > Date.parse(deadline)) {
    const message = `The text Twilio sent to ${customer.contact.phone} was not answered within 24 hours. Send a new one, then reply YES to it.`;
    return {
      type: 'park',
      status: 'action_required',
      waitingFor: 'otp_resend',
      to: 'brand_otp',
      message,
      error: { code: 'otp_expired', message, twilioCode: 30752, fields: [] },
      patch: { otpSentAt: sentAt, otpDeadline: deadline },
      record,
    };
  }
  return {
    type: 'poll',
    waitingFor: 'twilio:brand_otp_reply',
    message: `Twilio texted ${customer.contact.phone} to confirm the brand: reply YES to it by ${deadline}`,
    waitingOnSid: sid,
    patch: { otpSentAt: sentAt, otpDeadline: deadline },
    record,
  };
}

/** Authentication+ 2FA errors after which the verification email is over and a new one must be sent (Twilio changelog 2025-08-07). */
const EMAIL_VERIFICATION_OVER = new Set([21737, 21738, 21739, 21741]);

/**
 * A public company's brand is registered, but carriers accept it only once its contact opened the verification
 * email TCR sends (Authentication+); the brand stays UNVERIFIED until then. An expired or undeliverable email
 * parks for "send the email again" (POST /v1/a2p/BrandRegistrations/{sid}/2fa).
 */
async function awaitEmailVerification(s: StepContext, sid: string, errors: unknown, record: Record_): Promise<StepResult> {
  const { customer } = await inputs(s);
  const email = customer.contact.email;
  const over = ((Array.isArray(errors) ? errors : []) as { error_code?: number }[]).find((e) => typeof e.error_code === 'number' && EMAIL_VERIFICATION_OVER.has(e.error_code));
  if (over) {
    const message = `The email Twilio sent to ${email} to verify your brand was not opened in time. Send it again, then open the link in it.`;
    return {
      type: 'park',
      status: 'action_required',
      waitingFor: 'brand_email_resend',
      to: 'brand_email',
      message,
      error: { code: 'brand_email_expired', message, twilioCode: over.error_code!, fields: [] },
      record,
    };
  }
  return {
    type: 'poll',
    waitingFor: 'twilio:brand_email_verification',
    message: `Twilio emailed ${email} a link to verify your brand (Authentication+, required for public companies): open it to continue`,
    waitingOnSid: sid,
    patch: { emailVerificationEmail: email },
    record,
  };
}

/** "Send the email again": Twilio's brand 2FA resend, which the twilio SDK has no resource for (generic request). */
async function resendBrandEmail(s: StepContext): Promise<StepResult> {
  const client = await s.subaccountClient();
  const sid = ctxSid(s, 'brandSid');
  await s.call(
    'messaging.brand_registrations.2fa',
    async () => {
      const res = await client.request({ method: 'post', uri: `https://messaging.twilio.com/v1/a2p/BrandRegistrations/${sid}/2fa` });
      if (res.statusCode >= 400) {
        const body = (typeof res.body === 'string' ? JSON.parse(res.body || '{}') : res.body ?? {}) as { code?: number; message?: string };
        throw Object.assign(new Error(body.message ?? `HTTP ${res.statusCode}`), { status: res.statusCode, code: body.code });
      }
      return res.body;
    },
    { a2p: true },
  );
  return { type: 'goto', to: 'wait_brand', message: 'Twilio sent a new verification email' };
}

/** "Send the text again" (the customer's action, or after the deadline): Twilio texts the mobile anew. */
async function resendBrandOtp(s: StepContext): Promise<StepResult> {
  const client = await s.subaccountClient();
  const sid = ctxSid(s, 'brandSid');
  await s.call('messaging.brand_registrations.otp', () => client.messaging.v1.brandRegistrations(sid).brandRegistrationOtps.create(), { a2p: true });
  return { type: 'goto', to: 'wait_brand', message: 'Twilio sent a new verification text', patch: { otpSentAt: s.now().toISOString() } };
}

/** A FAILED brand: push the corrected company name into the bundle's end user, then resubmit (FACTS §6). */
async function fixBrand(s: StepContext): Promise<StepResult> {
  const i = await inputs(s);
  const client = await s.subaccountClient();
  const th = client.trusthub.v1;
  if (i.soleProp) {
    await s.call('trusthub.fix.messaging_end_user', () => th.endUsers(ctxSid(s, 'messagingEndUserSid')).update({ attributes: messagingProfileAttributes(i) }));
  } else {
    await s.call('trusthub.fix.business_end_user', () => th.endUsers(ctxSid(s, 'profileEndUserSid')).update({ attributes: businessAttributes(i.customer) }));
  }
  return { type: 'goto', to: 'resubmit_brand', message: 'Updated the brand details with the corrected data' };
}

async function resubmitBrand(s: StepContext): Promise<StepResult> {
  const { brand } = await inputs(s);
  const client = await s.subaccountClient();
  const sid = ctxSid(s, 'brandSid');
  const b = await s.call('messaging.brand_registrations.fetch', () => client.messaging.v1.brandRegistrations(sid).fetch(), { a2p: true });
  // POST on the brand is only allowed while FAILED (21725); after a crash it may already be back in review.
  if (String(b.status) === 'FAILED' || String(b.status) === 'REGISTRATION_FAILED') {
    await s.call('messaging.brand_registrations.resubmit', () => client.messaging.v1.brandRegistrations(sid).update(), { a2p: true });
  }
  return {
    type: 'goto',
    to: 'wait_brand',
    message: 'Resubmitted the brand registration',
    countAttempt: true,
    patch: { otpSentAt: null },
    record: (tx) => setBrandTwilio(tx, brand.id, { status: 'submitted', reason: null, countAttempt: true }),
  };
}

async function messagingService(s: StepContext): Promise<StepResult> {
  const { brand } = await inputs(s);
  if (inConnectedAccount(s.flow)) {
    const { messagingServiceSid } = await connectedSender(s);
    return {
      type: 'goto',
      to: 'campaign',
      message: `The campaign goes on your messaging service ${messagingServiceSid}`,
      patch: { messagingServiceSid },
      record: (tx) => setCampaignTwilio(tx, brand.id, { messagingServiceSid }),
    };
  }
  const client = await s.subaccountClient();
  const name = friendlyName(s.flow.customer_id);
  const base = s.config.publicBaseUrl;
  return adoptOrCreate(s, {
    key: 'messagingServiceSid',
    resource: 'messaging.service',
    label: 'messaging service',
    list: () => client.messaging.v1.services.list({ limit: 100 }),
    match: (svc) => svc.friendlyName === name,
    create: () =>
      client.messaging.v1.services.create({
        friendlyName: name,
        inboundRequestUrl: `${base}/api/isv/webhooks/twilio/inbound`,
        inboundMethod: 'POST',
        statusCallback: `${base}/api/isv/webhooks/twilio/status`,
        useInboundWebhookOnNumber: false,
      }),
    next: 'campaign',
    record: (svc) => (tx) => setCampaignTwilio(tx, brand.id, { messagingServiceSid: svc.sid }),
  });
}

async function campaign(s: StepContext): Promise<StepResult> {
  const { brand, request } = await inputs(s);
  const client = await s.subaccountClient();
  const serviceSid = ctxSid(s, 'messagingServiceSid');
  const brandSid = ctxSid(s, 'brandSid');
  const c = request.campaign;
  return adoptOrCreate(s, {
    key: 'campaignSid',
    resource: 'messaging.campaign',
    label: 'campaign',
    a2p: true,
    // One campaign per Messaging Service: whatever the service holds is ours.
    list: () => client.messaging.v1.services(serviceSid).usAppToPerson.list({ limit: 20 }),
    match: () => true,
    create: () =>
      client.messaging.v1.services(serviceSid).usAppToPerson.create({
        brandRegistrationSid: brandSid,
        description: c.description,
        messageFlow: c.messageFlow,
        messageSamples: c.sampleMessages,
        usAppToPersonUsecase: c.useCase,
        hasEmbeddedLinks: c.hasEmbeddedLinks,
        hasEmbeddedPhone: c.hasEmbeddedPhone,
        ...(c.optInMessage ? { optInMessage: c.optInMessage } : {}),
        ...(c.optOutMessage ? { optOutMessage: c.optOutMessage } : {}),
        ...(c.helpMessage ? { helpMessage: c.helpMessage } : {}),
        ...(c.optInKeywords ? { optInKeywords: c.optInKeywords } : {}),
        ...(c.privacyPolicyUrl ? { privacyPolicyUrl: c.privacyPolicyUrl } : {}),
        ...(c.termsUrl ? { termsAndConditionsUrl: c.termsUrl } : {}),
      }),
    next: 'wait_campaign',
    record: (k) => (tx) => setCampaignTwilio(tx, brand.id, { campaignSid: k.sid, status: 'submitted', twilioStatus: k.campaignStatus, countAttempt: true }),
  });
}

async function waitCampaign(s: StepContext): Promise<StepResult> {
  const { brand } = await inputs(s);
  const client = await s.subaccountClient();
  const serviceSid = ctxSid(s, 'messagingServiceSid');
  const sid = ctxSid(s, 'campaignSid');
  const k = await s.call('messaging.campaigns.fetch', () => client.messaging.v1.services(serviceSid).usAppToPerson(sid).fetch(), { a2p: true });
  // The connected account's sender shows the campaign's status as it goes.
  if (inConnectedAccount(s.flow)) await setSenderCampaignStatus(s.db, s.flow.customer_id, serviceSid, k.campaignStatus);
  if (k.campaignStatus === 'VERIFIED')
    return { type: 'goto', to: 'buy_number', message: 'The campaign is verified', record: (tx) => setCampaignTwilio(tx, brand.id, { status: 'verified', twilioStatus: k.campaignStatus, errors: null }) };
  if (k.campaignStatus === 'FAILED') {
    const list = (Array.isArray(k.errors) ? k.errors : []) as { error_code?: number; description?: string; fields?: string[] }[];
    // 30994: the brand's Authentication+ email verification is not finished. Nothing in the campaign is wrong:
    // the flow waits for the verification (the customer sees that step) and then submits the campaign again.
    if (list.some((e) => e.error_code === 30994)) {
      return {
        type: 'goto',
        to: 'wait_brand',
        message: "Twilio could not register the campaign because your brand's email verification is not finished; it is submitted again once the verification email is opened",
        data: { recovery: true, twilioCode: 30994 },
        patch: { campaignAfterBrand: 'recreate_campaign' },
      };
    }
    const error: FlowError = {
      code: 'campaign_failed',
      message: `Your campaign was rejected: ${plainReasons(list.map((e) => e.description))}. Change the campaign details and resubmit.`,
      twilioCode: typeof list[0]?.error_code === 'number' ? list[0].error_code : null,
      fields: mapTwilioFields(list.flatMap((e) => e.fields ?? [])),
    };
    return {
      type: 'park',
      status: 'action_required',
      waitingFor: 'customer_fix',
      message: error.message,
      error,
      patch: { fixState: 'recreate_campaign' },
      record: (tx) => setCampaignTwilio(tx, brand.id, { status: 'failed', twilioStatus: k.campaignStatus, errors: list }),
    };
  }
  return { type: 'poll', waitingFor: 'twilio:campaign_review', message: `Twilio is reviewing the campaign (${k.campaignStatus})`, waitingOnSid: serviceSid };
}

/** A failed campaign cannot be edited: delete it (if a crashed run did not already) and create it again. */
async function recreateCampaign(s: StepContext): Promise<StepResult> {
  const client = await s.subaccountClient();
  const serviceSid = ctxSid(s, 'messagingServiceSid');
  const existing = await s.call('messaging.campaigns.list', () => client.messaging.v1.services(serviceSid).usAppToPerson.list({ limit: 20 }), { a2p: true });
  for (const k of existing) await s.call('messaging.campaigns.remove', () => client.messaging.v1.services(serviceSid).usAppToPerson(k.sid).remove(), { a2p: true });
  return { type: 'goto', to: 'campaign', message: 'Removed the failed campaign to submit it again', patch: { campaignSid: null } };
}

/** A direct customer's service usually holds its numbers already: they are the campaign's (none bought). */
async function serviceNumbers(s: StepContext): Promise<StepResult | undefined> {
  const client = await s.subaccountClient();
  const serviceSid = ctxSid(s, 'messagingServiceSid');
  const pool = await s.call('messaging.service_numbers.list', () => client.messaging.v1.services(serviceSid).phoneNumbers.list({ limit: 400 }));
  if (!pool.length) return undefined;
  return {
    type: 'goto',
    to: 'done',
    message: `Your messaging service's numbers (${pool.map((p) => p.phoneNumber).join(', ')}) send under the campaign; A2P registration complete`,
    record: async (tx) => {
      for (const p of pool) await upsertNumber(tx, { customerId: s.flow.customer_id, phoneNumberSid: p.sid, phoneNumber: p.phoneNumber, messagingServiceSid: serviceSid });
    },
  };
}

async function buyNumber(s: StepContext): Promise<StepResult> {
  const { request } = await inputs(s);
  if (inConnectedAccount(s.flow)) {
    const own = await serviceNumbers(s);
    if (own) return own;
  }
  const client = await s.subaccountClient();
  const name = friendlyName(s.flow.customer_id, 'a2p');
  const pick = async (): Promise<string> => {
    // The area code is a preference: fall back to any US local number rather than stopping the onboarding.
    for (const areaCode of [request.areaCode, undefined]) {
      const found = await s.call('available_phone_numbers.list', () =>
        client.availablePhoneNumbers('US').local.list({ smsEnabled: true, limit: 20, ...(areaCode ? { areaCode: Number(areaCode) } : {}) }),
      );
      // A random pick among the offers keeps concurrent onboardings from racing for the same number.
      if (found.length) return found[Math.floor(Math.random() * found.length)]!.phoneNumber;
      if (!areaCode) break;
    }
    throw new Error('no US numbers available');
  };
  const buy = async () => {
    for (let attempt = 1; ; attempt++) {
      const phoneNumber = await pick();
      try {
        return await client.incomingPhoneNumbers.create({ phoneNumber, friendlyName: name });
      } catch (err) {
        // 21422: someone bought that number between our search and our purchase; search again.
        if ((err as { code?: unknown }).code === 21422 && attempt < 5) continue;
        throw err;
      }
    }
  };
  return adoptOrCreate(s, {
    key: 'phoneNumberSid',
    resource: 'incoming_phone_number',
    label: 'phone number',
    list: () => client.incomingPhoneNumbers.list({ friendlyName: name, limit: 20 }),
    match: (n) => n.friendlyName === name,
    create: buy,
    next: 'event_sink',
    patch: (n) => ({ phoneNumber: n.phoneNumber }),
    record: (n) => (tx) => upsertNumber(tx, { customerId: s.flow.customer_id, phoneNumberSid: n.sid, phoneNumber: n.phoneNumber, messagingServiceSid: null }),
  });
}

/**
 * The Event Streams sink + subscription in the customer's account, before the number joins the service: Twilio
 * reports the number's registration only as events to that account's subscriptions (a2p-watch/event-sink.ts).
 */
async function eventSink(s: StepContext): Promise<StepResult> {
  const client = await s.subaccountClient();
  const { sinkSid, subscriptionSid } = await ensureNumberRegistrationSink(client, (op, fn, opts) => s.call(op, fn, opts), s.config.publicBaseUrl);
  return { type: 'goto', to: 'attach_number', message: 'Subscribed to Twilio’s number-registration events', patch: { eventSinkSid: sinkSid, eventSubscriptionSid: subscriptionSid } };
}

async function attachNumber(s: StepContext): Promise<StepResult> {
  const client = await s.subaccountClient();
  const serviceSid = ctxSid(s, 'messagingServiceSid');
  const numberSid = ctxSid(s, 'phoneNumberSid');
  const phoneNumber = str(s.context.phoneNumber) ?? '';
  const pool = await s.call('messaging.service_numbers.list', () => client.messaging.v1.services(serviceSid).phoneNumbers.list({ limit: 400 }));
  if (!pool.some((p) => p.sid === numberSid)) {
    await s.call('messaging.service_numbers.create', () => client.messaging.v1.services(serviceSid).phoneNumbers.create({ phoneNumberSid: numberSid }));
  }
  return {
    type: 'goto',
    to: 'wait_number_registration',
    message: `Attached ${phoneNumber} to the messaging service; Twilio now registers it to the campaign`,
    patch: { numberSubmittedAt: s.now().toISOString() },
    record: (tx) => upsertNumber(tx, { customerId: s.flow.customer_id, phoneNumberSid: numberSid, phoneNumber, messagingServiceSid: serviceSid }),
  };
}

/** Twilio registers the number to the campaign separately; a failure is submitted again once, then an operator looks. */
export const NUMBER_REGISTRATION_RESUBMITS = 1;
/**
 * How long a number may stay pending (no event, or only .pending) before an operator looks: Twilio usually decides
 * within minutes to days; past this, a lost sink or a stuck review is the platform's to chase. The flow context's
 * `numberRegistrationTimeoutMs` overrides it.
 */
export const NUMBER_REGISTRATION_TIMEOUT_MS = 7 * 24 * 3600_000;

/**
 * The number's A2P registration, as Twilio's Event Streams number-registration events reported it (recorded by
 * the events webhook, which also wakes this flow). No Twilio call: the REST API does not expose it.
 */
async function waitNumberRegistration(s: StepContext): Promise<StepResult> {
  const numberSid = ctxSid(s, 'phoneNumberSid');
  const phoneNumber = str(s.context.phoneNumber) ?? numberSid;
  const reg = await findNumberRegistration(s.db, numberSid);
  if (reg?.status === 'registered') return { type: 'goto', to: 'done', message: `Twilio registered ${phoneNumber} to the campaign; A2P registration complete` };
  if (reg?.status === 'failed') {
    const resubmits = Number(s.context.numberResubmits ?? 0);
    if (resubmits < NUMBER_REGISTRATION_RESUBMITS) {
      return {
        type: 'goto',
        to: 'resubmit_number',
        message: `Twilio could not register ${phoneNumber} to the campaign (${reg.reason ?? 'no reason given'}); submitting it again`,
        data: { recovery: true },
        patch: { numberResubmits: resubmits + 1 },
      };
    }
    // Not the customer's to fix: the number and the campaign are the platform's.
    return needsAttention(
      s.flow.state,
      { reason: 'number_registration_failed', operation: 'a2p.number_registration', twilioCode: null, httpStatus: null, twilioMessage: `${phoneNumber} failed A2P registration again: ${reg.reason ?? 'no reason given'}` },
      s.now(),
    );
  }
  const since = Date.parse(str(s.context.numberSubmittedAt) ?? '');
  const limit = Number(s.context.numberRegistrationTimeoutMs ?? NUMBER_REGISTRATION_TIMEOUT_MS);
  if (Number.isFinite(since) && s.now().getTime() - since > limit) {
    const days = Math.round((limit / 86_400_000) * 10) / 10;
    return needsAttention(
      s.flow.state,
      { reason: 'number_registration_timeout', operation: 'a2p.number_registration', twilioCode: null, httpStatus: null, twilioMessage: `${phoneNumber} is still not registered to the campaign after ${days} days (no final Event Streams event; check the sink ${str(s.context.eventSinkSid) ?? 'unknown'} and the number's registration in the Console)` },
      s.now(),
    );
  }
  return { type: 'poll', waitingFor: 'twilio:number_registration', message: `Twilio is registering ${phoneNumber} to the campaign`, waitingOnSid: numberSid };
}

/** Submits a number again: out of the messaging service and back in, which starts a new registration. */
async function resubmitNumber(s: StepContext): Promise<StepResult> {
  const client = await s.subaccountClient();
  const serviceSid = ctxSid(s, 'messagingServiceSid');
  const numberSid = ctxSid(s, 'phoneNumberSid');
  const pool = await s.call('messaging.service_numbers.list', () => client.messaging.v1.services(serviceSid).phoneNumbers.list({ limit: 400 }));
  if (pool.some((p) => p.sid === numberSid)) {
    await s.call('messaging.service_numbers.remove', () => client.messaging.v1.services(serviceSid).phoneNumbers(numberSid).remove());
  }
  return { type: 'goto', to: 'attach_number', message: 'Took the number out of the messaging service to register it again', record: (tx) => resetNumberRegistration(tx, numberSid) };
}

// ------------------------------------------------------------------------------------------ the table

const base: Record<string, StateDef> = {
  awaiting_approval: { label: 'Waiting for an ISV admin to approve the brand and campaign details', to: [] },
  wait_for_subaccount: { label: 'Waiting for the subaccount', step: waitForAccount, to: ['primary_profile'] },
  primary_profile: { label: 'Checking the primary customer profile', step: primaryProfile, to: ['address', 'messaging_end_user'] },
  address: { label: 'Registering the business address', step: address, to: ['profile_end_user'], records: 'addressSid' },
  profile_end_user: { label: 'Registering the business information', step: profileEndUser, to: ['representative_end_user', 'address_document'], records: 'profileEndUserSid' },
  representative_end_user: { label: 'Registering the authorized representative', step: representativeEndUser, to: ['address_document'], records: 'representativeEndUserSid' },
  address_document: { label: 'Attaching the address document', step: addressDocument, to: ['customer_profile'], records: 'addressDocumentSid' },
  customer_profile: { label: 'Creating the customer profile', step: customerProfile, to: ['profile_assignments'], records: 'customerProfileSid' },
  profile_assignments: { label: 'Assembling the customer profile', step: (s) => assignments(s, 'customer', 'profile_evaluation'), to: ['profile_assignments', 'profile_evaluation'] },
  profile_evaluation: { label: 'Checking the customer profile', step: profileEvaluation, to: ['submit_profile', 'fix_profile', 'profile_assignments'] },
  submit_profile: { label: 'Submitting the customer profile', step: (s) => submitBundle(s, 'customer', 'wait_profile'), to: ['wait_profile'] },
  wait_profile: { label: 'Twilio is reviewing the customer profile', step: (s) => waitBundle(s, 'customer', 'messaging_end_user', 'fix_profile'), to: ['messaging_end_user', 'submit_profile', 'fix_profile'] },
  fix_profile: { label: 'Updating the customer profile with corrected details', step: fixProfile, to: ['fix_profile', 'profile_evaluation'] },
  messaging_end_user: { label: 'Registering the A2P messaging profile information', step: messagingEndUser, to: ['trust_product'], records: 'messagingEndUserSid' },
  trust_product: { label: 'Creating the A2P messaging profile', step: trustProduct, to: ['trust_product_assignments'], records: 'trustProductSid' },
  trust_product_assignments: { label: 'Assembling the A2P messaging profile', step: trustProductAssignments, to: ['trust_product_assignments', 'trust_product_evaluation'] },
  trust_product_evaluation: { label: 'Checking the A2P messaging profile', step: trustProductEvaluation, to: ['submit_trust_product', 'fix_trust_product', 'trust_product_assignments'] },
  submit_trust_product: { label: 'Submitting the A2P messaging profile', step: (s) => submitBundle(s, 'trust', 'wait_trust_product'), to: ['wait_trust_product'] },
  wait_trust_product: { label: 'Twilio is reviewing the A2P messaging profile', step: (s) => waitBundle(s, 'trust', 'brand', 'fix_trust_product'), to: ['brand', 'submit_trust_product', 'fix_trust_product'] },
  fix_trust_product: { label: 'Updating the A2P messaging profile', step: fixTrustProduct, to: ['trust_product_evaluation'] },
  brand: { label: 'Registering the brand', step: brandRegistration, to: ['wait_brand'], records: 'brandSid' },
  wait_brand: { label: 'Twilio is reviewing the brand', step: waitBrand, to: ['messaging_service', 'brand_otp', 'fix_brand', 'resend_brand_otp', 'brand_email', 'resend_brand_email', 'recreate_campaign'] },
  brand_email: { label: 'Waiting for a new verification email to be requested', to: ['resend_brand_email'] },
  resend_brand_email: { label: 'Sending a new verification email', step: resendBrandEmail, to: ['wait_brand'] },
  fix_brand: { label: 'Correcting the brand details', step: fixBrand, to: ['resubmit_brand'] },
  brand_otp: { label: 'Waiting for a new verification text to be requested', to: ['resend_brand_otp'] },
  resend_brand_otp: { label: 'Sending a new verification text', step: resendBrandOtp, to: ['wait_brand'] },
  resubmit_brand: { label: 'Resubmitting the brand', step: resubmitBrand, to: ['wait_brand'] },
  messaging_service: { label: 'Creating the messaging service', step: messagingService, to: ['campaign'], records: 'messagingServiceSid' },
  campaign: { label: 'Registering the campaign', step: campaign, to: ['wait_campaign'], records: 'campaignSid' },
  wait_campaign: { label: 'Twilio is reviewing the campaign', step: waitCampaign, to: ['buy_number', 'recreate_campaign', 'wait_brand'] },
  recreate_campaign: { label: 'Resubmitting the campaign', step: recreateCampaign, to: ['campaign'] },
  buy_number: { label: 'Choosing the phone number', step: buyNumber, to: ['event_sink', 'attach_number', 'done'], records: 'phoneNumberSid' },
  event_sink: { label: 'Subscribing to Twilio’s number-registration events', step: eventSink, to: ['attach_number'] },
  attach_number: { label: 'Attaching the number to the messaging service', step: attachNumber, to: ['wait_number_registration'] },
  wait_number_registration: { label: 'Twilio is registering the number to the campaign', step: waitNumberRegistration, to: ['done', 'resubmit_number'] },
  resubmit_number: { label: 'Registering the number again', step: resubmitNumber, to: ['attach_number'] },
  done: { label: 'A2P registration complete', to: [] },
};

// A customer may send new brand/campaign data from any unfinished state (it then waits for an admin again), and
// an admin's approval resumes wherever the flow stopped (or at the fix that state needs).
const resumable = Object.keys(base).filter((k) => k !== 'done' && k !== 'awaiting_approval');
for (const k of resumable) base[k] = { ...base[k]!, to: [...new Set([...base[k]!.to, 'awaiting_approval'])] };
base.awaiting_approval = { ...base.awaiting_approval!, to: resumable };

export const a2pFlow: FlowDefinition = {
  kind: 'a2p',
  initial: 'awaiting_approval',
  terminal: ['done'],
  order: [
    'awaiting_approval', 'wait_for_subaccount', 'primary_profile', 'address', 'profile_end_user', 'representative_end_user',
    'address_document', 'customer_profile', 'profile_assignments', 'profile_evaluation', 'submit_profile', 'wait_profile',
    'messaging_end_user', 'trust_product', 'trust_product_assignments', 'trust_product_evaluation', 'submit_trust_product',
    'wait_trust_product', 'brand', 'wait_brand', 'messaging_service', 'campaign', 'wait_campaign', 'buy_number', 'event_sink', 'attach_number', 'wait_number_registration', 'done',
  ],
  states: base,
};
