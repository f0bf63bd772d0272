// GET /api/isv/operator/health: Twilio as the platform sees it. Each process (worker, instance) keeps its own
// windows and breaker in memory and reports them every few seconds: `operations` and `recentErrors` are summed over
// every live process, `breaker` is the answering process's, `instances` lists each process's breaker.
import { z } from 'zod';

export const twilioOutcomeSchema = z.enum(['ok', 'client_error', 'throttled', 'server_error', 'timeout', 'network_error']);
export const breakerStateSchema = z.enum(['closed', 'open', 'half_open']);

export const operationHealthSchema = z.object({
  operation: z.string(),
  requests: z.number().int(),
  /** 5xx, 429, timeouts and requests without an answer. */
  failures: z.number().int(),
  /** Other 4xx: Twilio refusing one request, which says nothing about its health. */
  clientErrors: z.number().int(),
  errorRate: z.number(),
  p95LatencyMs: z.number().nullable(),
  lastAt: z.string().nullable(),
});

export const twilioHealthSchema = z.object({
  checkedAt: z.string(),
  windowMs: z.number().int(),
  operations: z.array(operationHealthSchema),
  breaker: z.object({
    state: breakerStateSchema,
    since: z.string(),
    retryAt: z.string().nullable(),
    retryAfterSeconds: z.number().int().nullable(),
    window: z.object({ ms: z.number().int(), requests: z.number().int(), failures: z.number().int(), failureRate: z.number() }),
    thresholds: z.object({ failureRate: z.number(), minRequests: z.number().int(), openMs: z.number().int() }),
    opened: z.number().int(),
    refused: z.number().int(),
    lastProbe: z.object({ at: z.string(), ok: z.boolean(), message: z.string().nullable() }).nullable(),
  }),
  recentErrors: z.array(
    z.object({
      at: z.string(),
      operation: z.string(),
      outcome: twilioOutcomeSchema,
      httpStatus: z.number().int().nullable(),
      twilioCode: z.number().int().nullable(),
      message: z.string().nullable(),
      countsAsFailure: z.boolean(),
    }),
  ),
  /** The process that answered. */
  pid: z.number().int(),
  /** Every live process (the answering one first, `self`), with its breaker over its own window. */
  instances: z.array(
    z.object({
      instance: z.string(),
      pid: z.number().int(),
      self: z.boolean(),
      reportedAt: z.string(),
      breaker: breakerStateSchema,
      requests: z.number().int(),
      failures: z.number().int(),
      opened: z.number().int(),
      refused: z.number().int(),
    }),
  ),
});
export type TwilioHealthResponse = z.infer<typeof twilioHealthSchema>;
