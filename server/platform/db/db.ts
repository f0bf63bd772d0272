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

/**
 * What a failed statement becomes before it leaves the driver: the SQLSTATE, the constraint and the statement's
 * opening words, nothing else. The drivers' own errors carry the bound parameters (PGlite attaches `params`)
 * and Postgres puts values in `detail` and in messages ("invalid input syntax for type uuid: "…""), which
 * would reach the log with message text and phone numbers in them.
 */
export class DbQueryError extends Error {
  readonly code: string;
  readonly constraint: string | undefined;
  readonly statement: string;
  constructor(code: string, constraint: string | undefined, statement: string) {
    super(`SQLSTATE ${code} in ${statement}`);
    this.name = 'DbQueryError';
    this.code = code;
    this.constraint = constraint;
    this.statement = statement;
  }
}

/** The first words of a statement, a name for it in logs (parameterised SQL holds no values). */
export function statementName(sql: string): string {
  return sql.replace(/--[^\n]*/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 80);
}

/** Database errors (those with a SQLSTATE) become DbQueryError; anything else (a lost connection) passes unchanged. */
export function scrubDbError(err: unknown, sql: string): unknown {
  const code = sqlState(err);
  if (!code || !/^[0-9A-Z]{5}$/.test(code)) return err;
  const constraint = (err as { constraint?: unknown }).constraint;
  return new DbQueryError(code, typeof constraint === 'string' ? constraint : undefined, statementName(sql));
}
