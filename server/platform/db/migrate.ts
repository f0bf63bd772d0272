// Applies supabase/migrations/*.sql in name order, once each, under an advisory lock so concurrent starts cannot race.
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { Db } from './db.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../supabase/migrations/', import.meta.url));
const LOCK_KEY = 7_271_848_113; // arbitrary, fixed: "isv migrations"

export async function listMigrations(dir = MIGRATIONS_DIR): Promise<{ name: string; sql: string }[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{14}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return Promise.all(files.map(async (name) => ({ name, sql: await readFile(path.join(dir, name), 'utf8') })));
}

/** Returns the names applied by this call (empty when the database was already current). */
export async function migrate(db: Db, dir = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = await listMigrations(dir);
  return db.tx(async (tx) => {
    // Transaction-scoped lock: released at commit, so a crash can never leave it held.
    await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await tx.query('CREATE SCHEMA IF NOT EXISTS isv');
    await tx.query(
      `CREATE TABLE IF NOT EXISTS isv.schema_migrations (
         name text PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const done = new Set((await tx.query<{ name: string }>('SELECT name FROM isv.schema_migrations')).map((r) => r.name));
    const byCli = await appliedBySupabaseCli(tx);
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.name)) continue;
      // `supabase db push` / `supabase start` ran this file already (same folder, same SQL): record, do not rerun.
      if (!byCli.has(m.name.slice(0, 14))) await tx.exec(m.sql);
      await tx.query('INSERT INTO isv.schema_migrations (name) VALUES ($1)', [m.name]);
      applied.push(m.name);
    }
    return applied;
  });
}

/**
 * Versions (the 14-digit name prefix) the Supabase CLI has applied from supabase/migrations, recorded in its
 * own table; empty when the CLI never touched this database.
 */
async function appliedBySupabaseCli(db: Db): Promise<Set<string>> {
  const [exists] = await db.query<{ present: boolean }>(
    `SELECT to_regclass('supabase_migrations.schema_migrations') IS NOT NULL AS present`,
  );
  if (!exists?.present) return new Set();
  const rows = await db.query<{ version: string }>('SELECT version FROM supabase_migrations.schema_migrations');
  return new Set(rows.map((r) => r.version));
}

/** Names of migrations present on disk but not yet applied. */
export async function pendingMigrations(db: Db, dir = MIGRATIONS_DIR): Promise<string[]> {
  const rows = await db
    .query<{ name: string }>('SELECT name FROM isv.schema_migrations')
    .catch(() => [] as { name: string }[]);
  const done = new Set(rows.map((r) => r.name));
  return (await listMigrations(dir)).map((m) => m.name).filter((n) => !done.has(n));
}
