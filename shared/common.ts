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
