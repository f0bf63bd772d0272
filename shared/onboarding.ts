// Wire contract of onboarding progress (flows and their timelines) and of the admin approval queue.
import { z } from 'zod';

export const flowKindSchema = z.enum(['subaccount', 'a2p', 'whatsapp_sender', 'template']);
export type FlowKind = z.infer<typeof flowKindSchema>;

export const flowStatusSchema = z.enum([
  'in_progress',
  'waiting_on_twilio',
  'action_required',
  'awaiting_approval',
  /** A fault the customer cannot fix (the platform's or Twilio's): an operator looks at it and retries. */
  'needs_attention',
  'done',
  'failed',
]);
export type FlowStatus = z.infer<typeof flowStatusSchema>;

/** Why a flow stopped: a stable code, a sentence a customer understands, Twilio's code and the fields to fix. */
export const flowErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  twilioCode: z.number().int().nullable(),
  fields: z.array(z.string()),
});
export type FlowError = z.infer<typeof flowErrorSchema>;

export const flowEventSchema = z.object({
  at: z.string(),
  from: z.string().nullable(),
  to: z.string(),
  message: z.string(),
});
export type FlowEventView = z.infer<typeof flowEventSchema>;

export const flowViewSchema = z.object({
  id: z.uuid(),
  kind: flowKindSchema,
  subjectId: z.uuid().nullable(),
  state: z.string(),
  status: flowStatusSchema,
  /** 0–100: how far along its happy path the flow is. */
  progress: z.number().int().min(0).max(100),
  waitingFor: z.string().nullable(),
  nextCheckAt: z.string().nullable(),
  /** Until when the customer can do what the flow waits for (a sole proprietor's YES reply); null when no limit. */
  deadline: z.string().nullable().optional(),
  attempts: z.number().int(),
  lastError: flowErrorSchema.nullable(),
  events: z.array(flowEventSchema),
});
export type FlowView = z.infer<typeof flowViewSchema>;

export const onboardingOverallSchema = z.enum([
  'not_started',
  'in_progress',
  'awaiting_approval',
  'action_required',
  /** Nothing for the customer to do: our team is on a fault at one of the steps. */
  'needs_attention',
  'failed',
  'complete',
  /** The customer's Twilio subaccount was suspended or closed by the operator: nothing can be sent. */
  'suspended',
  'closed',
]);

export const onboardingResponseSchema = z.object({
  overall: onboardingOverallSchema,
  flows: z.array(flowViewSchema),
});
export type OnboardingResponse = z.infer<typeof onboardingResponseSchema>;

/** One changed field since the last rejection: dotted path, the rejected value and the current one. */
export const fieldChangeSchema = z.object({ path: z.string(), before: z.unknown(), after: z.unknown() });
export type FieldChange = z.infer<typeof fieldChangeSchema>;

export const approvalItemSchema = z.object({
  type: z.enum(['brand', 'template']),
  id: z.uuid(),
  customerId: z.uuid(),
  customerName: z.string(),
  submittedAt: z.string(),
  data: z.record(z.string(), z.unknown()),
  previousRejection: z.string().nullable(),
  changes: z.array(fieldChangeSchema),
});
export type ApprovalItem = z.infer<typeof approvalItemSchema>;

export const approvalsResponseSchema = z.object({ items: z.array(approvalItemSchema) });

export const rejectBodySchema = z.object({
  reason: z.string().trim().min(3, 'say why, in a sentence the customer will read').max(1000),
});
export type RejectBody = z.infer<typeof rejectBodySchema>;

export const approvalDecisionResponseSchema = z.object({
  id: z.uuid(),
  status: z.string(),
  rejectionReason: z.string().nullable(),
});

/** One flow in the operator queue: the fault, where it happened, and what Retry will run again. */
export const attentionItemSchema = z.object({
  flowId: z.uuid(),
  kind: flowKindSchema,
  customerId: z.uuid(),
  customerName: z.string(),
  state: z.string(),
  /** The step in words. */
  step: z.string(),
  since: z.string(),
  reason: z.string(),
  operation: z.string().nullable(),
  twilioCode: z.number().int().nullable(),
  httpStatus: z.number().int().nullable(),
  twilioMessage: z.string().nullable(),
});
export type AttentionItem = z.infer<typeof attentionItemSchema>;

export const attentionQueueSchema = z.object({ items: z.array(attentionItemSchema), total: z.number().int() });
export type AttentionQueue = z.infer<typeof attentionQueueSchema>;

export const onboardingMetricsSchema = z.object({
  /** Flows by status right now (every status present, 0 when none). */
  flowsByStatus: z.record(flowStatusSchema, z.number().int()),
  /** Flows an operator must look at (status needs_attention). */
  needsAttention: z.number().int(),
  /** Faults the engine recovered from on its own since the start (timeline events). */
  recoveries: z.number().int(),
});
export type OnboardingMetrics = z.infer<typeof onboardingMetricsSchema>;
