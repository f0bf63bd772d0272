// GET /api/isv/customers/:id/onboarding: every flow of the customer with its status, progress and timeline.
import { Router } from 'express';
import { getPrincipal } from '../platform/auth/principal.ts';
import type { Db } from '../platform/db/db.ts';
import type { RouteDoc } from '../platform/http/route-docs.ts';
import { assertCustomerAccess } from '../customers/customer-access.ts';
import { onboardingResponseSchema } from '../../shared/onboarding.ts';
import { getOnboarding } from './onboarding.service.ts';

export const routeDocs: RouteDoc[] = [
  { method: 'get', path: '/isv/customers/:id/onboarding', summary: "The customer's onboarding flows, their progress and timelines", auth: 'user', response: onboardingResponseSchema, tags: ['onboarding'] },
];

export function onboardingRoutes(deps: { db: Db }): Router {
  const router = Router();
  router.get('/customers/:id/onboarding', async (req, res) => {
    await assertCustomerAccess(deps.db, getPrincipal(req), req.params.id);
    res.json(await getOnboarding(deps.db, req.params.id));
  });
  return router;
}
