// The database driver interface every DAO takes as its first argument: one query function and transactions.
// Two engines implement it: a Postgres pool (DATABASE_URL, e.g. Supabase) and embedded PGlite.

export interface Db {
  readonly engine: 'postgres' | 'pglite';
  /** Runs one parameterised statement and returns its rows. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Runs a parameterless multi-statement script (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs fn inside one transaction; inside a transaction it simply runs fn on the same one. */
  tx<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** SQLSTATE codes matched by DAOs (never match on message text). */
export const SQLSTATE = {
  UNIQUE_VIOLATION: '23505',
  FOREIGN_KEY_VIOLATION: '23503',
  CHECK_VIOLATION: '23514',
  NOT_NULL_VIOLATION: '23502',
  INVALID_TEXT_REPRESENTATION: '22P02',
  SERIALIZATION_FAILURE: '40001',
} as const;

export function sqlState(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof (err as { code: unknown }).code === 'string'
    ? (err as { code: string }).code
    : undefined;
}

export function isUniqueViolation(err: unknown): boolean {
  return sqlState(err) === SQLSTATE.UNIQUE_VIOLATION;
}

/** Returns the only row, or undefined. */
export async function one<R>(rows: Promise<R[]>): Promise<R | undefined> {
  return (await rows)[0];
}
