// Wire-contract pieces shared by every feature: the error body, keyset pages, ids and common field formats.
import { z } from 'zod';

/** The one error body every route answers with: a stable snake_case code, a user-safe detail, field errors. */
export const errorBodySchema = z.object({
  code: z.string(),
  detail: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** E.164: a plus sign, a non-zero country digit, at most 15 digits in all. */
export const e164Schema = z.string().regex(/^\+[1-9]\d{1,14}$/, 'must be an E.164 phone number such as +14155550123');

export const uuidSchema = z.uuid();

/** Any RFC 4122-shaped UUID (any version): test a path parameter with it before it reaches a ::uuid cast. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A free-text filter: trimmed, bounded, and without NUL (which Postgres text cannot hold). */
export const filterText = (max: number) =>
  z.string().trim().max(max).refine((s) => !s.includes('\u0000'), 'must not contain NUL characters');

/** `{ id }` path parameters; anything that is not a UUID is simply a resource that does not exist. */
export const idParamsSchema = z.object({ id: z.string() });

/** Keyset pagination: the client passes back `nextCursor` as `?cursor=` until it is null. */
export const pageQuerySchema = z.object({
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type PageQuery = z.infer<typeof pageQuerySchema>;

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** ISO 8601 timestamps on the wire (Dates are serialised by JSON.stringify). */
export const isoDateTimeSchema = z.iso.datetime({ offset: true });

/**
 * A timestamp as Postgres prints it (`2026-11-23 18:38:45.123456+00`) that is also a real instant: month 1–12,
 * a day the month has, year 0001–9999, offset within ±15:59. A cursor that only matched the shape
 * (`2026-13-45`, year 0000, `+99`) would otherwise fail the ::timestamptz cast with a 500.
 */
export function isRealTimestamp(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(?:([+-])(\d{2})(?::?(\d{2}))?|Z)$/.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (year < 1 || month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return false;
  const daysInMonth = new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeap(year) ? 1 : 0);
  if (day < 1 || day > daysInMonth) return false;
  if (m[9] !== undefined && (Number(m[9]) > 15 || Number(m[10] ?? 0) > 59)) return false;
  return true;
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
