// GET /api/isv/operator/health: Twilio as this platform process sees it (#18). Figures are per process and in
// memory: each worker has its own windows and breaker.
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
  /** Process the figures come from (with WEB_CONCURRENCY each worker answers for itself). */
  pid: z.number().int(),
});
export type TwilioHealthResponse = z.infer<typeof twilioHealthSchema>;
