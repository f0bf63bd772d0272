// What an operator loses at once: `kill -KILL` of the whole process group of the platform (server, engine and the
// in-process sandbox together) at random moments, several times, in the middle of 20 onboardings, restarting it
// each time. Every onboarding still completes with exactly one of each Twilio resource and no customer ever sees
// an error. Also with the platform sharing a standalone sandbox (TWILIO_SANDBOX_URL), killed while the sandbox
// lives on, and with the sandbox killed while the platform runs. The database is PGlite in DATA_DIR, or a fresh
// PostgreSQL database when TEST_DATABASE_URL is set.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../helpers/db.ts';
import { freePort } from '../e2e/server-process.ts';
import { customerBody } from '../customers/fixtures.ts';
import { a2pRequest } from './fixtures.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

// A seeded generator, so a failing run can be replayed with CRASH_SEED=<seed>.
const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
let s = seed;
const random = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

/** A process in its own group (as a terminal starts `npm start`), killed as a whole. */
function startGroup(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [TSX, 'server/main.ts', ...args], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout!.on('data', (d) => output.push(String(d)));
  child.stderr!.on('data', (d) => output.push(String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const killGroup = async () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    await exited;
  };
  cleanups.push(killGroup);
  return { child, exited, output, killGroup };
}

async function databaseEnv(): Promise<Record<string, string>> {
  if (!TEST_DATABASE_URL) return {};
  const name = `isv_crash_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  cleanups.unshift(async () => {
    const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  });
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return { DATABASE_URL: url.toString() };
}

interface Scenario {
  customers: number;
  /** Kills of the platform's process group (with its in-process sandbox unless `sharedSandbox`). */
  platformKills: number;
  sharedSandbox?: boolean;
  /** Kills of the standalone sandbox's process group while the platform runs. */
  sandboxKills?: number;
}

async function run(sc: Scenario): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'isv-crash-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const [port, sandboxPort] = [await freePort(), await freePort()];
  const base = `http://127.0.0.1:${port}`;
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const adminEmail = `admin-${randomBytes(4).toString('hex')}@isv.example.com`;
  const common = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dataDir, LOG_LEVEL: 'warn', DATA_DIR: dataDir, SANDBOX_PORT: String(sandboxPort), SANDBOX_REVIEW_DELAY_MS: '4000' };
  const env: Record<string, string> = {
    ...common,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_BASE_URL: base,
    ONBOARDING_CRON: '* * * * * *',
    ONBOARDING_POLL_MIN_MS: '300',
    // Crash safety, not Twilio's A2P limit, is under test: 20 onboardings' polls would queue for 1 s slots.
    TWILIO_A2P_INTERVAL_MS: '50',
    ONBOARDING_POLL_MAX_MS: '1000',
    ONBOARDING_LEASE_MS: '2000',
    ISV_BOOTSTRAP_ADMINS: adminEmail,
    // The bootstrap admin and the owner sign up by API (no one here reads a verification mail), and the one
    // owner creates every customer.
    AUTH_EMAIL_CONFIRMATION: 'off',
    ISV_MAX_CUSTOMERS_PER_USER: '1000',
    ...(sc.sharedSandbox ? { TWILIO_SANDBOX_URL: sandboxUrl } : {}),
    ...(await databaseEnv()),
  };
  const startSandbox = () => startGroup(['sandbox'], { ...common, NODE_ENV: 'test' });
  const sandboxUp = () => until('the sandbox to answer', async () => ((await fetch(`${sandboxUrl}/sandbox/requests?limit=1`)).ok ? true : undefined), 60_000);
  let sandbox = sc.sharedSandbox ? startSandbox() : undefined;
  if (sandbox) await sandboxUp();

  const api = async (method: string, p: string, token?: string, body?: unknown) => {
    const res = await fetch(`${base}${p}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, any> };
  };
  // A platform that never answers says why: its own output goes into the failure.
  const healthy = () =>
    until('the platform to answer', async () => ((await fetch(`${base}/api/health`)).ok ? true : undefined), 150_000).catch((err: Error) => {
      throw new Error(`${err.message}; its output:\n${server.output.join('').slice(-3000)}`);
    });

  let server = startGroup(['serve', '--no-web-build'], env);
  await healthy();
  const signup = async (email: string) => (await api('POST', '/api/auth/signup', undefined, { email, password: 'correct horse battery staple' })).body.token as string;
  const adminToken = await signup(adminEmail);
  const ownerToken = await signup(`owner-${randomBytes(4).toString('hex')}@example.com`);
  const customers: string[] = [];
  for (let i = 0; i < sc.customers; i++) {
    const c = await api('POST', '/api/isv/customers', ownerToken, customerBody({ legalName: `Kill Test ${i} LLC` }));
    expect(c.status).toBe(201);
    customers.push(c.body.id);
    expect((await api('POST', `/api/isv/customers/${c.body.id}/a2p`, ownerToken, a2pRequest())).status).toBe(201);
  }
  const approvals = await api('GET', '/api/isv/admin/approvals', adminToken);
  expect(approvals.body.items).toHaveLength(sc.customers);
  for (const item of approvals.body.items) expect((await api('POST', `/api/isv/admin/brands/${item.id}/approve`, adminToken)).status).toBe(200);

  // What customers saw: any flow that ever showed them an error or a form to fix is a failure of this test.
  const seen = new Set<string>();
  const progress = async () => {
    const views = await Promise.all(customers.map(async (id) => (await api('GET', `/api/isv/customers/${id}/onboarding`, ownerToken)).body));
    for (const [i, v] of views.entries())
      for (const f of v.flows as { kind: string; state: string; status: string; lastError: unknown }[])
        if (f.status === 'action_required' || f.status === 'failed' || f.status === 'needs_attention') seen.add(`${customers[i]} ${f.kind} ${f.state} ${f.status} ${JSON.stringify(f.lastError)}`);
    return (latest = views.map((v) => v.overall as string));
  };
  let latest: string[] = [];
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      await progress().catch(() => undefined);
      await sleep(400);
    }
  })();

  // Kills at random moments: while it boots, migrates, claims, calls Twilio or answers requests.
  const kills = [...Array(sc.platformKills).fill('platform'), ...Array(sc.sandboxKills ?? 0).fill('sandbox')] as ('platform' | 'sandbox')[];
  let atLastKill: string[] = [];
  for (const who of kills.sort(() => random() - 0.5)) {
    await sleep(500 + random() * 3500);
    atLastKill = latest;
    if (who === 'platform') {
      await server.killGroup();
      server = startGroup(['serve', '--no-web-build'], env);
    } else {
      await sandbox!.killGroup();
      await sleep(random() * 1500);
      sandbox = startSandbox();
    }
  }
  await healthy();
  // The last kill landed while onboardings were still under way.
  expect(atLastKill.filter((o) => o !== 'complete').length).toBeGreaterThan(0);
  try {
    await until('every onboarding to complete', async () => ((await progress()).every((o) => o === 'complete') ? true : undefined), 300_000);
  } catch (err) {
    const stuck = [];
    for (const id of customers) {
      const v = (await api('GET', `/api/isv/customers/${id}/onboarding`, ownerToken)).body;
      if (v.overall !== 'complete') stuck.push(v.flows.map((f: Record<string, unknown>) => ({ kind: f.kind, state: f.state, status: f.status, lastError: f.lastError, last: (f.events as unknown[]).slice(-3) })));
    }
    throw new Error(`seed ${seed}: ${(err as Error).message}: ${JSON.stringify(stuck.slice(0, 3), null, 1)}\n${server.output.join('').slice(-3000)}`);
  }
  watching = false;
  await watcher;
  expect([...seen], `seed ${seed}`).toEqual([]);
  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
  if (sandbox) {
    sandbox.child.kill('SIGTERM');
    expect(await sandbox.exited).toBe(0);
  }

  type Rec = { sid: string; account_sid: string; friendly_name?: string };
  const state = JSON.parse(await readFile(path.join(dataDir, 'sandbox-state.json'), 'utf8')) as { resources: Record<string, Record<string, Rec>> };
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
    }, `seed ${seed}, customer ${id}`).toEqual({ address: 1, endUsers: 3, documents: 1, assignments: 6, profiles: 1, trustProducts: 1, brands: 1, services: 1, campaigns: 1, numbers: 1 });
  }
}

describe(`SIGKILL of whole process groups in the middle of onboarding (seed ${seed})`, () => {
  it('20 onboardings complete, one of each Twilio resource, no customer-facing error, after 5 kills of the platform with its in-process sandbox', { timeout: 600_000 }, () =>
    run({ customers: 20, platformKills: 5 }));

  it('10 onboardings complete after 5 kills of a platform that shares a standalone sandbox (TWILIO_SANDBOX_URL)', { timeout: 600_000 }, () =>
    run({ customers: 10, platformKills: 5, sharedSandbox: true }));

  it('10 onboardings complete after 3 kills of the standalone sandbox while the platform runs, and 2 of the platform', { timeout: 600_000 }, () =>
    run({ customers: 10, platformKills: 2, sharedSandbox: true, sandboxKills: 3 }));
});
