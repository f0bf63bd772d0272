// The one configuration schema. main.ts parses process.env with it once; nothing else reads the environment.
import { z } from 'zod';

const csv = z
  .string()
  .optional()
  .transform((v) => (v ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));

const intFrom = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** `kid:base64-32-bytes[,kid:…]`, newest first. Parsed into raw keys here so a bad key stops the start. */
const encryptionKeys = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === '') return undefined;
    const keys: { id: string; key: Buffer }[] = [];
    for (const part of v.split(',').map((s) => s.trim()).filter(Boolean)) {
      const m = /^([A-Za-z0-9_-]{1,32}):([A-Za-z0-9+/=]+)$/.exec(part);
      const key = m ? Buffer.from(m[2]!, 'base64') : undefined;
      if (!m || !key || key.length !== 32) {
        ctx.addIssue({ code: 'custom', message: 'each entry must be kid:base64 of exactly 32 bytes' });
        return z.NEVER;
      }
      if (keys.some((k) => k.id === m[1])) {
        ctx.addIssue({ code: 'custom', message: `key id ${m[1]} appears twice` });
        return z.NEVER;
      }
      keys.push({ id: m[1]!, key });
    }
    return keys.length ? keys : undefined;
  });

/** Live when asked for, or when master credentials are given without a sandbox to point them at. */
function twilioModeOf(c: { TWILIO_MODE?: 'live' | 'sandbox'; TWILIO_MASTER_ACCOUNT_SID?: string; TWILIO_MASTER_AUTH_TOKEN?: string; TWILIO_SANDBOX_URL?: string }) {
  return c.TWILIO_MODE ?? (c.TWILIO_MASTER_ACCOUNT_SID && c.TWILIO_MASTER_AUTH_TOKEN && !c.TWILIO_SANDBOX_URL ? 'live' : 'sandbox');
}

export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: intFrom(3000, 0),
    HOST: z.string().default('0.0.0.0'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    // Unset: pretty on a terminal outside production, JSON otherwise.
    LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
    PUBLIC_BASE_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    DATABASE_URL: optionalString.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
    DATA_DIR: z.string().default('.data'),
    ENCRYPTION_KEYS: encryptionKeys,
    TWILIO_MODE: z.enum(['live', 'sandbox']).optional(),
    TWILIO_MASTER_ACCOUNT_SID: optionalString.pipe(z.string().regex(/^AC[0-9a-f]{32}$/, 'must be AC followed by 32 hex digits').optional()),
    TWILIO_MASTER_AUTH_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
    TWILIO_PRIMARY_CUSTOMER_PROFILE_SID: optionalString.pipe(z.string().regex(/^BU[0-9a-f]{32}$/, 'must be BU followed by 32 hex digits').optional()),
    SUPABASE_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    SUPABASE_ANON_KEY: optionalString,
    SUPABASE_SERVICE_ROLE_KEY: optionalString,
    SUPABASE_JWT_SECRET: optionalString,
    ISV_BOOTSTRAP_ADMINS: csv,
    ISV_BOOTSTRAP_OPERATORS: csv,
    // Like Supabase Auth's "Confirm email": new embedded accounts get no role, invitation or customer until the
    // link mailed to them is opened. `off` is for local demos and test runs only.
    AUTH_EMAIL_CONFIRMATION: z.enum(['required', 'off']).default('required'),
    // smtp(s)://user:pass@host:port. Unset: account emails go to DATA_DIR/outbox/ and their links to the terminal.
    SMTP_URL: optionalString.pipe(z.url({ protocol: /^smtps?$/ }).optional()),
    MAIL_FROM: z.string().default('ISV Platform <no-reply@localhost>'),
    ISV_MAX_CUSTOMERS_PER_USER: intFrom(3, 0),
    // Per client address, over every email: sign-ups per hour, failed sign-ins per 15 minutes (password spraying).
    AUTH_SIGNUPS_PER_IP_PER_HOUR: intFrom(20, 1),
    AUTH_LOGIN_FAILURES_PER_IP: intFrom(30, 1),
    // An already running `npm run sandbox` to share (as several instances share one Twilio) instead of starting one.
    TWILIO_SANDBOX_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    SANDBOX_PORT: intFrom(4010, 0),
    SANDBOX_REVIEW_DELAY_MS: intFrom(2000),
    SANDBOX_CALLBACK_CHAOS: z.enum(['0', '1', 'false', 'true']).default('0').transform((v) => v === '1' || v === 'true'),
    SANDBOX_FAULT_RATE: z.coerce.number().min(0).max(1).default(0),
    SANDBOX_LATENCY_MS: intFrom(0),
    ONBOARDING_CRON: z.string().default('*/5 * * * * *'),
    // The daily re-check of every connected customer Twilio account's credentials.
    TWILIO_CONNECTION_CHECK_CRON: z.string().default('17 4 * * *'),
    // How often, at the longest, each registered brand and campaign is re-read after approval.
    A2P_WATCH_INTERVAL_MS: intFrom(3_600_000, 1_000),
    // Twilio allows about one A2P 10DLC request per second per master account; a load test on the sandbox may lift it.
    TWILIO_A2P_INTERVAL_MS: intFrom(1_000, 0),
    // How often finished messages are fetched again for the segments and price Twilio reports late.
    MESSAGE_SETTLE_CRON: z.string().default('*/20 * * * * *'),
    USAGE_INGEST_CRON: z.string().default('41 2 * * *'),
    ALERTS_CRON: z.string().default('*/1 * * * *'),
    ONBOARDING_LEASE_MS: intFrom(60_000, 1000),
    ONBOARDING_POLL_MIN_MS: intFrom(30_000, 0),
    ONBOARDING_POLL_MAX_MS: intFrom(3_600_000, 0),
    ONBOARDING_CONCURRENCY: intFrom(8, 1),
    // GET /metrics (Prometheus text) on its own server: a port, `0` for any free port (logged), `off` for none.
    METRICS_PORT: z
      .string()
      .default('9464')
      .transform((v, ctx): number | 'off' => {
        const t = v.trim().toLowerCase();
        if (t === 'off') return 'off';
        if (/^\d{1,5}$/.test(t) && Number(t) <= 65535) return Number(t);
        ctx.addIssue({ code: 'custom', message: 'must be a port (0–65535; 0 = any free port) or off' });
        return z.NEVER;
      }),
    METRICS_HOST: z.string().default('127.0.0.1'),
    // The Twilio circuit breaker: opens when at least MIN_REQUESTS were made in WINDOW_MS and FAILURE_RATE
    // of them failed (5xx, 429, timeouts); stays open OPEN_MS, then one probe decides.
    TWILIO_BREAKER_WINDOW_MS: intFrom(30_000, 1_000),
    TWILIO_BREAKER_MIN_REQUESTS: intFrom(20, 1),
    TWILIO_BREAKER_FAILURE_RATE: z.coerce.number().gt(0).max(1).default(0.7),
    TWILIO_BREAKER_OPEN_MS: intFrom(15_000, 100),
    TWILIO_HEALTH_WINDOW_MS: intFrom(300_000, 1_000),
    // Server processes sharing the port (node:cluster). Unset: one per core. The embedded PGlite is one process.
    WEB_CONCURRENCY: optionalString.pipe(z.string().regex(/^[1-9][0-9]?$/, "must be a whole number from 1 to 99").transform(Number).optional()),
  })
  .superRefine((c, ctx) => {
    const mode = twilioModeOf(c);
    if (mode === 'live' && c.TWILIO_SANDBOX_URL) ctx.addIssue({ code: 'custom', path: ['TWILIO_SANDBOX_URL'], message: 'cannot be used with TWILIO_MODE=live' });
    if (mode === 'live') {
      for (const name of ['TWILIO_MASTER_ACCOUNT_SID', 'TWILIO_MASTER_AUTH_TOKEN', 'ENCRYPTION_KEYS', 'PUBLIC_BASE_URL'] as const) {
        if (!c[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'is required when TWILIO_MODE=live' });
      }
      if (c.AUTH_EMAIL_CONFIRMATION === 'off') {
        ctx.addIssue({ code: 'custom', path: ['AUTH_EMAIL_CONFIRMATION'], message: 'cannot be off when TWILIO_MODE=live' });
      }
      // Account emails must reach real people in live mode (Supabase Auth sends its own).
      if (!c.SMTP_URL && !c.SUPABASE_URL) {
        ctx.addIssue({ code: 'custom', path: ['SMTP_URL'], message: 'is required when TWILIO_MODE=live without Supabase Auth' });
      }
      // Twilio signs webhooks over this URL and the portal's tokens travel to it: never in clear text in live mode.
      if (c.PUBLIC_BASE_URL && !c.PUBLIC_BASE_URL.startsWith('https://')) {
        ctx.addIssue({ code: 'custom', path: ['PUBLIC_BASE_URL'], message: 'must be an https:// URL when TWILIO_MODE=live' });
      }
      // Faster than Twilio's A2P limit would only collect 429s from real Twilio.
      if (c.TWILIO_A2P_INTERVAL_MS < 1_000) {
        ctx.addIssue({ code: 'custom', path: ['TWILIO_A2P_INTERVAL_MS'], message: "must be at least 1000 when TWILIO_MODE=live (Twilio's A2P limit is about one request per second)" });
      }
    }
    if (c.ONBOARDING_POLL_MAX_MS < c.ONBOARDING_POLL_MIN_MS) {
      ctx.addIssue({ code: 'custom', path: ['ONBOARDING_POLL_MAX_MS'], message: 'must be at least ONBOARDING_POLL_MIN_MS' });
    }
  })
  .transform((c) => {
    const twilioMode = twilioModeOf(c);
    return {
      nodeEnv: c.NODE_ENV,
      port: c.PORT,
      host: c.HOST,
      logLevel: c.LOG_LEVEL,
      logFormat: c.LOG_FORMAT,
      publicBaseUrl: (c.PUBLIC_BASE_URL ?? `http://localhost:${c.PORT}`).replace(/\/+$/, ''),
      databaseUrl: c.DATABASE_URL,
      dataDir: c.DATA_DIR,
      encryptionKeys: c.ENCRYPTION_KEYS,
      twilio: {
        mode: twilioMode as 'live' | 'sandbox',
        masterAccountSid: c.TWILIO_MASTER_ACCOUNT_SID,
        masterAuthToken: c.TWILIO_MASTER_AUTH_TOKEN,
        primaryCustomerProfileSid: c.TWILIO_PRIMARY_CUSTOMER_PROFILE_SID,
      },
      supabase: {
        url: c.SUPABASE_URL,
        anonKey: c.SUPABASE_ANON_KEY,
        serviceRoleKey: c.SUPABASE_SERVICE_ROLE_KEY,
        jwtSecret: c.SUPABASE_JWT_SECRET,
      },
      bootstrap: { admins: c.ISV_BOOTSTRAP_ADMINS, operators: c.ISV_BOOTSTRAP_OPERATORS },
      accounts: {
        emailConfirmation: c.AUTH_EMAIL_CONFIRMATION,
        maxCustomersPerUser: c.ISV_MAX_CUSTOMERS_PER_USER,
        signupsPerIpPerHour: c.AUTH_SIGNUPS_PER_IP_PER_HOUR,
        loginFailuresPerIp: c.AUTH_LOGIN_FAILURES_PER_IP,
      },
      mail: { smtpUrl: c.SMTP_URL, from: c.MAIL_FROM },
      sandbox: {
        url: c.TWILIO_SANDBOX_URL?.replace(/\/+$/, ''),
        port: c.SANDBOX_PORT,
        reviewDelayMs: c.SANDBOX_REVIEW_DELAY_MS,
        callbackChaos: c.SANDBOX_CALLBACK_CHAOS,
        faultRate: c.SANDBOX_FAULT_RATE,
        latencyMs: c.SANDBOX_LATENCY_MS,
      },
      connections: { checkCron: c.TWILIO_CONNECTION_CHECK_CRON },
      a2pWatch: { intervalMs: c.A2P_WATCH_INTERVAL_MS },
      a2pIntervalMs: c.TWILIO_A2P_INTERVAL_MS,
      webConcurrency: c.WEB_CONCURRENCY,
      messaging: { settleCron: c.MESSAGE_SETTLE_CRON },
      metrics: { port: c.METRICS_PORT === 'off' ? undefined : c.METRICS_PORT, host: c.METRICS_HOST },
      breaker: {
        windowMs: c.TWILIO_BREAKER_WINDOW_MS,
        minRequests: c.TWILIO_BREAKER_MIN_REQUESTS,
        failureRate: c.TWILIO_BREAKER_FAILURE_RATE,
        openMs: c.TWILIO_BREAKER_OPEN_MS,
        statsWindowMs: c.TWILIO_HEALTH_WINDOW_MS,
      },
      usage: { ingestCron: c.USAGE_INGEST_CRON, alertsCron: c.ALERTS_CRON },
      onboarding: {
        cron: c.ONBOARDING_CRON,
        leaseMs: c.ONBOARDING_LEASE_MS,
        pollMinMs: c.ONBOARDING_POLL_MIN_MS,
        pollMaxMs: c.ONBOARDING_POLL_MAX_MS,
        concurrency: c.ONBOARDING_CONCURRENCY,
      },
    };
  });

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; reason: string }[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.reason}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws ConfigError naming every bad variable and why. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = configSchema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((i) => ({ variable: String(i.path[0] ?? 'environment'), reason: i.message })),
  );
}
