// One whole platform for an integration test: a fresh database, an in-memory sandbox, the Twilio gateway, every
// feature and the Express app, already listening on an ephemeral port so the sandbox's signed callbacks reach it.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import supertest from 'supertest';
import { createApp } from '../../server/app.ts';
import { buildFeatures, type Features } from '../../server/features.ts';
import { parseConfig, type Config } from '../../server/platform/config.ts';
import { createKeyRing, type KeyRing } from '../../server/platform/crypto/keyring.ts';
import { createLogger, type Logger } from '../../server/platform/logger.ts';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../server/sandbox/sandbox.ts';
import { createTwilioGateway, type GatewayOptions, type TwilioGateway } from '../../server/twilio/gateway.ts';
import { createTestDb, type TestDb } from './db.ts';
import { createMemoryMailer, type MemoryMailer } from './mail.ts';
import { LENIENT_ACCOUNT_LIMITS } from './auth.ts';

export interface TestContext {
  db: TestDb;
  sandbox: Sandbox;
  twilio: TwilioGateway;
  config: Config;
  keyRing: KeyRing;
  logger: Logger;
  features: Features;
  /** Every account email the app sent. */
  mail: MemoryMailer;
  app: Express;
  /** supertest against the app. */
  request: ReturnType<typeof supertest>;
  /** The app's base URL (it is already listening; config.publicBaseUrl points at it). */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface TestContextOverrides {
  /** Environment variables on top of the test defaults (parsed with the real config schema). */
  env?: Record<string, string>;
  sandbox?: Partial<SandboxOptions>;
  /** Gateway knobs (retry, a2pIntervalMs, sleep); the test default retries fast. */
  gateway?: Partial<Pick<GatewayOptions, 'retry' | 'a2pIntervalMs' | 'sleep' | 'random' | 'now'>>;
  logger?: Logger;
  now?: () => Date;
}

const newSid = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;

export async function createTestContext(overrides: TestContextOverrides = {}): Promise<TestContext> {
  // The HTTP server starts first: features may bake PUBLIC_BASE_URL into what they send Twilio (status
  // callback and inbound URLs), so the port must be known before config and features are built.
  let handler: Express | undefined;
  const server: Server = createServer((req, res) => {
    if (handler) handler(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;

  const dataDir = await mkdtemp(path.join(tmpdir(), 'isv-test-'));
  const config = parseConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_BASE_URL: baseUrl,
    DATA_DIR: dataDir,
    ENCRYPTION_KEYS: `test${randomBytes(3).toString('hex')}:${randomBytes(32).toString('base64')}`,
    TWILIO_MODE: 'sandbox',
    TWILIO_MASTER_ACCOUNT_SID: newSid('AC'),
    TWILIO_MASTER_AUTH_TOKEN: randomBytes(16).toString('hex'),
    SANDBOX_PORT: '0',
    SANDBOX_REVIEW_DELAY_MS: '0',
    ONBOARDING_POLL_MIN_MS: '0',
    ...LENIENT_ACCOUNT_LIMITS,
    ...overrides.env,
  });
  const logger = overrides.logger ?? createLogger({ level: config.logLevel });
  const keyRing = createKeyRing(config.encryptionKeys!);

  const cleanups: (() => Promise<void>)[] = [
    () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
    () => rm(dataDir, { recursive: true, force: true }),
  ];
  const close = async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  };

  try {
    const db = await createTestDb();
    cleanups.push(() => db.close());
    const masterAccountSid = config.twilio.masterAccountSid!;
    const masterAuthToken = config.twilio.masterAuthToken!;
    const sandbox = await startSandbox({
      port: 0,
      host: '127.0.0.1',
      masterAccountSid,
      masterAuthToken,
      reviewDelayMs: config.sandbox.reviewDelayMs,
      callbackChaos: config.sandbox.callbackChaos,
      faultRate: config.sandbox.faultRate,
      latencyMs: config.sandbox.latencyMs,
      // Event Streams' webhook sink (#14: A2P number-registration events).
      eventSinkUrl: `${baseUrl}/api/isv/webhooks/twilio/events`,
      logger,
      ...overrides.sandbox,
    });
    cleanups.push(() => sandbox.close());
    const twilio = createTwilioGateway({
      mode: 'sandbox',
      sandboxUrl: sandbox.url,
      masterAccountSid,
      masterAuthToken,
      db,
      keyRing,
      logger,
      retry: { baseMs: 1, maxMs: 20, maxAttempts: 10 },
      a2pIntervalMs: 5,
      breaker: config.breaker,
      ...overrides.gateway,
    });
    const mail = createMemoryMailer();
    const features = buildFeatures({ config, db, logger, keyRing, twilio, mailer: mail, now: overrides.now });
    // Background work a test started (e.g. the onboarding scheduler) stops before the sandbox and database go.
    cleanups.push(async () => {
      for (const b of features.background) await b.stop();
    });
    const app = createApp({ config, db, logger, keyRing, routers: features.routers });
    handler = app;
    return {
      db,
      sandbox,
      twilio,
      config,
      keyRing,
      logger,
      features,
      mail,
      app,
      request: supertest(app),
      listen: async () => baseUrl,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
