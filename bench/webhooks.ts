// `npm run bench:webhooks`: throughput of the signed status-callback path against a real Postgres. For each
// receiver (the platform's group-committed one, then a plain one-insert-per-request baseline) it creates a fresh
// database, 50 subaccounts, starts the app in-process, drives it from a separate load-generator process
// (autocannon, 50 connections, 20 s, 20 % duplicates, shuffled), then checks the database and prints JSON.
//   DATABASE_URL      admin connection (default postgres://postgres@127.0.0.1:5432/test); temp databases are
//                     created next to it and dropped afterwards
//   BENCH_DURATION_S  seconds per run (default 20)   BENCH_CONNECTIONS (default 50)   BENCH_ACCOUNTS (default 50)
//   BENCH_ROUNDS      alternating rounds of both receivers, averaged (default 1)
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router, type Express } from 'express';
import pg from 'pg';
import { createApp, type RawBodyRequest } from '../server/app.ts';
import { buildFeatures } from '../server/features.ts';
import { parseConfig, type Config } from '../server/platform/config.ts';
import { createKeyRing, type KeyRing } from '../server/platform/crypto/keyring.ts';
import type { Db } from '../server/platform/db/db.ts';
import { createPostgresDb } from '../server/platform/db/postgres.ts';
import { migrate } from '../server/platform/db/migrate.ts';
import { createLogger } from '../server/platform/logger.ts';
import { AppError } from '../server/platform/errors.ts';
import { insertSubaccount } from '../server/subaccounts/subaccounts.dao.ts';
import { createTwilioGateway, type TwilioGateway } from '../server/twilio/gateway.ts';
import { verifyTwilioSignature } from '../server/webhooks/verify-twilio-signature.ts';
import { STATUS_RANK } from '../server/messaging/message-status.ts';
import type { MessageStatus } from '../shared/messages.ts';
import type { LoadResult, LoadSettings } from './webhooks-load.ts';

const ADMIN_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const DURATION_S = Number(process.env.BENCH_DURATION_S || 20);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 50);
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS || 50);
const STATUS_PATH = '/api/isv/webhooks/twilio/status';
const here = path.dirname(fileURLToPath(import.meta.url));

interface Env {
  db: Db;
  url: string;
  drop(): Promise<void>;
}

async function freshDatabase(): Promise<Env> {
  const name = `isv_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const db = createPostgresDb(url.toString(), { max: 20 });
  await migrate(db);
  return {
    db,
    url: url.toString(),
    async drop() {
      await db.close();
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

async function seedAccounts(db: Db, keyRing: KeyRing): Promise<{ accountSid: string; authToken: string }[]> {
  const accounts: { accountSid: string; authToken: string }[] = [];
  for (let i = 0; i < ACCOUNTS; i++) {
    const rows = await db.query<{ id: string }>(
      `INSERT INTO isv.customers (legal_name, business_type, ein, industry, website, address, contact)
       VALUES ($1, 'llc', '12-3456789', 'TECHNOLOGY', 'https://bench.example', '{}', '{}') RETURNING id`,
      [`Bench customer ${i}`],
    );
    const accountSid = `AC${randomBytes(16).toString('hex')}`;
    const authToken = randomBytes(16).toString('hex');
    await insertSubaccount(db, keyRing, { customerId: rows[0]!.id, accountSid, friendlyName: `isv:${rows[0]!.id}`, authToken });
    accounts.push({ accountSid, authToken });
  }
  return accounts;
}

/** The comparison receiver: the same HTTP stack and verification, then one INSERT (one transaction) per request. */
function baselineRouter(config: Config, db: Db, tokens: TwilioGateway): Router {
  const router = Router();
  router.post('/isv/webhooks/twilio/status', async (req, res) => {
    const v = await verifyTwilioSignature(
      {
        publicBaseUrl: config.publicBaseUrl,
        originalUrl: req.originalUrl,
        headers: req.headers,
        body: req.body,
        rawBody: (req as RawBodyRequest).rawBody,
        contentType: req.headers['content-type'],
      },
      tokens,
    );
    if (!v.ok) throw new AppError(403, 'twilio_signature_invalid', v.reason);
    const p = v.webhook.params;
    await db.query(
      `INSERT INTO isv.webhook_events (idempotency_key, kind, account_sid, message_sid, payload, processed_at)
       VALUES ($1, 'status', $2, $3, $4, now()) ON CONFLICT (idempotency_key) DO NOTHING`,
      [`status:${v.webhook.accountSid}:${p.MessageSid}:${p.MessageStatus}`, v.webhook.accountSid, p.MessageSid, JSON.stringify(p)],
    );
    res.status(200).end();
  });
  return router;
}

/**
 * Transactions Postgres committed in this database so far, from its own statistics (independent of our
 * counters). Statistics are flushed about once a second, so wait for that before reading.
 */
async function committedTransactions(db: Db): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const rows = await db.query<{ n: number }>(
    `SELECT pg_stat_clear_snapshot(), xact_commit::int AS n FROM pg_stat_database WHERE datname = current_database()`,
  );
  return rows[0]!.n;
}

function runLoad(settings: LoadSettings, ackFile: string): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(here, 'webhooks-load.ts'), JSON.stringify(settings), ackFile],
      { maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`load generator failed: ${stderr || err.message}`));
        resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as LoadResult);
      },
    );
  });
}

interface Checks {
  lost: number;
  duplicated: number;
  regressions: number;
  distinct_events: number;
}

/** Every acknowledged distinct event stored exactly once; every message at its highest acknowledged status. */
async function check(db: Db, acked: string[], withEffects: boolean): Promise<Checks> {
  const distinct = new Set(acked);
  // Keys are `status:<AccountSid>:<MessageSid>:<MessageStatus>`; the acknowledgements name SID and status.
  const stored = new Set(
    (await db.query<{ idempotency_key: string }>(`SELECT idempotency_key FROM isv.webhook_events`)).map((r) => r.idempotency_key.replace(/^status:AC[0-9a-f]{32}:/, 'status:')),
  );
  let lost = 0;
  for (const line of distinct) {
    const [sid, status] = line.split(' ');
    if (!stored.has(`status:${sid}:${status}`)) lost++;
  }
  if (!withEffects) return { lost, duplicated: 0, regressions: 0, distinct_events: distinct.size };
  // A duplicate effect would show as a second history row for the same message and status.
  const [dup] = await db.query<{ n: number }>(
    `SELECT (count(*) - count(DISTINCT (message_id, status)))::int AS n FROM isv.message_status_history`,
  );
  const expected = new Map<string, MessageStatus>();
  for (const line of distinct) {
    const [sid, status] = line.split(' ') as [string, MessageStatus];
    const cur = expected.get(sid);
    if (!cur || STATUS_RANK[status] > STATUS_RANK[cur]) expected.set(sid, status);
  }
  const actual = new Map(
    (await db.query<{ sid: string; status: MessageStatus }>(`SELECT sid, status FROM isv.messages`)).map((r) => [r.sid, r.status]),
  );
  let regressions = 0;
  for (const [sid, status] of expected) {
    const got = actual.get(sid);
    if (!got || STATUS_RANK[got] < STATUS_RANK[status]) regressions++;
  }
  return { lost, duplicated: dup!.n, regressions, distinct_events: distinct.size };
}

async function runReceiver(kind: 'group_commit' | 'baseline'): Promise<LoadResult & Checks & { batches: number; mean_batch: number; commits_per_request: number }> {
  const env = await freshDatabase();
  let handler: Express | undefined;
  const server: Server = createServer((req, res) => (handler ? handler(req, res) : res.writeHead(503).end()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const workDir = await mkdtemp(path.join(tmpdir(), 'isv-bench-'));
  try {
    const config = parseConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: env.url,
      DATA_DIR: workDir,
      ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
      TWILIO_MODE: 'sandbox',
    });
    const logger = createLogger({ level: 'silent' });
    const keyRing = createKeyRing(config.encryptionKeys!);
    // Webhook verification only needs tokens; the sandbox URL is never called.
    const twilio = createTwilioGateway({
      mode: 'sandbox',
      sandboxUrl: 'http://127.0.0.1:9',
      masterAccountSid: `AC${'0'.repeat(32)}`,
      masterAuthToken: randomBytes(16).toString('hex'),
      db: env.db,
      keyRing,
      logger,
    });
    const accounts = await seedAccounts(env.db, keyRing);
    let drain = async () => {};
    let batches = () => ({ batches: 0, mean_batch: 0 });
    if (kind === 'group_commit') {
      const features = buildFeatures({ config, db: env.db, logger, keyRing, twilio });
      handler = createApp({ config, db: env.db, logger, keyRing, routers: features.routers });
      drain = () => features.webhooks.drain();
      const m = features.webhooks.metrics;
      batches = () => ({ batches: m.batches, mean_batch: m.batches ? Math.round((m.batchedEvents / m.batches) * 10) / 10 : 0 });
    } else {
      handler = createApp({ config, db: env.db, logger, keyRing, routers: [{ path: '/', router: baselineRouter(config, env.db, twilio) }] });
    }
    const ackFile = path.join(workDir, 'acked.txt');
    const commitsBefore = await committedTransactions(env.db);
    const load = await runLoad(
      {
        baseUrl: config.publicBaseUrl,
        path: STATUS_PATH,
        accounts,
        connections: CONNECTIONS,
        durationS: DURATION_S,
        duplicateShare: 0.2,
        seed: 20261123,
        runId: randomBytes(3).toString('hex'),
      },
      ackFile,
    );
    await drain();
    const commits = (await committedTransactions(env.db)) - commitsBefore;
    const acked = (await readFile(ackFile, 'utf8')).split('\n').filter(Boolean);
    const checks = await check(env.db, acked, kind === 'group_commit');
    return { ...load, ...checks, ...batches(), commits_per_request: Math.round((commits / Math.max(1, load.requests)) * 1000) / 1000 };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await env.drop();
    await rm(workDir, { recursive: true, force: true });
  }
}

const mean = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / xs.length);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

async function main(): Promise<void> {
  // BENCH_ROUNDS=n alternates the two receivers n times (g, b, g, b, …) and averages, so a busy machine's
  // swings hit both alike. BENCH_SKIP_BASELINE=1 measures only the platform's receiver (e.g. while profiling).
  const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS || 1));
  const grouped: Awaited<ReturnType<typeof runReceiver>>[] = [];
  const baseline: Awaited<ReturnType<typeof runReceiver>>[] = [];
  for (let r = 0; r < rounds; r++) {
    grouped.push(await runReceiver('group_commit'));
    if (!process.env.BENCH_SKIP_BASELINE) baseline.push(await runReceiver('baseline'));
  }
  const base = baseline.length ? baseline : grouped;
  const report = {
    rps: mean(grouped.map((g) => g.rps)),
    p50_ms: mean(grouped.map((g) => g.p50_ms)),
    p99_ms: mean(grouped.map((g) => g.p99_ms)),
    lost: sum(grouped.map((g) => g.lost)),
    duplicated: sum(grouped.map((g) => g.duplicated)),
    regressions: sum(grouped.map((g) => g.regressions)),
    baseline_rps: mean(base.map((b) => b.rps)),
    baseline_p50_ms: mean(base.map((b) => b.p50_ms)),
    baseline_p99_ms: mean(base.map((b) => b.p99_ms)),
    details: {
      rounds,
      duration_s: DURATION_S,
      connections: CONNECTIONS,
      subaccounts: ACCOUNTS,
      duplicate_share: 0.2,
      per_round_rps: grouped.map((g) => g.rps),
      per_round_baseline_rps: base.map((b) => b.rps),
      requests: sum(grouped.map((g) => g.requests)),
      distinct_events: sum(grouped.map((g) => g.distinct_events)),
      transactions: sum(grouped.map((g) => g.batches)),
      mean_batch: mean(grouped.map((g) => g.mean_batch)),
      db_commits_per_request: grouped[0]!.commits_per_request,
      baseline_db_commits_per_request: base[0]!.commits_per_request,
      non2xx: sum(grouped.map((g) => g.non2xx)),
      errors: sum(grouped.map((g) => g.errors + g.timeouts)),
      baseline_requests: sum(base.map((b) => b.requests)),
      baseline_lost: sum(base.map((b) => b.lost)),
      baseline_non2xx: sum(base.map((b) => b.non2xx)),
      baseline_errors: sum(base.map((b) => b.errors + b.timeouts)),
    },
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  const ok = report.lost === 0 && report.duplicated === 0 && report.regressions === 0 && report.details.non2xx === 0;
  process.exit(ok ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
