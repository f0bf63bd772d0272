// Wire contract of the operator API: subaccounts reconciled against Twilio, their lifecycle, the audit log.
import { z } from 'zod';
import { filterText, pageSchema } from './common.ts';

export const subaccountDriftSchema = z.enum(['missing_in_twilio', 'orphan_in_twilio', 'status_mismatch']);
export type SubaccountDrift = z.infer<typeof subaccountDriftSchema>;

export const accountStatusSchema = z.enum(['active', 'suspended', 'closed']);

export const subaccountUsageSchema = z.object({
  /** Messages this month (usage category `sms`). */
  count: z.number(),
  /** Total price this month (usage category `totalprice`). */
  price: z.number(),
  priceUnit: z.string(),
});

export type SubaccountUsage = z.infer<typeof subaccountUsageSchema>;

export const reconciledSubaccountSchema = z.object({
  customerId: z.uuid().nullable(),
  customerName: z.string().nullable(),
  accountSid: z.string(),
  friendlyName: z.string(),
  dbStatus: accountStatusSchema.nullable(),
  twilioStatus: accountStatusSchema.nullable(),
  /** This month's usage; null when the account is not in Twilio or its usage could not be read. */
  usage: subaccountUsageSchema.nullable(),
  drift: z.array(subaccountDriftSchema),
  /** Closed here: when Twilio deletes it (30 days after closing); null otherwise. */
  deletionDueAt: z.string().nullable(),
  /** Closed here and gone from Twilio's list: Twilio deleted it, as it does 30 days after closing (not drift). */
  deleted: z.boolean(),
});
export type ReconciledSubaccount = z.infer<typeof reconciledSubaccountSchema>;

export const subaccountReconciliationSchema = z.object({
  items: z.array(reconciledSubaccountSchema),
  /** When Twilio's list was read. */
  checkedAt: z.string(),
  summary: z.object({ total: z.number(), drifted: z.number() }),
});
export type SubaccountReconciliation = z.infer<typeof subaccountReconciliationSchema>;

export const subaccountSidParamsSchema = z.object({ sid: z.string() });

/** Closing is irreversible on Twilio (error 21479), so the caller repeats the SID to confirm. */
const reason = z.string().trim().max(500).optional();
export const closeSubaccountSchema = z.strictObject({ confirm: z.string().min(1, 'repeat the account SID to confirm'), reason });
export const subaccountActionSchema = z.strictObject({ reason });

export const subaccountActionResultSchema = z.object({
  accountSid: z.string(),
  customerId: z.uuid().nullable(),
  previousStatus: accountStatusSchema,
  status: accountStatusSchema,
});

export const auditLogQuerySchema = z.object({
  actor: filterText(254).optional(),
  action: filterText(100).optional(),
  targetType: filterText(100).optional(),
  targetId: filterText(200).optional(),
  customerId: z.uuid().optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type AuditLogQuery = z.infer<typeof auditLogQuerySchema>;

export const auditEntrySchema = z.object({
  id: z.uuid(),
  at: z.string(),
  actorId: z.uuid().nullable(),
  actorEmail: z.string().nullable(),
  /** Set when a staff member acted on a tenant's behalf: the platform role used (admin, operator). */
  actorRole: z.string().nullable(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string(),
  customerId: z.uuid().nullable(),
  before: z.unknown(),
  after: z.unknown(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const auditLogPageSchema = pageSchema(auditEntrySchema);
