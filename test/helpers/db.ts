// A fresh, migrated database per test file: in-memory PGlite by default, or a new database on the Postgres
// server named by TEST_DATABASE_URL (created here, dropped on close) so runs never see each other's rows.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { Db } from '../../server/platform/db/db.ts';
import { createPgliteDb } from '../../server/platform/db/pglite.ts';
import { createPostgresDb } from '../../server/platform/db/postgres.ts';
import { migrate } from '../../server/platform/db/migrate.ts';
import { SNAPSHOT_ENV } from './global-setup.ts';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;

export interface TestDb extends Db {
  /** The connection string of the fresh database (Postgres engine only). */
  url?: string;
}

/** Creates an empty database (no migrations applied). */
export async function createEmptyTestDb(): Promise<TestDb> {
  if (!TEST_DATABASE_URL) return createPgliteDb();
  const name = `isv_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const db = createPostgresDb(url.toString(), { max: 20 });
  return {
    ...db,
    url: url.toString(),
    async close() {
      await db.close();
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

let snapshot: Blob | undefined;

export async function createTestDb(): Promise<TestDb> {
  // On PGlite, start from the image of a migrated database made once per run (test/helpers/global-setup.ts).
  const file = TEST_DATABASE_URL ? undefined : process.env[SNAPSHOT_ENV];
  if (file) snapshot ??= new Blob([readFileSync(file)]);
  const db = snapshot ? await createPgliteDb(undefined, snapshot) : await createEmptyTestDb();
  await migrate(db);
  return db;
}
