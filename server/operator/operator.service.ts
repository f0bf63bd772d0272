// The master-account operator's view: the database's subaccounts reconciled with Twilio's own list (drift,
// status, this month's usage), the subaccount lifecycle (suspend, reactivate, close) and the audit log.
import type { Db } from '../platform/db/db.ts';
import { AppError, notFound } from '../platform/errors.ts';
import type { Logger } from '../platform/logger.ts';
import type { Principal } from '../platform/auth/principal.ts';
import { TwilioCallError, type TwilioGateway } from '../twilio/gateway.ts';
import { monthUsage } from '../twilio/usage.ts';
import { findSubaccountBySid, updateSubaccountStatus, type SubaccountStatus } from '../subaccounts/subaccounts.dao.ts';
import { appendAudit, listAuditLog } from '../audit/audit.dao.ts';
import { decodeCursor, encodeCursor } from '../customers/cursor.ts';
import { UUID_PATTERN, type Page } from '../../shared/common.ts';
import type { AuditEntry, AuditLogQuery, ReconciledSubaccount, SubaccountDrift, SubaccountReconciliation } from '../../shared/operator.ts';
import { findCustomerNames, listSubaccountsWithCustomers } from './operator.dao.ts';

export interface OperatorServiceDeps {
  db: Db;
  twilio: TwilioGateway;
  logger: Logger;
  now?: () => Date;
  /** Usage look-ups run this many accounts at a time. */
  usageConcurrency?: number;
  /** Page size of Twilio's account list (Twilio's maximum is 1000). */
  listPageSize?: number;
}

export type SubaccountAction = 'suspend' | 'reactivate' | 'close';

const TARGET_STATUS: Record<SubaccountAction, SubaccountStatus> = { suspend: 'suspended', reactivate: 'active', close: 'closed' };
/** Allowed moves, as Twilio has them: active ⇄ suspended → closed, closed is terminal (21479). */
const ALLOWED_FROM: Record<SubaccountAction, SubaccountStatus[]> = { suspend: ['active'], reactivate: ['suspended'], close: ['active', 'suspended'] };
const PAST: Record<SubaccountAction, string> = { suspend: 'suspended', reactivate: 'reactivated', close: 'closed' };

const SID = /^AC[0-9a-f]{32}$/;
/** Twilio deletes a closed subaccount this long after it was closed. */
const CLOSED_ACCOUNT_RETENTION_MS = 30 * 24 * 3600 * 1000;
const ISV_NAME = /^isv:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

interface TwilioAccount {
  sid: string;
  friendlyName: string;
  status: SubaccountStatus;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function twilioUnavailable(err: unknown): AppError {
  const detail = err instanceof TwilioCallError ? `Twilio did not answer as expected: ${err.twilioMessage}` : 'Twilio could not be reached';
  return new AppError(502, 'twilio_unavailable', detail);
}

export type OperatorService = ReturnType<typeof createOperatorService>;

export function createOperatorService(deps: OperatorServiceDeps) {
  const { db, twilio, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const master = () => twilio.master.api.v2010;

  async function listTwilioSubaccounts(): Promise<TwilioAccount[]> {
    // The SDK's list() follows next_page_uri until the last page, so every subaccount is seen.
    const accounts = await twilio.call('accounts.list', () => master().accounts.list({ pageSize: deps.listPageSize ?? 1000 }));
    return accounts
      .filter((a) => a.sid !== twilio.masterAccountSid)
      .map((a) => ({ sid: a.sid, friendlyName: a.friendlyName, status: a.status as SubaccountStatus }));
  }

  const usageOf = (accountSid: string): Promise<ReconciledSubaccount['usage']> => monthUsage(twilio, twilio.master, accountSid, logger);

  async function changeStatus(principal: Principal, sid: string, action: SubaccountAction, reason?: string) {
    if (!SID.test(sid)) throw notFound('Subaccount');
    const row = await findSubaccountBySid(db, sid);
    // Twilio's own status decides what may happen (the database may have drifted); only the master account's
    // subaccounts can be acted on.
    const live = await twilio.call('accounts.fetch', () => master().accounts(sid).fetch()).catch((err: unknown) => {
      if (!(err instanceof TwilioCallError && err.kind === 'permanent')) throw twilioUnavailable(err);
      if (row) throw new AppError(409, 'missing_in_twilio', 'Twilio does not know this subaccount; nothing was changed');
      throw notFound('Subaccount');
    });
    if (live.ownerAccountSid !== twilio.masterAccountSid || live.sid === twilio.masterAccountSid) throw notFound('Subaccount');
    const inTwilio = live.status as SubaccountStatus;
    const previous = row?.status ?? inTwilio;
    const target = TARGET_STATUS[action];
    const audit = { actor: principal, targetType: 'twilio_subaccount', targetId: sid, customerId: row?.customer_id ?? null } as const;
    const alreadyInTwilio = inTwilio === target;
    if (alreadyInTwilio && previous === target) {
      throw new AppError(409, 'invalid_status_change', `The subaccount is already ${target}`);
    }
    if (!alreadyInTwilio && !ALLOWED_FROM[action].includes(inTwilio)) {
      throw new AppError(409, inTwilio === 'closed' ? 'subaccount_closed' : 'invalid_status_change', `The subaccount is ${inTwilio}; it cannot be ${PAST[action]}`);
    }
    if (!alreadyInTwilio) {
      try {
        // Twilio first, with no transaction open; the database follows what Twilio accepted.
        await twilio.call(`accounts.${action}`, () => master().accounts(sid).update({ status: target }));
      } catch (err) {
        await appendAudit(db, { ...audit, action: `subaccount.${action}_failed`, before: { status: previous }, after: { error: err instanceof Error ? err.message : String(err), reason } });
        if (err instanceof TwilioCallError && err.kind === 'permanent') {
          throw new AppError(409, 'twilio_refused', `Twilio refused the change: ${err.twilioMessage}`);
        }
        throw twilioUnavailable(err);
      }
    }
    await db.tx(async (tx) => {
      if (row) await updateSubaccountStatus(tx, sid, target);
      await appendAudit(tx, {
        ...audit,
        action: `subaccount.${PAST[action]}`,
        before: { status: previous, ...(inTwilio !== previous ? { twilioStatus: inTwilio } : {}) },
        after: { status: target, ...(reason ? { reason } : {}) },
      });
    });
    if (action === 'close') twilio.invalidate(sid);
    return { accountSid: sid, customerId: row?.customer_id ?? null, previousStatus: previous, status: target };
  }

  return {
    async reconcileSubaccounts(principal: Principal): Promise<SubaccountReconciliation> {
      const [dbRows, twilioAccounts] = await Promise.all([
        listSubaccountsWithCustomers(db),
        listTwilioSubaccounts().catch((err: unknown) => {
          throw twilioUnavailable(err);
        }),
      ]);
      const checkedAt = now().toISOString();
      const inTwilio = new Map(twilioAccounts.map((a) => [a.sid, a]));
      const inDb = new Set(dbRows.map((r) => r.account_sid));
      const items: ReconciledSubaccount[] = dbRows.map((r) => {
        const t = inTwilio.get(r.account_sid);
        const drift: SubaccountDrift[] = [];
        // Twilio deletes a closed subaccount 30 days after closing: gone from its list is expected, not drift.
        const deleted = !t && r.status === 'closed';
        if (!t && !deleted) drift.push('missing_in_twilio');
        else if (t && t.status !== r.status) drift.push('status_mismatch');
        const closedAt = r.status === 'closed' ? (r.closed_at ? new Date(r.closed_at) : null) : null;
        return {
          customerId: r.customer_id,
          customerName: r.customer_name,
          accountSid: r.account_sid,
          friendlyName: t?.friendlyName ?? r.friendly_name,
          dbStatus: r.status,
          twilioStatus: t?.status ?? null,
          usage: null,
          drift,
          deletionDueAt: closedAt ? new Date(closedAt.getTime() + CLOSED_ACCOUNT_RETENTION_MS).toISOString() : null,
          deleted,
        };
      });
      const unrecorded = twilioAccounts.filter((a) => !inDb.has(a.sid));
      const claimedIds = unrecorded.map((a) => ISV_NAME.exec(a.friendlyName)?.[1]?.toLowerCase()).filter((x): x is string => !!x);
      const names = new Map((await findCustomerNames(db, claimedIds)).map((c) => [c.id, c.name]));
      for (const a of unrecorded) {
        const claimed = ISV_NAME.exec(a.friendlyName)?.[1]?.toLowerCase();
        // Only accounts named like ours (isv:*) are our orphans; other subaccounts of the master are listed as they are.
        const isOurs = a.friendlyName.startsWith('isv:');
        items.push({
          customerId: claimed && names.has(claimed) ? claimed : null,
          customerName: claimed ? (names.get(claimed) ?? null) : null,
          accountSid: a.sid,
          friendlyName: a.friendlyName,
          dbStatus: null,
          twilioStatus: a.status,
          usage: null,
          drift: isOurs ? ['orphan_in_twilio'] : [],
          deletionDueAt: null,
          deleted: false,
        });
      }
      const withUsage = items.filter((i) => i.twilioStatus && i.twilioStatus !== 'closed');
      const usage = await mapLimit(withUsage, deps.usageConcurrency ?? 4, (i) => usageOf(i.accountSid));
      withUsage.forEach((i, n) => (i.usage = usage[n] ?? null));
      const drifted = items.filter((i) => i.drift.length > 0).length;
      await appendAudit(db, { actor: principal, action: 'operator.subaccounts_reconciled', targetType: 'twilio_subaccounts', targetId: twilio.masterAccountSid, after: { total: items.length, drifted } });
      return { items, checkedAt, summary: { total: items.length, drifted } };
    },

    suspend: (p: Principal, sid: string, reason?: string) => changeStatus(p, sid, 'suspend', reason),
    reactivate: (p: Principal, sid: string, reason?: string) => changeStatus(p, sid, 'reactivate', reason),
    async close(p: Principal, sid: string, confirm: string, reason?: string) {
      if (confirm !== sid) {
        throw new AppError(422, 'validation_failed', 'Closing is irreversible: repeat the account SID to confirm', [{ path: 'confirm', message: 'must equal the account SID in the path' }]);
      }
      return changeStatus(p, sid, 'close', reason);
    },

    async auditLog(q: AuditLogQuery): Promise<Page<AuditEntry>> {
      const actorIsId = q.actor && UUID_PATTERN.test(q.actor);
      const rows = await listAuditLog(db, {
        actorId: actorIsId ? q.actor : undefined,
        actorEmail: q.actor && !actorIsId ? q.actor.toLowerCase() : undefined,
        action: q.action,
        targetType: q.targetType,
        targetId: q.targetId,
        customerId: q.customerId,
        since: q.since ? new Date(q.since) : undefined,
        until: q.until ? new Date(q.until) : undefined,
        after: q.cursor ? decodeCursor(q.cursor) : undefined,
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const last = page.at(-1);
      return {
        items: page.map((r) => ({
          id: r.id,
          at: new Date(r.at).toISOString(),
          actorId: r.actor_id,
          actorEmail: r.actor_email,
          actorRole: r.actor_role,
          action: r.action,
          targetType: r.target_type,
          targetId: r.target_id,
          customerId: r.customer_id,
          before: r.before,
          after: r.after,
        })),
        nextCursor: rows.length > q.limit && last ? encodeCursor({ at: last.cursor_at, id: last.id }) : null,
      };
    },
  };
}
