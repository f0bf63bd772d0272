// The composition root and the only file that reads process.env. `tsx server/main.ts [serve|sandbox|keys:rotate]`.
import cluster, { type Worker } from 'node:cluster';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { workerCount } from './platform/web-concurrency.ts';
import { ConfigError, parseConfig, type Config } from './platform/config.ts';
import type { Db } from './platform/db/db.ts';
import { migrate } from './platform/db/migrate.ts';
import { createKeyRing, loadOrCreateLocalKey, type KeyRing } from './platform/crypto/keyring.ts';
import { createLogger, prettyDestination, type Logger } from './platform/logger.ts';
import { loadOrCreateSandboxCredentials } from './sandbox/credentials.ts';
import type { Sandbox } from './sandbox/sandbox.ts';
import { secureDataDir, tightenOwnerOnly } from './platform/data-dir.ts';
import { createDemoUsersOnFirstStart, demoUsersBanner } from './auth/demo-users.ts';
import { buildPortalIfStale } from './portal/build-if-stale.ts';
import { startMetricsServer, type MetricsServer } from './metrics/metrics-server.ts';
// The rest is imported where it is used: a cluster primary never loads the app, a PostgreSQL deployment never
// loads PGlite, and only the process that runs the sandbox loads it (memory: bench:memory, issue 13).

function loadEnvFiles(): void {
  // .env.local wins over .env; variables already set in the environment win over both.
  for (const file of ['.env.local', '.env']) if (existsSync(file)) process.loadEnvFile(file);
}

export async function openDatabase(config: Config, logger: Logger): Promise<Db> {
  const pgdata = path.join(config.dataDir, 'pgdata');
  const db = config.databaseUrl
    ? (await import('./platform/db/postgres.ts')).createPostgresDb(config.databaseUrl)
    : await (await import('./platform/db/pglite.ts')).createPgliteDb(pgdata);
  if (!config.databaseUrl) tightenOwnerOnly(pgdata);
  const applied = await migrate(db);
  logger.info({ engine: db.engine, applied }, applied.length ? 'db.migrated' : 'db.current');
  return db;
}

export async function openKeyRing(config: Config): Promise<KeyRing> {
  if (config.encryptionKeys) return createKeyRing(config.encryptionKeys);
  // parseConfig already refused live mode without ENCRYPTION_KEYS; only the embedded default gets here.
  return createKeyRing([await loadOrCreateLocalKey(config.dataDir)]);
}

/**
 * Where the platform's Twilio SDK clients go and with which master credentials. In sandbox mode the sandbox
 * runs in-process on SANDBOX_PORT (state in <dataDir>/sandbox-state.json) and `sandboxUrl` is set; the
 * gateway then routes the SDK there through its httpClient (FACTS §12). With TWILIO_SANDBOX_URL the platform uses
 * that running sandbox instead of starting one. In live mode `sandbox` is undefined.
 */
export interface TwilioTarget {
  mode: 'live' | 'sandbox';
  masterAccountSid: string;
  masterAuthToken: string;
  sandboxUrl?: string;
  sandbox?: Sandbox;
}

export async function openTwilioTarget(config: Config, logger: Logger): Promise<TwilioTarget> {
  if (config.twilio.mode === 'live') {
    // parseConfig refuses live mode without both master credentials.
    return { mode: 'live', masterAccountSid: config.twilio.masterAccountSid!, masterAuthToken: config.twilio.masterAuthToken! };
  }
  const creds =
    config.twilio.masterAccountSid && config.twilio.masterAuthToken
      ? { accountSid: config.twilio.masterAccountSid, authToken: config.twilio.masterAuthToken }
      : await loadOrCreateSandboxCredentials(config.dataDir);
  // A shared, already running sandbox: the credentials come from the DATA_DIR it uses too (whichever process
  // starts first writes them), or from TWILIO_MASTER_*.
  if (config.sandbox.url) {
    logger.info({ url: config.sandbox.url, masterAccountSid: creds.accountSid }, 'sandbox.shared');
    return { mode: 'sandbox', masterAccountSid: creds.accountSid, masterAuthToken: creds.authToken, sandboxUrl: config.sandbox.url };
  }
  const { startSandbox } = await import('./sandbox/sandbox.ts');
  const sandbox = await startSandbox({
    port: config.sandbox.port,
    stateFile: path.join(config.dataDir, 'sandbox-state.json'),
    masterAccountSid: creds.accountSid,
    masterAuthToken: creds.authToken,
    reviewDelayMs: config.sandbox.reviewDelayMs,
    callbackChaos: config.sandbox.callbackChaos,
    faultRate: config.sandbox.faultRate,
    latencyMs: config.sandbox.latencyMs,
    // Event Streams' webhook sink for A2P number-registration events.
    eventSinkUrl: `${config.publicBaseUrl}/api/isv/webhooks/twilio/events`,
    logger,
  });
  return { mode: 'sandbox', masterAccountSid: creds.accountSid, masterAuthToken: creds.authToken, sandboxUrl: sandbox.url, sandbox };
}

async function serve(config: Config, logger: Logger): Promise<void> {
  if (cluster.isWorker) return serveWorker(config, logger.child({ worker: cluster.worker!.id }));
  const { workers, reason } = workerCount(config);
  if (reason) logger.info({ workers, requested: config.webConcurrency ?? availableParallelism(), reason }, 'cluster.single_process');
  if (workers > 1) return servePrimary(config, logger, workers);
  return serveWorker(config, logger);
}

/**
 * The primary of `WEB_CONCURRENCY` > 1: applies migrations, creates the demo accounts, builds the portal and (in
 * sandbox mode without TWILIO_SANDBOX_URL) runs the sandbox, once, before forking the workers; each worker is the
 * whole server with its own pool and webhook committer, sharing the port through node:cluster. A worker that dies
 * is replaced (after a growing pause if it keeps dying young). SIGTERM/SIGINT stop every worker gracefully (each
 * answers what is in flight and settles its webhook batches), then the sandbox, then the primary.
 */
async function servePrimary(config: Config, logger: Logger, workers: number): Promise<void> {
  const db = await openDatabase(config, logger);
  const twilioTarget = await openTwilioTarget(config, logger);
  const demoUsers =
    !config.supabase.url && twilioTarget.mode === 'sandbox' ? await createDemoUsersOnFirstStart(db, { dataDir: config.dataDir }) : [];
  await db.close();
  if (!process.argv.includes('--no-web-build')) {
    await buildPortalIfStale({ root: process.cwd() }, logger).catch((err: unknown) => logger.error({ err }, 'portal.build_failed'));
  }
  // Workers use the primary's sandbox as a shared one (its credentials are in DATA_DIR, or TWILIO_MASTER_*).
  const workerEnv: Record<string, string> = twilioTarget.sandbox ? { TWILIO_SANDBOX_URL: twilioTarget.sandboxUrl! } : {};

  let stopping = false;
  const startedAt = new Map<number, number>();
  let youngDeaths = 0;
  const fork = (): Worker => {
    const w = cluster.fork(workerEnv);
    startedAt.set(w.id, Date.now());
    return w;
  };
  let listening = 0;
  cluster.on("listening", (_worker, address) => {
    if (++listening !== workers) return;
    const port = address.port;
    logger.info({ port, url: `http://localhost:${port}`, workers }, 'cluster.listening');
    if (demoUsers.length) process.stdout.write(demoUsersBanner(demoUsers, `http://localhost:${port}`));
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    const lived = Date.now() - (startedAt.get(worker.id) ?? 0);
    startedAt.delete(worker.id);
    youngDeaths = lived < 10_000 ? youngDeaths + 1 : 0;
    const delayMs = youngDeaths === 0 ? 0 : Math.min(30_000, 250 * 2 ** (youngDeaths - 1));
    logger.error({ worker: worker.id, pid: worker.process.pid, code, signal, restartInMs: delayMs }, 'cluster.worker_died');
    setTimeout(() => {
      if (!stopping) fork();
    }, delayMs).unref();
  });
  for (let i = 0; i < workers; i++) fork();

  // GET /metrics: the primary starts it after the workers are forked, so prom-client's AggregatorRegistry gathers
  // every worker's registry over the cluster channel. A port already taken is logged, not fatal.
  const metrics: MetricsServer | undefined =
    config.metrics.port === undefined
      ? undefined
      : await startMetricsServer({ port: config.metrics.port, host: config.metrics.host, clustered: true, logger }).catch((err: unknown) => {
          logger.error({ err, port: config.metrics.port }, 'metrics.listen_failed');
          return undefined;
        });

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, workers: Object.keys(cluster.workers ?? {}).length }, 'cluster.stopping');
    const force = setTimeout(() => {
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
      process.exit(1);
    }, 15_000);
    force.unref();
    const running = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    const codes = await Promise.all(
      running.map(
        (w) =>
          new Promise<number | null>((resolve) => {
            if (w.isDead()) return resolve(w.process.exitCode);
            w.once('exit', (code) => resolve(code));
            w.process.kill('SIGTERM');
          }),
      ),
    );
    await metrics?.close();
    await twilioTarget.sandbox?.close();
    const clean = codes.every((c) => c === 0);
    logger.info({ exitCodes: codes }, clean ? 'cluster.stopped' : 'cluster.stopped_with_errors');
    process.exit(clean ? 0 : 1);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/** One server process: the whole platform (alone, or as one cluster worker). */
async function serveWorker(config: Config, logger: Logger): Promise<void> {
  const inCluster = cluster.isWorker;
  const [{ createApp }, { buildFeatures }, { createTwilioGateway }] = await Promise.all([import('./app.ts'), import('./features.ts'), import('./twilio/gateway.ts')]);
  const db = await openDatabase(config, logger);
  const keyRing = await openKeyRing(config);
  const twilioTarget = await openTwilioTarget(config, logger);
  // The same gateway (and SDK) in both modes; only its HTTP client differs (FACTS §12).
  const twilio = createTwilioGateway({
    mode: twilioTarget.mode,
    masterAccountSid: twilioTarget.masterAccountSid,
    masterAuthToken: twilioTarget.masterAuthToken,
    sandboxUrl: twilioTarget.sandboxUrl,
    db,
    keyRing,
    logger,
    a2pIntervalMs: config.a2pIntervalMs,
    breaker: config.breaker,
  });
  const features = buildFeatures({ config, db, logger, keyRing, twilio });
  // The embedded default (local accounts, sandbox Twilio) gets demo accounts on its very first start.
  // In a cluster the primary did both already.
  const demoUsers =
    !inCluster && !config.supabase.url && twilioTarget.mode === 'sandbox' ? await createDemoUsersOnFirstStart(db, { dataDir: config.dataDir }) : [];
  // `npm start` serves a current portal: build web/dist when missing or older than its sources. `npm run dev`
  // passes --no-web-build because Vite's dev server serves the portal there.
  if (!inCluster && !process.argv.includes('--no-web-build')) {
    await buildPortalIfStale({ root: process.cwd() }, logger).catch((err: unknown) => logger.error({ err }, 'portal.build_failed'));
  }
  const webDist = path.resolve('web/dist');
  const app = createApp({
    config,
    db,
    logger,
    keyRing,
    routers: features.routers,
    webDist: existsSync(path.join(webDist, 'index.html')) ? webDist : undefined,
  });
  // GET /metrics on its own port (METRICS_PORT, `off` for none); in a cluster the primary serves it. A port already taken is logged, not fatal: the
  // platform keeps serving customers without its metrics.
  const metrics: MetricsServer | undefined =
    config.metrics.port === undefined || inCluster
      ? undefined
      : await startMetricsServer({ port: config.metrics.port, host: config.metrics.host, logger }).catch((err: unknown) => {
          logger.error({ err, port: config.metrics.port }, 'metrics.listen_failed');
          return undefined;
        });
  // A cluster worker names itself on /api/health (X-Cluster-Worker), so a check can see which one answered.
  const workerId = cluster.worker?.id;
  const server: Server = createServer(
    workerId === undefined
      ? app
      : (req, res) => {
          if (req.url === '/api/health') res.setHeader('X-Cluster-Worker', String(workerId));
          app(req, res);
        },
  );
  server.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    logger.info({ port, url: `http://localhost:${port}` }, 'server.listening');
    // Straight to the terminal, never through the logger: log lines must not carry passwords.
    if (demoUsers.length) process.stdout.write(demoUsersBanner(demoUsers, `http://localhost:${port}`));
    for (const b of features.background) b.start();
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'server.stopping');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    for (const b of features.background) await b.stop();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Keep-alive connections with no request in flight would otherwise hold close() open.
    server.closeIdleConnections();
    await closed;
    await metrics?.close();
    // Requests already answered have committed; this settles any batch still being written.
    await features.webhooks.drain();
    await twilioTarget.sandbox?.close();
    await db.close();
    logger.info('server.stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/** `npm run sandbox`: the Twilio sandbox alone, for poking at it with curl or the SDK. */
async function sandboxOnly(config: Config, logger: Logger): Promise<void> {
  const target = await openTwilioTarget(config, logger);
  logger.info({ url: target.sandboxUrl, masterAccountSid: target.masterAccountSid }, 'sandbox.ready');
  const stop = async () => {
    await target.sandbox?.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

async function keysRotate(config: Config, logger: Logger): Promise<void> {
  const db = await openDatabase(config, logger);
  const { rotateSecrets } = await import('./platform/crypto/rotate.ts');
  const report = await rotateSecrets(db, await openKeyRing(config));
  logger.info({ report }, 'keys.rotated');
  await db.close();
}

async function main(): Promise<void> {
  loadEnvFiles();
  const command = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 'serve';
  let config: Config;
  try {
    // The sandbox alone never talks to Twilio, so live-mode rules (ENCRYPTION_KEYS, PUBLIC_BASE_URL) do not
    // apply to it; TWILIO_MASTER_* given there become the sandbox's own master account.
    config = parseConfig(command === 'sandbox' ? { ...process.env, TWILIO_MODE: 'sandbox', TWILIO_SANDBOX_URL: undefined } : process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const pretty = config.logFormat ? config.logFormat === 'pretty' : process.stdout.isTTY === true && config.nodeEnv !== 'production';
  const refusal = secureDataDir(config.dataDir);
  if (refusal) {
    console.error(refusal);
    process.exit(2);
  }
  const logger = createLogger({ level: config.logLevel, destination: pretty ? await prettyDestination() : undefined });
  if (command === 'serve') return serve(config, logger);
  if (command === 'keys:rotate') return keysRotate(config, logger);
  if (command === 'sandbox') return sandboxOnly(config, logger);
  console.error(`unknown command ${command}; expected serve, sandbox or keys:rotate`);
  process.exit(2);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
