// messaging.twilio.com/v1 Services, their PhoneNumbers pool and Services/Usecases (FACTS §4).
// Records are stored under kind 'service' and 'service_phone_number' (keyed by the PN SID: one pool per number).
import { defineModule, errors, iso, TwilioError, type Ctx, type StoredRecord } from '../framework.ts';
import { NUMBER_KIND, type IncomingNumberRecord } from './numbers.ts';
import { numberAddedToService } from './number-registration.ts';

const HOST = 'messaging.twilio.com';
export const SERVICE_KIND = 'service';
export const SERVICE_NUMBER_KIND = 'service_phone_number';

export interface ServiceRecord extends StoredRecord {
  friendly_name: string;
  inbound_request_url: string | null;
  inbound_method: 'GET' | 'POST';
  fallback_url: string | null;
  fallback_method: 'GET' | 'POST';
  status_callback: string | null;
  sticky_sender: boolean;
  mms_converter: boolean;
  smart_encoding: boolean;
  scan_message_content: 'inherit' | 'enable' | 'disable';
  fallback_to_long_code: boolean;
  area_code_geomatch: boolean;
  synchronous_validation: boolean;
  validity_period: number;
  usecase: string;
  /** Set by the campaigns module when the service's A2P campaign is VERIFIED. */
  us_app_to_person_registered: boolean;
  use_inbound_webhook_on_number: boolean;
  /** Advanced Opt-Out (Console-only in Twilio; sandbox control route): a STOP covers every sender of the service. */
  advanced_opt_out?: boolean;
  date_created: string;
  date_updated: string;
}

export interface ServiceNumberRecord extends StoredRecord {
  service_sid: string;
  phone_number: string;
  date_created: string;
  date_updated: string;
}

const USECASES = [
  { usecase: 'notifications', description: 'Transactional notifications and Alerts for any Delivery, Account, Reminder, Order, Fraud, Security, Public Service, or Emergency announcements.', purpose: 'Notify my users.' },
  { usecase: 'marketing', description: 'Marketing messages may contain product information, offers, and calls to action to engage with your organization.', purpose: 'Market my services.' },
  { usecase: 'verification', description: 'One-time passcodes for account verification, two-factor authentication, and password resets.', purpose: 'Verify users.' },
  { usecase: 'discussion', description: 'Two-way conversations between your organization and your users, such as customer care.', purpose: 'Chat with users.' },
  { usecase: 'poll', description: 'Surveys, polls and feedback requests.', purpose: 'Poll users.' },
  { usecase: 'undeclared', description: 'Use case not declared.', purpose: 'Undeclared.' },
];
const USECASE_NAMES = USECASES.map((u) => u.usecase);

const serviceUrl = (sid: string) => `https://${HOST}/v1/Services/${sid}`;

export function renderService(s: ServiceRecord): Record<string, unknown> {
  const base = serviceUrl(s.sid);
  return {
    account_sid: s.account_sid,
    sid: s.sid,
    date_created: iso(s.date_created),
    date_updated: iso(s.date_updated),
    friendly_name: s.friendly_name,
    inbound_request_url: s.inbound_request_url,
    inbound_method: s.inbound_method,
    fallback_url: s.fallback_url,
    fallback_method: s.fallback_method,
    status_callback: s.status_callback,
    sticky_sender: s.sticky_sender,
    smart_encoding: s.smart_encoding,
    mms_converter: s.mms_converter,
    fallback_to_long_code: s.fallback_to_long_code,
    scan_message_content: s.scan_message_content,
    area_code_geomatch: s.area_code_geomatch,
    validity_period: s.validity_period,
    synchronous_validation: s.synchronous_validation,
    usecase: s.usecase,
    us_app_to_person_registered: s.us_app_to_person_registered,
    use_inbound_webhook_on_number: s.use_inbound_webhook_on_number,
    links: {
      phone_numbers: `${base}/PhoneNumbers`,
      short_codes: `${base}/ShortCodes`,
      alpha_senders: `${base}/AlphaSenders`,
      messages: `${base}/Messages`,
      us_app_to_person: `${base}/Compliance/Usa2p`,
      us_app_to_person_usecases: `${base}/Compliance/Usa2p/Usecases`,
      channel_senders: `${base}/ChannelSenders`,
      destination_alpha_senders: `${base}/DestinationAlphaSenders`,
    },
    url: base,
  };
}

export function renderServiceNumber(n: ServiceNumberRecord): Record<string, unknown> {
  return {
    sid: n.sid,
    account_sid: n.account_sid,
    service_sid: n.service_sid,
    date_created: iso(n.date_created),
    date_updated: iso(n.date_updated),
    phone_number: n.phone_number,
    country_code: 'US',
    capabilities: ['SMS', 'MMS', 'Voice'],
    url: `${serviceUrl(n.service_sid)}/PhoneNumbers/${n.sid}`,
  };
}

const METHODS = ['GET', 'POST'] as const;

function serviceFields(ctx: Ctx, current: ServiceRecord | undefined): Partial<ServiceRecord> {
  const patch: Partial<ServiceRecord> = {};
  const name = ctx.param('FriendlyName');
  if (name !== undefined) {
    if (name.length > 64) throw errors.invalidParam('FriendlyName', 'must be at most 64 characters');
    patch.friendly_name = name;
  }
  for (const [param, field] of [
    ['InboundRequestUrl', 'inbound_request_url'],
    ['FallbackUrl', 'fallback_url'],
    ['StatusCallback', 'status_callback'],
  ] as const) {
    const v = ctx.param(param);
    if (v === undefined) continue;
    if (v !== '' && !/^https?:\/\/[^\s/_]+(:\d+)?(\/\S*)?$/.test(v)) throw new TwilioError(400, 21502, `Invalid ${param}: ${v}`);
    patch[field] = v === '' ? null : v;
  }
  for (const [param, field] of [
    ['InboundMethod', 'inbound_method'],
    ['FallbackMethod', 'fallback_method'],
  ] as const) {
    const v = ctx.param(param)?.toUpperCase();
    if (v === undefined) continue;
    if (!METHODS.includes(v as 'GET')) throw errors.invalidParam(param, 'must be GET or POST');
    patch[field] = v as 'GET' | 'POST';
  }
  for (const [param, field] of [
    ['StickySender', 'sticky_sender'],
    ['MmsConverter', 'mms_converter'],
    ['SmartEncoding', 'smart_encoding'],
    ['FallbackToLongCode', 'fallback_to_long_code'],
    ['AreaCodeGeomatch', 'area_code_geomatch'],
    ['SynchronousValidation', 'synchronous_validation'],
    ['UseInboundWebhookOnNumber', 'use_inbound_webhook_on_number'],
  ] as const) {
    const v = ctx.bool(param);
    if (v !== undefined) patch[field] = v;
  }
  const scan = ctx.param('ScanMessageContent');
  if (scan !== undefined) {
    if (!['inherit', 'enable', 'disable'].includes(scan)) throw errors.invalidParam('ScanMessageContent', 'must be inherit, enable or disable');
    patch.scan_message_content = scan as ServiceRecord['scan_message_content'];
  }
  const validity = ctx.int('ValidityPeriod');
  if (validity !== undefined) {
    if (validity < 1 || validity > 36000) throw errors.invalidParam('ValidityPeriod', 'must be between 1 and 36000');
    patch.validity_period = validity;
  }
  const usecase = ctx.param('Usecase');
  if (usecase !== undefined) {
    if (!USECASE_NAMES.includes(usecase)) throw errors.invalidParam('Usecase', `must be one of ${USECASE_NAMES.join(', ')}`);
    patch.usecase = usecase;
  }
  if (current) patch.date_updated = ctx.now().toISOString();
  return patch;
}

export const servicesModule = defineModule('services', (api) => {
  api.route('GET', HOST, '/v1/Services/Usecases', (ctx) => ctx.ok({ usecases: USECASES }));

  api.route('POST', HOST, '/v1/Services', (ctx) => {
    ctx.required('FriendlyName');
    const fields = serviceFields(ctx, undefined);
    const at = ctx.now().toISOString();
    const rec = api.state.insert<ServiceRecord>(SERVICE_KIND, {
      sid: api.sid('MG'),
      account_sid: ctx.accountSid,
      friendly_name: '',
      inbound_request_url: null,
      inbound_method: 'POST',
      fallback_url: null,
      fallback_method: 'POST',
      status_callback: null,
      sticky_sender: true,
      mms_converter: true,
      smart_encoding: true,
      scan_message_content: 'inherit',
      fallback_to_long_code: true,
      area_code_geomatch: true,
      synchronous_validation: false,
      validity_period: 36000,
      usecase: 'undeclared',
      us_app_to_person_registered: false,
      use_inbound_webhook_on_number: false,
      date_created: at,
      date_updated: at,
      ...fields,
    });
    return ctx.created(renderService(rec));
  });

  api.route('GET', HOST, '/v1/Services', (ctx) => ctx.ok(api.pageV1(ctx, 'services', ctx.ownList<ServiceRecord>(SERVICE_KIND).map(renderService))));

  api.route('GET', HOST, '/v1/Services/{Sid}', (ctx) => ctx.ok(renderService(ctx.owned<ServiceRecord>(SERVICE_KIND, ctx.path.Sid))));

  api.route('POST', HOST, '/v1/Services/{Sid}', (ctx) => {
    const s = ctx.owned<ServiceRecord>(SERVICE_KIND, ctx.path.Sid);
    return ctx.ok(renderService(api.state.update<ServiceRecord>(SERVICE_KIND, s.sid, serviceFields(ctx, s))));
  });

  api.route('DELETE', HOST, '/v1/Services/{Sid}', (ctx) => {
    const s = ctx.owned<ServiceRecord>(SERVICE_KIND, ctx.path.Sid);
    for (const link of api.state.list<ServiceNumberRecord>(SERVICE_NUMBER_KIND, (l) => l.service_sid === s.sid)) {
      api.state.remove(SERVICE_NUMBER_KIND, link.sid);
    }
    api.cancelTransitions(s.sid);
    api.state.remove(SERVICE_KIND, s.sid);
    return ctx.noContent();
  });

  api.route('POST', HOST, '/v1/Services/{ServiceSid}/PhoneNumbers', (ctx) => {
    const s = ctx.owned<ServiceRecord>(SERVICE_KIND, ctx.path.ServiceSid);
    const pnSid = ctx.required('PhoneNumberSid');
    if (!/^PN[0-9a-fA-F]{32}$/.test(pnSid)) throw errors.invalidParam('PhoneNumberSid', 'must be a PN SID');
    // The number must belong to the same account as the service; Twilio reports another account's number
    // (or an unknown one) as 21606-style "not a valid phone number for your account"; we use 20404 like a miss.
    const number = api.state.get<IncomingNumberRecord>(NUMBER_KIND, pnSid);
    if (!number || number.account_sid !== ctx.accountSid) throw new TwilioError(404, 20404, `PhoneNumber ${pnSid} was not found`);
    const existing = api.state.get<ServiceNumberRecord>(SERVICE_NUMBER_KIND, pnSid);
    if (existing) {
      // 21710: "Phone Number is already in the Messaging Service" (or in another one).
      throw new TwilioError(409, 21710, `Phone Number ${number.phone_number} is already in a Messaging Service`);
    }
    const at = ctx.now().toISOString();
    const link = api.state.insert<ServiceNumberRecord>(SERVICE_NUMBER_KIND, {
      sid: pnSid,
      account_sid: ctx.accountSid,
      service_sid: s.sid,
      phone_number: number.phone_number,
      date_created: at,
      date_updated: at,
    });
    numberAddedToService(api, link.sid);
    return ctx.created(renderServiceNumber(link));
  });

  api.route('GET', HOST, '/v1/Services/{ServiceSid}/PhoneNumbers', (ctx) => {
    const s = ctx.owned<ServiceRecord>(SERVICE_KIND, ctx.path.ServiceSid);
    const all = ctx.ownList<ServiceNumberRecord>(SERVICE_NUMBER_KIND, (l) => l.service_sid === s.sid).map(renderServiceNumber);
    return ctx.ok(api.pageV1(ctx, 'phone_numbers', all));
  });

  const ownedLink = (ctx: Ctx): ServiceNumberRecord => {
    const s = ctx.owned<ServiceRecord>(SERVICE_KIND, ctx.path.ServiceSid);
    const link = ctx.owned<ServiceNumberRecord>(SERVICE_NUMBER_KIND, ctx.path.Sid);
    if (link.service_sid !== s.sid) throw errors.notFound(ctx.pathname);
    return link;
  };
  api.route('GET', HOST, '/v1/Services/{ServiceSid}/PhoneNumbers/{Sid}', (ctx) => ctx.ok(renderServiceNumber(ownedLink(ctx))));
  api.route('DELETE', HOST, '/v1/Services/{ServiceSid}/PhoneNumbers/{Sid}', (ctx) => {
    const removed = ownedLink(ctx);
    api.cancelTransitions(removed.sid, 'number.registration');
    api.state.remove(SERVICE_NUMBER_KIND, removed.sid);
    return ctx.noContent();
  });
});
