// Wire contract of a customer's opt-out list: one entry per recipient number and channel.
import { z } from 'zod';
import { isoDateTimeSchema, pageSchema } from './common.ts';
import { messageChannelSchema } from './messages.ts';

export const optOutStatusSchema = z.enum(['opted_out', 'opted_in']);
export type OptOutStatus = z.infer<typeof optOutStatusSchema>;

/** How the platform learned it: an inbound keyword, the separate opt-out webhook, Twilio error 21610, the API. */
export const optOutSourceSchema = z.enum(['inbound', 'opt_out_webhook', 'error_21610', 'api']);

export const optOutSchema = z.object({
  phoneNumber: z.string(),
  channel: messageChannelSchema,
  status: optOutStatusSchema,
  keyword: z.string().nullable(),
  source: optOutSourceSchema,
  updatedAt: isoDateTimeSchema,
});
export type OptOut = z.infer<typeof optOutSchema>;

export const optOutPageSchema = pageSchema(optOutSchema);

export const optOutListQuerySchema = z.object({
  status: optOutStatusSchema.optional(),
  channel: messageChannelSchema.optional(),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type OptOutListQuery = z.infer<typeof optOutListQuerySchema>;

/**
 * Opt-out scope of one of the customer's messaging services. A STOP applies to the sender it was sent to;
 * with Advanced Opt-Out (set on the service in Twilio's Console) it applies to every sender of the service.
 */
export const optOutScopeSchema = z
  .object({
    messagingServiceSid: z.string().regex(/^MG[0-9a-f]{32}$/, 'must be a messaging service SID (MG…)'),
    advancedOptOut: z.boolean(),
  })
  .strict();
export type OptOutScope = z.infer<typeof optOutScopeSchema>;
export const optOutScopeListSchema = z.object({ items: z.array(optOutScopeSchema) });
