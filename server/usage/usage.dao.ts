// Usage records (Twilio's daily Usage Records per customer account), the platform's own message counts, and the
// month's spend that budgets are checked against.
import type { Db } from '../platform/db/db.ts';

export interface UsageRecordInput {
  day: string;
  category: string;
  count: number;
  usage: number;
  price: number;
  priceUnit: string;
}

/** Replaces the account's records of [from, to] with `records` in one transaction (re-running a day replaces it). */
export async function replaceUsageRecords(db: Db, customerId: string, accountSid: string, from: string, to: string, records: UsageRecordInput[]): Promise<void> {
  await db.tx(async (tx) => {
    await tx.query(`DELETE FROM isv.usage_records WHERE customer_id = $1 AND account_sid = $2 AND day BETWEEN $3::date AND $4::date`, [customerId, accountSid, from, to]);
    // One statement for all rows: unnest of parallel arrays.
    if (records.length === 0) return;
    await tx.query(
      `INSERT INTO isv.usage_records (customer_id, account_sid, day, category, count, usage, price, price_unit)
       SELECT $1, $2, d, c, n, u, p, pu FROM unnest($3::date[], $4::text[], $5::numeric[], $6::numeric[], $7::numeric[], $8::text[]) AS t(d, c, n, u, p, pu)`,
      [customerId, accountSid, records.map((r) => r.day), records.map((r) => r.category), records.map((r) => r.count), records.map((r) => r.usage), records.map((r) => r.price), records.map((r) => r.priceUnit)],
    );
  });
}

export interface UsageRow {
  customer_id: string;
  period: string;
  category: string;
  count: number;
  usage: number;
  price: number;
  price_unit: string;
}

/** Records summed per period (day or month) and category; all customers when customerId is null. */
export async function sumUsage(db: Db, customerId: string | null, from: string, to: string, granularity: 'day' | 'month'): Promise<UsageRow[]> {
  const period = granularity === 'day' ? `to_char(day, 'YYYY-MM-DD')` : `to_char(day, 'YYYY-MM')`;
  return db.query<UsageRow>(
    `SELECT customer_id, ${period} AS period, category, sum(count)::float8 AS count, sum(usage)::float8 AS usage,
            sum(price)::float8 AS price, min(price_unit) AS price_unit
       FROM isv.usage_records
      WHERE ($1::uuid IS NULL OR customer_id = $1) AND day BETWEEN $2::date AND $3::date
      GROUP BY customer_id, ${period}, category
      ORDER BY 2, 3`,
    [customerId, from, to],
  );
}

export async function lastIngestedAt(db: Db, customerId: string): Promise<Date | null> {
  const rows = await db.query<{ at: Date | null }>(`SELECT max(ingested_at) AS at FROM isv.usage_records WHERE customer_id = $1`, [customerId]);
  return rows[0]?.at ? new Date(rows[0].at) : null;
}

export interface MessageCountRow {
  customer_id: string;
  period: string;
  channel: 'sms' | 'whatsapp';
  direction: 'inbound' | 'outbound';
  status: string;
  count: number;
  segments: number;
}

/** The platform's own message log counted per period, channel, direction and status (segments: 1 when unknown). */
export async function countMessages(db: Db, customerId: string | null, from: string, to: string, granularity: 'day' | 'month'): Promise<MessageCountRow[]> {
  const period = granularity === 'day' ? `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')` : `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM')`;
  return db.query<MessageCountRow>(
    `SELECT customer_id, ${period} AS period, channel, direction, status, count(*)::int AS count,
            coalesce(sum(greatest(coalesce(num_segments, 1), 1)), 0)::int AS segments
       FROM isv.messages
      WHERE ($1::uuid IS NULL OR customer_id = $1) AND sid IS NOT NULL
        AND created_at >= $2::date AND created_at < $3::date + 1
      GROUP BY customer_id, ${period}, channel, direction, status
      ORDER BY 2, 3, 4, 5`,
    [customerId, from, to],
  );
}

export async function topErrorCodes(db: Db, from: string, to: string, limit = 10): Promise<{ code: number; count: number; customers: number }[]> {
  return db.query(
    `SELECT error_code AS code, count(*)::int AS count, count(DISTINCT customer_id)::int AS customers
       FROM isv.messages
      WHERE error_code IS NOT NULL AND created_at >= $1::date AND created_at < $2::date + 1
      GROUP BY error_code ORDER BY 2 DESC, 1 LIMIT $3`,
    [from, to, limit],
  );
}

/** Categories whose prices do not overlap; their sum is a day's spend when Twilio gave no totalprice. */
export const SPEND_CATEGORIES = ['sms-outbound', 'sms-inbound', 'channels-whatsapp-outbound', 'channels-whatsapp-inbound', 'phonenumbers', 'a2p-registration-fees'];

/**
 * The spend of the month starting at monthStart as far as Twilio has reported it (each day's totalprice, or its
 * categories added up), plus an estimate for the messages sent since the last ingestion: their price when
 * known, else their segments (1 when unknown) at `pricePerSegment`. Failed messages are not charged.
 */
export async function monthSpend(db: Db, customerId: string, monthStart: Date, nextMonthStart: Date, pricePerSegment: number): Promise<{ reported: number; estimated: number }> {
  const reported = await db.query<{ price: number | null; ingested_at: Date | null }>(
    `WITH days AS (
       SELECT day,
              max(price) FILTER (WHERE category = 'totalprice') AS total,
              sum(price) FILTER (WHERE category = ANY($4::text[])) AS parts,
              max(ingested_at) AS ingested_at
         FROM isv.usage_records
        WHERE customer_id = $1 AND day >= $2::date AND day < $3::date
        GROUP BY day)
     SELECT coalesce(sum(coalesce(total, parts, 0)), 0)::float8 AS price, max(ingested_at) AS ingested_at FROM days`,
    [customerId, monthStart.toISOString().slice(0, 10), nextMonthStart.toISOString().slice(0, 10), SPEND_CATEGORIES],
  );
  const cutoff = reported[0]?.ingested_at ? new Date(Math.max(new Date(reported[0].ingested_at).getTime(), monthStart.getTime())) : monthStart;
  const estimate = await db.query<{ price: number }>(
    `SELECT coalesce(sum(coalesce(abs(price), greatest(coalesce(num_segments, 1), 1) * $4::numeric)), 0)::float8 AS price
       FROM isv.messages
      WHERE customer_id = $1 AND created_at >= $2 AND created_at < $3 AND status <> 'failed'`,
    [customerId, cutoff, nextMonthStart, pricePerSegment],
  );
  return { reported: reported[0]?.price ?? 0, estimated: estimate[0]?.price ?? 0 };
}

/** The customer's average price per segment over its priced messages of the last 30 days, or undefined. */
export async function averagePricePerSegment(db: Db, customerId: string): Promise<number | undefined> {
  const rows = await db.query<{ avg: number | null }>(
    `SELECT (sum(abs(price)) / nullif(sum(greatest(coalesce(num_segments, 1), 1)), 0))::float8 AS avg
       FROM isv.messages
      WHERE customer_id = $1 AND price IS NOT NULL AND created_at > now() - interval '30 days'`,
    [customerId],
  );
  return rows[0]?.avg ?? undefined;
}

export interface UsageAccount {
  customer_id: string;
  account_sid: string;
}

/** Every account usage is read from: each customer's subaccount and connected account that is not closed. */
export async function listUsageAccounts(db: Db, customerId?: string): Promise<UsageAccount[]> {
  return db.query<UsageAccount>(
    `SELECT customer_id, account_sid FROM isv.twilio_subaccounts WHERE status <> 'closed' AND ($1::uuid IS NULL OR customer_id = $1) ORDER BY customer_id, account_sid`,
    [customerId ?? null],
  );
}
