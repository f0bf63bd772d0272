// Killing the server (SIGKILL) in the middle of 20 onboardings and starting it again completes them all with no
// duplicate Twilio resources. The server runs as a child process (`node --import tsx server/main.ts`) on a temp
// DATA_DIR and free ports, with the in-process sandbox persisting to <dataDir>/sandbox-state.json.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../helpers/db.ts';
import { customerBody } from '../customers/fixtures.ts';
import { a2pRequest } from './fixtures.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CUSTOMERS = 20;
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Waits for a condition by polling (the server is another process: there is no event to await). */
async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function start(env: Record<string, string>): { child: ChildProcess; exited: Promise<number | null>; output: string[] } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', 'serve', '--no-web-build'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout!.on('data', (d) => output.push(String(d)));
  child.stderr!.on('data', (d) => output.push(String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  return { child, exited, output };
}

describe('SIGKILL in the middle of onboarding', () => {
  it('after a restart all 20 onboardings complete with no duplicate Twilio resources', { timeout: 480_000 }, async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'isv-sigkill-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const [port, sandboxPort] = [await freePort(), await freePort()];
    const base = `http://127.0.0.1:${port}`;
    const adminEmail = `admin-${randomBytes(4).toString('hex')}@isv.example.com`;
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dataDir,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_BASE_URL: base,
      DATA_DIR: dataDir,
      SANDBOX_PORT: String(sandboxPort),
      SANDBOX_REVIEW_DELAY_MS: '8000',
      ONBOARDING_CRON: '* * * * * *',
      ONBOARDING_POLL_MIN_MS: '300',
      ONBOARDING_POLL_MAX_MS: '1000',
      ONBOARDING_LEASE_MS: '2000',
      ISV_BOOTSTRAP_ADMINS: adminEmail,
    };
    if (TEST_DATABASE_URL) {
      const name = `isv_sigkill_${randomBytes(5).toString('hex')}`;
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const url = new URL(TEST_DATABASE_URL);
      url.pathname = `/${name}`;
      env.DATABASE_URL = url.toString();
      cleanups.unshift(async () => {
        const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      });
    }

    const api = async (method: string, p: string, token?: string, body?: unknown) => {
      const res = await fetch(`${base}${p}`, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, any> };
    };
    const healthy = () => until('the server to answer', async () => ((await fetch(`${base}/api/health`)).ok ? true : undefined), 90_000);

    let server = start(env);
    await healthy();
    const signup = async (email: string) => (await api('POST', '/api/auth/signup', undefined, { email, password: 'correct horse battery staple' })).body.token as string;
    const adminToken = await signup(adminEmail);
    const ownerToken = await signup(`owner-${randomBytes(4).toString('hex')}@example.com`);
    const customers: string[] = [];
    for (let i = 0; i < CUSTOMERS; i++) {
      const c = await api('POST', '/api/isv/customers', ownerToken, customerBody({ legalName: `Kill Test ${i} LLC` }));
      expect(c.status).toBe(201);
      customers.push(c.body.id);
      expect((await api('POST', `/api/isv/customers/${c.body.id}/a2p`, ownerToken, a2pRequest())).status).toBe(201);
    }
    const approvals = await api('GET', '/api/isv/admin/approvals', adminToken);
    expect(approvals.body.items).toHaveLength(CUSTOMERS);
    for (const item of approvals.body.items) expect((await api('POST', `/api/isv/admin/brands/${item.id}/approve`, adminToken)).status).toBe(200);

    const progress = async () => {
      const views = await Promise.all(customers.map(async (id) => (await api('GET', `/api/isv/customers/${id}/onboarding`, ownerToken)).body));
      return views.map((v) => ({ overall: v.overall as string, a2p: (v.flows as { kind: string; progress: number }[]).find((f) => f.kind === 'a2p')!.progress }));
    };
    // Mid-way: several A2P flows well started, none finished.
    await until('the onboardings to be under way', async () => {
      const p = await progress();
      return p.filter((x) => x.a2p >= 20).length >= 5 && p.every((x) => x.overall !== 'complete') ? true : undefined;
    }, 120_000);
    // The sandbox lives in the killed process and saves its state shortly after each write, while a real Twilio
    // keeps whatever it answered. So the kill lands while the flows wait on reviews: no Twilio write for 2.5 s,
    // and the state file renamed into place 2 s after the last one (so the snapshot written then includes it).
    const stateFile = path.join(dataDir, 'sandbox-state.json');
    await until('a moment without Twilio writes', async () => {
      const log = (await (await fetch(`http://127.0.0.1:${sandboxPort}/sandbox/requests`)).json()) as { requests: { at: string; method: string }[] };
      const lastWrite = Date.parse(log.requests.filter((r) => r.method !== 'GET').at(-1)?.at ?? '1970-01-01T00:00:00Z');
      const saved = (await stat(stateFile)).mtimeMs;
      const quiet = Date.now() - lastWrite;
      // A later rename holds a snapshot taken after the last write; with nothing else to save, 5 s is plenty.
      return quiet > 2500 && (saved > lastWrite + 2000 || quiet > 5000) ? true : undefined;
    }, 120_000);
    const before = await progress();
    server.child.kill('SIGKILL');
    await server.exited;
    expect(before.some((x) => x.overall !== 'complete')).toBe(true);

    server = start(env);
    await healthy();
    try {
      await until('every onboarding to complete', async () => ((await progress()).every((x) => x.overall === 'complete') ? true : undefined), 300_000);
    } catch (err) {
      const stuck = [];
      for (const id of customers) {
        const v = (await api('GET', `/api/isv/customers/${id}/onboarding`, ownerToken)).body;
        if (v.overall !== 'complete') stuck.push(v.flows.map((f: Record<string, unknown>) => ({ kind: f.kind, state: f.state, status: f.status, lastError: f.lastError, last: (f.events as unknown[]).slice(-3) })));
      }
      throw new Error(`${(err as Error).message}: ${JSON.stringify(stuck.slice(0, 3), null, 1)}\n${server.output.join('').slice(-3000)}`);
    }
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);

    type Rec = { sid: string; account_sid: string; friendly_name?: string };
    const state = JSON.parse(await readFile(stateFile, 'utf8')) as { resources: Record<string, Record<string, Rec>> };
    const all = (kind: string) => Object.values(state.resources[kind] ?? {});
    for (const id of customers) {
      const accounts = all('account').filter((a) => a.friendly_name === `isv:${id}`);
      expect(accounts, id).toHaveLength(1);
      const own = (kind: string) => all(kind).filter((r) => r.account_sid === accounts[0]!.sid).length;
      expect({
        address: own('address'),
        endUsers: own('trusthub_end_user'),
        documents: own('trusthub_supporting_document'),
        assignments: own('trusthub_entity_assignment'),
        profiles: own('customer_profile'),
        trustProducts: own('trust_product'),
        brands: own('brand'),
        services: own('service'),
        campaigns: own('us_app_to_person'),
        numbers: own('incoming_phone_number'),
      }).toEqual({ address: 1, endUsers: 3, documents: 1, assignments: 6, profiles: 1, trustProducts: 1, brands: 1, services: 1, campaigns: 1, numbers: 1 });
    }
  });
});
