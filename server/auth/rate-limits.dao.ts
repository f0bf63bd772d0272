// Fixed-window counters in isv.rate_limits, shared by every server instance.
import type { Db } from '../platform/db/db.ts';

/** Counts one hit in the window that starts at windowStart and returns the window's count so far. */
export async function hitRateLimit(db: Db, key: string, windowStart: Date): Promise<number> {
  const rows = await db.query<{ count: number }>(
    `INSERT INTO isv.rate_limits (key, window_start, count) VALUES ($1, $2, 1)
     ON CONFLICT (key, window_start) DO UPDATE SET count = isv.rate_limits.count + 1
     RETURNING count`,
    [key, windowStart],
  );
  return rows[0]!.count;
}

/** Drops windows that ended before `before` (called on the way, so the table does not grow without bound). */
export async function deleteRateLimitWindowsBefore(db: Db, key: string, before: Date): Promise<void> {
  await db.query(`DELETE FROM isv.rate_limits WHERE key = $1 AND window_start < $2`, [key, before]);
}

/** The window's count so far, without counting a hit. */
export async function countRateLimit(db: Db, key: string, windowStart: Date): Promise<number> {
  const rows = await db.query<{ count: number }>(`SELECT count FROM isv.rate_limits WHERE key = $1 AND window_start = $2`, [key, windowStart]);
  return rows[0]?.count ?? 0;
}
