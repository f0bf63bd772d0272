// `npm run bench:messages`: the list APIs at scale on a real Postgres, through HTTP with real sign-in. Seeds (in
// SQL, with generate_series) 1,000,000 messages for one customer and 200,000 for another, 250,000 opt-outs, an
// audit log of 1,000,000 entries and 100,000 customers, then times every filter of the message log, the opt-out
// list, the operator's audit log and the customer list (as admin, operator and member): p50/p95 per filter.
// Every filter is also checked: pages equal a reference query's rows, and walking pages neither repeats nor
// skips a row. Prints JSON; exits 1 when a check fails.
//   DATABASE_URL      admin connection (default postgres://postgres@127.0.0.1:5432/test)
//   BENCH_DATABASE    the database to use (default isv_bench_<random>); created when missing, dropped afterwards
//                     unless BENCH_KEEP_DB=1. With BENCH_KEEP_DB=1 a second run reuses the seeded rows and only
//                     applies pending migrations (how a deploy meets a large database).
//   BENCH_REQUESTS    timed requests per filter (default 100, after 10 warm-up requests)
//   BENCH_MESSAGES    messages of the large customer (default 1000000; the second customer gets a fifth)
//   BENCH_LOG_LEVEL   error: print the server's error logs (default: silent)
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createApp } from '../server/app.ts';
import { buildFeatures } from '../server/features.ts';
import { parseConfig } from '../server/platform/config.ts';
import { createKeyRing } from '../server/platform/crypto/keyring.ts';
import type { Db } from '../server/platform/db/db.ts';
import { createPostgresDb } from '../server/platform/db/postgres.ts';
import { migrate } from '../server/platform/db/migrate.ts';
import { createLogger } from '../server/platform/logger.ts';
import { createTwilioGateway } from '../server/twilio/gateway.ts';
import { grantPlatformRole } from '../server/auth/users.dao.ts';

const ADMIN_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const DB_NAME = process.env.BENCH_DATABASE || `isv_bench_${randomBytes(5).toString('hex')}`;
const KEEP_DB = process.env.BENCH_KEEP_DB === '1';
const REQUESTS = Number(process.env.BENCH_REQUESTS || 100);
const WARMUP = 10;
const BIG = Number(process.env.BENCH_MESSAGES || 1_000_000);
const SMALL = Math.round(BIG / 5);
const AUDIT_ENTRIES = 1_000_000;
const CUSTOMERS = 100_000;
const OPT_OUTS = 200_000;
const RECIPIENTS = 20_000;
const PASSWORD = 'correct horse battery staple';

// Fixed identities, so a kept database is found again by the next run.
const BIG_ID = '00000000-0000-4000-8000-00000000000a';
const SMALL_ID = '00000000-0000-4000-8000-00000000000b';
const T0 = '2026-12-01T00:00:00Z';
const recipient = (k: number) => `+1555${String(k).padStart(7, '0')}`;
const ownNumber = (customer: 'a' | 'b', k: number) => `+1512${customer === 'a' ? '2' : '3'}00000${k}`;

const sql = {
  customers: `
    INSERT INTO isv.customers (id, legal_name, display_name, business_type, ein, industry, website, address, contact, status, created_at, updated_at)
    SELECT CASE g WHEN 1 THEN '${BIG_ID}'::uuid WHEN 2 THEN '${SMALL_ID}'::uuid ELSE gen_random_uuid() END,
           'Bench Customer ' || g || ' LLC', CASE WHEN g % 3 = 0 THEN 'Shop ' || g END, 'llc', '12-3456789', 'TECHNOLOGY',
           'https://c' || g || '.example.com', '{"street":"1 Main Street","city":"Austin","region":"TX","postalCode":"78701","country":"US"}',
           jsonb_build_object('firstName', 'Jane', 'lastName', 'Doe', 'email', 'owner' || g || '@c' || g || '.example.com', 'phone', '+15125550100', 'jobTitle', 'CEO'),
           (ARRAY['onboarding','active','active','active','suspended'])[1 + g % 5],
           timestamptz '${T0}' - g * interval '5 minutes', timestamptz '${T0}' - g * interval '5 minutes'
      FROM generate_series(1, ${CUSTOMERS}) g`,
  // Outbound: from one of the customer's three numbers to a recipient; inbound the other way round. Pairs of
  // rows share a timestamp, so pages must break ties by id.
  messages: (customerId: string, who: 'a' | 'b', n: number, step: number) => `
    INSERT INTO isv.messages (customer_id, account_sid, sid, direction, channel, from_number, to_number, body, status,
                              num_segments, created_at, updated_at)
    SELECT '${customerId}', 'AC${who.repeat(32)}', 'SM' || md5('${who}' || g),
           d.direction, d.channel,
           CASE d.direction WHEN 'outbound' THEN d.own ELSE d.peer END,
           CASE d.direction WHEN 'outbound' THEN d.peer ELSE d.own END,
           'Bench message ' || g,
           CASE WHEN d.direction = 'inbound' THEN 'received'
                WHEN g % 10007 = 5 THEN 'canceled'
                WHEN g % 50 = 1 THEN 'failed'
                WHEN g % 97 = 3 THEN 'undelivered'
                WHEN d.channel = 'whatsapp' AND g % 3 = 0 THEN 'read'
                ELSE 'delivered' END,
           1, d.at, d.at
      FROM generate_series(1, ${n}) g,
           LATERAL (SELECT CASE WHEN g % 5 = 0 THEN 'inbound' ELSE 'outbound' END AS direction,
                           CASE WHEN g % 7 IN (0, 1) THEN 'whatsapp' ELSE 'sms' END AS channel,
                           '+1512${who === 'a' ? '2' : '3'}00000' || (g % 3) AS own,
                           '+1555' || lpad(((g::bigint * 7919) % ${RECIPIENTS})::text, 7, '0') AS peer,
                           timestamptz '${T0}' - (g / 2) * interval '${step} seconds' AS at) d`,
  optOuts: (customerId: string, n: number) => `
    INSERT INTO isv.opt_outs (customer_id, phone_number, channel, status, keyword, source, updated_at)
    SELECT '${customerId}', '+1666' || lpad(g::text, 7, '0'), c.channel,
           CASE WHEN g % 97 = 0 THEN 'opted_in' ELSE 'opted_out' END,
           CASE WHEN g % 97 = 0 THEN 'START' ELSE 'STOP' END, 'inbound', timestamptz '${T0}' - g * interval '1 minute'
      FROM generate_series(1, ${n}) g,
           LATERAL (SELECT unnest(CASE WHEN g % 4 = 0 THEN ARRAY['sms', 'whatsapp'] ELSE ARRAY['sms'] END) AS channel) c`,
  // 50 staff members act on the 100,000 customers; actions are skewed the way a real log is (many sends and
  // edits, few subaccount closures).
  audit: `
    INSERT INTO isv.audit_log (at, actor_id, actor_email, actor_role, action, target_type, target_id, customer_id, after)
    SELECT timestamptz '${T0}' - g * interval '20 seconds',
           s.id, s.email, 'admin', a.action, a.target_type,
           CASE a.target_type WHEN 'customer' THEN c.id::text ELSE md5(g::text) END, c.id, '{"n":1}'::jsonb
      FROM generate_series(1, ${AUDIT_ENTRIES}) g
      JOIN (SELECT row_number() OVER (ORDER BY created_at) - 1 AS k, id FROM isv.customers) c ON c.k = (g::bigint * 7919) % ${CUSTOMERS}
      JOIN (SELECT row_number() OVER (ORDER BY email) - 1 AS k, id, email FROM isv.users WHERE email LIKE 'staff-%') s ON s.k = g % 50
      JOIN (VALUES (0, 'customer.updated', 'customer'), (1, 'customer.updated', 'customer'), (2, 'message.sent', 'message'),
                   (3, 'message.sent', 'message'), (4, 'message.sent', 'message'), (5, 'brand.approved', 'brand'),
                   (6, 'brand.rejected', 'brand'), (7, 'template.approved', 'template'), (8, 'template.rejected', 'template'),
                   (9, 'customer.created', 'customer')) a(k, action, target_type)
        ON a.k = CASE WHEN g % 997 = 0 THEN -1 ELSE g % 10 END
    UNION ALL
    SELECT timestamptz '${T0}' - g * interval '20 seconds' - interval '7 seconds', NULL, NULL, 'operator',
           'subaccount.closed', 'subaccount', 'AC' || md5(g::text), NULL, NULL
      FROM generate_series(1, ${AUDIT_ENTRIES}) g WHERE g % 997 = 0`,
};

interface Seeded {
  customerIds: string[];
  staffIds: string[];
  staffEmails: string[];
}

async function ensureDatabase(): Promise<{ url: string; created: boolean }> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const exists = (await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [DB_NAME])).rowCount === 1;
  if (!exists) await admin.query(`CREATE DATABASE ${DB_NAME}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DB_NAME}`;
  return { url: url.toString(), created: !exists };
}

async function seed(db: Db): Promise<{ seconds: number }> {
  const started = Date.now();
  const count = async (table: string) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM isv.${table}`))[0]!.n;
  // Each table is seeded once; a kept database that was seeded before is used as it is.
  if ((await count('customers')) === 0) {
    await db.query(sql.customers);
    await db.query(
      `INSERT INTO isv.users (email, email_verified_at) SELECT 'staff-' || lpad(g::text, 2, '0') || '@isv.example.com', now() FROM generate_series(1, 50) g`,
    );
  }
  if ((await count('messages')) === 0) {
    // One year for both customers: the large one every minute (two rows a timestamp), the small one every 5 min.
    await db.query(sql.messages(BIG_ID, 'a', BIG, 60));
    await db.query(sql.messages(SMALL_ID, 'b', SMALL, 300));
  }
  if ((await count('opt_outs')) === 0) {
    await db.query(sql.optOuts(BIG_ID, OPT_OUTS * 0.8));
    await db.query(sql.optOuts(SMALL_ID, OPT_OUTS * 0.2));
  }
  if ((await count('audit_log')) === 0) await db.query(sql.audit);
  const seconds = (Date.now() - started) / 1000;
  if (seconds > 1) await db.query(`VACUUM ANALYZE`);
  return { seconds };
}

async function staff(db: Db): Promise<Seeded> {
  const rows = await db.query<{ id: string; email: string }>(`SELECT id, email FROM isv.users WHERE email LIKE 'staff-%' ORDER BY email`);
  const customers = await db.query<{ id: string }>(`SELECT id FROM isv.customers ORDER BY created_at LIMIT 1000`);
  return { customerIds: customers.map((c) => c.id), staffIds: rows.map((r) => r.id), staffEmails: rows.map((r) => r.email) };
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const round = (x: number) => Math.round(x * 100) / 100;

interface Page {
  items: Record<string, unknown>[];
  nextCursor: string | null;
}

class Client {
  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}
  async get(pathAndQuery: string): Promise<Page> {
    const res = await fetch(`${this.base}${pathAndQuery}`, { headers: { Authorization: `Bearer ${this.token}` } });
    const body = (await res.json()) as Page;
    if (res.status !== 200) throw new Error(`GET ${pathAndQuery}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  }
}

interface FilterCase {
  name: string;
  /** The i-th request of this filter (varied values, so no two timed requests are the same). */
  url: (i: number) => string;
  /** The ids the API must answer for request i, from a query written independently of the DAO. */
  reference: (i: number) => Promise<string[]>;
}

interface FilterResult {
  filter: string;
  p50_ms: number;
  p95_ms: number;
  max_ms: number;
  rows: number;
}

const failures: string[] = [];

async function time(client: Client, c: FilterCase): Promise<FilterResult> {
  for (let i = 0; i < WARMUP; i++) await client.get(c.url(REQUESTS + i));
  const ms: number[] = [];
  let rows = 0;
  for (let i = 0; i < REQUESTS; i++) {
    const t = performance.now();
    const page = await client.get(c.url(i));
    ms.push(performance.now() - t);
    rows += page.items.length;
    // Every tenth answer is compared with the reference (all of them would double the bench's run time).
    if (i % 10 === 0) {
      const want = await c.reference(i);
      const got = page.items.map((x) => x.id ?? `${x.phoneNumber} ${x.channel}`);
      if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${c.name} #${i}: ${got.length} rows differ from the reference's ${want.length}`);
    }
  }
  ms.sort((a, b) => a - b);
  return { filter: c.name, p50_ms: round(quantile(ms, 0.5)), p95_ms: round(quantile(ms, 0.95)), max_ms: round(ms.at(-1)!), rows: Math.round(rows / REQUESTS) };
}

/** Walks every page of a list and checks that no row comes twice and that together they are the reference's rows. */
async function walk(client: Client, name: string, first: string, reference: string[], key: (x: Record<string, unknown>) => string): Promise<void> {
  const seen = new Set<string>();
  const order: string[] = [];
  let next: string | null = first;
  while (next) {
    const page: Page = await client.get(next);
    for (const x of page.items) {
      const k = key(x);
      if (seen.has(k)) failures.push(`${name}: ${k} on two pages`);
      seen.add(k);
      order.push(k);
    }
    next = page.nextCursor ? `${first}&cursor=${encodeURIComponent(page.nextCursor)}` : null;
  }
  if (JSON.stringify(order) !== JSON.stringify(reference)) failures.push(`${name}: walked ${order.length} rows, the reference has ${reference.length}`);
}

async function main(): Promise<void> {
  const { url, created } = await ensureDatabase();
  const db = createPostgresDb(url, { max: 10 });
  const workDir = await mkdtemp(path.join(tmpdir(), 'isv-bench-'));
  let server: Server | undefined;
  try {
    const migrateStarted = Date.now();
    const applied = await migrate(db);
    const migrateSeconds = (Date.now() - migrateStarted) / 1000;
    const seeding = await seed(db);
    const { customerIds, staffIds, staffEmails } = await staff(db);

    server = createServer();
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.address() as AddressInfo).port;
    const config = parseConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: url,
      DATA_DIR: workDir,
      // A fixed key: a kept database's sealed secrets (the token signing key) open again on the next run.
      ENCRYPTION_KEYS: `bench:${Buffer.alloc(32, 13).toString('base64')}`,
      TWILIO_MODE: 'sandbox',
      AUTH_EMAIL_CONFIRMATION: 'off',
      AUTH_SIGNUPS_PER_IP_PER_HOUR: '100000',
    });
    const logger = createLogger({ level: process.env.BENCH_LOG_LEVEL === 'error' ? 'error' : 'silent' });
    const keyRing = createKeyRing(config.encryptionKeys!);
    const twilio = createTwilioGateway({
      mode: 'sandbox',
      sandboxUrl: 'http://127.0.0.1:9',
      masterAccountSid: `AC${'0'.repeat(32)}`,
      masterAuthToken: randomBytes(16).toString('hex'),
      db,
      keyRing,
      logger,
    });
    const features = buildFeatures({ config, db, logger, keyRing, twilio });
    server.on('request', createApp({ config, db, logger, keyRing, routers: features.routers }));
    const base = `http://127.0.0.1:${port}`;

    // Real accounts through the real sign-up; roles and the membership are granted in the database.
    const signUp = async (email: string) => {
      const res = await fetch(`${base}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
      const body = (await res.json()) as { token: string; user: { id: string } };
      if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(body)}`);
      return body;
    };
    const run = randomBytes(3).toString('hex');
    const owner = await signUp(`owner-${run}@bench.example.com`);
    await db.query(`INSERT INTO isv.memberships (user_id, customer_id, role) VALUES ($1, $2, 'owner'), ($1, $3, 'owner')`, [owner.user.id, BIG_ID, SMALL_ID]);
    // A member of 20 customers spread over the 100,000 (an agency managing a few of them).
    await db.query(`INSERT INTO isv.memberships (user_id, customer_id, role) SELECT $1, id, 'member' FROM isv.customers WHERE legal_name ~ ' [0-9]*5000 LLC$'`, [owner.user.id]);
    const adminUser = await signUp(`admin-${run}@bench.example.com`);
    await grantPlatformRole(db, adminUser.user.id, 'admin');
    const operatorUser = await signUp(`operator-${run}@bench.example.com`);
    await grantPlatformRole(db, operatorUser.user.id, 'operator');
    const asOwner = new Client(base, owner.token);
    const asAdmin = new Client(base, adminUser.token);
    const asOperator = new Client(base, operatorUser.token);

    const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
    const LIMIT = 50;

    // ---- messages ----
    const msgs = (where: string, params: unknown[], limit = LIMIT) =>
      db.query<{ id: string }>(`SELECT id FROM isv.messages WHERE customer_id = $1 ${where} ORDER BY created_at DESC, id DESC LIMIT ${limit}`, [BIG_ID, ...params]).then(ids);
    const day = (i: number) => new Date(Date.parse(T0) - (1 + (i % 300)) * 86_400_000).toISOString();
    // A position ~900,000 rows deep, as the text and id a cursor carries.
    const deep = await db.query<{ at: string; id: string }>(
      `SELECT created_at::text AS at, id::text FROM isv.messages WHERE customer_id = $1 ORDER BY created_at DESC, id DESC OFFSET $2 LIMIT ${REQUESTS + WARMUP}`,
      [BIG_ID, Math.round(BIG * 0.9)],
    );
    const cursorOf = (p: { at: string; id: string }) => Buffer.from(JSON.stringify([p.at, p.id])).toString('base64url');
    const M = `/api/isv/customers/${BIG_ID}/messages`;
    const messageCases: FilterCase[] = [
      { name: 'none', url: () => `${M}`, reference: () => msgs('', []) },
      { name: 'status=failed', url: () => `${M}?status=failed`, reference: () => msgs(`AND status = 'failed'`, []) },
      { name: 'status=canceled (rare)', url: () => `${M}?status=canceled`, reference: () => msgs(`AND status = 'canceled'`, []) },
      { name: 'direction=inbound', url: () => `${M}?direction=inbound`, reference: () => msgs(`AND direction = 'inbound'`, []) },
      { name: 'channel=whatsapp', url: () => `${M}?channel=whatsapp`, reference: () => msgs(`AND channel = 'whatsapp'`, []) },
      { name: 'to=<recipient>', url: (i) => `${M}?to=${encodeURIComponent(recipient(i * 37))}`, reference: (i) => msgs(`AND to_number = $2`, [recipient(i * 37)]) },
      { name: 'from=<recipient>', url: (i) => `${M}?from=${encodeURIComponent(recipient(i * 37))}`, reference: (i) => msgs(`AND from_number = $2`, [recipient(i * 37)]) },
      { name: 'since', url: (i) => `${M}?since=${day(i)}`, reference: (i) => msgs(`AND created_at >= $2`, [day(i)]) },
      { name: 'until (deep)', url: (i) => `${M}?until=${day(i)}`, reference: (i) => msgs(`AND created_at < $2`, [day(i)]) },
      {
        name: 'since&until (one day)',
        url: (i) => `${M}?since=${day(i + 1)}&until=${day(i)}`,
        reference: (i) => msgs(`AND created_at >= $2 AND created_at < $3`, [day(i + 1), day(i)]),
      },
      {
        name: 'cursor at row 900,000',
        url: (i) => `${M}?cursor=${cursorOf(deep[i]!)}`,
        reference: (i) => msgs(`AND (created_at, id) < ($2::timestamptz, $3::uuid)`, [deep[i]!.at, deep[i]!.id]),
      },
      {
        name: 'direction=outbound&from=<own number>',
        url: (i) => `${M}?direction=outbound&from=${encodeURIComponent(ownNumber('a', i % 3))}`,
        reference: (i) => msgs(`AND direction = 'outbound' AND from_number = $2`, [ownNumber('a', i % 3)]),
      },
      {
        name: 'status=failed&channel=whatsapp',
        url: () => `${M}?status=failed&channel=whatsapp`,
        reference: () => msgs(`AND status = 'failed' AND channel = 'whatsapp'`, []),
      },
      {
        name: 'to=<recipient>&since',
        url: (i) => `${M}?to=${encodeURIComponent(recipient(i * 37))}&since=${day(i * 7)}`,
        reference: (i) => msgs(`AND to_number = $2 AND created_at >= $3`, [recipient(i * 37), day(i * 7)]),
      },
      {
        name: 'status=failed&until (deep)',
        url: (i) => `${M}?status=failed&until=${day(i)}`,
        reference: (i) => msgs(`AND status = 'failed' AND created_at < $2`, [day(i)]),
      },
      {
        name: 'channel=whatsapp&direction=inbound&status=received',
        url: () => `${M}?channel=whatsapp&direction=inbound&status=received`,
        reference: () => msgs(`AND channel = 'whatsapp' AND direction = 'inbound' AND status = 'received'`, []),
      },
      {
        name: 'direction=inbound&status=failed (empty)',
        url: () => `${M}?direction=inbound&status=failed`,
        reference: () => msgs(`AND direction = 'inbound' AND status = 'failed'`, []),
      },
    ];

    // ---- opt-outs ----
    const O = `/api/isv/customers/${BIG_ID}/opt-outs`;
    const optRef = (where: string, params: unknown[]) =>
      db
        .query<{ k: string }>(
          `SELECT phone_number || ' ' || channel AS k FROM isv.opt_outs WHERE customer_id = $1 ${where} ORDER BY phone_number, channel LIMIT ${LIMIT}`,
          [BIG_ID, ...params],
        )
        .then((r) => r.map((x) => x.k));
    const optAt = (i: number) => `+1666${String(1000 + ((i * 1543) % (OPT_OUTS * 0.8 - 2000))).padStart(7, '0')}`;
    const optCursor = (i: number) => Buffer.from(JSON.stringify([optAt(i), 'sms'])).toString('base64url');
    const optOutCases: FilterCase[] = [
      { name: 'none', url: () => O, reference: () => optRef('', []) },
      { name: 'status=opted_in (rare)', url: () => `${O}?status=opted_in`, reference: () => optRef(`AND status = 'opted_in'`, []) },
      { name: 'channel=whatsapp', url: () => `${O}?channel=whatsapp`, reference: () => optRef(`AND channel = 'whatsapp'`, []) },
      { name: 'cursor', url: (i) => `${O}?cursor=${optCursor(i)}`, reference: (i) => optRef(`AND (phone_number, channel) > ($2, 'sms')`, [optAt(i)]) },
      {
        name: 'channel=whatsapp&cursor',
        url: (i) => `${O}?channel=whatsapp&cursor=${optCursor(i)}`,
        reference: (i) => optRef(`AND channel = 'whatsapp' AND (phone_number, channel) > ($2, 'sms')`, [optAt(i)]),
      },
      {
        name: 'status=opted_in&cursor',
        url: (i) => `${O}?status=opted_in&cursor=${optCursor(i)}`,
        reference: (i) => optRef(`AND status = 'opted_in' AND (phone_number, channel) > ($2, 'sms')`, [optAt(i)]),
      },
      {
        name: 'status=opted_in&channel=whatsapp',
        url: () => `${O}?status=opted_in&channel=whatsapp`,
        reference: () => optRef(`AND status = 'opted_in' AND channel = 'whatsapp'`, []),
      },
    ];

    // ---- audit log ----
    const A = `/api/isv/operator/audit-log`;
    const auditRef = (where: string, params: unknown[]) =>
      db.query<{ id: string }>(`SELECT id FROM isv.audit_log WHERE true ${where} ORDER BY at DESC, id DESC LIMIT ${LIMIT}`, params).then(ids);
    const target = (i: number) => customerIds[(i * 13) % customerIds.length]!;
    const auditDeep = await db.query<{ at: string; id: string }>(
      `SELECT at::text AS at, id::text FROM isv.audit_log ORDER BY at DESC, id DESC OFFSET $1 LIMIT ${REQUESTS + WARMUP}`,
      [Math.round(AUDIT_ENTRIES * 0.9)],
    );
    const auditCases: FilterCase[] = [
      { name: 'none', url: () => A, reference: () => auditRef('', []) },
      { name: 'actor=<id>', url: (i) => `${A}?actor=${staffIds[i % 50]}`, reference: (i) => auditRef(`AND actor_id = $1`, [staffIds[i % 50]]) },
      { name: 'actor=<email>', url: (i) => `${A}?actor=${encodeURIComponent(staffEmails[i % 50]!)}`, reference: (i) => auditRef(`AND actor_email = $1`, [staffEmails[i % 50]]) },
      { name: 'action=brand.rejected', url: () => `${A}?action=brand.rejected`, reference: () => auditRef(`AND action = 'brand.rejected'`, []) },
      { name: 'action=subaccount.closed (rare)', url: () => `${A}?action=subaccount.closed`, reference: () => auditRef(`AND action = 'subaccount.closed'`, []) },
      { name: 'action=template.*', url: () => `${A}?action=template.*`, reference: () => auditRef(`AND action LIKE 'template.%'`, []) },
      { name: 'action=subaccount.* (rare)', url: () => `${A}?action=subaccount.*`, reference: () => auditRef(`AND action LIKE 'subaccount.%'`, []) },
      { name: 'targetType=subaccount (rare)', url: () => `${A}?targetType=subaccount`, reference: () => auditRef(`AND target_type = 'subaccount'`, []) },
      { name: 'targetType=customer&targetId', url: (i) => `${A}?targetType=customer&targetId=${target(i)}`, reference: (i) => auditRef(`AND target_type = 'customer' AND target_id = $1`, [target(i)]) },
      { name: 'targetId', url: (i) => `${A}?targetId=${target(i)}`, reference: (i) => auditRef(`AND target_id = $1`, [target(i)]) },
      { name: 'customerId', url: (i) => `${A}?customerId=${target(i)}`, reference: (i) => auditRef(`AND customer_id = $1`, [target(i)]) },
      { name: 'since&until (one day)', url: (i) => `${A}?since=${day(i + 1)}&until=${day(i)}`, reference: (i) => auditRef(`AND at >= $1 AND at < $2`, [day(i + 1), day(i)]) },
      {
        name: 'cursor at row 900,000',
        url: (i) => `${A}?cursor=${cursorOf(auditDeep[i]!)}`,
        reference: (i) => auditRef(`AND (at, id) < ($1::timestamptz, $2::uuid)`, [auditDeep[i]!.at, auditDeep[i]!.id]),
      },
      {
        name: 'actor=<id>&action=customer.updated',
        url: (i) => `${A}?actor=${staffIds[i % 50]}&action=customer.updated`,
        reference: (i) => auditRef(`AND actor_id = $1 AND action = 'customer.updated'`, [staffIds[i % 50]]),
      },
      {
        name: 'customerId&action=message.*',
        url: (i) => `${A}?customerId=${target(i)}&action=message.*`,
        reference: (i) => auditRef(`AND customer_id = $1 AND action LIKE 'message.%'`, [target(i)]),
      },
    ];

    // ---- customers ----
    const C = `/api/isv/customers`;
    const custRef = (where: string, params: unknown[], member = false) =>
      db
        .query<{ id: string }>(
          `SELECT c.id FROM isv.customers c ${member ? `JOIN isv.memberships m ON m.customer_id = c.id AND m.user_id = '${owner.user.id}'` : ''}
            WHERE true ${where} ORDER BY c.created_at DESC, c.id DESC LIMIT ${LIMIT}`,
          params,
        )
        .then(ids);
    const custDeep = await db.query<{ at: string; id: string }>(
      `SELECT created_at::text AS at, id::text FROM isv.customers ORDER BY created_at DESC, id DESC OFFSET $1 LIMIT ${REQUESTS + WARMUP}`,
      [Math.round(CUSTOMERS * 0.9)],
    );
    const search = (i: number) => `Customer ${10_000 + i * 613} LLC`;
    const customerCases = (who: string, client: Client): [FilterCase, Client][] => [
      [{ name: `${who}: none`, url: () => C, reference: () => custRef('', []) }, client],
      [
        { name: `${who}: cursor at row 90,000`, url: (i) => `${C}?cursor=${cursorOf(custDeep[i]!)}`, reference: (i) => custRef(`AND (c.created_at, c.id) < ($1::timestamptz, $2::uuid)`, [custDeep[i]!.at, custDeep[i]!.id]) },
        client,
      ],
      [
        {
          name: `${who}: q=<legal name>`,
          url: (i) => `${C}?q=${encodeURIComponent(search(i))}`,
          reference: (i) => custRef(`AND (c.legal_name ILIKE $1 OR c.display_name ILIKE $1 OR c.website ILIKE $1 OR c.contact->>'email' ILIKE $1)`, [`%${search(i)}%`]),
        },
        client,
      ],
      [
        { name: `${who}: q=<customer id>`, url: (i) => `${C}?q=${target(i)}`, reference: (i) => custRef(`AND c.id = $1`, [target(i)]) },
        client,
      ],
    ];

    const measure = async (list: [FilterCase, Client][]) => {
      const out: FilterResult[] = [];
      for (const [c, client] of list) out.push(await time(client, c));
      return out;
    };
    const messages = await measure(messageCases.map((c) => [c, asOwner]));
    const optOuts = await measure(optOutCases.map((c) => [c, asOwner]));
    const audit = await measure(auditCases.map((c) => [c, asOperator]));
    const customers = await measure([
      ...customerCases('admin', asAdmin),
      ...customerCases('operator', asOperator),
      [{ name: 'member of 12: none', url: () => C, reference: () => custRef('', [], true) }, asOwner],
    ]);

    // Walks: every page of a filtered list, small pages, against the whole reference list.
    const all = (q: string, params: unknown[]) =>
      db.query<{ id: string }>(`SELECT id FROM isv.messages WHERE customer_id = $1 ${q} ORDER BY created_at DESC, id DESC`, [BIG_ID, ...params]).then(ids);
    await walk(asOwner, 'messages to=<recipient>', `${M}?limit=7&to=${encodeURIComponent(recipient(4242))}`, await all(`AND to_number = $2`, [recipient(4242)]), (x) => String(x.id));
    await walk(asOwner, 'messages status=canceled', `${M}?limit=9&status=canceled`, await all(`AND status = 'canceled'`, []), (x) => String(x.id));
    await walk(asOwner, 'messages one day', `${M}?limit=200&since=${day(11)}&until=${day(10)}`, await all(`AND created_at >= $2 AND created_at < $3`, [day(11), day(10)]), (x) => String(x.id));
    // A recipient both customers wrote to: the other customer's rows never show.
    const shared = recipient(4242);
    const other = await db.query<{ id: string }>(`SELECT id FROM isv.messages WHERE customer_id = $1 AND to_number = $2 ORDER BY created_at DESC, id DESC`, [SMALL_ID, shared]).then(ids);
    await walk(asOwner, 'second customer to=<recipient>', `/api/isv/customers/${SMALL_ID}/messages?limit=5&to=${encodeURIComponent(shared)}`, other, (x) => String(x.id));
    const optAll = await db
      .query<{ k: string }>(`SELECT phone_number || ' ' || channel AS k FROM isv.opt_outs WHERE customer_id = $1 AND status = 'opted_in' ORDER BY phone_number, channel`, [BIG_ID])
      .then((r) => r.map((x) => x.k));
    await walk(asOwner, 'opt-outs status=opted_in', `${O}?limit=200&status=opted_in`, optAll, (x) => `${x.phoneNumber} ${x.channel}`);
    const closedAll = await db.query<{ id: string }>(`SELECT id FROM isv.audit_log WHERE action = 'subaccount.closed' ORDER BY at DESC, id DESC`).then(ids);
    await walk(asOperator, 'audit action=subaccount.closed', `${A}?limit=200&action=subaccount.closed`, closedAll, (x) => String(x.id));
    const memberAll = await db
      .query<{ id: string }>(`SELECT c.id FROM isv.customers c JOIN isv.memberships m ON m.customer_id = c.id WHERE m.user_id = $1 ORDER BY c.created_at DESC, c.id DESC`, [owner.user.id])
      .then(ids);
    await walk(asOwner, 'customers of a member', `${C}?limit=5`, memberAll, (x) => String(x.id));

    const slowest = (rs: FilterResult[]) => Math.max(...rs.map((r) => r.p95_ms));
    const report = {
      goal_p95_ms: 10,
      worst_p95_ms: { messages: slowest(messages), opt_outs: slowest(optOuts), audit_log: slowest(audit), customers: slowest(customers) },
      checks: { failures: failures.length, details: failures.slice(0, 20) },
      messages,
      opt_outs: optOuts,
      audit_log: audit,
      customers,
      details: {
        database: DB_NAME,
        created: created,
        seed_s: seeding.seconds,
        migrations_applied: applied,
        migrate_s: migrateSeconds,
        requests_per_filter: REQUESTS,
        page_size: LIMIT,
        rows: {
          messages: { [BIG_ID]: BIG, [SMALL_ID]: SMALL },
          opt_outs: (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM isv.opt_outs`))[0]!.n,
          audit_log: (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM isv.audit_log`))[0]!.n,
          customers: (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM isv.customers`))[0]!.n,
        },
      },
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    process.exitCode = failures.length === 0 ? 0 : 1;
  } finally {
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    }
    await db.close();
    await rm(workDir, { recursive: true, force: true });
    if (!KEEP_DB) {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
      await c.end();
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
