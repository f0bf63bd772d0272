// `npm run bench:cluster` (issue 13): several platform instances on one PostgreSQL and one standalone sandbox,
// as N instances behind a load balancer would run (docs/deployment.md). Each instance is `node dist/server/main.js`
// with WEB_CONCURRENCY=1 on its own port; all share DATABASE_URL, ENCRYPTION_KEYS, the sandbox
// (TWILIO_SANDBOX_URL) and one PUBLIC_BASE_URL (the "load balancer": webhooks are signed over it whichever
// instance receives them; the sandbox's callbacks go to the first instance).
//   1. webhooks: signed status callbacks against one instance, then spread over all of them (one load generator
//      per instance, the connections split between them); the database is checked for lost, duplicated and
//      regressed events over both runs;
//   2. onboarding: BENCH_CUSTOMERS customers (default 500) seeded ready to onboard, claimed by every instance's
//      scheduler (leases, SKIP LOCKED) until all are done; the sandbox's request log is checked for a Twilio
//      write sent twice, and each instance's log shows how many Twilio resources it created.
// Prints JSON. Env: DATABASE_URL (admin), BENCH_INSTANCES (default 3), BENCH_DURATION_S (default 10),
// BENCH_CONNECTIONS (default 48), BENCH_CUSTOMERS (default 500), BENCH_TIMEOUT_S (default 600), BENCH_NO_BUILD=1.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { createKeyRing } from '../server/platform/crypto/keyring.ts';
import { createPostgresDb } from '../server/platform/db/postgres.ts';
import { migrate } from '../server/platform/db/migrate.ts';
import { countFlowsByStatus, listUnfinishedFlows } from '../server/onboarding/flows.dao.ts';
import type { LoadResult } from './webhooks-load.ts';
import { buildServer, check, platformEnv, runLoad, seedAccounts } from './webhooks.ts';
import { seedOnboardings } from './seed-onboardings.ts';
import { createDatabase, duplicateWrites, freePort, rssOfTree, startProcess, type Started } from './processes.ts';

const INSTANCES = Number(process.env.BENCH_INSTANCES || 3);
const DURATION_S = Number(process.env.BENCH_DURATION_S || 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 48);
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 500);
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S || 600);
const STATUS_PATH = '/api/isv/webhooks/twilio/status';

async function main(): Promise<void> {
  await buildServer();
  const database = await createDatabase();
  const db = createPostgresDb(database.url, { max: 6 });
  const workDir = await mkdtemp(path.join(tmpdir(), 'isv-bench-cluster-'));
  const started: Started[] = [];
  try {
    await migrate(db);
    for (const dir of ['sandbox', ...Array.from({ length: INSTANCES }, (_, i) => `data-${i + 1}`)]) await mkdir(path.join(workDir, dir), { mode: 0o700 });
    const key = randomBytes(32);
    const encryptionKeys = `bench:${key.toString('base64')}`;
    const masterAccountSid = `AC${randomBytes(16).toString('hex')}`;
    const masterAuthToken = randomBytes(16).toString('hex');
    const sandboxPort = await freePort();
    const sandbox = await startProcess({
      args: ['dist/server/main.js', 'sandbox'],
      env: {
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        DATA_DIR: path.join(workDir, 'sandbox'),
        SANDBOX_PORT: String(sandboxPort),
        SANDBOX_REVIEW_DELAY_MS: '0',
        TWILIO_MASTER_ACCOUNT_SID: masterAccountSid,
        TWILIO_MASTER_AUTH_TOKEN: masterAuthToken,
      },
      logFile: path.join(workDir, 'sandbox.log'),
      readyUrl: `http://127.0.0.1:${sandboxPort}/sandbox/requests?limit=1`,
    });
    started.push(sandbox);

    const ports = await Promise.all(Array.from({ length: INSTANCES }, () => freePort()));
    const publicBaseUrl = `http://127.0.0.1:${ports[0]}`;
    const logs = ports.map((_, i) => path.join(workDir, `instance-${i + 1}.log`));
    for (const [i, port] of ports.entries()) {
      started.push(
        await startProcess({
          args: ['dist/server/main.js', 'serve', '--no-web-build'],
          env: {
            ...platformEnv({ port, databaseUrl: database.url, dataDir: path.join(workDir, `data-${i + 1}`), encryptionKeys, webConcurrency: 1, sandboxUrl: sandbox.url, publicBaseUrl }),
            TWILIO_MASTER_ACCOUNT_SID: masterAccountSid,
            TWILIO_MASTER_AUTH_TOKEN: masterAuthToken,
            TWILIO_A2P_INTERVAL_MS: '0',
            ONBOARDING_CRON: '* * * * * *',
            ONBOARDING_POLL_MIN_MS: '50',
            ONBOARDING_POLL_MAX_MS: '500',
            ONBOARDING_CONCURRENCY: '16',
          },
          logFile: logs[i]!,
          readyUrl: `http://127.0.0.1:${port}/api/ready`,
        }),
      );
    }
    const instances = started.slice(1);

    // 1. Webhooks: one instance, then all of them.
    const accounts = await seedAccounts(db, createKeyRing([{ id: 'bench', key }]), 50);
    const acked: string[] = [];
    const load = async (targets: number[], round: number): Promise<LoadResult[]> => {
      const per = Math.max(1, Math.floor(CONNECTIONS / targets.length));
      return Promise.all(
        targets.map(async (port, i) => {
          const ackFile = path.join(workDir, `acked-${round}-${i}.txt`);
          const r = await runLoad(
            { baseUrl: `http://127.0.0.1:${port}`, signedBaseUrl: publicBaseUrl, path: STATUS_PATH, accounts, connections: per, durationS: DURATION_S, duplicateShare: 0.2, seed: 7000 + round * 10 + i, runId: `c${round}${i}` },
            ackFile,
          );
          acked.push(...(await readFile(ackFile, 'utf8')).split('\n').filter(Boolean));
          return r;
        }),
      );
    };
    const one = await load([ports[0]!], 1);
    const all = await load(ports, 2);
    const rssUnderLoad = instances.map((s) => rssOfTree(s.child.pid!).tree_mb);
    const webhookChecks = await check(db, acked, true);
    const rps = (rs: LoadResult[]) => rs.reduce((a, r) => a + r.rps, 0);

    // 2. Onboardings claimed by every instance's scheduler.
    await seedOnboardings(db, CUSTOMERS);
    const t0 = Date.now();
    let moving = Infinity;
    while (moving > 0 && Date.now() - t0 < TIMEOUT_S * 1000) {
      await new Promise((r) => setTimeout(r, 500));
      const counts = await countFlowsByStatus(db);
      moving = counts.filter((c) => c.status === 'in_progress' || c.status === 'waiting_on_twilio').reduce((a, c) => a + c.count, 0);
    }
    const seconds = (Date.now() - t0) / 1000;
    const unfinished = await listUnfinishedFlows(db);
    const doubled = await duplicateWrites(sandbox.url);
    const createdBy = await Promise.all(logs.map(async (f) => (await readFile(f, 'utf8')).split('\n').filter((l) => l.includes('"flow.twilio_created"')).length));
    const exitCodes: (number | null)[] = [];
    for (const s of instances) exitCodes.push(await s.stop());

    const report = {
      machine: { cores: availableParallelism(), note: 'shared machine: figures are indicative; every instance, the sandbox, PostgreSQL and the load generators share these cores' },
      instances: INSTANCES,
      webhooks: {
        duration_s: DURATION_S,
        connections: CONNECTIONS,
        one_instance_rps: rps(one),
        all_instances_rps: rps(all),
        scaling: Math.round((rps(all) / Math.max(1, rps(one))) * 100) / 100,
        p99_ms_one: one[0]!.p99_ms,
        p99_ms_all: Math.max(...all.map((r) => r.p99_ms)),
        non2xx: [...one, ...all].reduce((a, r) => a + r.non2xx, 0),
        ...webhookChecks,
        rss_mb_per_instance_under_load: rssUnderLoad,
      },
      onboarding: {
        customers: CUSTOMERS,
        seconds_to_all_done: Math.round(seconds * 10) / 10,
        all_done: unfinished.length === 0,
        unfinished: unfinished.length,
        twilio_resources_created_by_instance: createdBy,
        claimed_by_every_instance: createdBy.every((n) => n > 0),
        writes_sent_twice: doubled,
      },
      clean_exit: exitCodes.every((c) => c === 0),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    const ok =
      webhookChecks.lost === 0 && webhookChecks.duplicated === 0 && webhookChecks.regressions === 0 && report.webhooks.non2xx === 0 &&
      report.onboarding.all_done && doubled.sent_twice === 0 && report.clean_exit;
    process.exitCode = ok ? 0 : 1;
  } finally {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    await db.close();
    await database.drop();
    await rm(workDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
