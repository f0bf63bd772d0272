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
import { createMailer, type Mailer } from './platform/mail/mailer.ts';
import { createAuthenticator } from './platform/auth/authenticate.ts';
import { createAuthService, type AuthService } from './auth/auth.service.ts';
import { authRoutes, routeDocs as authRouteDocs } from './auth/auth.routes.ts';
import { assertCustomerAccess } from './customers/customer-access.ts';
import { createCustomersService, type CustomersService } from './customers/customers.service.ts';
import { customersRoutes, routeDocs as customersRouteDocs } from './customers/customers.routes.ts';
import { createSupabaseInviteSender } from './customers/supabase-invite.ts';
import { resumeAfterCustomerFix, resumeAfterReconnect, startSubaccountFlow, stopConnectedFlows } from './onboarding/onboarding.service.ts';
import { createOnboardingEngine, type OnboardingEngine } from './onboarding/engine.ts';
import { createOnboardingScheduler } from './onboarding/scheduler.ts';
import { createA2pWatch, createA2pWatchJob, type A2pWatch } from './a2p-watch/a2p-watch.ts';
import { a2pWatchRoutes, routeDocs as a2pWatchRouteDocs } from './a2p-watch/a2p-watch.routes.ts';
import { numberEventsRoutes, routeDocs as numberEventsRouteDocs } from './a2p-watch/number-events.routes.ts';
import { createMessageSettlement, type MessageSettlement } from './messaging/message-settlement.ts';
import { onboardingRoutes, routeDocs as onboardingRouteDocs } from './onboarding/onboarding.routes.ts';
import { brandsRoutes, routeDocs as brandsRouteDocs } from './brands/brands.routes.ts';
import { whatsappRoutes, routeDocs as whatsappRouteDocs } from './whatsapp/whatsapp.routes.ts';
import { templatesRoutes, routeDocs as templatesRouteDocs } from './templates/templates.routes.ts';
import { adminRoutes, routeDocs as adminRouteDocs } from './admin/admin.routes.ts';
import { onboardingWebhookRoutes, routeDocs as onboardingWebhookRouteDocs } from './onboarding/onboarding-webhooks.routes.ts';
import { createOperatorService } from './operator/operator.service.ts';
import { operatorRoutes, routeDocs as operatorRouteDocs } from './operator/operator.routes.ts';
import { openApiRoutes, routeDocs as openApiRouteDocs } from './openapi/openapi.routes.ts';
import { getPrincipal } from './platform/auth/principal.ts';
import { createWebhooksService, type WebhooksService } from './webhooks/webhooks.service.ts';
import { webhooksRoutes, routeDocs as webhooksRouteDocs } from './webhooks/webhooks.routes.ts';
import { webhookIngest, WEBHOOK_INGEST_PATH } from './webhooks/webhook-ingest.ts';
import { createMessagingService, sendingReadiness } from './messaging/messaging.service.ts';
import { messagingRoutes, routeDocs as messagingRouteDocs } from './messaging/messaging.routes.ts';
import { createOptOutsService } from './opt-outs/opt-outs.service.ts';
import { optOutsRoutes, routeDocs as optOutsRouteDocs } from './opt-outs/opt-outs.routes.ts';
import { createConnectionsService, type ConnectionsService } from './connections/connections.service.ts';
import { connectionsRoutes, routeDocs as connectionsRouteDocs } from './connections/connections.routes.ts';
import { createConnectionHealthCheck } from './connections/health-check.ts';
import { twilioHealthRoutes, routeDocs as twilioHealthRouteDocs } from './twilio-health/twilio-health.routes.ts';
import { createHealthReporter, processInstance } from './twilio-health/health-reports.ts';
import { countSends } from './messaging/send-metrics.ts';
import { collectFlowGaugesFrom } from './metrics/metrics.ts';
import { createUsageService, type UsageService } from './usage/usage.service.ts';
import { createLimitsService, type LimitsService } from './usage/limits.service.ts';
import { createAlertsService, type AlertsService } from './usage/alerts.service.ts';
import { usageRoutes, routeDocs as usageRouteDocs } from './usage/usage.routes.ts';
import { claimCronSlot, createCronJob } from './platform/cron-job.ts';

export interface CoreDeps {
  config: Config;
  db: Db;
  logger: Logger;
  keyRing: KeyRing;
  /** The only way to Twilio (live or the sandbox): SDK clients per credential, retries, rate limits. */
  twilio: TwilioGateway;
  /** Account emails (verification, reset, invitations); built from config (SMTP or DATA_DIR/outbox) when absent. */
  mailer?: Mailer;
  /** Injected clock so time-dependent behaviour is tested without sleeping. */
  now?: () => Date;
}

export interface Features {
  routers: { path: string; router: Router; beforeMiddleware?: boolean }[];
  routeDocs: RouteDoc[];
  /** Started by main.ts after listen; stopped first on SIGTERM. */
  background: { start(): void; stop(): Promise<void> }[];
  /** Sign-up, sign-in and principal resolution (tests grant roles through it). */
  auth: AuthService;
  /** The bearer-token middleware; already in front of every /api/isv/** route except webhooks. */
  authenticate: RequestHandler;
  /** Customers and members. */
  customers: CustomersService;
  /** Signed Twilio webhooks: counters, and drain() for a clean shutdown. */
  webhooks: WebhooksService;
  /** The onboarding engine; the scheduler in `background` ticks it, tests may call tick()/drain(). */
  onboarding: { engine: OnboardingEngine };
  /** Customers' own Twilio accounts; tests run the daily check through it. */
  connections: ConnectionsService;
  /** The A2P watch after approval; `background` runs it, tests call runOnce(). */
  a2pWatch: A2pWatch;
  /** Segments and price fetched for finished messages; tests run a batch with settle(). */
  messageSettlement: MessageSettlement;
  /** Usage, limits and alerts per customer; tests run ingest(), evaluate() and deliverDue() directly. */
  usage: { usage: UsageService; limits: LimitsService; alerts: AlertsService };
}

export function buildFeatures(core: CoreDeps): Features {
  const routers: Features['routers'] = [];
  const routeDocs: RouteDoc[] = [];
  const background: Features['background'] = [];

  // Auth: keep this block first. Verifies bearer tokens (embedded HS256 or Supabase) and puts the
  // authenticator in front of /api/isv/** except /api/isv/webhooks/** (see the note at the top of this file).
  const tokens = createTokenService({ config: core.config, db: core.db, keyRing: core.keyRing, now: core.now });
  const mailer = core.mailer ?? createMailer({ smtpUrl: core.config.mail.smtpUrl, from: core.config.mail.from, dataDir: core.config.dataDir });
  const auth = createAuthService({ db: core.db, config: core.config, tokens, mailer, now: core.now });
  const authenticate = createAuthenticator({ tokens, resolvePrincipal: auth.resolvePrincipal });
  const isvGate = Router();
  isvGate.use((req, res, next) => (req.path.startsWith('/webhooks/') ? next() : authenticate(req, res, next)));
  // Every /api/isv/customers/:id/** request is checked against the caller's memberships before any feature
  // router parses it: non-members get 404 whatever the route, the method or the body.
  isvGate.use('/customers/:id', async (req, _res, next) => {
    await assertCustomerAccess(core.db, getPrincipal(req), String(req.params.id));
    next();
  });
  routers.push({ path: '/isv', router: isvGate });
  routers.push({ path: '/auth', router: authRoutes({ auth, authenticate }) });
  routeDocs.push(...authRouteDocs);
  // GET /api/openapi.json, generated on first request from `routeDocs` as every block below has filled it.
  routers.push({ path: '/', router: openApiRoutes({ routeDocs, publicBaseUrl: core.config.publicBaseUrl, version: '0.1.0' }) });
  routeDocs.push(...openApiRouteDocs);

  // Customers and members. Creating a customer starts its subaccount flow in the same transaction;
  // a PATCH resumes flows parked on a customer fix (hooks from the onboarding engine).
  const { url: supabaseUrl, serviceRoleKey } = core.config.supabase;
  const customers = createCustomersService({
    db: core.db,
    onboarding: {
      startSubaccountFlow: (tx, customerId) => startSubaccountFlow(tx, customerId),
      resumeAfterCustomerUpdate: (tx, customerId) => resumeAfterCustomerFix(tx, customerId, core.now?.() ?? new Date()),
    },
    sendInvite:
      supabaseUrl && serviceRoleKey
        ? createSupabaseInviteSender({ url: supabaseUrl, serviceRoleKey, redirectTo: core.config.publicBaseUrl, logger: core.logger })
        : auth.mode === 'embedded'
          ? (invite) => {
              const link = `${core.config.publicBaseUrl}/invitations`;
              return mailer.send({
                to: invite.email,
                subject: `${invite.invitedBy} invited you to ${invite.customerName}`,
                link,
                text: `${invite.invitedBy} invited you to join ${invite.customerName}.\n\nSign in (or sign up) with this email address, then accept the invitation:\n\n${link}\n\nNothing happens until you accept. If you do not know this person, ignore this email.\n`,
              });
            }
          : undefined,
    maxCustomersPerUser: core.config.accounts.maxCustomersPerUser,
  });
  routers.push({ path: '/isv', router: customersRoutes({ customers }) });
  routeDocs.push(...customersRouteDocs);

  // Operator: subaccounts reconciled with Twilio (master credentials), suspend/reactivate/close, audit log.
  const operator = createOperatorService({ db: core.db, twilio: core.twilio, logger: core.logger, now: core.now });
  routers.push({ path: '/isv/operator', router: operatorRoutes({ operator }) });
  routeDocs.push(...operatorRouteDocs);
  // Twilio health and the circuit breaker: GET /api/isv/operator/health; the flow gauges of GET /metrics.
  const healthInstance = processInstance();
  const clock = () => core.now?.() ?? new Date();
  routers.push({ path: '/isv/operator', router: twilioHealthRoutes({ db: core.db, health: core.twilio.health, instance: healthInstance, now: clock }) });
  background.push(createHealthReporter({ db: core.db, health: core.twilio.health, instance: healthInstance, logger: core.logger, now: clock }));
  routeDocs.push(...twilioHealthRouteDocs);
  const stopFlowGauges = collectFlowGaugesFrom(core.db);
  background.push({ start() {}, stop: async () => stopFlowGauges() });

  // Portal: public settings the web app reads before sign-in (GET /api/config).
  routers.push({ path: '/', router: portalRoutes({ config: core.config }) });
  routeDocs.push(...portalRouteDocs);

  // Webhooks, messaging and opt-outs: signed Twilio callbacks (verified with the owning account's
  // cached token, group-committed), sending through the customer's subaccount, the message log and opt-outs.
  const webhooks = createWebhooksService({ db: core.db, logger: core.logger, tokens: core.twilio, publicBaseUrl: core.config.publicBaseUrl });
  const messaging = countSends(createMessagingService({
    db: core.db,
    logger: core.logger,
    twilio: core.twilio,
    publicBaseUrl: core.config.publicBaseUrl,
    now: core.now,
    onCredentialsRejected: (accountSid) => connections.credentialsRejected(accountSid),
    checkSendLimits: (customerId) => limits.checkSend(customerId),
  }));

  // Usage, limits and alerts per customer: Twilio's daily Usage Records read nightly (USAGE_INGEST_CRON),
  // limits checked in the send path above, alerts evaluated and their webhooks delivered on ALERTS_CRON; each tick
  // claimed (isv.cron_runs) so several workers or instances run it once.
  const usage = createUsageService({ db: core.db, twilio: core.twilio, logger: core.logger, now: core.now });
  const limits = createLimitsService({ db: core.db, usage, now: core.now });
  const alerts = createAlertsService({
    db: core.db, keyRing: core.keyRing, mailer, logger: core.logger, usage, limits, publicBaseUrl: core.config.publicBaseUrl,
    allowHttpLocalhost: core.config.nodeEnv !== 'production', now: core.now,
  });
  background.push(createCronJob({ name: 'usage-ingest', cron: core.config.usage.ingestCron, logger: core.logger, claim: claimCronSlot(core.db, 'usage.ingest'), run: async () => { await usage.ingest(); await alerts.evaluate(); } }));
  background.push(createCronJob({ name: 'alerts', cron: core.config.usage.alertsCron, logger: core.logger, claim: claimCronSlot(core.db, 'usage.alerts'), run: async () => { await alerts.evaluate(); await alerts.deliverDue(); } }));
  routers.push({ path: '/isv', router: usageRoutes({ db: core.db, usage, limits, alerts }) });
  routeDocs.push(...usageRouteDocs);

  // Bring your own Twilio account: connect, test, discover, choose the sender, disconnect; a daily check.
  const connections: ConnectionsService = createConnectionsService({
    db: core.db,
    keyRing: core.keyRing,
    twilio: core.twilio,
    logger: core.logger,
    publicBaseUrl: core.config.publicBaseUrl,
    now: core.now,
    canSendThroughSubaccount: async (db, customerId) =>
      (await sendingReadiness(db, customerId, 'sms')).ready || (await sendingReadiness(db, customerId, 'whatsapp')).ready,
    startSubaccountFlow: (tx, customerId) => startSubaccountFlow(tx, customerId),
    connectedFlows: { resumeAfterReconnect: (tx, customerId) => resumeAfterReconnect(tx, customerId), stop: (tx, customerId, reason) => stopConnectedFlows(tx, customerId, reason) },
    sendTestMessage: async (principal, customerId, to) => {
      const { message } = await messaging.send(principal, customerId, { channel: 'sms', to, body: 'Test message: your Twilio account is connected to the platform.' });
      return { sid: message.sid, status: message.status };
    },
  });
  background.push(createConnectionHealthCheck({ connections, cron: core.config.connections.checkCron, logger: core.logger, db: core.db }));
  routers.push({ path: '/isv', router: connectionsRoutes({ connections }) });
  routeDocs.push(...connectionsRouteDocs);
  // The lean path for signed form callbacks, ahead of the general middleware; the routes below
  // take what it passes on (JSON or compressed bodies) through the general stack.
  routers.push({ path: WEBHOOK_INGEST_PATH, router: Router().use(webhookIngest({ webhooks, publicBaseUrl: core.config.publicBaseUrl, logger: core.logger })), beforeMiddleware: true });
  routers.push({ path: '/isv', router: webhooksRoutes({ webhooks, publicBaseUrl: core.config.publicBaseUrl }) });
  routers.push({ path: '/isv', router: messagingRoutes({ messaging }) });
  const messageSettlement = createMessageSettlement({ db: core.db, twilio: core.twilio, logger: core.logger, cron: core.config.messaging.settleCron });
  background.push(messageSettlement);
  routers.push({ path: '/isv', router: optOutsRoutes({ optOuts: createOptOutsService({ db: core.db }) }) });
  routeDocs.push(...webhooksRouteDocs, ...messagingRouteDocs, ...optOutsRouteDocs);

  // Onboarding: the engine ticked by node-cron (ONBOARDING_CRON), the progress read model, A2P,
  // WhatsApp senders, templates and the admin approval queue.
  const engine = createOnboardingEngine({
    db: core.db, twilio: core.twilio, keyRing: core.keyRing, config: core.config, logger: core.logger, now: core.now,
    onCredentialsRejected: (accountSid) => connections.credentialsRejected(accountSid),
  });
  background.push(createOnboardingScheduler({ engine, cron: core.config.onboarding.cron, logger: core.logger }));
  // After approval: registered brands and campaigns re-read from Twilio; sends refused while suspended.
  const a2pWatch = createA2pWatch({ db: core.db, twilio: core.twilio, logger: core.logger, maxIntervalMs: core.config.a2pWatch.intervalMs, now: core.now, publicBaseUrl: core.config.publicBaseUrl });
  background.push(createA2pWatchJob({ watch: a2pWatch, tickMs: Math.min(60_000, core.config.a2pWatch.intervalMs), logger: core.logger }));
  routers.push({ path: '/isv', router: a2pWatchRoutes({ db: core.db, watch: a2pWatch }) });
  routeDocs.push(...a2pWatchRouteDocs);
  // Event Streams sink for A2P number-registration events; under /webhooks/, so signed, not authenticated.
  routers.push({ path: '/isv', router: numberEventsRoutes({ db: core.db, webhooks, publicBaseUrl: core.config.publicBaseUrl, logger: core.logger, now: core.now }) });
  routeDocs.push(...numberEventsRouteDocs);
  routers.push({ path: '/isv', router: onboardingRoutes({ db: core.db }) });
  routers.push({ path: '/isv', router: brandsRoutes({ db: core.db, now: core.now }) });
  routers.push({ path: '/isv', router: whatsappRoutes({ db: core.db, now: core.now }) });
  routers.push({ path: '/isv', router: templatesRoutes({ db: core.db, now: core.now }) });
  routers.push({ path: '/isv/admin', router: adminRoutes({ db: core.db, now: core.now }) });
  routers.push({ path: '/isv', router: onboardingWebhookRoutes({ db: core.db, webhooks, publicBaseUrl: core.config.publicBaseUrl, now: core.now }) });
  routeDocs.push(...onboardingRouteDocs, ...brandsRouteDocs, ...whatsappRouteDocs, ...templatesRouteDocs, ...adminRouteDocs, ...onboardingWebhookRouteDocs);

  return { routers, routeDocs, background, auth, authenticate, customers, webhooks, onboarding: { engine }, connections, a2pWatch, messageSettlement, usage: { usage, limits, alerts } };
}
