// GET /api/isv/customers/:id/onboarding: every flow of the customer with its status, progress and timeline.
// For operators: the needs_attention queue, Retry, and the onboarding metrics.
import { Router } from 'express';
import { getPrincipal } from '../platform/auth/principal.ts';
import type { Db } from '../platform/db/db.ts';
import type { RouteDoc } from '../platform/http/route-docs.ts';
import { assertCustomerAccess } from '../customers/customer-access.ts';
import { requireRole } from '../platform/auth/require-role.ts';
import { parseInput } from '../platform/errors.ts';
import { idParamsSchema } from '../../shared/common.ts';
import { attentionQueueSchema, flowStatusSchema, onboardingMetricsSchema, onboardingResponseSchema } from '../../shared/onboarding.ts';
import { z } from 'zod';
import { attentionQueue, getOnboarding, onboardingMetrics, retryFlow } from './onboarding.service.ts';

export const routeDocs: RouteDoc[] = [
  { method: 'get', path: '/isv/customers/:id/onboarding', summary: "The customer's onboarding flows, their progress and timelines", auth: 'user', response: onboardingResponseSchema, tags: ['onboarding'] },
  { method: 'get', path: '/isv/operator/attention', summary: 'Flows parked on a fault the customer cannot fix, oldest first, with the Twilio error and the step', auth: 'operator', response: attentionQueueSchema, tags: ['onboarding', 'operator'] },
  { method: 'post', path: '/isv/operator/flows/:id/retry', summary: 'Run the step of a flow that needs attention again', auth: 'operator', response: z.object({ id: z.uuid(), state: z.string(), status: flowStatusSchema }), tags: ['onboarding', 'operator'] },
  { method: 'get', path: '/isv/operator/onboarding-metrics', summary: 'Flows by status, those needing attention, and automatic recoveries', auth: 'operator', response: onboardingMetricsSchema, tags: ['onboarding', 'operator'] },
];

export function onboardingRoutes(deps: { db: Db }): Router {
  const router = Router();
  router.get('/customers/:id/onboarding', async (req, res) => {
    await assertCustomerAccess(deps.db, getPrincipal(req), req.params.id);
    res.json(await getOnboarding(deps.db, req.params.id));
  });
  router.get('/operator/attention', requireRole('operator'), async (_req, res) => {
    res.json(await attentionQueue(deps.db));
  });
  router.post('/operator/flows/:id/retry', requireRole('operator'), async (req, res) => {
    const { id } = parseInput(idParamsSchema, req.params, 'path');
    res.json(await retryFlow(deps.db, getPrincipal(req), id));
  });
  router.get('/operator/onboarding-metrics', requireRole('operator'), async (_req, res) => {
    res.json(await onboardingMetrics(deps.db));
  });
  return router;
}
