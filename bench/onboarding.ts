// Onboarding benchmark: N customers (BENCH_CUSTOMERS, default 500) through subaccount + A2P (standard brand) +
// a WhatsApp template, against the sandbox in its own process (`server/main.ts sandbox`, reached through
// TWILIO_SANDBOX_URL as a deployment would) with zero review delay, on a real Postgres. Creates and drops its own
// database on postgres://postgres@127.0.0.1:5432/test unless DATABASE_URL is given. Counts every Twilio request
// at the gateway (per operation, and those under the A2P spacing), computes the floor the spacing sets (A2P
// requests × BENCH_A2P_INTERVAL_MS, one master account) and checks the sandbox's request log: no create sent
// twice for the same resource. Prints JSON.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { parseConfig } from '../server/platform/config.ts';
import { createPostgresDb } from '../server/platform/db/postgres.ts';
import { migrate } from '../server/platform/db/migrate.ts';
import { createKeyRing } from '../server/platform/crypto/keyring.ts';
import { createLogger } from '../server/platform/logger.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../server/app.ts';
import { buildFeatures } from '../server/features.ts';
import { duplicateWrites, freePort, startProcess } from './processes.ts';
import { createTwilioGateway, type TwilioGateway } from '../server/twilio/gateway.ts';
import { createOnboardingEngine } from '../server/onboarding/engine.ts';
import { countFlowsByStatus, listUnfinishedFlows } from '../server/onboarding/flows.dao.ts';
import { seedOnboardings } from './seed-onboardings.ts';

const N = Number(process.env.BENCH_CUSTOMERS ?? 500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
// Twilio asks ISVs for ~1 brand/campaign call per second; the sandbox does not, so the bench measures the
// engine with the limiter off unless BENCH_A2P_INTERVAL_MS says otherwise (at 1000 ms, 2 calls × N set the floor).
const A2P_INTERVAL_MS = Number(process.env.BENCH_A2P_INTERVAL_MS ?? 0);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 30 * 60_000);
const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/test';

async function main() {
  let url = process.env.DATABASE_URL;
  let dropName: string | undefined;
  if (!url) {
    dropName = `isv_bench_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dropName}`);
    await admin.end();
    const u = new URL(ADMIN_URL);
    u.pathname = `/${dropName}`;
    url = u.toString();
  }
  const db = createPostgresDb(url, { max: CONCURRENCY + 8 });
  const masterAccountSid = `AC${randomBytes(16).toString('hex')}`;
  const masterAuthToken = randomBytes(16).toString('hex');
  // The platform's HTTP side receives what Twilio posts back (TrustHub status callbacks wake the flow waiting on
  // a bundle, as in a deployment); the engine itself is driven below.
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const callbacks = createServer((req, res) => (handler ? handler(req, res) : res.writeHead(503).end()));
  await new Promise<void>((resolve) => callbacks.listen(0, '127.0.0.1', () => resolve()));
  const callbackPort = (callbacks.address() as AddressInfo).port;
  const config = parseConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    DATABASE_URL: url,
    TWILIO_MODE: 'sandbox',
    TWILIO_MASTER_ACCOUNT_SID: masterAccountSid,
    TWILIO_MASTER_AUTH_TOKEN: masterAuthToken,
    ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
    PUBLIC_BASE_URL: `http://127.0.0.1:${callbackPort}`,
    SANDBOX_REVIEW_DELAY_MS: '0',
  });
  const logger = createLogger({ level: 'silent' });
  const keyRing = createKeyRing(config.encryptionKeys!);
  const sandboxDir = mkdtempSync(path.join(tmpdir(), 'isv-bench-sandbox-'));
  const sandboxPort = await freePort();
  const sandbox = await startProcess({
    args: ['--import', 'tsx', 'server/main.ts', 'sandbox'],
    env: {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATA_DIR: sandboxDir,
      SANDBOX_PORT: String(sandboxPort),
      SANDBOX_REVIEW_DELAY_MS: '0',
      TWILIO_MASTER_ACCOUNT_SID: masterAccountSid,
      TWILIO_MASTER_AUTH_TOKEN: masterAuthToken,
    },
    logFile: path.join(sandboxDir, 'sandbox.log'),
    readyUrl: `http://127.0.0.1:${sandboxPort}/sandbox/requests?limit=1`,
  });
  try {
    await migrate(db);
    const base = createTwilioGateway({ mode: 'sandbox', sandboxUrl: sandbox.url, masterAccountSid, masterAuthToken, db, keyRing, logger, a2pIntervalMs: A2P_INTERVAL_MS });
    // Counts Twilio HTTP requests (each attempt of a call is one request) and how many are in flight at once.
    let inFlight = 0;
    let peak = 0;
    let requests = 0;
    let a2pRequests = 0;
    const byOperation = new Map<string, number>();
    const twilio: TwilioGateway = {
      ...base,
      master: base.master,
      subaccount: (sid) => base.subaccount(sid),
      authTokenFor: (sid) => base.authTokenFor(sid),
      invalidate: (sid) => base.invalidate(sid),
      call: (operation, fn, opts) =>
        base.call(
          operation,
          async () => {
            inFlight++;
            requests++;
            if (opts?.a2p) a2pRequests++;
            byOperation.set(operation, (byOperation.get(operation) ?? 0) + 1);
            peak = Math.max(peak, inFlight);
            try {
              return await fn();
            } finally {
              inFlight--;
            }
          },
          opts,
        ),
    };

    handler = createApp({ config, db, logger, keyRing, routers: buildFeatures({ config, db, logger, keyRing, twilio: base }).routers });
    await seedOnboardings(db, N);

    const engine = createOnboardingEngine({ db, twilio, keyRing, config, logger, concurrency: CONCURRENCY, pollMinMs: 50, pollMaxMs: 500, leaseMs: 120_000 });
    const requestsBefore = requests;
    byOperation.clear();
    a2pRequests = 0;
    const started = Date.now();
    for (;;) {
      const claimed = await engine.drain();
      const counts = await countFlowsByStatus(db);
      const moving = counts.filter((c) => c.status === 'in_progress' || c.status === 'waiting_on_twilio').reduce((a, c) => a + c.count, 0);
      if (moving === 0 || Date.now() - started > TIMEOUT_MS) break;
      if (claimed === 0) await new Promise((r) => setTimeout(r, 10));
    }
    const seconds = (Date.now() - started) / 1000;
    await engine.stop();
    const twilioRequests = requests - requestsBefore;
    const unfinished = await listUnfinishedFlows(db);
    const floorS = (a2pRequests * A2P_INTERVAL_MS) / 1000;
    const doubled = await duplicateWrites(sandbox.url);
    console.log(
      JSON.stringify(
        {
          customers: N,
          flows_per_customer: 3,
          engine_concurrency: CONCURRENCY,
          a2p_interval_ms: A2P_INTERVAL_MS,
          seconds_to_all_done: Math.round(seconds * 100) / 100,
          twilio_requests_per_onboarding: Math.round((twilioRequests / N) * 10) / 10,
          goal: { seconds: 30, requests_per_onboarding: 36, times_a2p_floor: 1.1 },
          a2p_spaced_requests: a2pRequests,
          a2p_floor_s: floorS,
          times_a2p_floor: floorS > 0 ? Math.round((seconds / floorS) * 100) / 100 : null,
          requests_per_onboarding_by_operation: Object.fromEntries([...byOperation].sort((a, b) => b[1] - a[1]).map(([op, n]) => [op, Math.round((n / N) * 100) / 100])),
          writes_sent_twice: doubled,
          all_done: unfinished.length === 0,
          peak_concurrent_twilio_requests: peak,
          unfinished: unfinished.map((f) => ({ id: f.id, kind: f.kind, state: f.state, status: f.status, lastError: f.last_error })),
        },
        null,
        2,
      ),
    );
  } finally {
    await sandbox.stop();
    callbacks.closeAllConnections();
    callbacks.close();
    rmSync(sandboxDir, { recursive: true, force: true });
    await db.close();
    if (dropName) {
      const admin = new pg.Client({ connectionString: ADMIN_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${dropName} WITH (FORCE)`);
      await admin.end();
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
