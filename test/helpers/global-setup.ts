// Vitest global setup: on the embedded engine, migrate one PGlite database once per run and keep its data
// directory image in a temp file; createTestDb() starts every test database from it (about 0.3 s instead of
// the ~1.5 s initdb + migrations each time). The image is a cache of exactly what migrate() produces, and
// migrate() still runs on every copy, so a test database is the same as one migrated from scratch.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLITE_EXTENSIONS, wrapPglite } from '../../server/platform/db/pglite.ts';
import { migrate } from '../../server/platform/db/migrate.ts';

export const SNAPSHOT_ENV = 'ISV_TEST_PGLITE_SNAPSHOT';

export default async function setup(): Promise<() => void> {
  if (process.env.TEST_DATABASE_URL) return () => {};
  const dir = mkdtempSync(path.join(tmpdir(), 'isv-test-pglite-'));
  const pg = await PGlite.create({ extensions: PGLITE_EXTENSIONS });
  await migrate(wrapPglite(pg));
  const image = await pg.dumpDataDir('none');
  await pg.close();
  const file = path.join(dir, 'migrated.tar');
  writeFileSync(file, Buffer.from(await image.arrayBuffer()), { mode: 0o600 });
  process.env[SNAPSHOT_ENV] = file;
  return () => rmSync(dir, { recursive: true, force: true });
}
