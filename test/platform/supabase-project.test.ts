// The supabase/ folder as the Supabase CLI uses it: config.toml, seed.sql, and migrations that the CLI and the
// server's own migrator can both apply to one database without running a file twice.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialsSchema } from '../../shared/auth.ts';
import { customerSchema } from '../../shared/customers.ts';
import { listMigrations, migrate } from '../../server/platform/db/migrate.ts';
import { signUp } from '../helpers/auth.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { createEmptyTestDb } from '../helpers/db.ts';
import { drive, movableClock, testEngine } from '../onboarding/fixtures.ts';

const SUPABASE_DIR = path.resolve(import.meta.dirname, '../../supabase');
const SEED_CUSTOMER_ID = '00000000-0000-4000-8000-00000000de00';

describe('supabase/config.toml', () => {
  const config = parse(readFileSync(path.join(SUPABASE_DIR, 'config.toml'), 'utf8')) as {
    project_id: string;
    api: { schemas: string[] };
    db: { seed: { enabled: boolean; sql_paths: string[] }; migrations: { enabled: boolean } };
    auth: { minimum_password_length: number; site_url: string };
  };

  it('names the project and keeps schema isv out of the Data API', () => {
    expect(config.project_id).toMatch(/^[a-z0-9-]+$/);
    expect(config.api.schemas).not.toContain('isv');
  });

  it('applies the migrations and loads the seed file that exists beside it', () => {
    expect(config.db.migrations.enabled).toBe(true);
    expect(config.db.seed.enabled).toBe(true);
    for (const p of config.db.seed.sql_paths) expect(existsSync(path.join(SUPABASE_DIR, p))).toBe(true);
  });

  it('refuses the same short passwords the embedded accounts refuse', () => {
    const min = config.auth.minimum_password_length;
    expect(credentialsSchema.safeParse({ email: 'a@example.com', password: 'x'.repeat(min - 1) }).success).toBe(false);
    expect(credentialsSchema.safeParse({ email: 'a@example.com', password: 'x'.repeat(min) }).success).toBe(true);
  });
});

describe('migrations shared with the Supabase CLI', () => {
  it('skip the files `supabase db push` already applied and record them, then apply the rest once', async () => {
    const db = await createEmptyTestDb();
    try {
      const [first, ...rest] = await listMigrations();
      // The documented pre-step (the init migration enables RLS on the migrator's own table), then what the CLI
      // does on `supabase db push`: its own history table, the file's SQL, one row per version.
      await db.exec(`CREATE SCHEMA isv; CREATE TABLE isv.schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
        CREATE SCHEMA supabase_migrations;
        CREATE TABLE supabase_migrations.schema_migrations (version text PRIMARY KEY, statements text[], name text)`);
      await db.exec(first!.sql);
      await db.query(`INSERT INTO supabase_migrations.schema_migrations (version, name) VALUES ($1, $2)`, [
        first!.name.slice(0, 14),
        first!.name.slice(15, -4),
      ]);

      expect(await migrate(db)).toEqual([first!.name, ...rest.map((m) => m.name)]);
      expect(await migrate(db)).toEqual([]);
      const recorded = await db.query<{ name: string }>('SELECT name FROM isv.schema_migrations ORDER BY name');
      expect(recorded.map((r) => r.name)).toEqual([first!.name, ...rest.map((m) => m.name)]);
      const tables = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'isv' AND tablename = 'customers'`);
      expect(tables[0]!.n).toBe(1);
    } finally {
      await db.close();
    }
  });
});

describe('supabase/seed.sql', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ sandbox: { autoAdvance: false } });
  });
  afterAll(async () => ctx?.close());

  it('adds a demo business that staff see through the API and that gets its subaccount, and can run twice', async () => {
    const seed = readFileSync(path.join(SUPABASE_DIR, 'seed.sql'), 'utf8');
    await ctx.db.exec(seed);
    await ctx.db.exec(seed);

    const admin = await signUp(ctx, undefined, { roles: ['admin'] });
    const res = await ctx.request.get(`/api/isv/customers/${SEED_CUSTOMER_ID}`).set(admin.auth);
    expect(res.status).toBe(200);
    expect(customerSchema.parse(res.body)).toMatchObject({ id: SEED_CUSTOMER_ID, legalName: 'Demo Bakery LLC' });

    const clock = movableClock();
    const [flow] = await drive(ctx, [testEngine(ctx, clock)], clock, [SEED_CUSTOMER_ID]);
    expect(flow).toMatchObject({ kind: 'subaccount', status: 'done' });
    const accounts = ctx.sandbox.resources<{ sid: string; account_sid: string; friendly_name: string }>('account').filter((a) => a.friendly_name === `isv:${SEED_CUSTOMER_ID}`);
    expect(accounts).toHaveLength(1);
  });
});
