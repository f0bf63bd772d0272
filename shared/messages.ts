// Wire contract of sending and reading a customer's messages: the send request and answer, the message log
// with keyset pages and filters, and one message with its status history.
import { z } from 'zod';
import { e164Schema, isoDateTimeSchema, pageSchema } from './common.ts';

/** Twilio's message_enum_status (FACTS §3), all 13 values. */
export const messageStatusSchema = z.enum([
  'queued',
  'sending',
  'sent',
  'failed',
  'delivered',
  'undelivered',
  'receiving',
  'received',
  'accepted',
  'scheduled',
  'read',
  'partially_delivered',
  'canceled',
]);
export type MessageStatus = z.infer<typeof messageStatusSchema>;

/**
 * The rank of a status: callbacks arrive out of order (FACTS §3, §9.3), so a status only replaces the current one
 * when it ranks strictly higher. accepted/scheduled/queued < sending < sent < delivered/undelivered/failed < read;
 * canceled is terminal for a scheduled message; partially_delivered sits with the final outcomes; receiving <
 * received for inbound.
 */
export const STATUS_RANK: Record<MessageStatus, number> = {
  accepted: 0,
  scheduled: 0,
  queued: 0,
  receiving: 0,
  sending: 1,
  sent: 2,
  received: 3,
  delivered: 3,
  undelivered: 3,
  failed: 3,
  canceled: 3,
  partially_delivered: 3,
  read: 4,
};

/** A final outcome: the status can only move on to `read` from here, the server and the portal agree on it. */
export const isSettledStatus = (status: MessageStatus): boolean => STATUS_RANK[status] >= STATUS_RANK.delivered;

export const messageChannelSchema = z.enum(['sms', 'whatsapp']);
export type MessageChannel = z.infer<typeof messageChannelSchema>;

export const messageDirectionSchema = z.enum(['inbound', 'outbound']);
export type MessageDirection = z.infer<typeof messageDirectionSchema>;

const contentSidSchema = z.string().regex(/^HX[0-9a-fA-F]{32}$/, 'must be a Content SID (HX followed by 32 hex digits)');

/**
 * `{ to, body }` or `{ to, contentSid, contentVariables }`, on `sms` (default) or `whatsapp`.
 * Twilio caps Body at 1600 characters (FACTS §3); WhatsApp outside the 24 h session needs a template (ContentSid).
 */
export const sendMessageRequestSchema = z
  .object({
    to: e164Schema,
    channel: messageChannelSchema.default('sms'),
    body: z.string().trim().min(1, 'must not be empty').max(1600, 'must be at most 1600 characters').optional(),
    contentSid: contentSidSchema.optional(),
    contentVariables: z.record(z.string(), z.string()).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.body === undefined && v.contentSid === undefined) {
      ctx.addIssue({ code: 'custom', path: ['body'], message: 'give either body or contentSid' });
    }
    if (v.body !== undefined && v.contentSid !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['contentSid'], message: 'give either body or contentSid, not both' });
    }
    if (v.contentVariables !== undefined && v.contentSid === undefined) {
      ctx.addIssue({ code: 'custom', path: ['contentVariables'], message: 'only allowed with contentSid' });
    }
  });
export type SendMessageRequest = z.input<typeof sendMessageRequestSchema>;

export const sendMessageResponseSchema = z.object({
  id: z.uuid(),
  sid: z.string(),
  status: messageStatusSchema,
});
export type SendMessageResponse = z.infer<typeof sendMessageResponseSchema>;

/**
 * One message of the log. The body is deliberately absent: message bodies never leave the server through the
 * API (DESIGN §4); the log shows who, when, which template and how delivery went.
 */
export const messageSchema = z.object({
  id: z.uuid(),
  sid: z.string().nullable(),
  direction: messageDirectionSchema,
  channel: messageChannelSchema,
  from: z.string().nullable(),
  to: z.string(),
  contentSid: z.string().nullable(),
  messagingServiceSid: z.string().nullable(),
  status: messageStatusSchema,
  errorCode: z.number().int().nullable(),
  errorMessage: z.string().nullable(),
  price: z.string().nullable(),
  priceUnit: z.string().nullable(),
  numSegments: z.number().int().nullable(),
  numMedia: z.number().int().nullable(),
  createdAt: isoDateTimeSchema,
  updatedAt: isoDateTimeSchema,
});
export type Message = z.infer<typeof messageSchema>;

export const messageStatusEventSchema = z.object({
  status: messageStatusSchema,
  errorCode: z.number().int().nullable(),
  source: z.enum(['api', 'callback', 'inbound']),
  /** false when a late, lower-ranked status arrived: kept for the record, it did not change the message. */
  applied: z.boolean(),
  at: isoDateTimeSchema,
});
export type MessageStatusEvent = z.infer<typeof messageStatusEventSchema>;

export const messageDetailSchema = messageSchema.extend({ history: z.array(messageStatusEventSchema) });
export type MessageDetail = z.infer<typeof messageDetailSchema>;

export const messagePageSchema = pageSchema(messageSchema);

export const messageListQuerySchema = z.object({
  status: messageStatusSchema.optional(),
  direction: messageDirectionSchema.optional(),
  channel: messageChannelSchema.optional(),
  to: e164Schema.optional(),
  from: e164Schema.optional(),
  since: isoDateTimeSchema.optional(),
  until: isoDateTimeSchema.optional(),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type MessageListQuery = z.infer<typeof messageListQuerySchema>;

/** Header that makes a send safe to retry: the same key always answers the same message. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const idempotencyKeySchema = z.string().min(1).max(255).regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

/** Whether each channel can send right now, and if not why, in words for the customer (the 409 a send would get). */
export const channelReadinessSchema = z.object({ ready: z.boolean(), code: z.string().nullable(), detail: z.string().nullable() });
export const sendingStatusSchema = z.object({ sms: channelReadinessSchema, whatsapp: channelReadinessSchema });
export type SendingStatus = z.infer<typeof sendingStatusSchema>;
