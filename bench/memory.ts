// `npm run bench:memory`: resident memory of an idle server, `npm start` (TypeScript through tsx) against
// `npm run start:prod` (the compiled dist/ with plain node), on the embedded PGlite default and on PostgreSQL.
// Each start gets a fresh DATA_DIR (and a fresh database), waits until it listens, answers /api/ready, sits idle
// for BENCH_IDLE_S seconds (default 15: the scheduler ticks meanwhile), then reads VmRSS from /proc: of the
// process that listens and of the whole process tree npm started. A last run repeats start:prod on PostgreSQL
// with a small V8 young generation (NODE_OPTIONS). Builds dist/ first. Prints JSON. Linux only.
//   DATABASE_URL      admin connection (default postgres://postgres@127.0.0.1:5432/test)
//   BENCH_DATABASE    the database for the PostgreSQL runs (default isv_bench_<random>; dropped afterwards)
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ADMIN_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const DB_NAME = process.env.BENCH_DATABASE || `isv_bench_${randomBytes(5).toString('hex')}`;
const IDLE_S = Number(process.env.BENCH_IDLE_S || 15);

interface Proc {
  pid: number;
  ppid: number;
  rssKb: number;
  cmd: string;
}

function processes(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      out.push({
        pid: Number(name),
        ppid: Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]),
        rssKb: Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0),
        cmd,
      });
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** The process and all its descendants. */
function tree(rootPid: number): Proc[] {
  const all = processes();
  const found: Proc[] = [];
  const queue = [rootPid];
  while (queue.length) {
    const pid = queue.shift()!;
    const p = all.find((x) => x.pid === pid);
    if (p) found.push(p);
    for (const c of all) if (c.ppid === pid) queue.push(c.pid);
  }
  return found;
}

const mb = (kb: number) => Math.round(kb / 1024);

async function measure(script: 'start' | 'start:prod', databaseUrl: string | undefined, nodeOptions?: string) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'isv-mem-'));
  const args = script === 'start' ? ['start', '--', '--no-web-build'] : ['run', 'start:prod'];
  const child = spawn('npm', args, {
    cwd: ROOT,
    detached: true,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'production',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      DATA_DIR: dataDir,
      PORT: '0',
      SANDBOX_PORT: '0',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    const started = Date.now();
    let port: number | undefined;
    while (port === undefined) {
      const line = out.split('\n').find((l) => l.includes('"server.listening"'));
      if (line) port = (JSON.parse(line) as { port: number }).port;
      else if (child.exitCode !== null || Date.now() - started > 120_000) throw new Error(`${script} did not start: ${out}`);
      else await new Promise((r) => setTimeout(r, 100));
    }
    const startS = (Date.now() - started) / 1000;
    const ready = await fetch(`http://127.0.0.1:${port}/api/ready`);
    if (ready.status !== 200) throw new Error(`${script}: /api/ready answered ${ready.status}`);
    await new Promise((r) => setTimeout(r, IDLE_S * 1000));
    const procs = tree(child.pid!);
    // The server is the process of the tree that was started on main.ts/main.js (tsx runs it in a child node).
    const server = procs.filter((p) => /server\/main\.(ts|js)/.test(p.cmd) && !/\bnpm\b|\bsh -c\b/.test(p.cmd)).at(-1);
    return {
      command: `${nodeOptions ? `NODE_OPTIONS=${nodeOptions} ` : ''}${script === 'start' ? 'npm start' : 'npm run start:prod'}`,
      database: databaseUrl ? 'postgresql' : 'pglite',
      listening_after_s: Math.round(startS * 10) / 10,
      server_rss_mb: server ? mb(server.rssKb) : null,
      tree_rss_mb: mb(procs.reduce((a, p) => a + p.rssKb, 0)),
      processes: procs.map((p) => `${mb(p.rssKb)} MB ${p.cmd.slice(0, 80)}`),
    };
  } finally {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  await promisify(execFile)('npm', ['run', '-s', 'build:server'], { cwd: ROOT });
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const url = new URL(ADMIN_URL);
  const runs: Awaited<ReturnType<typeof measure>>[] = [];
  try {
    for (const engine of ['postgresql', 'pglite'] as const) {
      for (const script of ['start', 'start:prod'] as const) {
        let databaseUrl: string | undefined;
        if (engine === 'postgresql') {
          await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
          await admin.query(`CREATE DATABASE ${DB_NAME}`);
          url.pathname = `/${DB_NAME}`;
          databaseUrl = url.toString();
        }
        runs.push(await measure(script, databaseUrl));
      }
    }
    // Most of the idle heap is V8's young generation, sized for throughput; a smaller one trades some of it for
    // memory. Measured, not the default: whether it pays depends on the load (docs/performance.md).
    await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DB_NAME}`);
    url.pathname = `/${DB_NAME}`;
    runs.push(await measure('start:prod', url.toString(), '--max-semi-space-size=2'));
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await admin.end();
  }
  const find = (command: string, database: string) => runs.find((r) => r.command === command && r.database === database)!;
  const report = {
    idle_s: IDLE_S,
    goal_idle_rss_mb: 150,
    server_rss_mb: Object.fromEntries(runs.map((r) => [`${r.command} (${r.database})`, r.server_rss_mb])),
    tree_rss_mb: Object.fromEntries(runs.map((r) => [`${r.command} (${r.database})`, r.tree_rss_mb])),
    saved_mb: {
      postgresql: (find('npm start', 'postgresql').tree_rss_mb ?? 0) - (find('npm run start:prod', 'postgresql').tree_rss_mb ?? 0),
      pglite: (find('npm start', 'pglite').tree_rss_mb ?? 0) - (find('npm run start:prod', 'pglite').tree_rss_mb ?? 0),
    },
    runs,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
