// Reading a customer's opt-out list. Opt-outs are written by the webhooks (STOP/START keywords) and by the send
// path (Twilio error 21610); this service only lists them for the customer's members and staff.
import type { Db } from '../platform/db/db.ts';
import { AppError } from '../platform/errors.ts';
import type { Principal } from '../platform/auth/principal.ts';
import { assertCustomerAccess } from '../customers/customer-access.ts';
import type { Page } from '../../shared/common.ts';
import type { OptOut, OptOutListQuery, OptOutScope } from '../../shared/opt-outs.ts';
import type { MessageChannel } from '../../shared/messages.ts';
import { findAdvancedOptOut, findOptOut, listOptOuts, listOptOutSenders, listServiceSenders, setAdvancedOptOut, type OptOutRow } from './opt-outs.dao.ts';

/**
 * Whether a send to `to` is refused because they opted out (#14: scoped like Twilio's). A STOP applies to the
 * sender it was sent to: a WhatsApp STOP never blocks SMS (another channel), and a STOP to one of the customer's
 * numbers blocks a send only when every number Twilio could send it from got that STOP, or when the messaging
 * service uses Advanced Opt-Out (then a STOP to any of its senders covers all of them). An opt-out with no sender
 * (entered by the API, Twilio's 21610, or recorded before scoping) applies to every sender.
 */
export async function optOutBlocksSend(
  db: Db,
  s: { customerId: string; to: string; channel: MessageChannel; messagingServiceSid: string | null; whatsappFrom: string | null },
): Promise<boolean> {
  const latest = await findOptOut(db, s.customerId, s.to, s.channel);
  if (!latest) return false;
  const senders = await listOptOutSenders(db, s.customerId, s.to, s.channel);
  if (senders.length === 0 || latest.source === 'api' || latest.source === 'error_21610') return latest.status === 'opted_out';
  const out = senders.filter((r) => r.status === 'opted_out');
  if (out.length === 0) return false;
  const outSet = new Set(out.map((r) => r.sender));
  if (s.channel === 'whatsapp') return s.whatsappFrom !== null && outSet.has(s.whatsappFrom.replace(/^whatsapp:/, ''));
  if (!s.messagingServiceSid) return false;
  if (await findAdvancedOptOut(db, s.customerId, s.messagingServiceSid)) {
    const pool = new Set(await listServiceSenders(db, s.customerId, s.messagingServiceSid));
    if (out.some((r) => r.messaging_service_sid === s.messagingServiceSid || pool.has(r.sender))) return true;
  }
  const pool = await listServiceSenders(db, s.customerId, s.messagingServiceSid);
  return pool.length > 0 && pool.every((n) => outSet.has(n));
}

export interface OptOutsService {
  list(principal: Principal, customerId: string, q: OptOutListQuery): Promise<Page<OptOut>>;
  /** Records whether one of the customer's messaging services uses Advanced Opt-Out (as set in Twilio). */
  setScope(principal: Principal, customerId: string, scope: OptOutScope): Promise<OptOutScope>;
  listScopes(principal: Principal, customerId: string): Promise<{ items: OptOutScope[] }>;
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
    async setScope(principal, customerId, scope) {
      await assertCustomerAccess(deps.db, principal, customerId);
      const owned = await deps.db.query(`SELECT 1 FROM isv.numbers WHERE customer_id = $1 AND messaging_service_sid = $2 UNION ALL SELECT 1 FROM isv.campaigns WHERE customer_id = $1 AND messaging_service_sid = $2 LIMIT 1`, [customerId, scope.messagingServiceSid]);
      if (owned.length === 0) throw new AppError(422, 'validation_failed', 'The request body is invalid', [{ path: 'messagingServiceSid', message: 'is not a messaging service of this customer' }]);
      await setAdvancedOptOut(deps.db, customerId, scope.messagingServiceSid, scope.advancedOptOut);
      return scope;
    },
    async listScopes(principal, customerId) {
      await assertCustomerAccess(deps.db, principal, customerId);
      const rows = await deps.db.query<{ sid: string; advanced: boolean }>(
        `SELECT s.sid, COALESCE(o.advanced_opt_out, false) AS advanced
           FROM (SELECT messaging_service_sid AS sid FROM isv.numbers WHERE customer_id = $1 AND messaging_service_sid IS NOT NULL
                 UNION SELECT messaging_service_sid FROM isv.campaigns WHERE customer_id = $1 AND messaging_service_sid IS NOT NULL) s
           LEFT JOIN isv.opt_out_scopes o ON o.customer_id = $1 AND o.messaging_service_sid = s.sid
          ORDER BY s.sid`,
        [customerId],
      );
      return { items: rows.map((r) => ({ messagingServiceSid: r.sid, advancedOptOut: r.advanced })) };
    },
  };
}
