// What every /api request body and query string must satisfy before any route reads it, whatever its encoding
// (JSON, form-urlencoded, gzip/deflate/br): valid UTF-8, no NUL (Postgres text and jsonb cannot hold one), at
// most MAX_PARAMETERS query parameters. Refusals are 4xx naming the field, never a 500 from a later SQL cast.
import type { RequestHandler } from 'express';
import { AppError, type FieldError } from '../errors.ts';

/** The same bound the form parser enforces on bodies (parameterLimit). */
export const MAX_PARAMETERS = 200;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Error thrown from a body parser's `verify` hook; errorHandler maps its type to 422. */
export class InvalidTextError extends Error {
  readonly type = 'entity.invalid_text';
  constructor(readonly field: string, readonly reason: string) {
    super(`${field} ${reason}`);
  }
}

/**
 * The parsers decode with replacement characters, so invalid bytes would silently become U+FFFD; checked on the
 * raw (already decompressed) bytes instead. Form bodies are also checked per percent-decoded field, since
 * `%FF` is ASCII on the wire and invalid only once decoded. `charset` is what the parser will decode with.
 */
export function checkRawBody(buf: Buffer, charset: string | null | undefined, form: boolean): void {
  const cs = (charset ?? 'utf-8').toLowerCase();
  if (cs === 'utf-8' || cs === 'utf8') {
    try {
      utf8.decode(buf);
    } catch {
      throw new InvalidTextError('(body)', 'is not valid UTF-8');
    }
  }
  if (!form) return;
  for (const pair of buf.toString('latin1').split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      value = eq === -1 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '));
    } catch {
      // Only UTF-8 percent-escapes fail here; ISO-8859-1 bodies are decoded byte for byte by the parser.
      if (cs === 'utf-8' || cs === 'utf8') throw new InvalidTextError(safeName(rawName), 'is not valid percent-encoded UTF-8');
      continue;
    }
    if (name.includes('\u0000') || value.includes('\u0000')) throw new InvalidTextError(safeName(name), 'must not contain NUL characters');
  }
}

/** A field name fit to echo back: printable, short. */
function safeName(name: string): string {
  const printable = name.replace(/[^\x20-\x7e]/g, '?').slice(0, 64);
  return printable === '' ? '(body)' : printable;
}

/** Paths of every key or string value holding a NUL, in a parsed body or query. */
function nulPaths(value: unknown, path: string[] = [], out: string[] = []): string[] {
  if (out.length >= 10) return out;
  if (typeof value === 'string') {
    if (value.includes('\u0000')) out.push(path.join('.') || '(body)');
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => nulPaths(v, [...path, String(i)], out));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('\u0000')) out.push([...path, safeName(k)].join('.'));
      else nulPaths(v, [...path, k], out);
    }
  }
  return out;
}

/**
 * After the parsers: NUL anywhere in the parsed body (JSON `\u0000` escapes are valid UTF-8, so only the parsed
 * value shows them) or in the query string → 422; more than MAX_PARAMETERS query parameters → 400 (Node's
 * query parser would silently drop those past 1000, and a route must never see a truncated query).
 */
export const refuseUnstorableInput: RequestHandler = (req, _res, next) => {
  const q = req.originalUrl.indexOf('?');
  if (q !== -1) {
    const search = req.originalUrl.slice(q + 1);
    if (search.split('&').filter(Boolean).length > MAX_PARAMETERS) {
      next(new AppError(400, 'too_many_parameters', `At most ${MAX_PARAMETERS} query parameters are accepted`, [{ path: 'query', message: `has more than ${MAX_PARAMETERS} parameters` }]));
      return;
    }
  }
  const errors: FieldError[] = [
    ...nulPaths(req.query).map((p) => ({ path: p, message: 'must not contain NUL characters' })),
    ...nulPaths(req.body).map((p) => ({ path: p, message: 'must not contain NUL characters' })),
  ];
  if (errors.length) {
    next(new AppError(422, 'invalid_text', 'The request contains characters that cannot be stored', errors));
    return;
  }
  next();
};
