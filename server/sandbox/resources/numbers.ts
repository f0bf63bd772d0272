// api.twilio.com Addresses, AvailablePhoneNumbers (US Local search) and IncomingPhoneNumbers (FACTS §2).
// Searches are deterministic per area code and never offer a number some account already owns.
import { defineModule, errors, rfc2822, TwilioError, type Ctx, type SandboxApi, type StoredRecord } from '../framework.ts';

const HOST = 'api.twilio.com';
const BASE = '/2010-04-01/Accounts/{AccountSid}';

/** Stored under kind 'incoming_phone_number'. Dates are ISO internally. */
export interface IncomingNumberRecord extends StoredRecord {
  phone_number: string;
  friendly_name: string;
  address_sid: string | null;
  bundle_sid: string | null;
  sms_url: string | null;
  sms_method: string;
  sms_fallback_url: string | null;
  sms_fallback_method: string;
  sms_application_sid: string | null;
  status_callback: string | null;
  status_callback_method: string;
  voice_url: string | null;
  voice_method: string;
  voice_fallback_url: string | null;
  voice_fallback_method: string;
  voice_application_sid: string | null;
  voice_caller_id_lookup: boolean;
  voice_receive_mode: 'voice' | 'fax';
  emergency_status: 'Active' | 'Inactive';
  emergency_address_sid: string | null;
  identity_sid: string | null;
  trunk_sid: string | null;
  api_version: string;
  date_created: string;
  date_updated: string;
}

export interface AddressRecord extends StoredRecord {
  customer_name: string;
  friendly_name: string | null;
  street: string;
  street_secondary: string | null;
  city: string;
  region: string;
  postal_code: string;
  iso_country: string;
  emergency_enabled: boolean;
  date_created: string;
  date_updated: string;
}

export const NUMBER_KIND = 'incoming_phone_number';
export const ADDRESS_KIND = 'address';

interface AreaInfo {
  locality: string;
  region: string;
  rateCenter: string;
  lata: string;
  postalCode: string;
  lat: number;
  long: number;
}

// A few real US area codes so searches look plausible; others get a generic US locality.
const AREAS: Record<string, AreaInfo> = {
  '206': { locality: 'Seattle', region: 'WA', rateCenter: 'SEATTLE', lata: '674', postalCode: '98101', lat: 47.6062, long: -122.3321 },
  '212': { locality: 'New York', region: 'NY', rateCenter: 'NWYRCYZN01', lata: '132', postalCode: '10001', lat: 40.7128, long: -74.006 },
  '305': { locality: 'Miami', region: 'FL', rateCenter: 'MIAMI', lata: '460', postalCode: '33101', lat: 25.7617, long: -80.1918 },
  '312': { locality: 'Chicago', region: 'IL', rateCenter: 'CHICAGO', lata: '358', postalCode: '60601', lat: 41.8781, long: -87.6298 },
  '415': { locality: 'San Francisco', region: 'CA', rateCenter: 'SNFC CNTRL', lata: '722', postalCode: '94105', lat: 37.7749, long: -122.4194 },
  '512': { locality: 'Austin', region: 'TX', rateCenter: 'AUSTIN', lata: '558', postalCode: '78701', lat: 30.2672, long: -97.7431 },
  '617': { locality: 'Boston', region: 'MA', rateCenter: 'BOSTON', lata: '128', postalCode: '02108', lat: 42.3601, long: -71.0589 },
  '808': { locality: 'Hilo', region: 'HI', rateCenter: 'HILO', lata: '834', postalCode: '96720', lat: 19.72, long: -155.09 },
};
const DEFAULT_AREA_CODES = ['415', '212', '312', '512', '206', '617', '305', '808'];

export function areaInfo(phone: string): AreaInfo | undefined {
  const m = /^\+1(\d{3})/.exec(phone);
  return m ? AREAS[m[1]!] : undefined;
}

/** "+14155550123" → "(415) 555-0123", Twilio's friendly_name for US numbers. */
export function friendlyUs(phone: string): string {
  const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(phone);
  return m ? `(${m[1]}) ${m[2]}-${m[3]}` : phone;
}

const isUsE164 = (s: string) => /^\+1[2-9]\d{2}[2-9]\d{6}$/.test(s);
const isAreaCode = (s: string) => /^[2-9]\d{2}$/.test(s);

function ownedNumbers(api: SandboxApi): Set<string> {
  return new Set(api.state.list<IncomingNumberRecord>(NUMBER_KIND).map((n) => n.phone_number));
}

/** The deterministic candidate numbers of an area code: +1 AAA 555 LLLL, lines spread over 0100–9999. */
function* candidates(areaCode: string): Generator<string> {
  // 555 is the exchange the sandbox uses for every area code; line numbers walk a fixed permutation.
  for (let i = 0; i < 9900; i++) {
    const line = 100 + ((i * 7919) % 9900);
    yield `+1${areaCode}555${String(line).padStart(4, '0')}`;
  }
}

function searchAvailable(api: SandboxApi, areaCodes: string[], contains: string | undefined, limit: number): string[] {
  const taken = ownedNumbers(api);
  const out: string[] = [];
  const pattern = contains ? new RegExp(contains.replace(/[^0-9*]/g, '').replace(/\*/g, '\\d')) : undefined;
  for (const ac of areaCodes) {
    for (const n of candidates(ac)) {
      if (out.length >= limit) return out;
      if (taken.has(n) || (pattern && !pattern.test(n.slice(2)))) continue;
      out.push(n);
    }
  }
  return out;
}

const capabilities = () => ({ voice: true, sms: true, mms: true, fax: false });

export function renderNumber(n: IncomingNumberRecord): Record<string, unknown> {
  return {
    account_sid: n.account_sid,
    address_sid: n.address_sid,
    address_requirements: 'none',
    api_version: n.api_version,
    beta: false,
    capabilities: capabilities(),
    date_created: rfc2822(n.date_created),
    date_updated: rfc2822(n.date_updated),
    friendly_name: n.friendly_name,
    identity_sid: n.identity_sid,
    phone_number: n.phone_number,
    origin: 'twilio',
    sid: n.sid,
    sms_application_sid: n.sms_application_sid,
    sms_fallback_method: n.sms_fallback_method,
    sms_fallback_url: n.sms_fallback_url,
    sms_method: n.sms_method,
    sms_url: n.sms_url,
    status_callback: n.status_callback,
    status_callback_method: n.status_callback_method,
    trunk_sid: n.trunk_sid,
    uri: `/2010-04-01/Accounts/${n.account_sid}/IncomingPhoneNumbers/${n.sid}.json`,
    voice_receive_mode: n.voice_receive_mode,
    voice_application_sid: n.voice_application_sid,
    voice_caller_id_lookup: n.voice_caller_id_lookup,
    voice_fallback_method: n.voice_fallback_method,
    voice_fallback_url: n.voice_fallback_url,
    voice_method: n.voice_method,
    voice_url: n.voice_url,
    emergency_status: n.emergency_status,
    emergency_address_sid: n.emergency_address_sid,
    emergency_address_status: 'unregistered',
    bundle_sid: n.bundle_sid,
    status: 'in-use',
    type: 'local',
  };
}

export function renderAddress(a: AddressRecord): Record<string, unknown> {
  return {
    account_sid: a.account_sid,
    city: a.city,
    customer_name: a.customer_name,
    date_created: rfc2822(a.date_created),
    date_updated: rfc2822(a.date_updated),
    friendly_name: a.friendly_name,
    iso_country: a.iso_country,
    postal_code: a.postal_code,
    region: a.region,
    sid: a.sid,
    street: a.street,
    uri: `/2010-04-01/Accounts/${a.account_sid}/Addresses/${a.sid}.json`,
    emergency_enabled: a.emergency_enabled,
    validated: true,
    verified: a.iso_country === 'US',
    street_secondary: a.street_secondary,
  };
}

const METHODS = ['GET', 'POST'];
/** Optional SID parameters must have the right prefix (Twilio: 20001-style invalid parameter). */
function sid(ctx: Ctx, name: string, prefix: string): string | null {
  const v = ctx.param(name);
  if (v === undefined || v === '') return null;
  if (!new RegExp(`^${prefix}[0-9a-fA-F]{32}$`).test(v)) throw errors.invalidParam(name, `must be a ${prefix} SID`);
  return v;
}
function method(ctx: Ctx, name: string, current: string): string {
  const v = ctx.param(name);
  if (v === undefined) return current;
  const upper = v.toUpperCase();
  if (!METHODS.includes(upper)) throw errors.invalidParam(name, 'must be GET or POST');
  return upper;
}
/** Empty URLs are stored and rendered as null: Twilio answers "" but its schema only admits a URI or null. */
function url(ctx: Ctx, name: string, current: string | null): string | null {
  const v = ctx.param(name);
  if (v === undefined) return current;
  if (v === '') return null;
  if (v !== '' && !/^https?:\/\/[^\s/_]+(:\d+)?(\/\S*)?$/.test(v)) {
    // 21502: "Invalid callback url" (Twilio also refuses underscores in host names).
    throw new TwilioError(400, 21502, `Invalid ${name}: ${v}`);
  }
  return v;
}

/** Releases a number: removes it from any Messaging Service pool, then deletes it. */
export function releaseNumber(api: SandboxApi, sid: string): void {
  // A number sits in at most one service pool, so the pool link is keyed by the number's PN SID.
  api.state.remove('service_phone_number', sid);
  api.state.remove(NUMBER_KIND, sid);
}

export const numbersModule = defineModule('numbers', (api) => {
  // ---- Addresses
  api.route('POST', HOST, `${BASE}/Addresses.json`, (ctx) => {
    const required = ['CustomerName', 'Street', 'City', 'Region', 'PostalCode', 'IsoCountry'].map((n) => ctx.required(n));
    const [customerName, street, city, region, postalCode, isoCountry] = required as [string, string, string, string, string, string];
    if (!/^[A-Z]{2}$/.test(isoCountry)) throw errors.invalidParam('IsoCountry', 'must be an ISO 3166-1 alpha-2 code');
    const at = ctx.now().toISOString();
    const rec = api.state.insert<AddressRecord>(ADDRESS_KIND, {
      sid: api.sid('AD'),
      account_sid: ctx.accountSid,
      customer_name: customerName,
      friendly_name: ctx.param('FriendlyName') ?? null,
      street,
      street_secondary: ctx.param('StreetSecondary') ?? null,
      city,
      region,
      postal_code: postalCode,
      iso_country: isoCountry,
      emergency_enabled: ctx.bool('EmergencyEnabled') ?? false,
      date_created: at,
      date_updated: at,
    });
    return ctx.created(renderAddress(rec));
  });
  api.route('GET', HOST, `${BASE}/Addresses.json`, (ctx) => {
    const f = { customer_name: ctx.param('CustomerName'), friendly_name: ctx.param('FriendlyName'), iso_country: ctx.param('IsoCountry') };
    const all = ctx
      .ownList<AddressRecord>(ADDRESS_KIND, (a) => Object.entries(f).every(([k, v]) => v === undefined || a[k] === v))
      .map(renderAddress);
    return ctx.ok(api.pageV2010(ctx, 'addresses', all));
  });
  api.route('GET', HOST, `${BASE}/Addresses/{Sid}.json`, (ctx) => ctx.ok(renderAddress(ctx.owned<AddressRecord>(ADDRESS_KIND, ctx.path.Sid))));

  // ---- AvailablePhoneNumbers
  api.route('GET', HOST, `${BASE}/AvailablePhoneNumbers/{CountryCode}/Local.json`, (ctx) => {
    if (ctx.path.CountryCode !== 'US') {
      // The sandbox only stocks US numbers; Twilio answers an unknown country the same way.
      throw errors.notFound(ctx.pathname);
    }
    const areaCode = ctx.param('AreaCode');
    if (areaCode !== undefined && !isAreaCode(areaCode)) throw new TwilioError(400, 21451, `Invalid area code ${areaCode}`);
    const smsEnabled = ctx.bool('SmsEnabled');
    const contains = ctx.param('Contains');
    if (contains !== undefined && !/^[0-9*A-Za-z]{2,16}$/.test(contains)) throw errors.invalidParam('Contains', 'must be 2 to 16 characters');
    const pageSize = ctx.int('PageSize') ?? 50;
    // Every sandbox number is SMS-capable, so SmsEnabled=false finds nothing (as with Twilio's inventory).
    const numbers = smsEnabled === false ? [] : searchAvailable(api, areaCode ? [areaCode] : DEFAULT_AREA_CODES, contains, Math.min(pageSize, 1000));
    const items = numbers.map((n) => {
      const area = areaInfo(n);
      return {
        friendly_name: friendlyUs(n),
        phone_number: n,
        lata: area?.lata ?? null,
        locality: area?.locality ?? null,
        rate_center: area?.rateCenter ?? null,
        latitude: area?.lat ?? null,
        longitude: area?.long ?? null,
        region: area?.region ?? null,
        postal_code: area?.postalCode ?? null,
        iso_country: 'US',
        address_requirements: 'none',
        beta: false,
        capabilities: capabilities(),
      };
    });
    return ctx.ok(api.pageV2010(ctx, 'available_phone_numbers', items));
  });

  // ---- IncomingPhoneNumbers
  api.route('POST', HOST, `${BASE}/IncomingPhoneNumbers.json`, (ctx) => {
    const requested = ctx.param('PhoneNumber');
    const areaCode = ctx.param('AreaCode');
    if (ctx.account.status !== 'active') throw new TwilioError(400, 10001, 'Account is not active');
    let phone: string;
    if (requested !== undefined) {
      if (!isUsE164(requested)) throw new TwilioError(400, 21421, `PhoneNumber ${requested} is invalid`);
      // 21422: "PhoneNumber is not available" — someone owns it already.
      if (ownedNumbers(api).has(requested)) throw new TwilioError(400, 21422, `PhoneNumber ${requested} is not available`);
      phone = requested;
    } else if (areaCode !== undefined) {
      if (!isAreaCode(areaCode)) throw new TwilioError(400, 21451, `Invalid area code ${areaCode}`);
      const found = searchAvailable(api, [areaCode], undefined, 1)[0];
      if (!found) throw new TwilioError(400, 21452, `No phone numbers found in area code ${areaCode}`);
      phone = found;
    } else {
      throw new TwilioError(400, 21450, 'A PhoneNumber or an AreaCode is required');
    }
    const addressSid = ctx.param('AddressSid');
    if (addressSid !== undefined) ctx.owned(ADDRESS_KIND, addressSid);
    const at = ctx.now().toISOString();
    const rec = api.state.insert<IncomingNumberRecord>(NUMBER_KIND, {
      sid: api.sid('PN'),
      account_sid: ctx.accountSid,
      phone_number: phone,
      friendly_name: ctx.param('FriendlyName') ?? friendlyUs(phone),
      address_sid: addressSid ?? null,
      bundle_sid: sid(ctx, 'BundleSid', 'BU'),
      sms_url: url(ctx, 'SmsUrl', null),
      sms_method: method(ctx, 'SmsMethod', 'POST'),
      sms_fallback_url: url(ctx, 'SmsFallbackUrl', null),
      sms_fallback_method: method(ctx, 'SmsFallbackMethod', 'POST'),
      sms_application_sid: sid(ctx, 'SmsApplicationSid', 'AP'),
      status_callback: url(ctx, 'StatusCallback', null),
      status_callback_method: method(ctx, 'StatusCallbackMethod', 'POST'),
      voice_url: url(ctx, 'VoiceUrl', null),
      voice_method: method(ctx, 'VoiceMethod', 'POST'),
      voice_fallback_url: url(ctx, 'VoiceFallbackUrl', null),
      voice_fallback_method: method(ctx, 'VoiceFallbackMethod', 'POST'),
      voice_application_sid: sid(ctx, 'VoiceApplicationSid', 'AP'),
      voice_caller_id_lookup: ctx.bool('VoiceCallerIdLookup') ?? false,
      voice_receive_mode: ctx.param('VoiceReceiveMode') === 'fax' ? 'fax' : 'voice',
      emergency_status: ctx.param('EmergencyStatus') === 'Active' ? 'Active' : 'Inactive',
      emergency_address_sid: sid(ctx, 'EmergencyAddressSid', 'AD'),
      identity_sid: sid(ctx, 'IdentitySid', 'RI'),
      trunk_sid: sid(ctx, 'TrunkSid', 'TK'),
      api_version: ctx.param('ApiVersion') ?? '2010-04-01',
      date_created: at,
      date_updated: at,
    });
    return ctx.created(renderNumber(rec));
  });

  api.route('GET', HOST, `${BASE}/IncomingPhoneNumbers.json`, (ctx) => {
    const phone = ctx.param('PhoneNumber');
    const name = ctx.param('FriendlyName');
    // Twilio matches PhoneNumber on the digits it contains ("+1415" finds every 415 number).
    const digits = phone?.replace(/[^0-9*]/g, '');
    const all = ctx
      .ownList<IncomingNumberRecord>(NUMBER_KIND, (n) => (!digits || n.phone_number.includes(digits)) && (name === undefined || n.friendly_name === name))
      .map(renderNumber);
    return ctx.ok(api.pageV2010(ctx, 'incoming_phone_numbers', all));
  });

  api.route('GET', HOST, `${BASE}/IncomingPhoneNumbers/{Sid}.json`, (ctx) =>
    ctx.ok(renderNumber(ctx.owned<IncomingNumberRecord>(NUMBER_KIND, ctx.path.Sid))),
  );

  api.route('POST', HOST, `${BASE}/IncomingPhoneNumbers/{Sid}.json`, (ctx) => {
    const n = ctx.owned<IncomingNumberRecord>(NUMBER_KIND, ctx.path.Sid);
    const patch: Partial<IncomingNumberRecord> = {
      friendly_name: ctx.param('FriendlyName') ?? n.friendly_name,
      sms_url: url(ctx, 'SmsUrl', n.sms_url),
      sms_method: method(ctx, 'SmsMethod', n.sms_method),
      sms_fallback_url: url(ctx, 'SmsFallbackUrl', n.sms_fallback_url),
      sms_fallback_method: method(ctx, 'SmsFallbackMethod', n.sms_fallback_method),
      status_callback: url(ctx, 'StatusCallback', n.status_callback),
      status_callback_method: method(ctx, 'StatusCallbackMethod', n.status_callback_method),
      voice_url: url(ctx, 'VoiceUrl', n.voice_url),
      voice_method: method(ctx, 'VoiceMethod', n.voice_method),
      address_sid: ctx.param('AddressSid') ?? n.address_sid,
      bundle_sid: ctx.param('BundleSid') ?? n.bundle_sid,
      date_updated: ctx.now().toISOString(),
    };
    if (patch.address_sid && patch.address_sid !== n.address_sid) ctx.owned(ADDRESS_KIND, patch.address_sid);
    return ctx.ok(renderNumber(api.state.update<IncomingNumberRecord>(NUMBER_KIND, n.sid, patch)));
  });

  api.route('DELETE', HOST, `${BASE}/IncomingPhoneNumbers/{Sid}.json`, (ctx) => {
    const n = ctx.owned<IncomingNumberRecord>(NUMBER_KIND, ctx.path.Sid);
    releaseNumber(api, n.sid);
    return ctx.noContent();
  });

  // Closing an account releases all its numbers (FACTS §1).
  api.onAccountClosed((account) => {
    for (const n of api.state.list<IncomingNumberRecord>(NUMBER_KIND, (x) => x.account_sid === account.sid)) releaseNumber(api, n.sid);
  });
});
