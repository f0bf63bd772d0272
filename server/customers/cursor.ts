// Opaque keyset cursors: base64url of the last row's (timestamp text, id). A cursor that does not decode is a 400.
import { badRequest } from '../platform/errors.ts';
import { isRealTimestamp, UUID_PATTERN } from '../../shared/common.ts';

/** timestamptz as Postgres prints it (`created_at::text`), the only form these cursors carry. */
const POSTGRES_TIMESTAMPTZ = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;

export interface KeysetPosition {
  at: string;
  id: string;
}

export function encodeCursor(p: KeysetPosition): string {
  return Buffer.from(JSON.stringify([p.at, p.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): KeysetPosition {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string' &&
      UUID_PATTERN.test(v[1]) && POSTGRES_TIMESTAMPTZ.test(v[0]) && isRealTimestamp(v[0])
    ) {
      return { at: v[0], id: v[1] };
    }
  } catch {
    // falls through to the one answer below
  }
  throw badRequest('The cursor is not valid; start again without it', [{ path: 'cursor', message: 'is not a cursor this API issued' }]);
}
