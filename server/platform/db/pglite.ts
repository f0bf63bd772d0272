// Embedded engine: PGlite (Postgres compiled to WASM) persisted in a directory, or in memory for tests.
import { mkdirSync } from 'node:fs';
import { PGlite, types, type Transaction } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { scrubDbError, type Db } from './db.ts';

const parsers = { [types.INT8]: (v: string) => Number(v) };
/** Extensions the migrations create (PGlite bundles contrib modules but loads only those named here). */
export const PGLITE_EXTENSIONS = { pg_trgm };

/** `dataDir` persists the database there (else in memory); `loadDataDir` starts from a `dumpDataDir()` image. */
export async function createPgliteDb(dataDir?: string, loadDataDir?: Blob): Promise<Db> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  return wrapPglite(await PGlite.create({ ...(dataDir ? { dataDir } : {}), ...(loadDataDir ? { loadDataDir } : {}), parsers, extensions: PGLITE_EXTENSIONS }));
}

/** The `Db` interface over an open PGlite instance. */
export function wrapPglite(pg: PGlite): Db {
  const onTx = (tx: Transaction): Db => ({
    engine: 'pglite',
    async query(sql, params) {
      try {
        return (await tx.query(sql, params as unknown[])).rows as never[];
      } catch (err) {
        throw scrubDbError(err, sql);
      }
    },
    async exec(sql) {
      await tx.exec(sql);
    },
    tx: (fn) => fn(onTx(tx)),
    close: async () => {},
  });
  return {
    engine: 'pglite',
    async query(sql, params) {
      try {
        return (await pg.query(sql, params as unknown[])).rows as never[];
      } catch (err) {
        throw scrubDbError(err, sql);
      }
    },
    async exec(sql) {
      await pg.exec(sql);
    },
    tx: (fn) => pg.transaction((tx) => fn(onTx(tx))),
    close: () => pg.close(),
  };
}
