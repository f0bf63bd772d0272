// `npm run bench:webhooks`: signed status callbacks against real PostgreSQL, the platform beside the minimal
// receiver an ISV would write by hand (bench/minimal-receiver.ts, issue 13). Each receiver runs in its own
// process on a fresh database of the same server, with the same 50 tenants (the same seeds, so the same signed
// requests in the same order), driven from a separate load-generator process (autocannon, 50 connections,
// 20 % duplicates, shuffled). Receivers, in turn:
//   minimal        the reference (one INSERT … ON CONFLICT DO NOTHING per request, `postgres` driver, pool 10)
//   platform-1     `node dist/server/main.js serve` (the compiled build, as start:prod), WEB_CONCURRENCY=1
//   platform-all   the same with WEB_CONCURRENCY unset (one worker per core, node:cluster)
// After each run the receiver is stopped with SIGTERM (the platform settles its batches and exits 0) and the
// database is checked: every acknowledged distinct event stored (lost), no effect applied twice (duplicated),
// every message at the highest status acknowledged for it (regressions). Prints JSON with the ratios.
//   DATABASE_URL      admin connection (default postgres://postgres@127.0.0.1:5432/test)
//   BENCH_DURATION_S  seconds per run (default 10)   BENCH_CONNECTIONS (default 50)   BENCH_ACCOUNTS (default 50)
//   BENCH_RECEIVERS   comma-separated subset of the above (default all three)   BENCH_ROUNDS (default 1)
//   BENCH_NO_BUILD=1  reuse dist/ as it is      BENCH_CPU_PROF=<dir>  V8 CPU profiles of the platform's processes
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createKeyRing, type KeyRing } from '../server/platform/crypto/keyring.ts';
import type { Db } from '../server/platform/db/db.ts';
import { createPostgresDb } from '../server/platform/db/postgres.ts';
import { migrate } from '../server/platform/db/migrate.ts';
import { insertSubaccount } from '../server/subaccounts/subaccounts.dao.ts';
import { STATUS_RANK, type MessageStatus } from '../shared/messages.ts';
import type { LoadResult, LoadSettings } from './webhooks-load.ts';
import { createDatabase, freePort, ROOT, rssOfTree, sampleRss, startProcess } from './processes.ts';

const DURATION_S = Number(process.env.BENCH_DURATION_S || 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 50);
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS || 50);
const STATUS_PATH = '/api/isv/webhooks/twilio/status';
type ReceiverKind = 'minimal' | 'platform-1' | 'platform-all';
/** BENCH_CPU_PROF=<dir>: the platform's processes write V8 CPU profiles there (open them in Chrome DevTools). */
const PROFILE_DIR = process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : undefined;
const RECEIVERS = (process.env.BENCH_RECEIVERS || 'minimal,platform-1,platform-all').split(',').map((s) => s.trim()) as ReceiverKind[];

export async function seedAccounts(db: Db, keyRing: KeyRing, n: number, seed = 'bench'): Promise<{ accountSid: string; authToken: string }[]> {
  const accounts: { accountSid: string; authToken: string }[] = [];
  for (let i = 0; i < n; i++) {
    const rows = await db.query<{ id: string }>(
      `INSERT INTO isv.customers (legal_name, business_type, ein, industry, website, address, contact)
       VALUES ($1, 'llc', '12-3456789', 'TECHNOLOGY', 'https://bench.example', '{}', '{}') RETURNING id`,
      [`Bench customer ${i}`],
    );
    // Derived from the seed, so every receiver sees the same tenants and therefore the same signed requests.
    const accountSid = `AC${Buffer.from(`${seed}:${i}:sid`).toString('hex').padEnd(32, '0').slice(0, 32)}`;
    const authToken = Buffer.from(`${seed}:${i}:token`).toString('hex').padEnd(32, '0').slice(0, 32);
    await insertSubaccount(db, keyRing, { customerId: rows[0]!.id, accountSid, friendlyName: `isv:${rows[0]!.id}`, authToken });
    accounts.push({ accountSid, authToken });
  }
  return accounts;
}

/** Transactions Postgres committed in this database so far (statistics flush about once a second). */
async function committedTransactions(db: Db): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const rows = await db.query<{ n: number }>(`SELECT pg_stat_clear_snapshot(), xact_commit::int AS n FROM pg_stat_database WHERE datname = current_database()`);
  return rows[0]!.n;
}

export function runLoad(settings: LoadSettings, ackFile: string): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'bench/webhooks-load.ts'), JSON.stringify(settings), ackFile],
      { maxBuffer: 16 * 1024 * 1024, cwd: ROOT },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`load generator failed: ${stderr || err.message}`));
        resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as LoadResult);
      },
    );
  });
}

export interface Checks {
  lost: number;
  duplicated: number;
  regressions: number;
  distinct_events: number;
}

/** Every acknowledged distinct event stored exactly once; with effects, every message at its highest acknowledged status. */
export async function check(db: Db, acked: string[], withEffects: boolean): Promise<Checks> {
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
  const [dup] = await db.query<{ n: number }>(`SELECT (count(*) - count(DISTINCT (message_id, status)))::int AS n FROM isv.message_status_history`);
  const expected = new Map<string, MessageStatus>();
  for (const line of distinct) {
    const [sid, status] = line.split(' ') as [string, MessageStatus];
    const cur = expected.get(sid);
    if (!cur || STATUS_RANK[status] > STATUS_RANK[cur]) expected.set(sid, status);
  }
  const actual = new Map((await db.query<{ sid: string; status: MessageStatus }>(`SELECT sid, status FROM isv.messages`)).map((r) => [r.sid, r.status]));
  let regressions = 0;
  for (const [sid, status] of expected) {
    const got = actual.get(sid);
    if (!got || STATUS_RANK[got] < STATUS_RANK[status]) regressions++;
  }
  return { lost, duplicated: dup!.n, regressions, distinct_events: distinct.size };
}

/** The platform's environment for a bench process (sandbox mode; the sandbox URL is never called by webhooks). */
export function platformEnv(o: { port: number; databaseUrl: string; dataDir: string; encryptionKeys: string; webConcurrency?: number; sandboxUrl?: string; publicBaseUrl?: string }): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
    PORT: String(o.port),
    HOST: '127.0.0.1',
    PUBLIC_BASE_URL: o.publicBaseUrl ?? `http://127.0.0.1:${o.port}`,
    DATABASE_URL: o.databaseUrl,
    DATA_DIR: o.dataDir,
    ENCRYPTION_KEYS: o.encryptionKeys,
    TWILIO_MODE: 'sandbox',
    TWILIO_SANDBOX_URL: o.sandboxUrl ?? 'http://127.0.0.1:9',
    TWILIO_MASTER_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
    TWILIO_MASTER_AUTH_TOKEN: '0'.repeat(32),
    ...(o.webConcurrency ? { WEB_CONCURRENCY: String(o.webConcurrency) } : {}),
  };
}

export async function buildServer(): Promise<void> {
  if (process.env.BENCH_NO_BUILD) return;
  await promisify(execFile)('npm', ['run', '-s', 'build:server'], { cwd: ROOT });
}

type RunResult = LoadResult &
  Checks & { receiver: ReceiverKind; processes: number; idle_rss_mb: number; peak_rss_mb: number; peak_rss_per_process_mb: number; commits_per_request: number; exit_code: number | null };

async function runReceiver(kind: ReceiverKind, round: number): Promise<RunResult> {
  const database = await createDatabase();
  const db = createPostgresDb(database.url, { max: 4 });
  const workDir = await mkdtemp(path.join(tmpdir(), 'isv-bench-'));
  try {
    await migrate(db);
    const key = randomBytes(32);
    const encryptionKeys = `bench:${key.toString('base64')}`;
    const accounts = await seedAccounts(db, createKeyRing([{ id: 'bench', key }]), ACCOUNTS);
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const logFile = path.join(workDir, 'server.log');
    let server;
    if (kind === 'minimal') {
      const tokensFile = path.join(workDir, 'tokens.json');
      await writeFile(tokensFile, JSON.stringify(Object.fromEntries(accounts.map((a) => [a.accountSid, a.authToken]))));
      // Readiness: the receiver answers 404 on GET /, which startProcess does not accept, so probe a route it has.
      server = await startProcess({
        args: ['--import', 'tsx', 'bench/minimal-receiver.ts', database.url, baseUrl, String(port), tokensFile],
        env: { NODE_ENV: 'production' },
        logFile,
        readyUrl: `${baseUrl}/ready`,
        acceptStatus: 404,
      });
    } else {
      server = await startProcess({
        args: [...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []), 'dist/server/main.js', 'serve', '--no-web-build'],
        env: platformEnv({ port, databaseUrl: database.url, dataDir: workDir, encryptionKeys, webConcurrency: kind === 'platform-1' ? 1 : undefined }),
        logFile,
        readyUrl: `${baseUrl}/api/ready`,
      });
    }
    // Let the cluster's workers all come up and settle before measuring idle memory.
    await new Promise((r) => setTimeout(r, 2000));
    const idle = rssOfTree(server.child.pid!);
    const ackFile = path.join(workDir, 'acked.txt');
    const commitsBefore = await committedTransactions(db);
    const sampler = sampleRss(server.child.pid!);
    const load = await runLoad(
      { baseUrl, path: STATUS_PATH, accounts, connections: CONNECTIONS, durationS: DURATION_S, duplicateShare: 0.2, seed: 20261123 + round, runId: `b${round.toString(16).padStart(2, "0")}` },
      ackFile,
    );
    const peak = sampler.stop();
    // SIGTERM: the platform stops accepting, answers what is in flight and settles its batches before exiting.
    const exitCode = await server.stop();
    const commits = (await committedTransactions(db)) - commitsBefore;
    const acked = (await readFile(ackFile, 'utf8')).split('\n').filter(Boolean);
    const checks = await check(db, acked, kind !== 'minimal');
    return {
      receiver: kind,
      ...load,
      ...checks,
      processes: peak.processes,
      idle_rss_mb: idle.tree_mb,
      peak_rss_mb: peak.peak_tree_mb,
      peak_rss_per_process_mb: Math.round(peak.peak_tree_mb / Math.max(1, peak.processes)),
      commits_per_request: Math.round((commits / Math.max(1, load.requests)) * 1000) / 1000,
      exit_code: exitCode,
    };
  } finally {
    await db.close();
    await database.drop();
    await rm(workDir, { recursive: true, force: true });
  }
}

const mean = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length));
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const ratio = (a: number, b: number) => (b ? Math.round((a / b) * 100) / 100 : null);

async function main(): Promise<void> {
  await buildServer();
  const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS || 1));
  const runs: RunResult[] = [];
  for (let r = 0; r < rounds; r++) for (const kind of RECEIVERS) runs.push(await runReceiver(kind, r));
  const of = (kind: ReceiverKind) => runs.filter((x) => x.receiver === kind);
  const summary = (kind: ReceiverKind) => {
    const xs = of(kind);
    if (!xs.length) return undefined;
    return {
      rps: mean(xs.map((x) => x.rps)),
      p50_ms: mean(xs.map((x) => x.p50_ms)),
      p99_ms: mean(xs.map((x) => x.p99_ms)),
      lost: sum(xs.map((x) => x.lost)),
      duplicated: sum(xs.map((x) => x.duplicated)),
      regressions: sum(xs.map((x) => x.regressions)),
      non2xx: sum(xs.map((x) => x.non2xx)),
      errors: sum(xs.map((x) => x.errors + x.timeouts)),
      processes: xs[0]!.processes,
      idle_rss_mb: mean(xs.map((x) => x.idle_rss_mb)),
      peak_rss_mb: mean(xs.map((x) => x.peak_rss_mb)),
      peak_rss_per_process_mb: mean(xs.map((x) => x.peak_rss_per_process_mb)),
      db_commits_per_request: xs[0]!.commits_per_request,
      clean_exit: xs.every((x) => x.exit_code === 0),
    };
  };
  const minimal = summary('minimal');
  const single = summary('platform-1');
  const all = summary('platform-all');
  const report = {
    machine: { cores: availableParallelism(), note: 'shared machine: figures are indicative' },
    settings: { duration_s: DURATION_S, connections: CONNECTIONS, subaccounts: ACCOUNTS, duplicate_share: 0.2, rounds },
    ratio_single_process: minimal && single ? ratio(single.rps, minimal.rps) : null,
    ratio_all_cores: minimal && all ? ratio(all.rps, minimal.rps) : null,
    minimal_receiver: minimal,
    platform_single_process: single,
    platform_all_cores: all,
    runs,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  const platformRuns = runs.filter((x) => x.receiver !== 'minimal');
  const ok =
    runs.every((x) => x.lost === 0 && x.non2xx === 0) &&
    platformRuns.every((x) => x.duplicated === 0 && x.regressions === 0 && x.exit_code === 0);
  process.exit(ok ? 0 : 1);
}

if (process.argv[1]?.endsWith('webhooks.ts')) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
