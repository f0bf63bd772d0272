// WEB_CONCURRENCY worker processes sharing the port (issue 13): both workers answer, a worker that dies is
// replaced, and SIGTERM stops every worker cleanly. PostgreSQL only: the embedded PGlite is one process.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../helpers/db.ts';
import { freePort } from '../e2e/server-process.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** GET /api/health on a new connection each time (the primary hands connections to workers in turn). */
function health(port: number): Promise<{ status: number; worker: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/api/health', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, worker: res.headers['x-cluster-worker'] as string | undefined }));
    });
    req.on('error', reject);
  });
}

/** Node processes whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${name}/status`, 'utf8'))?.[1]) === pid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

describe.skipIf(!TEST_DATABASE_URL)('WEB_CONCURRENCY=2 on PostgreSQL (skipped on PGlite: the embedded database cannot be shared between processes)', () => {
  it('serves requests from both workers, replaces a worker that dies, and stops every worker cleanly on SIGTERM', async () => {
    const name = `isv_cluster_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    cleanups.push(async () => {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    });
    const url = new URL(TEST_DATABASE_URL!);
    url.pathname = `/${name}`;
    const dataDir = await mkdtemp(path.join(tmpdir(), 'isv-cluster-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const [port, sandboxPort] = [await freePort(), await freePort()];

    const child = spawn(process.execPath, [TSX, 'server/main.ts', 'serve', '--no-web-build'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? dataDir,
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        HOST: '127.0.0.1',
        PORT: String(port),
        SANDBOX_PORT: String(sandboxPort),
        DATA_DIR: dataDir,
        DATABASE_URL: url.toString(),
        WEB_CONCURRENCY: '2',
      },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    cleanups.push(async () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    });
    const lines = () => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; worker?: number; workers?: number });

    const deadline = Date.now() + 120_000;
    while (!lines().some((l) => l.msg === 'cluster.listening')) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`cluster did not start: ${out}`);
      await sleep(200);
    }
    expect(lines().find((l) => l.msg === 'cluster.listening')?.workers).toBe(2);

    const seen = new Set<string>();
    for (let i = 0; i < 40 && seen.size < 2; i++) {
      const r = await health(port);
      expect(r.status).toBe(200);
      if (r.worker) seen.add(r.worker);
    }
    expect(seen.size).toBe(2);

    // The primary is tsx's child; the workers are the primary's children. Kill one worker outright.
    const primary = childrenOf(child.pid!)[0]!;
    const workers = childrenOf(primary).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('server/main.ts'));
    expect(workers).toHaveLength(2);
    // Each worker reports its Twilio health (breaker, windows) so the operator's page shows both.
    const db = new pg.Client({ connectionString: url.toString() });
    await db.connect();
    cleanups.push(() => db.end());
    const reporting = async () => (await db.query<{ pid: number }>(`SELECT pid FROM isv.twilio_health_reports WHERE reported_at > now() - interval '15 seconds'`)).rows.map((r) => r.pid).sort();
    const reportDeadline = Date.now() + 20_000;
    while ((await reporting()).length < 2 && Date.now() < reportDeadline) await sleep(250);
    expect(await reporting()).toEqual([...workers].sort());
    process.kill(workers[0]!, 'SIGKILL');
    const restartDeadline = Date.now() + 60_000;
    while (lines().filter((l) => l.msg === 'server.listening').length < 3) {
      if (Date.now() > restartDeadline) throw new Error(`the dead worker was not replaced: ${out}`);
      await sleep(200);
    }
    expect(lines().some((l) => l.msg === 'cluster.worker_died')).toBe(true);
    const after = new Set<string>();
    for (let i = 0; i < 40 && after.size < 2; i++) {
      const r = await health(port);
      expect(r.status).toBe(200);
      if (r.worker) after.add(r.worker);
    }
    // Worker ids are never reused: the replacement answers under a new one, next to the survivor.
    expect(after.size).toBe(2);
    expect([...after].some((w) => !seen.has(w))).toBe(true);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lines().filter((l) => l.msg === 'server.stopped')).toHaveLength(2);
    expect(lines().some((l) => l.msg === 'cluster.stopped')).toBe(true);
    expect(childrenOf(primary)).toEqual([]);
    // Workers that stopped cleanly removed their reports; only the killed one's is left, and it is stale.
    expect((await db.query<{ pid: number }>(`SELECT pid FROM isv.twilio_health_reports`)).rows.map((r) => r.pid)).toEqual([workers[0]]);
  });
});
