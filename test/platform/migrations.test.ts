import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, listMigrations, pendingMigrations } from '../../server/platform/db/migrate.ts';
import { createEmptyTestDb, type TestDb } from '../helpers/db.ts';

describe('migrations', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createEmptyTestDb();
  });
  afterAll(() => db.close());

  it('apply every file from zero, then a second run applies nothing', async () => {
    const files = (await listMigrations()).map((m) => m.name);
    expect(await migrate(db)).toEqual(files);
    expect(await migrate(db)).toEqual([]);
    expect(await pendingMigrations(db)).toEqual([]);
    const recorded = await db.query<{ name: string }>('SELECT name FROM isv.schema_migrations ORDER BY name');
    expect(recorded.map((r) => r.name)).toEqual(files);
  });

  it('two concurrent runs apply each migration once', async () => {
    const fresh = await createEmptyTestDb();
    try {
      const [a, b] = await Promise.all([migrate(fresh), migrate(fresh)]);
      expect([...a, ...b].sort()).toEqual((await listMigrations()).map((m) => m.name));
    } finally {
      await fresh.close();
    }
  });

  it('put every table in schema isv with row level security enabled', async () => {
    const tables = await db.query<{ relname: string; relrowsecurity: boolean }>(
      `SELECT c.relname, c.relrowsecurity FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'isv' AND c.relkind = 'r' ORDER BY 1`,
    );
    expect(tables.map((t) => t.relname)).toEqual(
      expect.arrayContaining(['customers', 'memberships', 'platform_roles', 'twilio_subaccounts', 'brands', 'campaigns',
        'numbers', 'whatsapp_senders', 'templates', 'messages', 'webhook_events', 'opt_outs', 'flows', 'flow_events', 'audit_log']),
    );
    expect(tables.filter((t) => !t.relrowsecurity)).toEqual([]);
    const publicTables = await db.query(`SELECT 1 FROM pg_tables WHERE schemaname = 'public'`);
    expect(publicTables).toEqual([]);
  });

  it('reject a status outside the allowed values', async () => {
    await expect(
      db.query(`INSERT INTO isv.customers (legal_name, business_type, ein, industry, website, address, contact, status)
                VALUES ('Acme', 'llc', '12-3456789', 'retail', 'https://acme.test', '{}', '{}', 'bogus')`),
    ).rejects.toMatchObject({ code: '23514' });
  });

  it('keep the audit log append-only', async () => {
    await db.query(`INSERT INTO isv.audit_log (action, target_type, target_id) VALUES ('test', 'thing', '1')`);
    // 42501, raised by the append-only trigger (the driver passes on the SQLSTATE, never the message text).
    await expect(db.query(`UPDATE isv.audit_log SET action = 'changed'`)).rejects.toMatchObject({ code: '42501' });
    await expect(db.query(`DELETE FROM isv.audit_log`)).rejects.toMatchObject({ code: '42501' });
  });
});
