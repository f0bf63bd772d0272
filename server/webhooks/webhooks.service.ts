// The webhook use case: verify the signature, turn the verified parameters into an event, and record it with its
// effects (message status and history, inbound messages, opt-outs) under its idempotency key. Concurrent events
// share one transaction (group commit); each caller is answered only after that transaction commits.
import type { Db } from '../platform/db/db.ts';
import { SQLSTATE, sqlState } from '../platform/db/db.ts';
import { AppError } from '../platform/errors.ts';
import type { Logger } from '../platform/logger.ts';
import { messageStatusSchema, type MessageChannel, type MessageStatus } from '../../shared/messages.ts';
import { classifyOptOut, type OptOutAction } from '../opt-outs/opt-out-keywords.ts';
import { upsertOptOuts, type OptOutUpsert } from '../opt-outs/opt-outs.dao.ts';
import { recordWebhook } from '../metrics/metrics.ts';
import { createGroupCommitter } from './group-commit.ts';
import {
  verifyTwilioSignature,
  type IncomingWebhook,
  type RejectionReason,
  type VerifiedTwilioWebhook,
  type WebhookTokenSource,
} from './verify-twilio-signature.ts';
import { insertInboundMessages, insertStatusHistory, insertWebhookEvents, recordStatusEvents, type WebhookKind } from './webhooks.dao.ts';

/** Twilio's "recipient has opted out" (FACTS §10, §11). */
export const OPTED_OUT_ERROR_CODE = 21610;

export interface WebhookMetrics {
  rejected: Record<RejectionReason, number>;
  accepted: Record<WebhookKind, number>;
  duplicates: number;
  /** Verified requests whose payload was not a usable event (400). */
  malformed: number;
  batches: number;
  batchedEvents: number;
}

export function createWebhookMetrics(): WebhookMetrics {
  return {
    rejected: { missing_signature: 0, unknown_account: 0, bad_signature: 0 },
    accepted: { inbound: 0, status: 0, opt_out: 0 },
    duplicates: 0,
    malformed: 0,
    batches: 0,
    batchedEvents: 0,
  };
}

interface EventBase {
  /** The de-duplication key, built only from signed fields (see toWebhookEvent). */
  key: string;
  /** I-Twilio-Idempotency-Token: unsigned, so only a hint, unique per account (never the key on its own). */
  idempotencyToken: string | null;
  accountSid: string;
  messageSid: string;
  channel: MessageChannel;
  from: string | null;
  to: string | null;
  messagingServiceSid: string | null;
  numSegments: number | null;
  payload: Record<string, string>;
}

export interface StatusEvent extends EventBase {
  kind: 'status';
  status: MessageStatus;
  errorCode: number | null;
  price: string | null;
  priceUnit: string | null;
}

export interface InboundEvent extends EventBase {
  kind: 'inbound' | 'opt_out';
  body: string | null;
  numMedia: number | null;
  optOut: { action: OptOutAction; keyword: string } | undefined;
}

export type WebhookEvent = StatusEvent | InboundEvent;

const MESSAGE_SID = /^(SM|MM)[0-9a-f]{32}$/;
/** The statuses Twilio reports, as a set: one lookup per callback instead of a schema parse. */
const MESSAGE_STATUSES: ReadonlySet<string> = new Set(messageStatusSchema.options);
/** One debug line per this many recorded events (counters carry the totals). */
const DEBUG_SAMPLE_EVERY = 1000;

function invalid(detail: string): AppError {
  return new AppError(400, 'invalid_webhook_payload', detail);
}

const intOrNull = (v: string | undefined): number | null => (v !== undefined && /^-?\d+$/.test(v) ? Number(v) : null);
const priceOrNull = (v: string | undefined): string | null => (v !== undefined && /^-?\d+(\.\d+)?$/.test(v) ? v : null);

/** `whatsapp:+1415…` → channel whatsapp and the bare number; numbers are stored without the channel prefix. */
function address(v: string | undefined): { channel: MessageChannel; number: string } | undefined {
  if (!v) return undefined;
  return v.startsWith('whatsapp:') ? { channel: 'whatsapp', number: v.slice('whatsapp:'.length) } : { channel: 'sms', number: v };
}

/**
 * Turns verified parameters into an event with its idempotency key (FACTS §9.2–9.4). The key is made of what
 * X-Twilio-Signature covers, scoped by account: a captured callback replayed with a fresh (unsigned)
 * I-Twilio-Idempotency-Token still lands on the same key, and two accounts never share one.
 */
export function toWebhookEvent(kind: WebhookKind, webhook: VerifiedTwilioWebhook): WebhookEvent {
  const p = webhook.params;
  const messageSid = p.MessageSid ?? p.SmsSid ?? p.SmsMessageSid;
  if (!messageSid || !MESSAGE_SID.test(messageSid)) throw invalid('MessageSid is missing or malformed');
  const from = address(p.From);
  const to = address(p.To);
  const base = {
    accountSid: webhook.accountSid,
    messageSid,
    channel: to?.channel ?? from?.channel ?? 'sms',
    from: from?.number ?? null,
    to: to?.number ?? null,
    messagingServiceSid: p.MessagingServiceSid ?? null,
    numSegments: intOrNull(p.NumSegments),
    payload: { ...p },
    idempotencyToken: webhook.idempotencyToken ?? null,
  };
  if (kind === 'status') {
    const status = p.MessageStatus ?? p.SmsStatus;
    if (status === undefined || !MESSAGE_STATUSES.has(status)) throw invalid('MessageStatus is missing or not a Twilio message status');
    return {
      ...base,
      kind,
      key: `status:${webhook.accountSid}:${messageSid}:${status}`,
      status: status as MessageStatus,
      errorCode: intOrNull(p.ErrorCode),
      price: priceOrNull(p.Price),
      priceUnit: p.PriceUnit ?? null,
    };
  }
  if (!from || !to) throw invalid('From and To are required on an inbound message');
  return {
    ...base,
    kind,
    // Inbound and opt-out deliveries of one message share the key, so a service that posts both has one effect.
    key: `inbound:${webhook.accountSid}:${messageSid}`,
    body: p.Body ?? null,
    numMedia: intOrNull(p.NumMedia),
    optOut: classifyOptOut(p),
  };
}

/** Names the form parser turned into lists because they appeared more than once. */
function repeatedParameters(body: unknown): string[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return [];
  return Object.entries(body as Record<string, unknown>)
    .filter(([, v]) => Array.isArray(v))
    .map(([k]) => k.replace(/[^\x20-\x7e]/g, '?').slice(0, 64));
}

export interface WebhooksService {
  /**
   * Checks the signature; a rejection is counted (isv_webhooks_total under `kind`) and logged, never stored. A
   * route that does not go on to receive() counts its acceptance itself.
   */
  verify(req: IncomingWebhook, kind: string): Promise<VerifiedTwilioWebhook>;
  /** Records the event durably (with its effects), counts it accepted or duplicate, and resolves after the commit. */
  receive(kind: WebhookKind, webhook: VerifiedTwilioWebhook): Promise<{ duplicate: boolean }>;
  readonly metrics: WebhookMetrics;
  drain(): Promise<void>;
}

export interface WebhooksServiceDeps {
  db: Db;
  logger: Logger;
  tokens: WebhookTokenSource;
  publicBaseUrl: string;
  metrics?: WebhookMetrics;
  batching?: { maxBatch?: number; maxWaitMs?: number; maxConcurrent?: number };
}

const REJECTION_CODES: Record<RejectionReason, { code: string; detail: string }> = {
  missing_signature: { code: 'twilio_signature_missing', detail: 'The X-Twilio-Signature header is missing' },
  unknown_account: { code: 'twilio_account_unknown', detail: 'The AccountSid does not belong to this platform' },
  bad_signature: { code: 'twilio_signature_invalid', detail: 'The X-Twilio-Signature header does not match the request' },
};

export function createWebhooksService(deps: WebhooksServiceDeps): WebhooksService {
  const metrics = deps.metrics ?? createWebhookMetrics();
  const log = deps.logger.child({ component: 'webhooks' });
  let recorded = 0;

  const committer = createGroupCommitter<WebhookEvent, { duplicate: boolean }>({
    maxBatch: deps.batching?.maxBatch ?? 200,
    maxWaitMs: deps.batching?.maxWaitMs ?? 2,
    maxConcurrent: deps.batching?.maxConcurrent ?? 4,
    commit: (events) => recordEvents(deps.db, events),
    isRetryable: (err) => sqlState(err) === '40P01' || sqlState(err) === SQLSTATE.SERIALIZATION_FAILURE,
    onBatch: (size) => {
      metrics.batches++;
      metrics.batchedEvents += size;
    },
  });

  return {
    metrics,
    async verify(req, kind) {
      // Refused before verification: the SDK signs a repeated name's values concatenated, so `Body=a&Body=b`
      // verifies, and whatever we made of the list (joined, first, last) would not be what Twilio meant.
      const repeated = repeatedParameters(req.body);
      if (repeated.length) {
        metrics.malformed++;
        recordWebhook(kind, 'rejected', 'malformed');
        throw new AppError(400, 'repeated_parameter', 'Each webhook parameter may appear only once', repeated.map((name) => ({ path: name, message: 'appears more than once' })));
      }
      const result = await verifyTwilioSignature(req, deps.tokens);
      if (result.ok) return result.webhook;
      metrics.rejected[result.reason]++;
      recordWebhook(kind, 'rejected', result.reason);
      log.warn({ reason: result.reason, accountSid: result.accountSid, url: req.originalUrl.split('?')[0] }, 'webhook.rejected');
      const { code, detail } = REJECTION_CODES[result.reason];
      throw new AppError(403, code, detail);
    },
    async receive(kind, webhook) {
      let event: WebhookEvent;
      try {
        event = toWebhookEvent(kind, webhook);
      } catch (err) {
        metrics.malformed++;
        recordWebhook(kind, 'rejected', 'malformed');
        throw err;
      }
      const result = await committer.submit(event).catch((err: unknown) => {
        recordWebhook(kind, 'rejected', 'error');
        throw err;
      });
      if (result.duplicate) metrics.duplicates++;
      else metrics.accepted[kind]++;
      recordWebhook(kind, result.duplicate ? 'duplicate' : 'accepted');
      // Sampled: a log line per callback would cost more than recording it; the counters hold the totals.
      if (++recorded % DEBUG_SAMPLE_EVERY === 1) log.debug({ kind, key: event.key, accountSid: event.accountSid, duplicate: result.duplicate, recorded, metrics }, 'webhook.recorded.sample');
      return result;
    },
    drain: () => committer.drain(),
  };
}

/**
 * One batch, one atomic write: status callbacks go in a single statement (recordStatusEvents); inbound and
 * opt-out events, rarer, take a few more statements, so a batch holding any runs in one transaction.
 * Only events whose key was new have an effect; the others are answered as duplicates.
 */
export async function recordEvents(db: Db, events: readonly WebhookEvent[]): Promise<{ duplicate: boolean }[]> {
  const firstIndex = new Map<string, number>();
  events.forEach((e, i) => {
    if (!firstIndex.has(e.key)) firstIndex.set(e.key, i);
  });
  const unique = [...firstIndex.values()].map((i) => events[i]!);
  const statuses = unique.filter((e): e is StatusEvent => e.kind === 'status');
  const inbound = unique.filter((e): e is InboundEvent => e.kind !== 'status');
  const write = async (q: Db): Promise<Set<string>> => {
    const fresh = await recordStatusEvents(
      q,
      statuses.map((e) => ({
        idempotencyKey: e.key,
        idempotencyToken: e.idempotencyToken,
        accountSid: e.accountSid,
        messageSid: e.messageSid,
        payload: e.payload,
        channel: e.channel,
        from: e.from,
        to: e.to,
        messagingServiceSid: e.messagingServiceSid,
        status: e.status,
        errorCode: e.errorCode,
        price: e.price,
        priceUnit: e.priceUnit,
        numSegments: e.numSegments,
      })),
    );
    if (inbound.length > 0) for (const key of await recordInboundEvents(q, inbound)) fresh.add(key);
    return fresh;
  };
  const fresh = inbound.length === 0 ? await write(db) : await db.tx(write);
  return events.map((e, i) => ({ duplicate: !(fresh.has(e.key) && firstIndex.get(e.key) === i) }));
}

async function recordInboundEvents(tx: Db, events: readonly InboundEvent[]): Promise<Set<string>> {
  const fresh = await insertWebhookEvents(
    tx,
    events.map((e) => ({ idempotencyKey: e.key, idempotencyToken: e.idempotencyToken, kind: e.kind, accountSid: e.accountSid, messageSid: e.messageSid, payload: e.payload })),
  );
  const optOuts: OptOutUpsert[] = [];
  await applyInboundEvents(tx, events.filter((e) => fresh.has(e.key)), optOuts);
  // Last word per (customer, number, channel) in arrival order: one row each for the single upsert.
  const latest = new Map<string, OptOutUpsert>();
  for (const o of optOuts) latest.set(`${o.customerId}|${o.phoneNumber}|${o.channel}`, o);
  await upsertOptOuts(tx, [...latest.values()]);
  return fresh;
}

async function applyInboundEvents(tx: Db, events: readonly InboundEvent[], optOuts: OptOutUpsert[]): Promise<void> {
  if (events.length === 0) return;
  const inserted = await insertInboundMessages(
    tx,
    events.map((e) => ({
      sid: e.messageSid,
      accountSid: e.accountSid,
      channel: e.channel,
      from: e.from!,
      to: e.to!,
      body: e.body,
      messagingServiceSid: e.messagingServiceSid,
      numSegments: e.numSegments,
      numMedia: e.numMedia,
    })),
  );
  const bySid = new Map(inserted.map((r) => [r.sid, r]));
  await insertStatusHistory(
    tx,
    inserted.map((r) => ({ messageId: r.id, status: 'received', errorCode: null, source: 'inbound', applied: true })),
  );
  for (const e of events) {
    const row = bySid.get(e.messageSid);
    // Only a message recorded just now carries an effect; HELP changes nothing (Twilio already answered it).
    if (!row || !e.optOut || e.optOut.action === 'HELP') continue;
    optOuts.push({
      customerId: row.customer_id,
      phoneNumber: e.from!,
      channel: e.channel,
      status: e.optOut.action === 'STOP' ? 'opted_out' : 'opted_in',
      keyword: e.optOut.keyword,
      source: e.kind === 'opt_out' ? 'opt_out_webhook' : 'inbound',
      // The sender it was sent to: the opt-out's scope.
      sender: e.to,
      messagingServiceSid: e.messagingServiceSid,
    });
  }
}
