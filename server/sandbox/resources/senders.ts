// messaging.twilio.com v2 Channels/Senders in the sandbox (FACTS §8): WhatsApp senders (JSON bodies) moving
// CREATING → PENDING_VERIFICATION → (OTP via configuration.verification_code) VERIFYING → ONLINE | OFFLINE.
import { defineModule, errors, TwilioError, type Ctx, type StoredRecord, type Transition } from '../framework.ts';

const HOST = 'messaging.twilio.com';
const BASE = `https://${HOST}/v2/Channels/Senders`;

/** A profile name containing this word makes the sender OFFLINE (display name rejected). */
export const SENDER_OFFLINE_TRIGGER = 'OFFLINE';
/** The verification code the sandbox treats as wrong. */
export const WRONG_SENDER_CODE = '000000';
export const SENDER_KIND = 'channels_sender';

export const SENDER_STATUSES = ['CREATING', 'PENDING_VERIFICATION', 'VERIFYING', 'ONLINE', 'ONLINE:UPDATING', 'OFFLINE'] as const;
export type SenderStatus = (typeof SENDER_STATUSES)[number];

interface Configuration {
  waba_id: string | null;
  verification_method: 'sms' | 'voice' | null;
  verification_code: string | null;
  voice_application_sid: string | null;
  account_type: 'ISV' | 'ISVSubAccount' | null;
}

interface Webhook {
  callback_url: string | null;
  callback_method: 'POST' | 'PUT' | null;
  fallback_url: string | null;
  fallback_method: 'POST' | 'PUT' | null;
  status_callback_url: string | null;
  status_callback_method: string | null;
}

interface Profile {
  name: string | null;
  about: string | null;
  address: string | null;
  description: string | null;
  logo_url: string | null;
  banner_url: string | null;
  privacy_url: string | null;
  terms_of_service_url: string | null;
  accent_color: string | null;
  vertical: string | null;
  websites: { website: string; label: string }[] | null;
  emails: { email: string; label: string }[] | null;
  phone_numbers: { phone_number: string; label: string }[] | null;
}

interface OfflineReason {
  code: string;
  message: string;
  more_info: string;
}

export interface SenderRecord extends StoredRecord {
  status: SenderStatus;
  sender_id: string;
  configuration: Configuration;
  webhook: Webhook;
  profile: Profile;
  properties: { quality_rating: string | null; messaging_limit: string | null } | null;
  offline_reasons: OfflineReason[] | null;
  /** The OTP submitted with the last update, checked by the VERIFYING step (never echoed, like Twilio). */
  submitted_code: string | null;
  date_created: string;
  date_updated: string;
}

export function renderSender(s: SenderRecord): Record<string, unknown> {
  return {
    sid: s.sid,
    status: s.status,
    sender_id: s.sender_id,
    configuration: { ...s.configuration, verification_code: null },
    webhook: s.webhook,
    profile: s.profile,
    properties: s.properties,
    offline_reasons: s.offline_reasons,
    compliance: null, // FACTS §8: null for WhatsApp senders
    url: `${BASE}/${s.sid}`,
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function onlyKeys(where: string, v: Record<string, unknown>, allowed: string[]): void {
  const unknown = Object.keys(v).filter((k) => !allowed.includes(k));
  if (unknown.length) throw errors.invalidParam(where, `unknown field(s) ${unknown.join(', ')}; allowed: ${allowed.join(', ')}`);
}

function optString(where: string, v: unknown): string | null | undefined {
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (typeof v !== 'string') throw errors.invalidParam(where, 'must be a string');
  return v;
}

function optEnum<T extends string>(where: string, v: unknown, allowed: readonly T[]): T | null | undefined {
  const s = optString(where, v);
  if (s === undefined || s === null) return s;
  if (!(allowed as readonly string[]).includes(s)) throw errors.invalidParam(where, `must be one of ${allowed.join(', ')}`);
  return s as T;
}

function optUrl(where: string, v: unknown): string | null | undefined {
  const s = optString(where, v);
  if (!s) return s;
  try {
    const u = new URL(s);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw errors.invalidParam(where, 'must be an http(s) URL');
  }
  return s;
}

/** websites/emails/phone_numbers: objects `{<key>, label}` as the response documents them, or plain strings. */
function labelled<K extends string>(where: string, v: unknown, key: K, label: string): ({ [P in K]: string } & { label: string })[] | null | undefined {
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (!Array.isArray(v)) throw errors.invalidParam(where, 'must be an array');
  return v.map((item, i) => {
    if (typeof item === 'string') return { [key]: item, label } as { [P in K]: string } & { label: string };
    if (!isObject(item) || typeof item[key] !== 'string') throw errors.invalidParam(`${where}[${i}]`, `must be a string or {${key}, label}`);
    onlyKeys(`${where}[${i}]`, item, [key, 'label']);
    return { [key]: item[key], label: typeof item.label === 'string' ? item.label : label } as { [P in K]: string } & { label: string };
  });
}

const drop = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

function parseConfiguration(v: unknown): Partial<Configuration> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw errors.invalidParam('configuration', 'must be an object');
  onlyKeys('configuration', v, ['waba_id', 'verification_method', 'verification_code', 'voice_application_sid', 'account_type']);
  return drop({
    waba_id: optString('configuration.waba_id', v.waba_id),
    verification_method: optEnum('configuration.verification_method', v.verification_method, ['sms', 'voice'] as const),
    verification_code: optString('configuration.verification_code', v.verification_code),
    voice_application_sid: optString('configuration.voice_application_sid', v.voice_application_sid),
    account_type: optEnum('configuration.account_type', v.account_type, ['ISV', 'ISVSubAccount'] as const),
  });
}

function parseWebhook(v: unknown): Partial<Webhook> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw errors.invalidParam('webhook', 'must be an object');
  onlyKeys('webhook', v, ['callback_url', 'callback_method', 'fallback_url', 'fallback_method', 'status_callback_url', 'status_callback_method']);
  return drop({
    callback_url: optUrl('webhook.callback_url', v.callback_url),
    callback_method: optEnum('webhook.callback_method', v.callback_method, ['POST', 'PUT'] as const),
    fallback_url: optUrl('webhook.fallback_url', v.fallback_url),
    fallback_method: optEnum('webhook.fallback_method', v.fallback_method, ['POST', 'PUT'] as const),
    status_callback_url: optUrl('webhook.status_callback_url', v.status_callback_url),
    status_callback_method: optString('webhook.status_callback_method', v.status_callback_method),
  });
}

const PROFILE_STRINGS = ['name', 'about', 'address', 'description', 'accent_color', 'vertical'] as const;
const PROFILE_URLS = ['logo_url', 'banner_url', 'privacy_url', 'terms_of_service_url'] as const;

function parseProfile(v: unknown): Partial<Profile> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw errors.invalidParam('profile', 'must be an object');
  onlyKeys('profile', v, [...PROFILE_STRINGS, ...PROFILE_URLS, 'websites', 'emails', 'phone_numbers']);
  const out: Partial<Profile> = {};
  for (const k of PROFILE_STRINGS) {
    const s = optString(`profile.${k}`, v[k]);
    if (s !== undefined) out[k] = s;
  }
  for (const k of PROFILE_URLS) {
    const s = optUrl(`profile.${k}`, v[k]);
    if (s !== undefined) out[k] = s;
  }
  const websites = labelled('profile.websites', v.websites, 'website', 'Website');
  const emails = labelled('profile.emails', v.emails, 'email', 'Email');
  const phones = labelled('profile.phone_numbers', v.phone_numbers, 'phone_number', 'Phone');
  if (websites !== undefined) out.websites = websites;
  if (emails !== undefined) out.emails = emails;
  if (phones !== undefined) out.phone_numbers = phones;
  return out;
}

const emptyProfile = (): Profile => ({
  name: null,
  about: null,
  address: null,
  description: null,
  logo_url: null,
  banner_url: null,
  privacy_url: null,
  terms_of_service_url: null,
  accent_color: null,
  vertical: null,
  websites: null,
  emails: null,
  phone_numbers: null,
});

const MORE_INFO = 'https://www.twilio.com/docs/whatsapp/api/senders';

export const sendersModule = defineModule('senders', (api) => {
  const now = () => api.now().toISOString();
  const update = (sid: string, patch: Partial<SenderRecord>) => api.state.update<SenderRecord>(SENDER_KIND, sid, { ...patch, date_updated: now() });

  const jsonBody = (ctx: Ctx): Record<string, unknown> => {
    if (!isObject(ctx.json)) throw new TwilioError(400, 20001, 'The request body must be a JSON object (Content-Type: application/json)');
    return ctx.json;
  };

  api.route('POST', HOST, '/v2/Channels/Senders', (ctx) => {
    const b = jsonBody(ctx);
    onlyKeys('body', b, ['sender_id', 'configuration', 'webhook', 'profile']);
    if (typeof b.sender_id !== 'string' || b.sender_id === '') throw errors.missingParam('sender_id');
    if (b.sender_id.startsWith('rcs:')) throw errors.invalidParam('sender_id', 'the sandbox simulates WhatsApp senders only');
    if (!/^whatsapp:\+[1-9]\d{6,14}$/.test(b.sender_id)) throw errors.invalidParam('sender_id', 'must be whatsapp:<E.164 number>, e.g. whatsapp:+15017122661');
    const configuration = parseConfiguration(b.configuration);
    const webhook = parseWebhook(b.webhook);
    const profile = parseProfile(b.profile);
    if (!profile.name) throw errors.missingParam('profile.name');
    // A number can be registered with WhatsApp once, whichever account tries.
    const taken = api.state.list<SenderRecord>(SENDER_KIND, (s) => s.sender_id === b.sender_id);
    if (taken.length) throw new TwilioError(400, 20001, `${b.sender_id} is already registered as a WhatsApp sender`);
    const at = now();
    const rec: SenderRecord = {
      sid: api.sid('XE'),
      account_sid: ctx.accountSid,
      status: 'CREATING',
      sender_id: b.sender_id,
      configuration: {
        waba_id: configuration.waba_id ?? null,
        verification_method: configuration.verification_method ?? 'sms',
        verification_code: null,
        voice_application_sid: configuration.voice_application_sid ?? null,
        account_type: configuration.account_type ?? null,
      },
      webhook: {
        callback_url: null,
        callback_method: null,
        fallback_url: null,
        fallback_method: null,
        status_callback_url: null,
        status_callback_method: null,
        ...webhook,
      },
      profile: { ...emptyProfile(), ...profile },
      properties: null,
      offline_reasons: null,
      submitted_code: null,
      date_created: at,
      date_updated: at,
    };
    api.state.insert(SENDER_KIND, rec);
    api.schedule('sender.step', rec.sid);
    return ctx.accepted(renderSender(rec));
  });

  api.route('GET', HOST, '/v2/Channels/Senders', (ctx) => {
    const channel = ctx.required('Channel');
    if (channel !== 'whatsapp' && channel !== 'rcs') throw errors.invalidParam('Channel', 'must be whatsapp or rcs');
    const list = channel === 'whatsapp' ? ctx.ownList<SenderRecord>(SENDER_KIND) : [];
    return ctx.ok(api.pageV1(ctx, 'senders', list.map(renderSender)));
  });

  api.route('GET', HOST, '/v2/Channels/Senders/{Sid}', (ctx) => ctx.ok(renderSender(ctx.owned<SenderRecord>(SENDER_KIND, ctx.path.Sid))));

  api.route('POST', HOST, '/v2/Channels/Senders/{Sid}', (ctx) => {
    const sender = ctx.owned<SenderRecord>(SENDER_KIND, ctx.path.Sid);
    const b = jsonBody(ctx);
    onlyKeys('body', b, ['configuration', 'webhook', 'profile']);
    const configuration = parseConfiguration(b.configuration);
    const webhook = parseWebhook(b.webhook);
    const profile = parseProfile(b.profile);
    const code = configuration.verification_code;
    delete configuration.verification_code;
    if (code !== undefined && code !== null && sender.status !== 'PENDING_VERIFICATION') {
      throw new TwilioError(400, 20001, `Sender ${sender.sid} is ${sender.status}; a verification code is only accepted in PENDING_VERIFICATION`);
    }
    if (profile.name === null || profile.name === '') throw errors.invalidParam('profile.name', 'cannot be removed from a WhatsApp sender');
    if (sender.status === 'CREATING' || sender.status === 'VERIFYING' || sender.status === 'ONLINE:UPDATING') {
      if (Object.keys(profile).length) throw new TwilioError(400, 20001, `Sender ${sender.sid} is ${sender.status}; try the profile change again later`);
    }
    const patch: Partial<SenderRecord> = {
      configuration: { ...sender.configuration, ...configuration },
      webhook: { ...sender.webhook, ...webhook },
      profile: { ...sender.profile, ...profile },
    };
    let step = false;
    if (code) {
      patch.status = 'VERIFYING';
      patch.submitted_code = code;
      patch.offline_reasons = null;
      step = true;
    } else if (Object.keys(profile).length && sender.status === 'ONLINE') {
      patch.status = 'ONLINE:UPDATING';
      step = true;
    } else if (Object.keys(profile).length && sender.status === 'OFFLINE') {
      // Correcting an offline sender's profile sends it back through verification of the profile.
      patch.status = 'VERIFYING';
      step = true;
    }
    const updated = update(sender.sid, patch);
    if (step) {
      api.cancelTransitions(sender.sid, 'sender.step');
      api.schedule('sender.step', sender.sid);
    }
    return ctx.accepted(renderSender(updated));
  });

  api.route('DELETE', HOST, '/v2/Channels/Senders/{Sid}', (ctx) => {
    const sender = ctx.owned<SenderRecord>(SENDER_KIND, ctx.path.Sid);
    api.cancelTransitions(sender.sid);
    api.state.remove(SENDER_KIND, sender.sid);
    return ctx.noContent();
  });

  api.onTransition('sender.step', (t: Transition) => {
    const s = api.state.get<SenderRecord>(SENDER_KIND, t.sid);
    if (!s) return;
    if (s.status === 'CREATING') {
      // Meta sends the OTP by SMS or voice to the number; the sender waits for it.
      update(s.sid, { status: 'PENDING_VERIFICATION' });
      return;
    }
    if (s.status !== 'VERIFYING' && s.status !== 'ONLINE:UPDATING') return; // GUARD: nothing to decide.
    if (s.status === 'VERIFYING' && s.submitted_code === WRONG_SENDER_CODE) {
      update(s.sid, {
        status: 'PENDING_VERIFICATION',
        submitted_code: null,
        offline_reasons: [{ code: 'VERIFICATION_CODE_INVALID', message: 'The verification code is wrong or expired. Submit the code sent to the number.', more_info: MORE_INFO }],
      });
      return;
    }
    if ((s.profile.name ?? '').includes(SENDER_OFFLINE_TRIGGER)) {
      update(s.sid, {
        status: 'OFFLINE',
        submitted_code: null,
        properties: null,
        offline_reasons: [
          { code: 'DISPLAY_NAME_REJECTED', message: "Meta rejected the display name (profile.name); it must follow Meta's display name guidelines.", more_info: MORE_INFO },
        ],
      });
      return;
    }
    update(s.sid, {
      status: 'ONLINE',
      submitted_code: null,
      offline_reasons: null,
      properties: { quality_rating: 'HIGH', messaging_limit: '1K Customers/24hr' },
    });
  });
});
