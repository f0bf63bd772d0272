// GET /api/isv/operator/health: each Twilio operation's requests, error rate and p95 latency over the last
// TWILIO_HEALTH_WINDOW_MS, the circuit breaker and the latest errors (Twilio's code and message only, never
// credentials, URLs with query strings or bodies). Operators only.
import { Router } from 'express';
import { requireRole } from '../platform/auth/require-role.ts';
import type { RouteDoc } from '../platform/http/route-docs.ts';
import type { TwilioHealth } from '../twilio/health.ts';
import { twilioHealthSchema, type TwilioHealthResponse } from '../../shared/twilio-health.ts';

export const routeDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/isv/operator/health',
    summary: "Twilio health as this process sees it: per operation requests, error rate, p95 latency; the circuit breaker; recent errors",
    auth: 'operator',
    response: twilioHealthSchema,
    tags: ['operator'],
  },
];

export function twilioHealthRoutes(deps: { health: TwilioHealth }): Router {
  const router = Router();
  router.get('/health', requireRole('operator'), async (_req, res) => {
    // An open breaker whose time is up is probed now, so the page shows a current state, not a stale one.
    if (deps.health.breakerState === 'half_open') await deps.health.admit();
    const body: TwilioHealthResponse = { ...deps.health.snapshot(), pid: process.pid };
    res.json(body);
  });
  return router;
}
