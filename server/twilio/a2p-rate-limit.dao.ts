// SQL for the A2P brand/campaign call slots in isv.rate_limits, shared by every server instance: Twilio asks
// ISVs to keep brand and campaign calls to about one per second per master account, whichever instance calls.
import type { Db } from '../platform/db/db.ts';

/** Counts one claim in the window; the caller owns the window's slot when the returned count is 1. */
export async function claimRateWindow(db: Db, key: string, windowStart: Date): Promise<number> {
  const rows = await db.query<{ count: number }>(
    `INSERT INTO isv.rate_limits (key, window_start, count) VALUES ($1, $2, 1)
     ON CONFLICT (key, window_start) DO UPDATE SET count = isv.rate_limits.count + 1
     RETURNING count`,
    [key, windowStart],
  );
  return Number(rows[0]!.count);
}

/** Drops the key's windows that ended before `before`, so the table holds only recent slots. */
export async function deleteRateWindowsBefore(db: Db, key: string, before: Date): Promise<void> {
  await db.query(`DELETE FROM isv.rate_limits WHERE key = $1 AND window_start < $2`, [key, before]);
}
