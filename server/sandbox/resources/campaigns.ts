// messaging.twilio.com Services/{sid}/Compliance/Usa2p in the sandbox (FACTS §6): one A2P campaign per Messaging
// Service, validated like Twilio, reviewed IN_PROGRESS → VERIFIED | FAILED; VERIFIED marks the service registered.
import { defineModule, errors, iso, isSid, TwilioError, type Ctx, type StoredRecord, type Transition } from '../framework.ts';
import { BRAND_KIND, type BrandRecord } from './brands.ts';
import { campaignVerified } from './number-registration.ts';

const HOST = 'messaging.twilio.com';

/** Twilio's campaign SID is a constant naming the US A2P compliance type (FACTS §6). */
export const CAMPAIGN_SID = 'QE2c6890da8086d771620e9b13fadeba0b';
/** Description, message flow or a sample containing this word makes the campaign FAILED (30897). */
export const CAMPAIGN_FAIL_TRIGGER = 'CAMPAIGNFAIL';
/** S1's Messaging Service records; the campaign sets their `us_app_to_person_registered`. */
const SERVICE_KIND = 'service';
/**
 * Stored under the Messaging Service SID (one campaign per service), because every campaign shares CAMPAIGN_SID.
 */
export const CAMPAIGN_KIND = 'us_app_to_person';
/** Twilio's campaign_status values the sandbox knows (not an enum in the spec; FACTS §6). */
export const CAMPAIGN_STATUSES = ['PENDING', 'IN_PROGRESS', 'VERIFIED', 'FAILED', 'SUSPENDED', 'EXPIRED'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export interface CampaignError {
  error_code: number;
  description: string;
  url: string;
  fields: string[];
}

export interface CampaignRecord extends StoredRecord {
  brand_registration_sid: string;
  messaging_service_sid: string;
  description: string;
  message_samples: string[];
  us_app_to_person_usecase: string;
  has_embedded_links: boolean;
  has_embedded_phone: boolean;
  subscriber_opt_in: boolean;
  age_gated: boolean;
  direct_lending: boolean;
  campaign_status: CampaignStatus;
  campaign_id: string | null;
  rate_limits: Record<string, unknown> | null;
  message_flow: string;
  opt_in_message: string | null;
  opt_out_message: string | null;
  help_message: string | null;
  opt_in_keywords: string[];
  opt_out_keywords: string[];
  help_keywords: string[];
  /** Present only when the request carried the v2 fields (the spec's second response version). */
  privacy_policy_url?: string | null;
  terms_and_conditions_url?: string | null;
  mock: boolean;
  errors: CampaignError[];
  date_created: string;
  date_updated: string;
}

/** The spec's use-case list (Usecases example); SOLE_PROPRIETOR is the only one for a sole-proprietor brand. */
export const STANDARD_USECASES = [
  { code: '2FA', name: 'Two-Factor authentication (2FA)', description: 'Two-Factor authentication, one-time use password, password reset', post_approval_required: false },
  { code: 'ACCOUNT_NOTIFICATION', name: 'Account Notification', description: 'All reminders, alerts, and notifications. (Examples include: flight delayed, hotel booked, appointment reminders.)', post_approval_required: false },
  { code: 'AGENTS_FRANCHISES', name: 'Agents and Franchises', description: 'For brands that have multiple agents, franchises or offices in the same brand vertical, but require individual localised numbers per agent/location/office.', post_approval_required: true },
  { code: 'CHARITY', name: 'Charity', description: 'Includes:  5013C Charity\nDoes not include: Religious organizations', post_approval_required: false },
  { code: 'PROXY', name: 'Proxy', description: 'Peer-to-peer app-based group messaging with proxy/pooled numbers', post_approval_required: true },
  { code: 'CUSTOMER_CARE', name: 'Customer Care', description: 'All customer care messaging, including account management and support', post_approval_required: false },
  { code: 'DELIVERY_NOTIFICATION', name: 'Delivery Notification', description: 'Information about the status of the delivery of a product or service', post_approval_required: false },
  { code: 'EMERGENCY', name: 'Emergency', description: 'Notification services designed to support public safety / health during natural disasters, armed conflicts, pandemics and other national or regional emergencies', post_approval_required: true },
  { code: 'FRAUD_ALERT', name: 'Fraud Alert Messaging', description: 'Fraud alert notification', post_approval_required: false },
  { code: 'HIGHER_EDUCATION', name: 'Higher Education', description: 'For campaigns created on behalf of Colleges or Universities and will also include School Districts etc that fall outside of any "free to the consumer" messaging model', post_approval_required: false },
  { code: 'K12_EDUCATION', name: 'K-12 Education', description: 'Campaigns created for messaging platforms that support schools from grades K-12 and distance learning centers. This is not for Post-Secondary schools.', post_approval_required: true },
  { code: 'LOW_VOLUME', name: 'Low Volume Mixed', description: 'Low throughput, any combination of use-cases. Examples include:  test, demo accounts', post_approval_required: false },
  { code: 'MARKETING', name: 'Marketing', description: 'Any communication with marketing and/or promotional content', post_approval_required: false },
  { code: 'MIXED', name: 'Mixed', description: 'Mixed messaging reserved for specific consumer service industry', post_approval_required: false },
  { code: 'POLITICAL', name: 'Political', description: 'Part of organized effort to influence decision making of specific group. All campaigns to be verified', post_approval_required: false },
  { code: 'POLLING_VOTING', name: 'Polling and voting', description: 'Polling and voting', post_approval_required: false },
  { code: 'PUBLIC_SERVICE_ANNOUNCEMENT', name: 'Public Service Announcement', description: 'An informational message that is meant to raise the audience awareness about an important issue', post_approval_required: false },
  { code: 'SECURITY_ALERT', name: 'Security Alert', description: 'A notification that the security of a system, either software or hardware, has been compromised in some way and there is an action you need to take', post_approval_required: false },
  { code: 'SOCIAL', name: 'Social', description: 'Communication within or between closed communities (For example: influencers alerts)', post_approval_required: true },
  { code: 'SWEEPSTAKE', name: 'Sweepstake', description: 'Sweepstake', post_approval_required: true },
];
export const SOLE_PROPRIETOR_USECASE = {
  code: 'SOLE_PROPRIETOR',
  name: 'Sole Proprietor',
  description: 'Limited to sole proprietor brands: one campaign per brand, one phone number, low throughput',
  post_approval_required: false,
};

// Twilio's defaults when the campaign leaves keyword handling to Default Opt-Out (spec example createWithDefaults).
const DEFAULTS = {
  opt_in_keywords: ['START'],
  opt_out_keywords: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT'],
  help_keywords: ['HELP', 'INFO'],
  opt_out_message: 'You have successfully been unsubscribed. You will not receive any more messages from this number. Reply START to resubscribe.',
  help_message: 'Reply STOP to unsubscribe. Msg&Data Rates May Apply.',
};

export function renderCampaign(c: CampaignRecord): Record<string, unknown> {
  return {
    sid: CAMPAIGN_SID,
    account_sid: c.account_sid,
    brand_registration_sid: c.brand_registration_sid,
    messaging_service_sid: c.messaging_service_sid,
    description: c.description,
    message_samples: c.message_samples,
    us_app_to_person_usecase: c.us_app_to_person_usecase,
    has_embedded_links: c.has_embedded_links,
    has_embedded_phone: c.has_embedded_phone,
    subscriber_opt_in: c.subscriber_opt_in,
    age_gated: c.age_gated,
    direct_lending: c.direct_lending,
    campaign_status: c.campaign_status,
    campaign_id: c.campaign_id,
    is_externally_registered: false,
    rate_limits: c.rate_limits,
    message_flow: c.message_flow,
    opt_in_message: c.opt_in_message,
    opt_out_message: c.opt_out_message,
    help_message: c.help_message,
    opt_in_keywords: c.opt_in_keywords,
    opt_out_keywords: c.opt_out_keywords,
    help_keywords: c.help_keywords,
    ...('privacy_policy_url' in c ? { privacy_policy_url: c.privacy_policy_url ?? null, terms_and_conditions_url: c.terms_and_conditions_url ?? null } : {}),
    date_created: iso(c.date_created),
    date_updated: iso(c.date_updated),
    url: `https://${HOST}/v1/Services/${c.messaging_service_sid}/Compliance/Usa2p/${CAMPAIGN_SID}`,
    mock: c.mock,
    errors: c.errors,
  };
}

const lengthBetween = (ctx: Ctx, name: string, value: string, min: number, max: number) => {
  if (value.length < min || value.length > max) throw errors.invalidParam(name, `must be ${min} to ${max} characters (got ${value.length})`);
};

function optionalText(ctx: Ctx, name: string, min: number, max: number): string | null {
  const v = ctx.param(name);
  if (v === undefined || v === '') return null;
  lengthBetween(ctx, name, v, min, max);
  return v;
}

function keywords(ctx: Ctx, name: string): string[] | undefined {
  const values = ctx.params(name).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  if (values.length === 0) return undefined;
  for (const k of values) {
    if (!/^[A-Za-z0-9]+$/.test(k) || k.length > 255) throw errors.invalidParam(name, `keyword ${k} must be alphanumeric and at most 255 characters`);
  }
  return values;
}

function url(ctx: Ctx, name: string): string | null | undefined {
  const v = ctx.param(name);
  if (v === undefined) return undefined;
  if (v === '') return null;
  try {
    const u = new URL(v);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw errors.invalidParam(name, 'must be an http(s) URL');
  }
  return v;
}

const campaignId = () => `C${Math.random().toString(36).slice(2, 8).toUpperCase().padEnd(6, 'X')}`;

export const campaignsModule = defineModule('campaigns', (api) => {
  const now = () => api.now().toISOString();
  const base = '/v1/Services/{MessagingServiceSid}/Compliance/Usa2p';

  const service = (ctx: Ctx) => ctx.owned(SERVICE_KIND, ctx.path.MessagingServiceSid);
  const setRegistered = (serviceSid: string, registered: boolean) => {
    if (api.state.get(SERVICE_KIND, serviceSid)) {
      api.state.update(SERVICE_KIND, serviceSid, { us_app_to_person_registered: registered, date_updated: now() });
    }
  };
  const ownedCampaign = (ctx: Ctx): CampaignRecord => {
    const svc = service(ctx);
    if (ctx.path.Sid !== CAMPAIGN_SID) throw errors.notFound(ctx.pathname);
    return ctx.owned<CampaignRecord>(CAMPAIGN_KIND, svc.sid);
  };

  api.route('POST', HOST, base, (ctx) => {
    const svc = service(ctx);
    const brandSid = ctx.required('BrandRegistrationSid');
    const description = ctx.required('Description');
    const messageFlow = ctx.required('MessageFlow');
    const samples = ctx.params('MessageSamples').filter((s) => s !== '');
    if (samples.length === 0) throw errors.missingParam('MessageSamples');
    const usecase = ctx.required('UsAppToPersonUsecase');
    ctx.required('HasEmbeddedLinks');
    ctx.required('HasEmbeddedPhone');
    const hasLinks = ctx.bool('HasEmbeddedLinks')!;
    const hasPhone = ctx.bool('HasEmbeddedPhone')!;
    if (!isSid('BN', brandSid)) throw errors.invalidParam('BrandRegistrationSid', 'must be a BN SID');
    lengthBetween(ctx, 'Description', description, 40, 4096);
    lengthBetween(ctx, 'MessageFlow', messageFlow, 40, 2048);
    if (samples.length < 2 || samples.length > 5) throw errors.invalidParam('MessageSamples', `needs 2 to 5 samples (got ${samples.length})`);
    samples.forEach((s, i) => lengthBetween(ctx, `MessageSamples[${i}]`, s, 20, 1024));
    const optInMessage = optionalText(ctx, 'OptInMessage', 20, 320);
    const optOutMessage = optionalText(ctx, 'OptOutMessage', 20, 320);
    const helpMessage = optionalText(ctx, 'HelpMessage', 20, 320);
    const optIn = keywords(ctx, 'OptInKeywords');
    const optOut = keywords(ctx, 'OptOutKeywords');
    const help = keywords(ctx, 'HelpKeywords');
    const subscriberOptIn = ctx.bool('SubscriberOptIn') ?? false;
    const ageGated = ctx.bool('AgeGated') ?? false;
    const directLending = ctx.bool('DirectLending') ?? false;
    const privacy = url(ctx, 'PrivacyPolicyUrl');
    const terms = url(ctx, 'TermsAndConditionsUrl');

    const brand = api.state.get<BrandRecord>(BRAND_KIND, brandSid);
    if (!brand || brand.account_sid !== ctx.accountSid) throw errors.invalidParam('BrandRegistrationSid', `${brandSid} is not a brand of this account`);
    if (brand.status !== 'APPROVED') throw errors.invalidParam('BrandRegistrationSid', `brand ${brandSid} is ${brand.status}; it must be APPROVED`);
    if (brand.brand_type === 'SOLE_PROPRIETOR') {
      if (brand.identity_status !== 'VERIFIED') throw errors.invalidParam('BrandRegistrationSid', `sole proprietor brand ${brandSid} has not completed OTP verification`);
      if (usecase !== SOLE_PROPRIETOR_USECASE.code) throw errors.invalidParam('UsAppToPersonUsecase', 'a sole proprietor brand only allows SOLE_PROPRIETOR');
      const other = api.state.list<CampaignRecord>(CAMPAIGN_KIND, (c) => c.brand_registration_sid === brandSid);
      if (other.length) throw errors.invalidParam('BrandRegistrationSid', `sole proprietor brand ${brandSid} already has a campaign (service ${other[0]!.messaging_service_sid})`);
    } else if (!STANDARD_USECASES.some((u) => u.code === usecase)) {
      throw errors.invalidParam('UsAppToPersonUsecase', `${usecase} is not a use case of this brand; see Compliance/Usa2p/Usecases`);
    }
    const existing = api.state.get<CampaignRecord>(CAMPAIGN_KIND, svc.sid);
    if (existing) throw new TwilioError(400, 20001, `Messaging Service ${svc.sid} already has an A2P campaign; delete it before creating another`);

    const at = now();
    const rec: CampaignRecord = {
      sid: svc.sid,
      account_sid: ctx.accountSid,
      brand_registration_sid: brandSid,
      messaging_service_sid: svc.sid,
      description,
      message_samples: samples,
      us_app_to_person_usecase: usecase,
      has_embedded_links: hasLinks,
      has_embedded_phone: hasPhone,
      subscriber_opt_in: subscriberOptIn,
      age_gated: ageGated,
      direct_lending: directLending,
      campaign_status: 'IN_PROGRESS',
      campaign_id: null,
      rate_limits: null,
      message_flow: messageFlow,
      opt_in_message: optInMessage,
      opt_out_message: optOutMessage ?? DEFAULTS.opt_out_message,
      help_message: helpMessage ?? DEFAULTS.help_message,
      opt_in_keywords: optIn ?? DEFAULTS.opt_in_keywords,
      opt_out_keywords: optOut ?? DEFAULTS.opt_out_keywords,
      help_keywords: help ?? DEFAULTS.help_keywords,
      ...(privacy !== undefined || terms !== undefined ? { privacy_policy_url: privacy ?? null, terms_and_conditions_url: terms ?? null } : {}),
      mock: brand.mock,
      errors: [],
      date_created: at,
      date_updated: at,
    };
    api.state.insert(CAMPAIGN_KIND, rec);
    api.schedule('campaign.review', svc.sid);
    return ctx.created(renderCampaign(rec));
  });

  api.route('GET', HOST, base, (ctx) => {
    const svc = service(ctx);
    return ctx.ok(api.pageV1(ctx, 'compliance', ctx.ownList<CampaignRecord>(CAMPAIGN_KIND, (c) => c.messaging_service_sid === svc.sid).map(renderCampaign)));
  });

  api.route('GET', HOST, `${base}/Usecases`, (ctx) => {
    service(ctx);
    const brandSid = ctx.param('BrandRegistrationSid');
    if (brandSid !== undefined) {
      const brand = ctx.owned<BrandRecord>(BRAND_KIND, brandSid);
      if (brand.brand_type === 'SOLE_PROPRIETOR') return ctx.ok({ us_app_to_person_usecases: [SOLE_PROPRIETOR_USECASE] });
    }
    return ctx.ok({ us_app_to_person_usecases: STANDARD_USECASES });
  });

  api.route('GET', HOST, `${base}/{Sid}`, (ctx) => ctx.ok(renderCampaign(ownedCampaign(ctx))));

  // Campaign edit (Twilio's "edit a FAILED campaign"): the spec's required fields, then a new review.
  api.route('POST', HOST, `${base}/{Sid}`, (ctx) => {
    const c = ownedCampaign(ctx);
    ctx.required('HasEmbeddedLinks');
    ctx.required('HasEmbeddedPhone');
    const description = ctx.required('Description');
    const messageFlow = ctx.required('MessageFlow');
    const samples = ctx.params('MessageSamples').filter((x) => x !== '');
    if (samples.length === 0) throw errors.missingParam('MessageSamples');
    ctx.required('AgeGated');
    ctx.required('DirectLending');
    const hasLinks = ctx.bool('HasEmbeddedLinks')!;
    const hasPhone = ctx.bool('HasEmbeddedPhone')!;
    const ageGated = ctx.bool('AgeGated')!;
    const directLending = ctx.bool('DirectLending')!;
    lengthBetween(ctx, 'Description', description, 40, 4096);
    lengthBetween(ctx, 'MessageFlow', messageFlow, 40, 2048);
    if (samples.length < 2 || samples.length > 5) throw errors.invalidParam('MessageSamples', `needs 2 to 5 samples (got ${samples.length})`);
    samples.forEach((x, i) => lengthBetween(ctx, `MessageSamples[${i}]`, x, 20, 1024));
    if (c.campaign_status !== 'FAILED') {
      throw new TwilioError(400, 20001, `Campaign of ${c.messaging_service_sid} is ${c.campaign_status}; only a FAILED campaign can be edited`);
    }
    const updated = api.state.update<CampaignRecord>(CAMPAIGN_KIND, c.sid, {
      description,
      message_flow: messageFlow,
      message_samples: samples,
      has_embedded_links: hasLinks,
      has_embedded_phone: hasPhone,
      age_gated: ageGated,
      direct_lending: directLending,
      campaign_status: 'IN_PROGRESS',
      errors: [],
      date_updated: now(),
    });
    api.cancelTransitions(c.sid, 'campaign.review');
    api.schedule('campaign.review', c.sid);
    return ctx.ok(renderCampaign(updated));
  });

  api.route('DELETE', HOST, `${base}/{Sid}`, (ctx) => {
    const campaign = ownedCampaign(ctx);
    api.cancelTransitions(campaign.sid, 'campaign.review');
    api.state.remove(CAMPAIGN_KIND, campaign.sid);
    setRegistered(campaign.messaging_service_sid, false);
    return ctx.noContent();
  });

  api.onTransition('campaign.review', (t: Transition) => {
    const c = api.state.get<CampaignRecord>(CAMPAIGN_KIND, t.sid);
    if (!c || c.campaign_status !== 'IN_PROGRESS') return; // GUARD: deleted or already decided.
    const fields = [
      ['DESCRIPTION', c.description],
      ['MESSAGE_FLOW', c.message_flow],
      ['MESSAGE_SAMPLES', c.message_samples.join('\n')],
    ]
      .filter(([, text]) => text!.includes(CAMPAIGN_FAIL_TRIGGER))
      .map(([field]) => field!);
    // Authentication+ not finished: the brand is still pending its contact's email verification (30994).
    const brand = api.state.get<BrandRecord>(BRAND_KIND, c.brand_registration_sid);
    if (brand?.two_factor && brand.two_factor.status !== 'verified') {
      api.state.update<CampaignRecord>(CAMPAIGN_KIND, c.sid, {
        campaign_status: 'FAILED',
        date_updated: now(),
        errors: [
          {
            error_code: 30994,
            description: "Campaign Registration failed due to its brand being in a pending state: the brand contact has not completed the Authentication+ 2FA email verification.",
            url: 'https://www.twilio.com/docs/api/errors/30994',
            fields: [],
          },
        ],
      });
      return;
    }
    if (fields.length) {
      api.state.update<CampaignRecord>(CAMPAIGN_KIND, c.sid, {
        campaign_status: 'FAILED',
        date_updated: now(),
        errors: [
          {
            error_code: 30897,
            description: 'The campaign submission has been reviewed and it was rejected due to Disallowed Content.',
            url: 'https://www.twilio.com/docs/api/errors/30897',
            fields,
          },
        ],
      });
      return;
    }
    api.state.update<CampaignRecord>(CAMPAIGN_KIND, c.sid, {
      campaign_status: 'VERIFIED',
      campaign_id: campaignId(),
      rate_limits: { att: { mps: 75, msg_class: 'T' }, tmobile: { brand_tier: 'LOW' } },
      date_updated: now(),
    });
    setRegistered(c.messaging_service_sid, true);
    // Each number of the service is then registered to the campaign on its own.
    campaignVerified(api, c.messaging_service_sid);
  });
});
