// Reading a customer's opt-out list. Opt-outs are written by the webhooks (STOP/START keywords) and by the send
// path (Twilio error 21610); this service only lists them for the customer's members and staff.
import type { Db } from '../platform/db/db.ts';
import { AppError } from '../platform/errors.ts';
import type { Principal } from '../platform/auth/principal.ts';
import { assertCustomerAccess } from '../customers/customer-access.ts';
import type { Page } from '../../shared/common.ts';
import type { OptOut, OptOutListQuery } from '../../shared/opt-outs.ts';
import { listOptOuts, type OptOutRow } from './opt-outs.dao.ts';

export interface OptOutsService {
  list(principal: Principal, customerId: string, q: OptOutListQuery): Promise<Page<OptOut>>;
}

export function toOptOut(r: OptOutRow): OptOut {
  return {
    phoneNumber: r.phone_number,
    channel: r.channel,
    status: r.status,
    keyword: r.keyword,
    source: r.source,
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

function decodeCursor(cursor: string): { phoneNumber: string; channel: string } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string') return { phoneNumber: v[0], channel: v[1] };
  } catch {
    // falls through to the 422 below
  }
  throw new AppError(422, 'validation_failed', 'The request query is invalid', [{ path: 'cursor', message: 'is not a cursor this API returned' }]);
}

export function createOptOutsService(deps: { db: Db }): OptOutsService {
  return {
    async list(principal, customerId, q) {
      await assertCustomerAccess(deps.db, principal, customerId);
      const rows = await listOptOuts(deps.db, customerId, {
        status: q.status,
        channel: q.channel,
        after: q.cursor ? decodeCursor(q.cursor) : undefined,
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      return {
        items: page.map(toOptOut),
        nextCursor: rows.length > q.limit && last ? Buffer.from(JSON.stringify([last.phone_number, last.channel])).toString('base64url') : null,
      };
    },
  };
}
