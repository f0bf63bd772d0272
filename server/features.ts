// Builds every feature's services and routers from the core dependencies. main.ts and the test helpers both
// call it, so tests run the same object graph as production. Features are added here, one block each.
//
// Authentication (how later blocks plug in): the auth block below runs FIRST and pushes, at path '/isv',
// a router holding only the authenticator. Routers are mounted in push order, so every router pushed after
// it under '/isv' (customers, onboarding, admin, operator …) finds `req.principal` set: read it with
// `getPrincipal(req)` (server/platform/auth/principal.ts) and gate customer data with
// `assertCustomerAccess(db, principal, customerId)` (server/customers/customer-access.ts), or staff routes
// with `requireRole('admin' | 'operator')` (server/platform/auth/require-role.ts). The one exception is
// /api/isv/webhooks/** (Twilio-signed, verified by the webhooks feature), which the authenticator skips.
// Routes outside /isv that need a user use `authenticate` (a RequestHandler in scope below) explicitly.
// Every routes file's RouteDoc entries go into `routeDocs`: GET /api/openapi.json is generated from them
// and test/api runs its isolation matrix over them (auth 'user' + `:id` path → member-of-B gets 404).
import { Router, type RequestHandler } from 'express';
import type { Config } from './platform/config.ts';
import type { Db } from './platform/db/db.ts';
import type { KeyRing } from './platform/crypto/keyring.ts';
import type { Logger } from './platform/logger.ts';
import type { RouteDoc } from './platform/http/route-docs.ts';
import type { TwilioGateway } from './twilio/gateway.ts';
import { portalRoutes, routeDocs as portalRouteDocs } from './portal/portal.routes.ts';
import { createTokenService } from './platform/auth/tokens.ts';
import { createAuthenticator } from './platform/auth/authenticate.ts';
import { createAuthService, type AuthService } from './auth/auth.service.ts';
import { authRoutes, routeDocs as authRouteDocs } from './auth/auth.routes.ts';
import { createWebhooksService, type WebhooksService } from './webhooks/webhooks.service.ts';
import { webhooksRoutes, routeDocs as webhooksRouteDocs } from './webhooks/webhooks.routes.ts';
import { createMessagingService } from './messaging/messaging.service.ts';
import { messagingRoutes, routeDocs as messagingRouteDocs } from './messaging/messaging.routes.ts';
import { createOptOutsService } from './opt-outs/opt-outs.service.ts';
import { optOutsRoutes, routeDocs as optOutsRouteDocs } from './opt-outs/opt-outs.routes.ts';

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
  /** Sign-up, sign-in and principal resolution (tests grant roles through it). */
  auth: AuthService;
  /** The bearer-token middleware; already in front of every /api/isv/** route except webhooks. */
  authenticate: RequestHandler;
  /** Signed Twilio webhooks (issue 5): counters, and drain() for a clean shutdown. */
  webhooks: WebhooksService;
}

export function buildFeatures(core: CoreDeps): Features {
  void core;
  const routers: Features['routers'] = [];
  const routeDocs: RouteDoc[] = [];
  const background: Features['background'] = [];

  // Auth (issue 6): keep this block first. Verifies bearer tokens (embedded HS256 or Supabase) and puts the
  // authenticator in front of /api/isv/** except /api/isv/webhooks/** (see the note at the top of this file).
  const tokens = createTokenService({ config: core.config, db: core.db, keyRing: core.keyRing, now: core.now });
  const auth = createAuthService({ db: core.db, config: core.config, tokens, now: core.now });
  const authenticate = createAuthenticator({ tokens, resolvePrincipal: auth.resolvePrincipal });
  const isvGate = Router();
  isvGate.use((req, res, next) => (req.path.startsWith('/webhooks/') ? next() : authenticate(req, res, next)));
  routers.push({ path: '/isv', router: isvGate });
  routers.push({ path: '/auth', router: authRoutes({ auth, authenticate }) });
  routeDocs.push(...authRouteDocs);

  // Portal: public settings the web app reads before sign-in (GET /api/config).
  routers.push({ path: '/', router: portalRoutes({ config: core.config }) });
  routeDocs.push(...portalRouteDocs);

  // Webhooks, messaging and opt-outs (issue 5): signed Twilio callbacks (verified with the owning account's
  // cached token, group-committed), sending through the customer's subaccount, the message log and opt-outs.
  const webhooks = createWebhooksService({ db: core.db, logger: core.logger, tokens: core.twilio, publicBaseUrl: core.config.publicBaseUrl });
  const messaging = createMessagingService({
    db: core.db,
    logger: core.logger,
    twilio: core.twilio,
    publicBaseUrl: core.config.publicBaseUrl,
    now: core.now,
  });
  routers.push({ path: '/isv', router: webhooksRoutes({ webhooks, publicBaseUrl: core.config.publicBaseUrl }) });
  routers.push({ path: '/isv', router: messagingRoutes({ messaging }) });
  routers.push({ path: '/isv', router: optOutsRoutes({ optOuts: createOptOutsService({ db: core.db }) }) });
  routeDocs.push(...webhooksRouteDocs, ...messagingRouteDocs, ...optOutsRouteDocs);

  return { routers, routeDocs, background, auth, authenticate, webhooks };
}
