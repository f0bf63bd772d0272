// api.twilio.com Messages (create/fetch/list) with the outbound status lifecycle and signed status callbacks
// (FACTS §3, §9.3), plus the control route POST /sandbox/inbound that simulates an inbound SMS, including
// the default opt-out keywords (FACTS §10). Magic destination numbers are listed in MAGIC_TO.
import { defineModule, errors, rfc2822, TwilioError, type Ctx, type SandboxApi, type StoredRecord, type Transition } from '../framework.ts';
import { areaInfo, NUMBER_KIND, type IncomingNumberRecord } from './numbers.ts';
import { SENDER_KIND, type SenderRecord } from './senders.ts';
import { SERVICE_KIND, SERVICE_NUMBER_KIND, type ServiceNumberRecord, type ServiceRecord } from './services.ts';
import { senderRegistration, UNREGISTERED_NUMBER_ERROR } from './number-registration.ts';

const HOST = 'api.twilio.com';
const BASE = '/2010-04-01/Accounts/{AccountSid}';
export const MESSAGE_KIND = 'message';
const OPT_OUTS = 'optOuts'; // meta key: list of "<accountSid> <phone>"
const WHATSAPP_WINDOWS = 'whatsappWindows'; // meta key: "<whatsapp:sender> <whatsapp:user>" -> last inbound ISO time
const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;
/** DOCS /docs/api/errors/63016: free-form WhatsApp outside the 24-hour customer-service window. */
const OUTSIDE_WINDOW_ERROR = { code: 63016, message: 'Failed to send freeform message because you are outside the allowed window. If you are using WhatsApp, please use a Message Template.' } as const;

/** True when the user wrote to this WhatsApp sender within the last 24 hours (the window a free-form reply needs). */
function windowOpen(api: SandboxApi, sender: string, user: string, now: Date): boolean {
  const last = api.state.getMeta<Record<string, string>>(WHATSAPP_WINDOWS)?.[`${sender} ${user}`];
  return last !== undefined && now.getTime() - new Date(last).getTime() < WHATSAPP_WINDOW_MS;
}

export type MessageStatus =
  | 'queued' | 'sending' | 'sent' | 'failed' | 'delivered' | 'undelivered' | 'receiving' | 'received'
  | 'accepted' | 'scheduled' | 'read' | 'partially_delivered' | 'canceled';

/** What will happen to an outbound message after create. */
type Outcome = 'delivered' | 'undelivered' | 'failed';

export interface MessageRecord extends StoredRecord {
  messaging_service_sid: string | null;
  from: string | null;
  to: string;
  body: string;
  status: MessageStatus;
  direction: 'inbound' | 'outbound-api' | 'outbound-call' | 'outbound-reply';
  num_segments: string;
  num_media: string;
  error_code: number | null;
  error_message: string | null;
  price: string | null;
  price_unit: string;
  date_created: string;
  date_sent: string | null;
  date_updated: string;
  status_callback: string | null;
  content_sid: string | null;
  outcome: Outcome;
  /** Set when the outcome has an error of its own (30034 for an unregistered sender, #14). */
  outcome_error?: { code: number; message: string } | null;
}

/**
 * Magic "To" numbers. The first five are Twilio's documented test numbers (answered at create, like Twilio's
 * test credentials); the last two are the sandbox's own and fail asynchronously, so the platform sees the
 * failure through a status callback with ErrorCode.
 */
export const MAGIC_TO: Record<string, { sync?: { code: number; message: string }; outcome?: Outcome }> = {
  '+15005550001': { sync: { code: 21211, message: "The 'To' number +15005550001 is not a valid phone number." } },
  '+15005550002': { sync: { code: 21612, message: "The 'To' phone number is not currently reachable via SMS." } },
  '+15005550003': { sync: { code: 21408, message: 'Permission to send an SMS has not been enabled for the region indicated by the To number.' } },
  '+15005550004': { sync: { code: 21610, message: 'Attempt to send to unsubscribed recipient' } },
  '+15005550009': { sync: { code: 21614, message: "The 'To' number +15005550009 is not a valid mobile number." } },
  '+15005550010': { outcome: 'undelivered' }, // sandbox: ends undelivered with 30003 (Unreachable destination handset)
  '+15005550011': { outcome: 'failed' }, // sandbox: ends failed with 30008 (Unknown error)
};

const ASYNC_ERRORS: Record<Exclude<Outcome, 'delivered'>, { code: number; message: string }> = {
  undelivered: { code: 30003, message: 'Unreachable destination handset' },
  failed: { code: 30008, message: 'Unknown error' },
};

const OPT_OUT_KEYWORDS = ['STOP', 'UNSUBSCRIBE', 'END', 'QUIT', 'STOPALL', 'REVOKE', 'OPTOUT', 'CANCEL'];
const OPT_IN_KEYWORDS = ['START', 'UNSTOP', 'YES'];
const HELP_KEYWORDS = ['HELP', 'INFO'];

/** The default keyword an inbound body matches, case-insensitively, as the whole trimmed body (FACTS §10). */
export function optOutType(body: string): 'STOP' | 'START' | 'HELP' | undefined {
  const word = body.trim().toUpperCase();
  if (OPT_OUT_KEYWORDS.includes(word)) return 'STOP';
  if (OPT_IN_KEYWORDS.includes(word)) return 'START';
  if (HELP_KEYWORDS.includes(word)) return 'HELP';
  return undefined;
}

const PRICE_PER_SEGMENT = 0.0079;

/** GSM-7 single segment 160, multipart 153; anything outside GSM-7 is UCS-2 (70 / 67). */
export function segmentCount(body: string): number {
  if (!body) return 1;
  const gsm = /^[\n\r\x20-\x7E£¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà€^{}\\[~\]|]*$/.test(body);
  const [single, multi] = gsm ? [160, 153] : [70, 67];
  const len = [...body].length;
  return len <= single ? 1 : Math.ceil(len / multi);
}

export function renderMessage(m: MessageRecord): Record<string, unknown> {
  return {
    body: m.body,
    num_segments: m.num_segments,
    direction: m.direction,
    from: m.from,
    to: m.to,
    date_updated: rfc2822(m.date_updated),
    price: m.price,
    error_message: m.error_message,
    uri: `/2010-04-01/Accounts/${m.account_sid}/Messages/${m.sid}.json`,
    account_sid: m.account_sid,
    num_media: m.num_media,
    status: m.status,
    messaging_service_sid: m.messaging_service_sid,
    sid: m.sid,
    date_sent: m.date_sent ? rfc2822(m.date_sent) : null,
    date_created: rfc2822(m.date_created),
    error_code: m.error_code,
    price_unit: m.price_unit,
    api_version: '2010-04-01',
    subresource_uris: {
      media: `/2010-04-01/Accounts/${m.account_sid}/Messages/${m.sid}/Media.json`,
      feedback: `/2010-04-01/Accounts/${m.account_sid}/Messages/${m.sid}/Feedback.json`,
    },
  };
}

// Opt-outs are scoped like Twilio's: a STOP applies to the sender it was sent to (the number, or the
// WhatsApp sender), or, when the number's Messaging Service uses Advanced Opt-Out, to every sender of that service.
// Keys are "<accountSid> <scope> <phone>"; a key without a scope (state written before scoping) is account-wide.
const optOutKey = (accountSid: string, scope: string, phone: string) => `${accountSid} ${scope} ${phone.replace(/^[a-z]+:/, '')}`;

/** The scopes a STOP to (or a message from) this sender falls under: the sender, and its service with Advanced Opt-Out. */
function optOutScopes(api: SandboxApi, sender: string | null | undefined, serviceSid: string | null | undefined): string[] {
  if (!sender) return serviceSid && advancedOptOut(api, serviceSid) ? [`service:${serviceSid}`] : [];
  if (sender.startsWith('whatsapp:')) return [sender];
  const link = api.state.list<ServiceNumberRecord>(SERVICE_NUMBER_KIND, (l) => l.phone_number === sender)[0];
  const svc = serviceSid ?? link?.service_sid;
  return svc && advancedOptOut(api, svc) ? [sender, `service:${svc}`] : [sender];
}

const advancedOptOut = (api: SandboxApi, serviceSid: string) => api.state.get<ServiceRecord>(SERVICE_KIND, serviceSid)?.advanced_opt_out === true;

export function isOptedOut(api: SandboxApi, accountSid: string, phone: string, scopes: string[]): boolean {
  const keys = new Set(api.state.getMeta<string[]>(OPT_OUTS) ?? []);
  const bare = phone.replace(/^[a-z]+:/, '');
  return keys.has(`${accountSid} ${bare}`) || scopes.some((scope) => keys.has(optOutKey(accountSid, scope, phone)));
}

function setOptOut(api: SandboxApi, accountSid: string, scope: string, phone: string, out: boolean): void {
  const key = optOutKey(accountSid, scope, phone);
  const list = (api.state.getMeta<string[]>(OPT_OUTS) ?? []).filter((k) => k !== key && k !== `${accountSid} ${phone.replace(/^[a-z]+:/, '')}`);
  api.state.setMeta(OPT_OUTS, out ? [...list, key] : list);
}

const isAddress = (s: string) => /^(whatsapp:)?\+[1-9]\d{7,14}$/.test(s);
const isCallbackUrl = (s: string) => /^https?:\/\/[^\s/_]+(:\d+)?(\/\S*)?$/.test(s);

/** The sender for a message: the explicit From (which the account must own) or the service's first number. */
function chooseFrom(api: SandboxApi, ctx: Ctx, from: string | undefined, service: ServiceRecord | undefined): string | null {
  if (from !== undefined) {
    if (from.startsWith('whatsapp:')) {
      // WhatsApp senders are Messaging v2 Senders owned by the account; only an ONLINE one can send (63007).
      const sender = api.state.list<SenderRecord>(SENDER_KIND, (s) => s.account_sid === ctx.accountSid && s.sender_id === from)[0];
      if (!sender || !sender.status.startsWith('ONLINE')) {
        throw new TwilioError(400, 63007, `Twilio could not find a Channel with the specified From address: ${from}`);
      }
      return from;
    }
    const owned = api.state.list<IncomingNumberRecord>(NUMBER_KIND, (n) => n.account_sid === ctx.accountSid && n.phone_number === from)[0];
    if (!owned) {
      throw new TwilioError(400, 21606, `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`);
    }
    return from;
  }
  if (!service) return null;
  const pool = api.state.list<ServiceNumberRecord>(SERVICE_NUMBER_KIND, (l) => l.service_sid === service.sid);
  if (pool.length === 0) throw new TwilioError(400, 21704, 'The Messaging Service contains no phone numbers');
  return null; // chosen when the message leaves `accepted` (FACTS §3)
}

export const messagesModule = defineModule('messages', (api) => {
  // Message steps are short: a tenth of the review delay, at most 1 s, so demos show the progression.
  const stepMs = () => Math.min(1000, Math.round(api.settings.reviewDelayMs / 10));

  const callbackUrlFor = (m: MessageRecord): string | null => {
    if (m.status_callback) return m.status_callback;
    if (!m.messaging_service_sid) return null;
    return api.state.get<ServiceRecord>(SERVICE_KIND, m.messaging_service_sid)?.status_callback ?? null;
  };

  const emitStatus = (m: MessageRecord) => {
    const url = callbackUrlFor(m);
    if (!url) return;
    const params: Record<string, string> = {
      AccountSid: m.account_sid,
      ApiVersion: '2010-04-01',
      From: m.from ?? '',
      MessageSid: m.sid,
      MessageStatus: m.status,
      SmsSid: m.sid,
      SmsStatus: m.status,
      To: m.to,
    };
    if (m.messaging_service_sid) params.MessagingServiceSid = m.messaging_service_sid;
    if (m.error_code !== null && (m.status === 'failed' || m.status === 'undelivered')) params.ErrorCode = String(m.error_code);
    if ((m.status === 'delivered' || m.status === 'undelivered') && !m.to.startsWith('whatsapp:')) {
      const d = new Date(m.date_updated);
      const p = (n: number) => String(n).padStart(2, '0');
      params.RawDlrDoneDate = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
    }
    api.enqueueCallback({ accountSid: m.account_sid, url, params, kind: 'message.status', resourceSid: m.sid });
  };

  /** The next status on the way to the message's outcome, or undefined when it is final. */
  const nextStatus = (m: MessageRecord): MessageStatus | undefined => {
    switch (m.status) {
      case 'accepted':
        return 'queued';
      case 'queued':
        return 'sending';
      case 'sending':
        return m.outcome === 'failed' ? 'failed' : 'sent';
      case 'sent':
        return m.outcome === 'undelivered' ? 'undelivered' : 'delivered';
      default:
        return undefined;
    }
  };

  api.onTransition('message.step', (t: Transition) => {
    const m = api.state.get<MessageRecord>(MESSAGE_KIND, t.sid);
    if (!m || m.status !== t.data.from) return; // GUARD: moved or deleted meanwhile
    const to = nextStatus(m);
    if (!to) return;
    const at = api.now().toISOString();
    const patch: Partial<MessageRecord> = { status: to, date_updated: at };
    if (to === 'queued' && !m.from && m.messaging_service_sid) {
      const pool = api.state.list<ServiceNumberRecord>(SERVICE_NUMBER_KIND, (l) => l.service_sid === m.messaging_service_sid);
      patch.from = pool[0]?.phone_number ?? null;
      if (!pool[0]) {
        patch.status = 'failed';
        patch.error_code = 21704;
        patch.error_message = 'The Messaging Service contains no phone numbers';
      }
    }
    if (to === 'queued') patch.num_segments = String(segmentCount(m.body));
    if (to === 'sent') {
      patch.date_sent = at;
      patch.price = (-PRICE_PER_SEGMENT * Number(m.num_segments || segmentCount(m.body))).toFixed(5);
    }
    if (to === 'failed' || to === 'undelivered') {
      const e = m.outcome_error ?? ASYNC_ERRORS[to];
      patch.error_code = e.code;
      patch.error_message = e.message;
    }
    const updated = api.state.update<MessageRecord>(MESSAGE_KIND, m.sid, patch);
    emitStatus(updated);
    if (nextStatus(updated)) api.schedule('message.step', m.sid, { from: updated.status }, { delayMs: stepMs(), group: 'message' });
  });

  api.route('POST', HOST, `${BASE}/Messages.json`, (ctx) => {
    const to = ctx.required('To', 21604, "A 'To' phone number is required.");
    const from = ctx.param('From');
    const serviceSid = ctx.param('MessagingServiceSid');
    const body = ctx.param('Body') ?? '';
    const contentSid = ctx.param('ContentSid');
    const media = ctx.params('MediaUrl');
    const statusCallback = ctx.param('StatusCallback');

    if (ctx.account.status !== 'active') throw new TwilioError(400, 10001, 'Account is not active');
    // A trial account may only text the numbers verified on it; the sandbox verifies none (DOCS /docs/api/errors/21608).
    if (ctx.account.type === 'Trial') {
      throw new TwilioError(400, 21608, `The number ${to} is unverified. Trial accounts may only send messages to verified numbers.`);
    }
    if (from === undefined && serviceSid === undefined) throw new TwilioError(400, 21603, "A 'From' phone number is required.");
    if (!body && !contentSid && media.length === 0) throw new TwilioError(400, 21602, 'Message body is required.');
    if ([...body].length > 1600) throw new TwilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    const magic = MAGIC_TO[to.replace(/^whatsapp:/, '')];
    if (!isAddress(to) || magic?.sync?.code === 21211) throw new TwilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (magic?.sync) throw new TwilioError(400, magic.sync.code, magic.sync.message);
    if (statusCallback !== undefined && !isCallbackUrl(statusCallback)) throw new TwilioError(400, 21609, `Invalid StatusCallback url: ${statusCallback}`);
    let service: ServiceRecord | undefined;
    if (serviceSid !== undefined) {
      service = api.state.get<ServiceRecord>(SERVICE_KIND, serviceSid);
      if (!service || service.account_sid !== ctx.accountSid) throw new TwilioError(400, 21701, `The Messaging Service Sid ${serviceSid} is invalid.`);
    }
    if (contentSid !== undefined) {
      const content = api.state.get('content', contentSid);
      if (!/^HX[0-9a-f]{32}$/.test(contentSid) || !content || content.account_sid !== ctx.accountSid) {
        throw new TwilioError(400, 21655, `The ContentSid ${contentSid} is invalid.`);
      }
    }
    const chosenFrom = chooseFrom(api, ctx, from, service);

    // US traffic from a number whose A2P registration is pending or failed is not delivered (30034, #14).
    const sender = chosenFrom ?? (service ? api.state.list<ServiceNumberRecord>(SERVICE_NUMBER_KIND, (l) => l.service_sid === service.sid)[0]?.phone_number : undefined);
    const registration = sender && !sender.startsWith('whatsapp:') ? senderRegistration(api, ctx.accountSid, sender) : undefined;
    const unregistered = registration === 'pending' || registration === 'failed';
    // Twilio accepts a free-form WhatsApp message outside the window, then fails it with 63016.
    const outsideWindow = to.startsWith('whatsapp:') && contentSid === undefined && !windowOpen(api, chosenFrom ?? '', to, ctx.now());
    // An opted-out recipient is refused for the sender they sent STOP to, or for every sender of a service with
    // Advanced Opt-Out (FACTS §10).
    if (isOptedOut(api, ctx.accountSid, to, optOutScopes(api, sender, service?.sid))) throw new TwilioError(400, 21610, 'Attempt to send to unsubscribed recipient');

    const at = ctx.now().toISOString();
    const rec = api.state.insert<MessageRecord>(MESSAGE_KIND, {
      sid: api.sid(media.length ? 'MM' : 'SM'),
      account_sid: ctx.accountSid,
      messaging_service_sid: service?.sid ?? null,
      from: chosenFrom,
      to,
      body,
      // With a Messaging Service the initial status is `accepted` and num_segments is 0 until a sender is chosen.
      status: service ? 'accepted' : 'queued',
      direction: 'outbound-api',
      num_segments: service ? '0' : String(segmentCount(body)),
      num_media: String(media.length),
      error_code: null,
      error_message: null,
      price: null,
      price_unit: 'USD',
      date_created: at,
      date_sent: null,
      date_updated: at,
      status_callback: statusCallback ?? null,
      content_sid: contentSid ?? null,
      outcome: outsideWindow ? 'failed' : unregistered ? 'undelivered' : (magic?.outcome ?? 'delivered'),
      outcome_error: outsideWindow ? { ...OUTSIDE_WINDOW_ERROR } : unregistered ? { ...UNREGISTERED_NUMBER_ERROR } : null,
    });
    // No callback for the initial status (FACTS §3); the first one reports the next status.
    api.schedule('message.step', rec.sid, { from: rec.status }, { delayMs: stepMs(), group: 'message' });
    return ctx.created(renderMessage(rec));
  });

  api.route('GET', HOST, `${BASE}/Messages/{Sid}.json`, (ctx) => ctx.ok(renderMessage(ctx.owned<MessageRecord>(MESSAGE_KIND, ctx.path.Sid))));

  api.route('GET', HOST, `${BASE}/Messages.json`, (ctx) => {
    const to = ctx.param('To');
    const from = ctx.param('From');
    const day = (s: string | undefined, name: string) => {
      if (s === undefined) return undefined;
      if (!/^\d{4}-\d{2}-\d{2}/.test(s)) throw errors.invalidParam(name, 'must be a date YYYY-MM-DD');
      return s.slice(0, 10);
    };
    const on = day(ctx.param('DateSent'), 'DateSent');
    const before = day(ctx.param('DateSent<'), 'DateSent<');
    const after = day(ctx.param('DateSent>'), 'DateSent>');
    const all = ctx
      .ownList<MessageRecord>(MESSAGE_KIND, (m) => {
        const sent = (m.date_sent ?? m.date_created).slice(0, 10);
        return (
          (to === undefined || m.to === to) &&
          (from === undefined || m.from === from) &&
          (on === undefined || sent === on) &&
          (before === undefined || sent <= before) &&
          (after === undefined || sent >= after)
        );
      })
      .reverse() // newest first, like Twilio
      .map(renderMessage);
    return ctx.ok(api.pageV2010(ctx, 'messages', all));
  });

  // ---- Advanced Opt-Out of a Messaging Service (Twilio sets it in the Console, per service; FACTS §10):
  // POST /sandbox/services/advanced-opt-out {service_sid, enabled}
  api.control('POST', '/sandbox/services/advanced-opt-out', (req) => {
    const sid = req.field('service_sid');
    const enabled = req.field('enabled');
    if (!sid) return { status: 400, body: { code: 20001, message: 'Missing required parameter service_sid', status: 400 } };
    if (enabled !== 'true' && enabled !== 'false') return { status: 400, body: { code: 20001, message: 'Invalid parameter enabled: must be true or false', status: 400 } };
    if (!api.state.get<ServiceRecord>(SERVICE_KIND, sid)) return { status: 404, body: { code: 20404, message: `No Messaging Service ${sid} in the sandbox`, status: 404 } };
    api.state.update<ServiceRecord>(SERVICE_KIND, sid, { advanced_opt_out: enabled === 'true' });
    return { status: 200, body: { service_sid: sid, advanced_opt_out: enabled === 'true' } };
  });

  // ---- Inbound simulation: POST /sandbox/inbound {from, to, body}
  api.control('POST', '/sandbox/inbound', (req) => {
    const from = req.field('from');
    const to = req.field('to');
    const body = req.field('body') ?? '';
    if (!from || !to || !isAddress(from) || !isAddress(to)) {
      return { status: 400, body: { code: 21211, message: 'from and to must be E.164 numbers (optionally whatsapp:)', status: 400 } };
    }
    let accountSid: string;
    let serviceSid: string | null = null;
    let url: string | null = null;
    let method: 'GET' | 'POST' = 'POST';
    const extra: Record<string, string> = {};
    if (to.startsWith('whatsapp:')) {
      const sender = api.state.list<SenderRecord>(SENDER_KIND, (s) => s.sender_id === to)[0];
      if (!sender) return { status: 404, body: { code: 20404, message: `No WhatsApp sender ${to} in the sandbox`, status: 404 } };
      accountSid = sender.account_sid;
      url = sender.webhook.callback_url;
      extra.ProfileName = 'Sandbox User';
      extra.WaId = from.replace(/^whatsapp:\+/, '');
    } else {
      const number = api.state.list<IncomingNumberRecord>(NUMBER_KIND, (n) => n.phone_number === to)[0];
      if (!number) return { status: 404, body: { code: 20404, message: `No account owns ${to} in the sandbox`, status: 404 } };
      accountSid = number.account_sid;
      const link = api.state.get<ServiceNumberRecord>(SERVICE_NUMBER_KIND, number.sid);
      const service = link ? api.state.get<ServiceRecord>(SERVICE_KIND, link.service_sid) : undefined;
      serviceSid = service?.sid ?? null;
      // The service's InboundRequestUrl wins unless it defers to the number's own SmsUrl.
      if (service && !service.use_inbound_webhook_on_number) {
        url = service.inbound_request_url;
        method = service.inbound_method;
      } else {
        url = number.sms_url;
        method = number.sms_method === 'GET' ? 'GET' : 'POST';
      }
    }
    // A suspended or closed account cannot receive SMS (FACTS §1): Twilio drops the message, no webhook.
    if (api.account(accountSid)?.status !== 'active') {
      return { status: 403, body: { code: 10001, message: `Account ${accountSid} is not active`, status: 403 } };
    }
    const keyword = optOutType(body);
    // Recorded for the sender the STOP was sent to, or for its whole service with Advanced Opt-Out.
    const scope = to.startsWith('whatsapp:') ? to : serviceSid && advancedOptOut(api, serviceSid) ? `service:${serviceSid}` : to;
    if (keyword === 'STOP') setOptOut(api, accountSid, scope, from, true);
    if (keyword === 'START') setOptOut(api, accountSid, scope, from, false);

    const at = api.now().toISOString();
    if (to.startsWith('whatsapp:')) api.state.setMeta(WHATSAPP_WINDOWS, { ...api.state.getMeta<Record<string, string>>(WHATSAPP_WINDOWS), [`${to} ${from}`]: at });
    const msg = api.state.insert<MessageRecord>(MESSAGE_KIND, {
      sid: api.sid('SM'),
      account_sid: accountSid,
      messaging_service_sid: serviceSid,
      from,
      to,
      body,
      status: 'received',
      direction: 'inbound',
      num_segments: String(segmentCount(body)),
      num_media: '0',
      error_code: null,
      error_message: null,
      price: (-PRICE_PER_SEGMENT * segmentCount(body)).toFixed(5),
      price_unit: 'USD',
      date_created: at,
      date_sent: at,
      date_updated: at,
      status_callback: null,
      content_sid: null,
      outcome: 'delivered',
    });
    let webhookQueued = false;
    if (url) {
      const fromGeo = areaInfo(from.replace(/^whatsapp:/, ''));
      const toGeo = areaInfo(to.replace(/^whatsapp:/, ''));
      const params: Record<string, string> = {
        AccountSid: accountSid,
        ApiVersion: '2010-04-01',
        Body: body,
        From: from,
        FromCity: fromGeo?.locality.toUpperCase() ?? '',
        FromCountry: 'US',
        FromState: fromGeo?.region ?? '',
        FromZip: fromGeo?.postalCode ?? '',
        MessageSid: msg.sid,
        NumMedia: '0',
        NumSegments: msg.num_segments,
        SmsMessageSid: msg.sid,
        SmsSid: msg.sid,
        SmsStatus: 'received',
        To: to,
        ToCity: toGeo?.locality.toUpperCase() ?? '',
        ToCountry: 'US',
        ToState: toGeo?.region ?? '',
        ToZip: toGeo?.postalCode ?? '',
        ...extra,
      };
      if (serviceSid) params.MessagingServiceSid = serviceSid;
      if (keyword) params.OptOutType = keyword;
      api.enqueueCallback({ accountSid, url, method, params, kind: 'message.inbound', resourceSid: msg.sid });
      webhookQueued = true;
    }
    return { status: 201, body: { message_sid: msg.sid, account_sid: accountSid, opt_out_type: keyword ?? null, webhook_queued: webhookQueued, url } };
  });
});
