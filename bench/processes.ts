// Helpers the benches share for platform processes: free ports, fresh databases, starting `node dist/server/main.js`
// (the compiled build, as `npm run start:prod` runs it) with a given environment, and resident memory from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { SandboxRequestLogEntry } from '../server/sandbox/server.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ADMIN_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A new empty database next to ADMIN_URL; drop() removes it (WITH FORCE). */
export async function createDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `isv_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface Started {
  child: ChildProcess;
  url: string;
  /** SIGTERM, then wait for the exit code (SIGKILL after timeoutMs). */
  stop(timeoutMs?: number): Promise<number | null>;
}

/** Starts `node <args>` and waits until `readyUrl` answers acceptStatus (its output goes to logFile). */
export async function startProcess(opts: {
  args: string[];
  env: Record<string, string>;
  logFile: string;
  readyUrl: string;
  /** The status that means ready (default 200). */
  acceptStatus?: number;
  timeoutMs?: number;
}): Promise<Started> {
  const fd = openSync(opts.logFile, 'a');
  const child = spawn(process.execPath, opts.args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...opts.env },
    stdio: ['ignore', fd, fd],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${opts.args.join(' ')} exited (${child.exitCode}): ${readFileSync(opts.logFile, 'utf8').slice(-2000)}`);
    try {
      if ((await fetch(opts.readyUrl)).status === (opts.acceptStatus ?? 200)) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${opts.args.join(' ')} did not become ready: ${readFileSync(opts.logFile, 'utf8').slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    url: new URL(opts.readyUrl).origin,
    async stop(timeoutMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(kill);
      return code;
    },
  };
}

/** Resident memory (MB) of a process and of its whole tree (cluster workers included). */
export function rssOfTree(rootPid: number): { root_mb: number; tree_mb: number; processes: number } {
  const procs: { pid: number; ppid: number; kb: number }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      procs.push({ pid: Number(name), ppid: Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]), kb: Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0) });
    } catch {
      // ended meanwhile
    }
  }
  const inTree = new Set([rootPid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of procs) if (!inTree.has(p.pid) && inTree.has(p.ppid)) (inTree.add(p.pid), (grew = true));
  }
  const mine = procs.filter((p) => inTree.has(p.pid));
  return {
    root_mb: Math.round((procs.find((p) => p.pid === rootPid)?.kb ?? 0) / 1024),
    tree_mb: Math.round(mine.reduce((a, p) => a + p.kb, 0) / 1024),
    processes: mine.length,
  };
}

/** Samples rssOfTree every intervalMs until stopped; returns the peaks. */
export function sampleRss(rootPid: number, intervalMs = 500): { stop(): { peak_root_mb: number; peak_tree_mb: number; processes: number } } {
  let peakRoot = 0;
  let peakTree = 0;
  let processes = 0;
  const take = () => {
    const r = rssOfTree(rootPid);
    peakRoot = Math.max(peakRoot, r.root_mb);
    peakTree = Math.max(peakTree, r.tree_mb);
    processes = Math.max(processes, r.processes);
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return { peak_root_mb: peakRoot, peak_tree_mb: peakTree, processes };
    },
  };
}

/**
 * Creates the sandbox saw more than once for the same resource (the same path and the same identifying
 * parameters), from its request log: a retry that Twilio would have executed twice. Reads the whole log.
 */
export async function duplicateWrites(sandboxUrl: string): Promise<{ creates: number; sent_twice: number; examples: string[] }> {
  const res = await fetch(`${sandboxUrl}/sandbox/requests?limit=1000000`);
  const { requests: log } = (await res.json()) as { requests: SandboxRequestLogEntry[] };
  const seen = new Map<string, number>();
  for (const r of log) {
    if (r.method !== 'POST' || r.status >= 400) continue;
    const key = `${r.accountSid} ${r.host}${r.path} ${JSON.stringify(r.params)}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const twice = [...seen].filter(([, n]) => n > 1);
  return { creates: [...seen.values()].reduce((a, b) => a + b, 0), sent_twice: twice.length, examples: twice.slice(0, 5).map(([k]) => k.slice(0, 160)) };
}

