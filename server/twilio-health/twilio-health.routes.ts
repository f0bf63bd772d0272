// GET /api/isv/operator/health: each Twilio operation's requests, error rate and p95 latency over the last
// TWILIO_HEALTH_WINDOW_MS, the circuit breaker and the latest errors (Twilio's code and message only, never
// credentials, URLs with query strings or bodies). Operators only.
import { Router } from 'express';
import { requireRole } from '../platform/auth/require-role.ts';
import type { RouteDoc } from '../platform/http/route-docs.ts';
import type { Db } from '../platform/db/db.ts';
import type { TwilioHealth } from '../twilio/health.ts';
import { twilioHealthSchema } from '../../shared/twilio-health.ts';
import { platformHealth } from './health-reports.ts';

export const routeDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/isv/operator/health',
    summary: "Twilio health over every platform process: per operation requests, error rate, p95 latency; each process's circuit breaker; recent errors",
    auth: 'operator',
    response: twilioHealthSchema,
    tags: ['operator'],
  },
];

export function twilioHealthRoutes(deps: { db: Db; health: TwilioHealth; instance: string; now: () => Date }): Router {
  const router = Router();
  router.get('/health', requireRole('operator'), async (_req, res) => {
    // An open breaker whose time is up is probed now, so the page shows a current state, not a stale one.
    if (deps.health.breakerState === 'half_open') await deps.health.admit();
    res.json(await platformHealth(deps.db, { instance: deps.instance, health: deps.health, now: deps.now() }));
  });
  return router;
}
