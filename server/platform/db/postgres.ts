// Postgres engine over node-postgres. Unnamed statements only, so Supabase's transaction pooler works.
import pg from 'pg';
import { scrubDbError, type Db } from './db.ts';

// Keep int8 (count(*), bigint) as JS numbers; the schema never stores values past 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

export function createPostgresDb(connectionString: string, opts: { max?: number } = {}): Db {
  const pool = new pg.Pool({ connectionString, max: opts.max ?? 10 });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it. Queries surface their own errors.
  });
  const onClient = (client: pg.PoolClient): Db => ({
    engine: 'postgres',
    async query(sql, params) {
      try {
        return (await client.query(sql, params as unknown[])).rows;
      } catch (err) {
        throw scrubDbError(err, sql);
      }
    },
    async exec(sql) {
      await client.query(sql);
    },
    tx: (fn) => fn(onClient(client)),
    close: async () => {},
  });
  return {
    engine: 'postgres',
    async query(sql, params) {
      try {
        return (await pool.query(sql, params as unknown[])).rows;
      } catch (err) {
        throw scrubDbError(err, sql);
      }
    },
    async exec(sql) {
      await pool.query(sql);
    },
    async tx(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(onClient(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
