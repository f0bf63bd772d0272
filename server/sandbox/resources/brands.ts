// messaging.twilio.com a2p/BrandRegistrations in the sandbox (FACTS §6): create from two approved TrustHub bundles,
// review PENDING → IN_REVIEW → APPROVED | FAILED, resubmission of a FAILED brand, and the sole-proprietor OTP step.
import { defineModule, errors, iso, isSid, TwilioError, type SandboxApi, type StoredRecord, type Transition } from '../framework.ts';
import { POLICY } from './trusthub-policies.ts';
import { assignedEndUser, findBundle, KIND as TRUSTHUB_KIND, type BundleRecord } from './trusthub.ts';
import { isFreeMailAddress } from '../../../shared/free-mail.ts';

const HOST = 'messaging.twilio.com';
const BASE = `https://${HOST}/v1/a2p/BrandRegistrations`;

/** A company (business_name) or sole-proprietor brand name containing this word makes the brand FAILED (30701). */
export const BRAND_FAIL_TRIGGER = 'BRANDFAIL';
/** The OTP reply the sandbox treats as wrong (30752). */
/** A sole proprietor answers Twilio's verification text with YES within this window (DOCS errors/30752). */
export const OTP_REPLY_WINDOW_MS = 24 * 3600 * 1000;
/** Twilio allows three self-service resubmissions (DOCS /docs/api/errors/21724). */
const MAX_RESUBMISSIONS = 3;

export const BRAND_STATUSES = ['PENDING', 'IN_REVIEW', 'APPROVED', 'FAILED', 'SUSPENDED', 'DELETION_PENDING', 'DELETION_FAILED'] as const;
export type BrandStatus = (typeof BRAND_STATUSES)[number];

export interface BrandError {
  error_code: number;
  description: string;
  url: string;
  fields: string[];
}

export interface BrandRecord extends StoredRecord {
  customer_profile_bundle_sid: string;
  a2p_profile_bundle_sid: string;
  brand_type: 'STANDARD' | 'SOLE_PROPRIETOR';
  status: BrandStatus;
  tcr_id: string | null;
  errors: BrandError[];
  /** The spec's enum is not nullable, so a brand is UNVERIFIED until TCR (or the sole proprietor's OTP) verifies it. */
  identity_status: 'SELF_DECLARED' | 'UNVERIFIED' | 'VERIFIED' | 'VETTED_VERIFIED';
  brand_score: number | null;
  mock: boolean;
  skip_automatic_sec_vet: boolean;
  resubmissions: number;
  otp_sent_at: string | null;
  /**
   * Authentication+ (public companies): TCR emails the brand contact a verification link once the brand is
   * registered; until it is opened the brand is APPROVED with identity_status UNVERIFIED, and a campaign reviewed
   * meanwhile fails with 30994. `expired` carries error 21737 on the brand until a new email is asked for (2fa).
   */
  two_factor?: { status: 'pending' | 'verified' | 'expired'; email: string; sent_at: string; emails: number } | null;
  date_created: string;
  date_updated: string;
}

export const BRAND_KIND = 'brand';

export function renderBrand(b: BrandRecord): Record<string, unknown> {
  const url = `${BASE}/${b.sid}`;
  return {
    sid: b.sid,
    account_sid: b.account_sid,
    customer_profile_bundle_sid: b.customer_profile_bundle_sid,
    a2p_profile_bundle_sid: b.a2p_profile_bundle_sid,
    date_created: iso(b.date_created),
    date_updated: iso(b.date_updated),
    brand_type: b.brand_type,
    status: b.status,
    tcr_id: b.tcr_id,
    // Deprecated fields (FACTS §6): failure_reason mirrors the first error, brand_feedback stays null.
    failure_reason: b.errors[0]?.description ?? null,
    errors: b.errors,
    url,
    brand_score: b.brand_score,
    brand_feedback: null,
    identity_status: b.identity_status,
    russell_3000: false,
    government_entity: false,
    tax_exempt_status: null,
    skip_automatic_sec_vet: b.skip_automatic_sec_vet,
    mock: b.mock,
    links: { brand_vettings: `${url}/Vettings`, brand_registration_otps: `${url}/SmsOtp` },
  };
}

const POLICIES_FOR = {
  STANDARD: { customerProfile: POLICY.secondaryCustomerProfile, trustProduct: POLICY.a2pMessagingProfile },
  SOLE_PROPRIETOR: { customerProfile: POLICY.starterCustomerProfile, trustProduct: POLICY.soleProprietorTrustProduct },
} as const;

const tcrId = () => `B${Math.random().toString(36).slice(2, 8).toUpperCase().padEnd(6, 'X')}`;

/** The name TCR vets: the business name of a standard brand, the brand name of a sole proprietor. */
function companyName(api: SandboxApi, b: BrandRecord): { field: string; value: string } {
  if (b.brand_type === 'SOLE_PROPRIETOR') {
    const eu = assignedEndUser(api, b.a2p_profile_bundle_sid, 'sole_proprietor_information');
    return { field: 'brand_name', value: String(eu?.attributes.brand_name ?? '') };
  }
  const eu = assignedEndUser(api, b.customer_profile_bundle_sid, 'customer_profile_business_information');
  return { field: 'business_name', value: String(eu?.attributes.business_name ?? '') };
}

/** A public company's brand contact email (Authentication+ applies), or undefined for any other brand. */
function authenticationPlusContact(api: SandboxApi, b: BrandRecord): string | undefined {
  const profile = assignedEndUser(api, b.a2p_profile_bundle_sid, 'us_a2p_messaging_profile_information');
  return profile?.attributes.company_type === 'public' ? String(profile.attributes.brand_contact_email ?? '') : undefined;
}

/** Authentication+ 2FA codes that mean the verification is over and a new email must be asked for. */
const TWO_FACTOR_EXPIRED = { error_code: 21737, description: '2FA Verification Expired: the verification link expired before it was used. Ask for a new verification email and open it.', url: 'https://www.twilio.com/docs/api/errors/21737', fields: ['brand_contact_email'] };

export const brandsModule = defineModule('brands', (api) => {
  const now = () => api.now().toISOString();
  const update = (sid: string, patch: Partial<BrandRecord>) =>
    api.state.update<BrandRecord>(BRAND_KIND, sid, { ...patch, date_updated: now() });

  api.route('POST', HOST, '/v1/a2p/BrandRegistrations', (ctx) => {
    const cpSid = ctx.required('CustomerProfileBundleSid');
    const tpSid = ctx.required('A2PProfileBundleSid');
    const brandType = ctx.param('BrandType') ?? 'STANDARD';
    const mock = ctx.bool('Mock') ?? false;
    const skipSecVet = ctx.bool('SkipAutomaticSecVet') ?? false;
    if (!isSid('BU', cpSid)) throw errors.invalidParam('CustomerProfileBundleSid', 'must be a BU SID');
    if (!isSid('BU', tpSid)) throw errors.invalidParam('A2PProfileBundleSid', 'must be a BU SID');
    if (brandType !== 'STANDARD' && brandType !== 'SOLE_PROPRIETOR') {
      throw errors.invalidParam('BrandType', 'must be STANDARD or SOLE_PROPRIETOR');
    }
    const expected = POLICIES_FOR[brandType];
    const check = (param: string, kind: 'customer_profile' | 'trust_product', sid: string, policySid: string): BundleRecord => {
      const bundle = findBundle(api, kind, sid);
      // Bundles are only usable by the account that owns them (subaccount credentials, FACTS §0).
      if (!bundle || bundle.account_sid !== ctx.accountSid) {
        throw errors.invalidParam(param, `${sid} is not a ${kind === 'customer_profile' ? 'customer profile' : 'trust product'} of this account`);
      }
      if (bundle.policy_sid !== policySid) throw errors.invalidParam(param, `${sid} has policy ${bundle.policy_sid}; a ${brandType} brand needs ${policySid}`);
      if (bundle.status !== 'twilio-approved') throw errors.invalidParam(param, `${sid} is ${bundle.status}; it must be twilio-approved`);
      return bundle;
    };
    check('CustomerProfileBundleSid', 'customer_profile', cpSid, expected.customerProfile);
    check('A2PProfileBundleSid', 'trust_product', tpSid, expected.trustProduct);
    const linked = api.state.list<StoredRecord & { bundle_sid: string; object_sid: string }>(
      TRUSTHUB_KIND.assignment,
      (a) => a.bundle_sid === tpSid && a.object_sid === cpSid,
    );
    if (linked.length === 0) throw errors.invalidParam('A2PProfileBundleSid', `${tpSid} does not have customer profile ${cpSid} assigned`);
    // Authentication+: a public company's brand contact must be on its own domain (21740).
    const profile = assignedEndUser(api, tpSid, 'us_a2p_messaging_profile_information');
    const contact = String(profile?.attributes.brand_contact_email ?? '');
    if (profile?.attributes.company_type === 'public' && isFreeMailAddress(contact)) {
      throw new TwilioError(400, 21740, `Invalid Brand Contact Email Domain: ${contact.split('@').pop()} is not acceptable for Authentication+; use an address on the company's own domain`);
    }
    const existing = ctx.ownList<BrandRecord>(BRAND_KIND, (b) => b.customer_profile_bundle_sid === cpSid);
    if (existing.length) {
      throw new TwilioError(400, 20001, `Brand ${existing[0]!.sid} already exists for customer profile ${cpSid}; fetch it or resubmit it instead`);
    }
    const at = now();
    const rec: BrandRecord = {
      sid: api.sid('BN'),
      account_sid: ctx.accountSid,
      customer_profile_bundle_sid: cpSid,
      a2p_profile_bundle_sid: tpSid,
      brand_type: brandType,
      status: 'PENDING',
      tcr_id: null,
      errors: [],
      identity_status: 'UNVERIFIED',
      brand_score: null,
      mock,
      skip_automatic_sec_vet: skipSecVet,
      resubmissions: 0,
      otp_sent_at: null,
      date_created: at,
      date_updated: at,
    };
    api.state.insert(BRAND_KIND, rec);
    api.schedule('brand.review', rec.sid);
    return ctx.created(renderBrand(rec));
  });

  api.route('GET', HOST, '/v1/a2p/BrandRegistrations', (ctx) => ctx.ok(api.pageV1(ctx, 'data', ctx.ownList<BrandRecord>(BRAND_KIND).map(renderBrand))));

  api.route('GET', HOST, '/v1/a2p/BrandRegistrations/{Sid}', (ctx) => ctx.ok(renderBrand(ctx.owned<BrandRecord>(BRAND_KIND, ctx.path.Sid))));

  // Resubmission: no body, 202, only while FAILED (21725); the review re-reads the (corrected) bundles.
  api.route('POST', HOST, '/v1/a2p/BrandRegistrations/{Sid}', (ctx) => {
    const brand = ctx.owned<BrandRecord>(BRAND_KIND, ctx.path.Sid);
    if (brand.status !== 'FAILED') {
      throw new TwilioError(400, 21725, `Brand ${brand.sid} can only be updated when its status is FAILED (it is ${brand.status})`);
    }
    if (brand.resubmissions >= MAX_RESUBMISSIONS) {
      throw new TwilioError(400, 21724, `Brand ${brand.sid} has reached the limit of ${MAX_RESUBMISSIONS} updates`);
    }
    const updated = update(brand.sid, { status: 'PENDING', errors: [], resubmissions: brand.resubmissions + 1 });
    api.cancelTransitions(brand.sid, 'brand.review');
    api.schedule('brand.review', brand.sid);
    return ctx.accepted(renderBrand(updated));
  });

  // Sole proprietor: (re)send the OTP to the mobile number of the sole proprietor (FACTS §6).
  api.route('POST', HOST, '/v1/a2p/BrandRegistrations/{BrandRegistrationSid}/SmsOtp', (ctx) => {
    const brand = ctx.owned<BrandRecord>(BRAND_KIND, ctx.path.BrandRegistrationSid);
    if (brand.brand_type !== 'SOLE_PROPRIETOR') throw new TwilioError(400, 20001, `Brand ${brand.sid} is not a SOLE_PROPRIETOR brand`);
    if (brand.status !== 'APPROVED' || brand.identity_status !== 'UNVERIFIED') {
      throw new TwilioError(400, 20001, `Brand ${brand.sid} is not waiting for OTP verification (status ${brand.status}, identity ${brand.identity_status})`);
    }
    update(brand.sid, { otp_sent_at: now() });
    return ctx.created({ account_sid: brand.account_sid, brand_registration_sid: brand.sid });
  });

  // Authentication+: a new 2FA verification email to the brand contact (DOCS /docs/messaging/api/brand-2fa-verify).
  api.route('POST', HOST, '/v1/a2p/BrandRegistrations/{BrandSid}/2fa', (ctx) => {
    const brand = ctx.owned<BrandRecord>(BRAND_KIND, ctx.path.BrandSid);
    const tf = brand.two_factor;
    if (!tf || tf.status === 'verified') {
      throw new TwilioError(400, 20001, `Brand ${brand.sid} is not waiting for an Authentication+ verification (2FA ${tf?.status ?? 'not required'})`);
    }
    const at = now();
    const updated = update(brand.sid, {
      two_factor: { ...tf, status: 'pending', sent_at: at, emails: tf.emails + 1 },
      errors: brand.errors.filter((e) => e.error_code !== TWO_FACTOR_EXPIRED.error_code),
    });
    return ctx.created({ account_sid: updated.account_sid, brand_sid: updated.sid, date_created: iso(at), url: `${BASE}/${updated.sid}/2fa` });
  });

  // Sandbox control: the brand contact opens the Authentication+ email (`result: "verified"`), or lets it expire
  // (`"expired"`: error 21737 on the brand until a new email is asked for).
  api.control('POST', '/sandbox/brands/2fa', (req) => {
    const sid = req.field('brand_sid');
    const result = req.field('result');
    if (!sid) throw errors.missingParam('brand_sid');
    if (result !== 'verified' && result !== 'expired') throw errors.invalidParam('result', 'must be verified or expired');
    const brand = api.state.get<BrandRecord>(BRAND_KIND, sid);
    if (!brand) throw errors.notFound(`/sandbox/brands/2fa ${sid}`);
    if (brand.two_factor?.status !== 'pending') throw new TwilioError(409, 20001, `Brand ${sid} has no Authentication+ verification email waiting to be opened`);
    if (result === 'verified') {
      return { status: 200, body: renderBrand(update(sid, { identity_status: 'VERIFIED', two_factor: { ...brand.two_factor, status: 'verified' } })) };
    }
    return { status: 200, body: renderBrand(update(sid, { two_factor: { ...brand.two_factor, status: 'expired' }, errors: [...brand.errors, TWO_FACTOR_EXPIRED] })) };
  });

  api.onTransition('brand.review', (t: Transition) => {
    const brand = api.state.get<BrandRecord>(BRAND_KIND, t.sid);
    if (!brand) return;
    if (brand.status === 'PENDING') {
      update(brand.sid, { status: 'IN_REVIEW' });
      api.schedule('brand.review', brand.sid);
      return;
    }
    if (brand.status !== 'IN_REVIEW') return; // GUARD: late step for a brand already decided.
    const name = companyName(api, brand);
    if (name.value.includes(BRAND_FAIL_TRIGGER)) {
      update(brand.sid, {
        status: 'FAILED',
        identity_status: 'UNVERIFIED',
        errors: [
          {
            error_code: 30701,
            description: `The ${name.field === 'brand_name' ? 'brand name' : 'legal company name'} could not be verified against the registration records. Correct it in the TrustHub bundle and resubmit the brand.`,
            url: 'https://www.twilio.com/docs/api/errors/30701',
            fields: [name.field],
          },
        ],
      });
      return;
    }
    // A sole proprietor's brand is registered UNVERIFIED; Twilio then texts the OTP to the mobile number and the
    // brand becomes VERIFIED when its owner replies (DOCS /docs/api/errors/30752). A public company's brand is
    // registered too, but stays UNVERIFIED until its contact opens the Authentication+ email (DOCS
    // /docs/messaging/api/brand-2fa-verify, /docs/api/errors/30994).
    const sole = brand.brand_type === 'SOLE_PROPRIETOR';
    const authPlus = !sole ? authenticationPlusContact(api, brand) : undefined;
    update(brand.sid, {
      status: 'APPROVED',
      errors: [],
      tcr_id: tcrId(),
      brand_score: sole ? null : 75,
      identity_status: sole || authPlus ? 'UNVERIFIED' : 'VERIFIED',
      otp_sent_at: sole ? now() : null,
      two_factor: authPlus ? { status: 'pending', email: authPlus, sent_at: now(), emails: 1 } : null,
    });
  });

  // Sandbox control: the sole proprietor's reply to Twilio's verification text (DOCS errors/30752). Body:
  // brand_sid, reply. "YES" (any case) within 24 hours of the latest text verifies the brand; a reply after that
  // is too late (30752, the brand keeps the error until a new text is answered); any other reply changes nothing.
  api.control('POST', '/sandbox/brands/otp', (req) => {
    const sid = req.field('brand_sid') ?? req.field('BrandRegistrationSid');
    const reply = req.field('reply');
    if (!sid) throw errors.missingParam('brand_sid');
    if (reply === undefined) throw errors.missingParam('reply');
    const brand = api.state.get<BrandRecord>(BRAND_KIND, sid);
    if (!brand) throw errors.notFound(`/sandbox/brands/otp ${sid}`);
    if (brand.brand_type !== 'SOLE_PROPRIETOR' || brand.status !== 'APPROVED' || brand.identity_status !== 'UNVERIFIED') {
      throw new TwilioError(409, 20001, `Brand ${sid} is not waiting for a reply to its verification text`);
    }
    if (reply.trim().toUpperCase() !== 'YES') return { status: 200, body: renderBrand(brand) };
    const others = brand.errors.filter((e) => e.error_code !== 30752);
    const sentAt = brand.otp_sent_at ? Date.parse(brand.otp_sent_at) : 0;
    if (api.now().getTime() - sentAt > OTP_REPLY_WINDOW_MS) {
      update(brand.sid, {
        errors: [
          ...others,
          {
            error_code: 30752,
            description: 'Brand Registration Failure: the verification text expired before it was answered. Request a new text (SmsOtp) and reply YES within 24 hours.',
            url: 'https://www.twilio.com/docs/api/errors/30752',
            fields: ['mobile_phone_number'],
          },
        ],
      });
      throw new TwilioError(400, 30752, 'The verification text expired; request a new one');
    }
    return { status: 200, body: renderBrand(update(brand.sid, { identity_status: 'VERIFIED', errors: others })) };
  });
});
