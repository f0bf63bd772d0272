// Sending and reading a customer's messages. A send goes through the customer's own subaccount and messaging
// service after every check that can refuse it without Twilio: access, onboarding, opt-out, rate limit.
import type { Db } from '../platform/db/db.ts';
import { isUniqueViolation } from '../platform/db/db.ts';
import { AppError, notFound } from '../platform/errors.ts';
import type { Logger } from '../platform/logger.ts';
import { maskPhone } from '../platform/logger.ts';
import type { Principal } from '../platform/auth/principal.ts';
import { assertCustomerAccess } from '../customers/customer-access.ts';
import { appendAudit, staffRoleOf } from '../audit/audit.dao.ts';
import { findSendingAccount } from '../subaccounts/subaccounts.dao.ts';
import { findLiveA2pStatus } from '../a2p-watch/a2p-watch.dao.ts';
import { a2pSendBlock } from '../a2p-watch/a2p-status.ts';
import { numberRegistrationBlock } from '../a2p-watch/number-registration.ts';
import { credentialsInvalid } from '../connections/connections.service.ts';
import { TwilioCallError, type TwilioGateway } from '../twilio/gateway.ts';
import { assertTwilioAvailable } from '../twilio/health.ts';
import { deleteRateLimitWindowsBefore, hitRateLimit } from '../auth/rate-limits.dao.ts';
import { upsertOptOuts } from '../opt-outs/opt-outs.dao.ts';
import { optOutBlocksSend } from '../opt-outs/opt-outs.service.ts';
import { insertStatusHistory } from '../webhooks/webhooks.dao.ts';
import { OPTED_OUT_ERROR_CODE } from '../webhooks/webhooks.service.ts';
import {
  messageStatusSchema,
  type Message,
  type MessageChannel,
  type MessageDetail,
  type MessageListQuery,
  type SendMessageResponse,
  type SendingStatus,
  sendMessageRequestSchema,
} from '../../shared/messages.ts';
import { isRealTimestamp, UUID_PATTERN, type Page } from '../../shared/common.ts';
import type { z } from 'zod';
import {
  adoptCallbackRow,
  countActiveNumbers,
  deleteMessage,
  findMessage,
  findMessageByIdempotencyKey,
  findOnlineWhatsappSender,
  findVerifiedCampaignService,
  listMessages,
  lastWhatsAppInbound,
  listStatusHistory,
  recordTwilioAnswer,
  reserveMessage,
  type MessageRow,
} from './messaging.dao.ts';

/** WhatsApp's customer-service window: 24 hours from the contact's last inbound message. */
const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;

export type SendInput = z.output<typeof sendMessageRequestSchema>;

export type SendingReadiness =
  | { ready: true; accountSid: string; messagingServiceSid: string | null; whatsappFrom: string | null }
  | { ready: false; reason: string; code: string };

/**
 * "Ready to send", in one place:
 *  - a platform subaccount: active; sms needs a campaign with status 'verified' that names its messaging
 *    service and at least one active number (the service's sender pool; Twilio picks the sender when only
 *    MessagingServiceSid is given); whatsapp needs a WhatsApp sender that is 'online'. The onboarding engine
 *    writes these rows as its flows finish;
 *  - a connected account of the customer's own: credentials that work, an active account and, for sms,
 *    the messaging service the customer chose (its campaign is registered in Twilio's Console or by the A2P
 *    flow run in that account); for whatsapp, the WhatsApp sender of that account the customer chose.
 */
export async function sendingReadiness(db: Db, customerId: string, channel: MessageChannel): Promise<SendingReadiness> {
  const { twilio_mode: mode, account } = await findSendingAccount(db, customerId);
  // Said to the customer ("you"); `onboarding_incomplete` for what is not finished yet, a code of its own for a pause.
  const notYet = (reason: string): SendingReadiness => ({ ready: false, reason, code: 'onboarding_incomplete' });
  if (mode === 'byoa') {
    if (!account) return notYet('Connect your Twilio account first (Twilio account page).');
    if (account.connection_status === 'credentials_invalid') {
      const e = credentialsInvalid(account);
      return { ready: false, reason: e.detail, code: e.code };
    }
    if (account.status !== 'active') {
      return { ready: false, code: `twilio_account_${account.status}`, reason: `Your Twilio account is ${account.status}, so nothing can be sent through it. ${account.status === 'suspended' ? 'Resolve the suspension with Twilio (Console › Billing or Support).' : 'Connect another account.'}` };
    }
    if (channel === 'whatsapp') {
      if (!account.whatsapp_from) return notYet('Choose which WhatsApp sender of your Twilio account sends (Twilio account page › Change sender).');
      return { ready: true, accountSid: account.account_sid, messagingServiceSid: null, whatsappFrom: account.whatsapp_from.replace(/^whatsapp:/, '') };
    }
    if (!account.messaging_service_sid) return notYet('Choose which messaging service of your Twilio account sends (Twilio account page).');
    // A campaign the platform registered in that account is watched like a subaccount's.
    const blocked = await a2pBlock(db, customerId, account.messaging_service_sid);
    if (blocked) return blocked;
    return { ready: true, accountSid: account.account_sid, messagingServiceSid: account.messaging_service_sid, whatsappFrom: null };
  }
  const sub = account;
  if (!sub) return notYet('Your Twilio account is still being set up; your progress page shows where it stands.');
  if (sub.status === 'suspended') return { ready: false, code: 'subaccount_suspended', reason: 'Your Twilio account is suspended, so nothing you send goes out. Ask us to reactivate it.' };
  if (sub.status === 'closed') return { ready: false, code: 'subaccount_closed', reason: 'Your Twilio account is closed, so it cannot send messages any more.' };
  if (channel === 'whatsapp') {
    const sender = await findOnlineWhatsappSender(db, customerId);
    if (!sender) return notYet('You have no WhatsApp sender online yet: register one in your onboarding, or follow it on your progress page.');
    return { ready: true, accountSid: sub.account_sid, messagingServiceSid: null, whatsappFrom: sender.phone_number };
  }
  const service = await findVerifiedCampaignService(db, customerId);
  if (!service) return notYet('Your US texting registration (A2P 10DLC brand and campaign) is not verified yet; your progress page shows where it stands.');
  const blocked = await a2pBlock(db, customerId, service);
  if (blocked) return blocked;
  if ((await countActiveNumbers(db, customerId)) === 0) return notYet('You have no phone number to text from yet; your progress page shows where it stands.');
  return { ready: true, accountSid: sub.account_sid, messagingServiceSid: service, whatsappFrom: null };
}

/** A registration that was approved but no longer lets the customer text (suspended, expired, deleted: #14). */
async function a2pBlock(db: Db, customerId: string, messagingServiceSid: string): Promise<SendingReadiness | undefined> {
  const live = await findLiveA2pStatus(db, customerId, messagingServiceSid);
  const block = (live && a2pSendBlock(live.brand_status, live.campaign_status)) || (await numberRegistrationBlock(db, customerId, messagingServiceSid));
  return block ? { ready: false, reason: block.detail, code: block.code } : undefined;
}

export function toMessage(r: MessageRow): Message {
  return {
    id: r.id,
    sid: r.sid,
    direction: r.direction,
    channel: r.channel,
    from: r.from_number,
    to: r.to_number,
    contentSid: r.content_sid,
    messagingServiceSid: r.messaging_service_sid,
    status: r.status,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    price: r.price === null ? null : String(r.price),
    priceUnit: r.price_unit,
    numSegments: r.num_segments,
    numMedia: r.num_media,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}


function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string' && UUID_PATTERN.test(v[1]) && isRealTimestamp(v[0])) {
      return { createdAt: v[0], id: v[1] };
    }
  } catch {
    // falls through to the 422 below
  }
  throw new AppError(422, 'validation_failed', 'The request query is invalid', [{ path: 'cursor', message: 'is not a cursor this API returned' }]);
}

export interface MessagingServiceDeps {
  db: Db;
  logger: Logger;
  twilio: TwilioGateway;
  publicBaseUrl: string;
  now?: () => Date;
  /** Told when Twilio refused an account's credentials while sending (a connected account's token was revoked). */
  onCredentialsRejected?: (accountSid: string) => Promise<boolean>;
  /** Per-customer send limit in a fixed window shared by every instance (isv.rate_limits). */
  sendRateLimit?: { limit: number; windowMs: number };
  /** The customer's own limits (#18: per day, per month, budget, per second); throws 429 limit_exceeded. */
  checkSendLimits?: (customerId: string) => Promise<{ release(): Promise<void> }>;
}

export interface SendResult {
  message: SendMessageResponse;
  replayed: boolean;
}

export interface MessagingService {
  send(principal: Principal, customerId: string, input: SendInput, idempotencyKey?: string): Promise<SendResult>;
  list(principal: Principal, customerId: string, q: MessageListQuery): Promise<Page<Message>>;
  get(principal: Principal, customerId: string, messageId: string): Promise<MessageDetail>;
  sendingStatus(principal: Principal, customerId: string): Promise<SendingStatus>;
}

export const DEFAULT_SEND_RATE_LIMIT = { limit: 20, windowMs: 1_000 };

export function createMessagingService(deps: MessagingServiceDeps): MessagingService {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const rate = deps.sendRateLimit ?? DEFAULT_SEND_RATE_LIMIT;
  const log = deps.logger.child({ component: 'messaging' });
  const statusCallback = `${deps.publicBaseUrl}/api/isv/webhooks/twilio/status`;

  const answerOf = (r: MessageRow): SendMessageResponse => ({ id: r.id, sid: r.sid!, status: r.status });

  /** The message a key already names: its answer, or 409 while the first request is still talking to Twilio. */
  function replay(existing: MessageRow): SendResult {
    if (existing.sid) return { message: answerOf(existing), replayed: true };
    throw new AppError(409, 'idempotency_key_in_use', 'A request with this Idempotency-Key is still in progress; retry shortly', undefined, {
      'Retry-After': '1',
    });
  }

  async function enforceRateLimit(customerId: string): Promise<void> {
    const t = now().getTime();
    const windowStart = Math.floor(t / rate.windowMs) * rate.windowMs;
    // Canonical id: Postgres reads a UUID in any case, so a key built from the raw path text would give
    // `…/customers/ABC…/messages` a fresh window of its own (issue 16 row 4).
    const key = `messages.send:${customerId.toLowerCase()}`;
    const count = await hitRateLimit(db, key, new Date(windowStart));
    if (count === 1) await deleteRateLimitWindowsBefore(db, key, new Date(windowStart - 60 * rate.windowMs));
    if (count > rate.limit) {
      const retryAfter = Math.max(1, Math.ceil((windowStart + rate.windowMs - t) / 1000));
      throw new AppError(429, 'rate_limited', `At most ${rate.limit} messages per ${rate.windowMs / 1000} s per customer`, undefined, {
        'Retry-After': String(retryAfter),
      });
    }
  }

  function optedOut(to: string, channel: MessageChannel): AppError {
    return new AppError(409, 'recipient_opted_out', `${to} has opted out of ${channel} messages from this customer`);
  }

  return {
    async send(principal, customerId, input, idempotencyKey) {
      const access = await assertCustomerAccess(db, principal, customerId);
      // A staff member sending as the tenant leaves an audit entry naming them and the role they used.
      const sent = async (row: MessageRow): Promise<SendResult> => {
        if (access === 'staff') {
          await appendAudit(db, { actor: principal, actorRole: staffRoleOf(principal), action: 'message.sent_by_staff', targetType: 'message', targetId: row.id, customerId, after: { sid: row.sid, channel: input.channel, to: maskPhone(input.to) } });
        }
        return { message: answerOf(row), replayed: false };
      };
      if (idempotencyKey) {
        const existing = await findMessageByIdempotencyKey(db, customerId, idempotencyKey);
        if (existing) return replay(existing);
      }
      const readiness = await sendingReadiness(db, customerId, input.channel);
      if (!readiness.ready) throw new AppError(409, readiness.code, readiness.reason);
      // Refused here, before Twilio: Twilio would answer 21610 anyway (FACTS §10) and count the attempt.
      // Scoped like Twilio's: to the sender the STOP went to, or the whole service with Advanced Opt-Out.
      if (await optOutBlocksSend(db, { customerId, to: input.to, channel: input.channel, messagingServiceSid: readiness.messagingServiceSid, whatsappFrom: readiness.whatsappFrom })) throw optedOut(input.to, input.channel);
      // WhatsApp delivers free-form text only within 24 hours of the contact's last message to this sender; Twilio
      // would accept it and then fail it with 63016. A template (contentSid) is always allowed.
      if (input.channel === 'whatsapp' && input.body !== undefined) {
        const last = await lastWhatsAppInbound(db, customerId, input.to, readiness.whatsappFrom!);
        if (!last || now().getTime() - last.getTime() >= WHATSAPP_WINDOW_MS) {
          throw new AppError(409, 'whatsapp_window_closed', `${input.to} has not written to you on WhatsApp in the last 24 hours, so WhatsApp only delivers an approved template to them: send one with contentSid instead of a body (Twilio error 63016).`, undefined, undefined, { twilioCode: 63016, lastInboundAt: last?.toISOString() ?? null });
        }
      }
      await enforceRateLimit(customerId);
      // Twilio's circuit breaker is open: 503 twilio_unavailable with Retry-After now, before anything is reserved.
      await assertTwilioAvailable(deps.twilio.health);
      const counted = await deps.checkSendLimits?.(customerId);

      const reservation = await reserveMessage(db, {
        customerId,
        accountSid: readiness.accountSid,
        channel: input.channel,
        to: input.to,
        body: input.body ?? null,
        contentSid: input.contentSid ?? null,
        messagingServiceSid: readiness.messagingServiceSid,
        idempotencyKey: idempotencyKey ?? null,
      });
      if (!reservation) {
        // Another request with the same key reserved it between our read and our insert.
        await counted?.release();
        const existing = await findMessageByIdempotencyKey(db, customerId, idempotencyKey!);
        if (existing) return replay(existing);
        throw new AppError(409, 'idempotency_key_in_use', 'A request with this Idempotency-Key is still in progress; retry shortly');
      }

      const params: Record<string, string> = { statusCallback };
      if (input.channel === 'whatsapp') {
        params.to = `whatsapp:${input.to}`;
        params.from = `whatsapp:${readiness.whatsappFrom!.replace(/^whatsapp:/, '')}`;
      } else {
        params.to = input.to;
        params.messagingServiceSid = readiness.messagingServiceSid!;
      }
      if (input.body !== undefined) params.body = input.body;
      if (input.contentSid !== undefined) params.contentSid = input.contentSid;
      if (input.contentVariables !== undefined) params.contentVariables = JSON.stringify(input.contentVariables);

      let created: { sid: string; status: string; from: string | null; numSegments: string | null; errorCode: number | null; errorMessage: string | null };
      try {
        const client = await deps.twilio.subaccount(readiness.accountSid);
        // One attempt only: a create that timed out may have been sent, and a blind retry would send it twice.
        created = await deps.twilio.call('messages.create', () => client.messages.create(params as never), { maxAttempts: 1 });
      } catch (err) {
        await deleteMessage(db, reservation.id);
        await counted?.release();
        if (err instanceof TwilioCallError && (err.httpStatus === 401 || err.twilioCode === 20003) && (await deps.onCredentialsRejected?.(readiness.accountSid))) {
          throw credentialsInvalid({ account_sid: readiness.accountSid });
        }
        throw await explainTwilioFailure(err, customerId, input);
      }

      const status = messageStatusSchema.catch('accepted').parse(created.status);
      const answer = {
        sid: created.sid,
        status,
        from: created.from ? created.from.replace(/^whatsapp:/, '') : null,
        numSegments: created.numSegments !== null && /^\d+$/.test(String(created.numSegments)) ? Number(created.numSegments) : null,
        errorCode: created.errorCode ?? null,
        errorMessage: created.errorMessage ?? null,
      };
      // History first, so a callback that lands right after the SID is recorded never sorts before it.
      await insertStatusHistory(db, [{ messageId: reservation.id, status, errorCode: answer.errorCode, source: 'api', applied: true }]);
      let row: MessageRow | undefined;
      try {
        row = await recordTwilioAnswer(db, reservation.id, answer);
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
      if (row) {
        log.info({ customerId, messageId: row.id, sid: row.sid, to: maskPhone(input.to), channel: input.channel }, 'message.sent');
        return sent(row);
      }
      // A status callback arrived before Twilio's answer and created the SID's row: that row becomes the message.
      const adopted = await db.tx(async (tx) => {
        await deleteMessage(tx, reservation.id);
        return adoptCallbackRow(tx, customerId, created.sid, {
          idempotencyKey: idempotencyKey ?? null,
          body: input.body ?? null,
          contentSid: input.contentSid ?? null,
          messagingServiceSid: readiness.messagingServiceSid,
          from: answer.from,
          to: input.to,
        });
      });
      if (!adopted) throw new Error(`message ${created.sid} is recorded for another customer`);
      log.info({ customerId, messageId: adopted.id, sid: adopted.sid, to: maskPhone(input.to) }, 'message.sent_after_callback');
      return sent(adopted);
    },

    async list(principal, customerId, q) {
      await assertCustomerAccess(db, principal, customerId);
      const after = q.cursor ? decodeCursor(q.cursor) : undefined;
      const rows = await listMessages(db, customerId, q, after, q.limit + 1);
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      return {
        items: page.map(toMessage),
        nextCursor: rows.length > q.limit && last ? encodeCursor(last.cursor_ts, last.id) : null,
      };
    },

    async sendingStatus(principal, customerId) {
      await assertCustomerAccess(db, principal, customerId);
      const of = async (channel: MessageChannel) => {
        const r = await sendingReadiness(db, customerId, channel);
        return r.ready ? { ready: true, code: null, detail: null } : { ready: false, code: r.code, detail: r.reason };
      };
      return { sms: await of('sms'), whatsapp: await of('whatsapp') };
    },

    async get(principal, customerId, messageId) {
      await assertCustomerAccess(db, principal, customerId);
      if (!UUID_PATTERN.test(messageId)) throw notFound('Message');
      const row = await findMessage(db, customerId, messageId);
      if (!row) throw notFound('Message');
      const history = await listStatusHistory(db, row.id);
      return {
        ...toMessage(row),
        history: history.map((h) => ({
          status: h.status,
          errorCode: h.error_code,
          source: h.source,
          applied: h.applied,
          at: new Date(h.at).toISOString(),
        })),
      };
    },
  };

  /** Maps a failed create to the customer's answer; 21610 also records the opt-out Twilio just told us about. */
  async function explainTwilioFailure(err: unknown, customerId: string, input: SendInput): Promise<AppError> {
    if (!(err instanceof TwilioCallError)) return err instanceof AppError ? err : new AppError(502, 'twilio_error', 'Twilio could not be reached');
    if (err.twilioCode === OPTED_OUT_ERROR_CODE) {
      await upsertOptOuts(db, [{ customerId, phoneNumber: input.to, channel: input.channel, status: 'opted_out', keyword: null, source: 'error_21610' }]);
      return optedOut(input.to, input.channel);
    }
    if (err.kind === 'transient') {
      return new AppError(503, 'twilio_unavailable', 'Twilio is busy or unreachable; the message was not sent. Retry shortly.', undefined, { 'Retry-After': '5' });
    }
    return new AppError(
      422,
      'twilio_rejected',
      `Twilio refused the message${err.twilioCode ? ` (error ${err.twilioCode})` : ''}: ${err.twilioMessage}`,
    );
  }
}
