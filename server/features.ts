// Builds every feature's services and routers from the core dependencies. main.ts and the test helpers both
// call it, so tests run the same object graph as production. Features are added here, one block each.
import type { Router } from 'express';
import type { Config } from './platform/config.ts';
import type { Db } from './platform/db/db.ts';
import type { KeyRing } from './platform/crypto/keyring.ts';
import type { Logger } from './platform/logger.ts';
import type { RouteDoc } from './platform/http/route-docs.ts';
import type { TwilioGateway } from './twilio/gateway.ts';
import { portalRoutes, routeDocs as portalRouteDocs } from './portal/portal.routes.ts';

export interface CoreDeps {
  config: Config;
  db: Db;
  logger: Logger;
  keyRing: KeyRing;
  /** The only way to Twilio (live or the sandbox): SDK clients per credential, retries, rate limits. */
  twilio: TwilioGateway;
  /** Injected clock so time-dependent behaviour is tested without sleeping. */
  now?: () => Date;
}

export interface Features {
  routers: { path: string; router: Router }[];
  routeDocs: RouteDoc[];
  /** Started by main.ts after listen; stopped first on SIGTERM. */
  background: { start(): void; stop(): Promise<void> }[];
}

export function buildFeatures(core: CoreDeps): Features {
  void core;
  const routers: Features['routers'] = [];
  const routeDocs: RouteDoc[] = [];
  const background: Features['background'] = [];

  // Portal: public settings the web app reads before sign-in (GET /api/config).
  routers.push({ path: '/', router: portalRoutes({ config: core.config }) });
  routeDocs.push(...portalRouteDocs);

  return { routers, routeDocs, background };
}
