// Test sign-up: a real account through POST /api/auth/signup, platform roles granted straight through the DAO,
// and an app builder for auth tests that need their own configuration (Supabase mode, bootstrap lists).
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../server/app.ts';
import { buildFeatures, type Features } from '../../server/features.ts';
import { parseConfig, type Config } from '../../server/platform/config.ts';
import { createKeyRing } from '../../server/platform/crypto/keyring.ts';
import type { Db } from '../../server/platform/db/db.ts';
import { createLogger } from '../../server/platform/logger.ts';
import type { PlatformRole } from '../../server/platform/auth/principal.ts';
import { createTwilioGateway, type TwilioGateway } from '../../server/twilio/gateway.ts';
import { grantPlatformRole } from '../../server/auth/users.dao.ts';
import { createMemoryMailer, type MemoryMailer } from './mail.ts';

export const TEST_PASSWORD = 'correct horse battery staple';

/**
 * Test apps sign many users up from one address: accounts are verified at sign-up and the per-address and
 * per-user ceilings are out of the way, unless a test passes the defaults back (test/auth/account-trust.test.ts).
 */
export const LENIENT_ACCOUNT_LIMITS = {
  AUTH_EMAIL_CONFIRMATION: 'off',
  ISV_MAX_CUSTOMERS_PER_USER: '1000',
  AUTH_SIGNUPS_PER_IP_PER_HOUR: '100000',
  AUTH_LOGIN_FAILURES_PER_IP: '100000',
} as const;

export interface SignedUp {
  token: string;
  userId: string;
  email: string;
  auth: { Authorization: string };
}

type AppLike = Express | { app: Express; db?: Db };

let counter = 0;
/** A unique email per call, so tests never collide on the users table. */
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}@example.test`;
}

/** Signs up through the real API; `roles` are granted directly in the database (tokens carry no roles). */
export async function signUp(ctxOrApp: AppLike, email = uniqueEmail(), opts: { roles?: PlatformRole[] } = {}): Promise<SignedUp> {
  const app = 'app' in ctxOrApp ? ctxOrApp.app : ctxOrApp;
  const res = await request(app).post('/api/auth/signup').send({ email, password: TEST_PASSWORD });
  if (res.status !== 201) throw new Error(`signup of ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  const userId = res.body.user.id as string;
  if (opts.roles?.length) {
    const db = 'app' in ctxOrApp ? ctxOrApp.db : undefined;
    if (!db) throw new Error('signUp with roles needs { app, db }');
    for (const role of opts.roles) await grantPlatformRole(db, userId, role);
  }
  const token = res.body.token as string;
  return { token, userId, email: res.body.user.email, auth: { Authorization: `Bearer ${token}` } };
}

export interface AuthTestApp {
  app: Express;
  db: Db;
  config: Config;
  features: Features;
  /** Every account email the app sent (verification and reset links, invitations). */
  mail: MemoryMailer;
}

/**
 * Builds the whole app on `db` with the given environment. Twilio points at a closed local port: auth tests
 * never reach it; tests that need Twilio use createTestContext(). Accounts are verified at sign-up unless
 * `AUTH_EMAIL_CONFIRMATION: 'required'` is passed (the tests of verification itself).
 */
export function buildTestApp(
  db: Db,
  env: Record<string, string> = {},
  opts: { now?: () => Date; twilio?: TwilioGateway; keyRing?: ReturnType<typeof createKeyRing> } = {},
): AuthTestApp {
  const config = parseConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...LENIENT_ACCOUNT_LIMITS, ...env });
  const logger = createLogger({ level: 'silent' });
  const keyRing = opts.keyRing ?? createKeyRing([{ id: 'test1', key: Buffer.alloc(32, 7) }]);
  const twilio =
    opts.twilio ??
    createTwilioGateway({
      mode: 'sandbox',
      sandboxUrl: 'http://127.0.0.1:9',
      masterAccountSid: `AC${'0'.repeat(32)}`,
      masterAuthToken: 'test-master-token-000000',
      db,
      keyRing,
      logger,
      retry: { maxAttempts: 1 },
    });
  const mail = createMemoryMailer();
  const features = buildFeatures({ config, db, logger, keyRing, twilio, mailer: mail, now: opts.now });
  const app = createApp({ config, db, logger, keyRing, routers: features.routers });
  return { app, db, config, features, mail };
}
