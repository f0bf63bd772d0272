// GET /api/config: the public settings the portal reads at start (auth mode, Supabase URL and anon key).
import { Router } from 'express';
import type { Config } from '../platform/config.ts';
import type { RouteDoc } from '../platform/http/route-docs.ts';
import { portalConfigSchema, type PortalConfig } from '../../shared/portal.ts';

/** Only public values: the anon key is meant for browsers; the service-role key and JWT secret never leave. */
export function portalConfig(config: Config): PortalConfig {
  const { url, anonKey } = config.supabase;
  const supabase = url && anonKey ? { url, anonKey } : null;
  return { authMode: supabase ? 'supabase' : 'embedded', supabase, twilioMode: config.twilio.mode };
}

export function portalRoutes(deps: { config: Config }): Router {
  const router = Router();
  const body = portalConfigSchema.parse(portalConfig(deps.config));
  router.get('/config', (_req, res) => {
    res.set('Cache-Control', 'no-cache').json(body);
  });
  return router;
}

export const routeDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/config',
    summary: 'Public portal settings: auth mode and, in Supabase mode, the project URL and anon key',
    auth: 'none',
    response: portalConfigSchema,
    tags: ['portal'],
  },
];
