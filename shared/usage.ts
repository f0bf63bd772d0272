// Wire contract of usage, limits and alerts per customer: what GET …/usage, …/limits, …/alerts and the
// operator's usage dashboard answer, and what PUT …/limits and …/alert-settings accept.
import { z } from 'zod';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const realDate = (s: string) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;
export const isoDateSchema = z.string().regex(DATE, 'must be a date YYYY-MM-DD').refine(realDate, 'is not a real date');

/** The longest range one usage request may cover (days). */
export const MAX_USAGE_RANGE_DAYS = 400;

export const usageQuerySchema = z
  .object({
    from: isoDateSchema.optional(),
    to: isoDateSchema.optional(),
    granularity: z.enum(['day', 'month']).default('day'),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .strict()
  .superRefine((q, ctx) => {
    if (q.from && q.to) {
      if (q.from > q.to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must not be after to' });
      else if ((Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 > MAX_USAGE_RANGE_DAYS) {
        ctx.addIssue({ code: 'custom', path: ['to'], message: `must be at most ${MAX_USAGE_RANGE_DAYS} days after from` });
      }
    }
  });
export type UsageQuery = z.output<typeof usageQuerySchema>;

export const operatorUsageQuerySchema = z
  .object({
    from: isoDateSchema.optional(),
    to: isoDateSchema.optional(),
    granularity: z.enum(['day', 'month']).default('month'),
    format: z.enum(['json', 'csv']).default('json'),
    sort: z.enum(['spend', '-spend', 'name']).default('-spend'),
  })
  .strict()
  .superRefine((q, ctx) => {
    if (q.from && q.to && q.from > q.to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must not be after to' });
  });
export type OperatorUsageQuery = z.output<typeof operatorUsageQuerySchema>;

/** Twilio's categories the platform reads, grouped as the portal shows them. */
export const USAGE_CATEGORIES = [
  'sms-outbound',
  'sms-inbound',
  'channels-whatsapp-outbound',
  'channels-whatsapp-inbound',
  'phonenumbers',
  'a2p-registration-fees',
] as const;

export const usageItemSchema = z.object({
  /** YYYY-MM-DD (granularity=day) or YYYY-MM (granularity=month). */
  date: z.string(),
  category: z.string(),
  count: z.number(),
  usage: z.number(),
  price: z.number(),
  priceUnit: z.string(),
});
export type UsageItem = z.infer<typeof usageItemSchema>;

/** The platform's own message counts (from its message log), per date, channel and status. */
export const messageCountSchema = z.object({
  date: z.string(),
  channel: z.enum(['sms', 'whatsapp']),
  direction: z.enum(['inbound', 'outbound']),
  status: z.string(),
  count: z.number().int(),
  segments: z.number().int(),
});
export type MessageCount = z.infer<typeof messageCountSchema>;

export const usageTotalsSchema = z.object({
  price: z.number(),
  priceUnit: z.string(),
  /** Per category over the range. */
  byCategory: z.record(z.string(), z.object({ count: z.number(), usage: z.number(), price: z.number() })),
  messages: z.object({ total: z.number().int(), delivered: z.number().int(), failed: z.number().int(), segments: z.number().int() }),
});

export const usageReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  granularity: z.enum(['day', 'month']),
  items: z.array(usageItemSchema),
  totals: usageTotalsSchema,
  messages: z.array(messageCountSchema),
  /** When Twilio's usage was last read for this customer (null: never). */
  ingestedAt: z.string().nullable(),
});
export type UsageReport = z.infer<typeof usageReportSchema>;

export const usageRefreshSchema = z.object({ from: isoDateSchema.optional(), to: isoDateSchema.optional() }).strict();
export const usageRefreshResultSchema = z.object({ days: z.number().int(), records: z.number().int() });

export const operatorCustomerUsageSchema = z.object({
  customerId: z.string(),
  customerName: z.string(),
  spend: z.number(),
  priceUnit: z.string(),
  messages: z.number().int(),
  delivered: z.number().int(),
  failed: z.number().int(),
  /** delivered / (delivered + undelivered + failed); null when nothing has finished. */
  deliveryRate: z.number().nullable(),
  monthlyBudgetUsd: z.number().nullable(),
});
export type OperatorCustomerUsage = z.infer<typeof operatorCustomerUsageSchema>;

export const operatorUsageSchema = z.object({
  from: z.string(),
  to: z.string(),
  customers: z.array(operatorCustomerUsageSchema),
  items: z.array(usageItemSchema.extend({ customerId: z.string(), customerName: z.string() })),
  totals: z.object({ price: z.number(), priceUnit: z.string(), messages: z.number().int() }),
  topErrorCodes: z.array(z.object({ code: z.number().int(), count: z.number().int(), customers: z.number().int() })),
});
export type OperatorUsage = z.infer<typeof operatorUsageSchema>;

// ------------------------------------------------------------------------------------------------- limits

export const LIMIT_FIELDS = ['messagesPerDay', 'messagesPerMonth', 'monthlyBudgetUsd', 'sendsPerSecond'] as const;
export type LimitField = (typeof LIMIT_FIELDS)[number];

const count = z.number().int('must be a whole number').min(0, 'must be 0 or more').max(100_000_000, 'must be at most 100000000');
export const limitValuesSchema = z.object({
  messagesPerDay: count.nullable(),
  messagesPerMonth: count.nullable(),
  monthlyBudgetUsd: z.number().min(0, 'must be 0 or more').max(10_000_000, 'must be at most 10000000').nullable(),
  sendsPerSecond: z.number().int('must be a whole number').min(1, 'must be at least 1').max(10_000, 'must be at most 10000').nullable(),
});
export type LimitValues = z.infer<typeof limitValuesSchema>;

/** PUT body: any subset; null removes that limit (owners: their own value; staff: the ceiling). */
export const putLimitsSchema = limitValuesSchema.partial().strict();

export const limitsSchema = limitValuesSchema.extend({
  /** Set by staff; the customer's own values may only be lower. */
  ceilings: limitValuesSchema,
  /** The customer's own, lower values. */
  own: limitValuesSchema,
  /** Where each limit stands now. */
  current: z.object({ messagesToday: z.number().int(), messagesThisMonth: z.number().int(), spendThisMonthUsd: z.number() }),
});
export type Limits = z.infer<typeof limitsSchema>;

// ------------------------------------------------------------------------------------------------- alerts

export const ALERT_KINDS = ['budget', 'monthly_messages', 'delivery_rate', 'error_burst'] as const;
export const alertSchema = z.object({
  id: z.string(),
  kind: z.enum(ALERT_KINDS),
  subject: z.string(),
  period: z.string(),
  message: z.string(),
  detail: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});
export type Alert = z.infer<typeof alertSchema>;
export const alertListSchema = z.object({ items: z.array(alertSchema), unread: z.number().int() });

export const alertSettingsSchema = z.object({
  budgetThresholds: z.array(z.number().int().min(1).max(1000)).max(10),
  deliveryRateMin: z.number().min(0).max(1),
  deliveryRateWindow: z.number().int().min(1).max(10_000),
  errorCodes: z.array(z.number().int().min(10000).max(99999)).max(20),
  errorBurstCount: z.number().int().min(1).max(100_000),
  errorBurstWindowMinutes: z.number().int().min(1).max(1440),
  webhookUrl: z.string().nullable(),
});
export type AlertSettings = z.infer<typeof alertSettingsSchema>;

export const putAlertSettingsSchema = alertSettingsSchema
  .extend({
    webhookUrl: z.url({ protocol: /^https?$/, message: 'must be an https:// URL' }).max(2000).nullable(),
    /** true: make a new signing secret for the current URL (shown once). */
    rotateSecret: z.boolean(),
  })
  .partial()
  .strict();

/** The settings; `webhookSecret` only in the answer that created it (shown once). */
export const alertSettingsResponseSchema = alertSettingsSchema.extend({ webhookSecret: z.string().optional() });

export const alertIdParamsSchema = z.object({ id: z.string(), alertId: z.uuid({ message: 'is not an alert id' }) });
