// Limits per customer: messages per day and per month, a monthly budget and sends per second. Staff set
// ceilings; owners may set lower values of their own; the lower of the two applies. checkSend() runs in the send
// path before Twilio is called: the counters live in isv.rate_limits (shared by every instance) and are counted
// in one transaction, so a send refused by one limit consumes none of the others.
import type { Db } from '../platform/db/db.ts';
import { AppError, forbidden } from '../platform/errors.ts';
import { deleteRateLimitWindowsBefore } from '../auth/rate-limits.dao.ts';
import type { Principal } from '../platform/auth/principal.ts';
import { assertCustomerAccess } from '../customers/customer-access.ts';
import { appendAudit, staffRoleOf } from '../audit/audit.dao.ts';
import { LIMIT_FIELDS, type LimitField, type LimitValues, type Limits } from '../../shared/usage.ts';
import type { z } from 'zod';
import type { putLimitsSchema } from '../../shared/usage.ts';
import { monthStartOf, nextMonthStartOf, type UsageService } from './usage.service.ts';

const COLUMN: Record<LimitField, string> = {
  messagesPerDay: 'messages_per_day',
  messagesPerMonth: 'messages_per_month',
  monthlyBudgetUsd: 'monthly_budget_usd',
  sendsPerSecond: 'sends_per_second',
};

const LABEL: Record<LimitField, string> = {
  messagesPerDay: 'messages per day',
  messagesPerMonth: 'messages per month',
  monthlyBudgetUsd: 'monthly budget (USD)',
  sendsPerSecond: 'sends per second',
};

/** How long old counter windows are kept (the usage page reads the current ones only). */
const RETENTION_MS = { second: 60_000, day: 40 * 86_400_000, month: 400 * 86_400_000 };

const EMPTY: LimitValues = { messagesPerDay: null, messagesPerMonth: null, monthlyBudgetUsd: null, sendsPerSecond: null };

type Row = Record<string, string | number | null>;

function valuesOf(row: Row | undefined, prefix: 'ceiling' | 'own'): LimitValues {
  const out: LimitValues = { ...EMPTY };
  if (!row) return out;
  for (const f of LIMIT_FIELDS) {
    const v = row[`${prefix}_${COLUMN[f]}`];
    out[f] = v === null || v === undefined ? null : Number(v);
  }
  return out;
}

const lower = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));

export function effectiveLimits(ceilings: LimitValues, own: LimitValues): LimitValues {
  return {
    messagesPerDay: lower(ceilings.messagesPerDay, own.messagesPerDay),
    messagesPerMonth: lower(ceilings.messagesPerMonth, own.messagesPerMonth),
    monthlyBudgetUsd: lower(ceilings.monthlyBudgetUsd, own.monthlyBudgetUsd),
    sendsPerSecond: lower(ceilings.sendsPerSecond, own.sendsPerSecond),
  };
}

export interface LimitsService {
  get(principal: Principal, customerId: string): Promise<Limits>;
  put(principal: Principal, customerId: string, input: z.output<typeof putLimitsSchema>): Promise<Limits>;
  /**
   * Throws 429 `limit_exceeded` when the next send would break a limit; otherwise counts it and answers the
   * undo for a send that then never reaches Twilio (refused by it, or lost an idempotency race), so a refused
   * send does not use up the customer's allowance.
   */
  checkSend(customerId: string): Promise<CountedSend>;
  /** The effective limits of a customer (no access check: for jobs). */
  effective(customerId: string): Promise<LimitValues>;
  /** Messages counted this month (for alerts). */
  messagesThisMonth(customerId: string): Promise<number>;
}

export interface CountedSend {
  release(): Promise<void>;
}

export function createLimitsService(deps: { db: Db; usage: UsageService; now?: () => Date }): LimitsService {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());

  async function load(customerId: string): Promise<{ ceilings: LimitValues; own: LimitValues }> {
    const rows = await db.query<Row>(`SELECT * FROM isv.customer_limits WHERE customer_id = $1`, [customerId]);
    return { ceilings: valuesOf(rows[0], 'ceiling'), own: valuesOf(rows[0], 'own') };
  }

  const key = (kind: 'second' | 'day' | 'month', customerId: string) => `limits.${kind}:${customerId.toLowerCase()}`;
  const windows = (t: Date) => {
    const second = new Date(Math.floor(t.getTime() / 1000) * 1000);
    const day = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate()));
    return {
      second: { start: second, end: new Date(second.getTime() + 1000) },
      day: { start: day, end: new Date(day.getTime() + 86_400_000) },
      month: { start: monthStartOf(t), end: nextMonthStartOf(t) },
    };
  };

  async function counted(kind: 'second' | 'day' | 'month', customerId: string, start: Date): Promise<number> {
    const rows = await db.query<{ count: number }>(`SELECT count FROM isv.rate_limits WHERE key = $1 AND window_start = $2`, [key(kind, customerId), start]);
    return rows[0]?.count ?? 0;
  }

  async function view(customerId: string): Promise<Limits> {
    const { ceilings, own } = await load(customerId);
    const w = windows(now());
    return {
      ...effectiveLimits(ceilings, own),
      ceilings,
      own,
      current: {
        messagesToday: await counted('day', customerId, w.day.start),
        messagesThisMonth: await counted('month', customerId, w.month.start),
        spendThisMonthUsd: await deps.usage.monthSpendUsd(customerId),
      },
    };
  }

  function exceeded(limit: LimitField, current: number, max: number, resetsAt: Date): AppError {
    const t = now().getTime();
    const retryAfter = Math.max(1, Math.ceil((resetsAt.getTime() - t) / 1000));
    const figure = limit === 'monthlyBudgetUsd' ? `$${current.toFixed(2)} of $${max.toFixed(2)}` : `${current} of ${max}`;
    return new AppError(
      429,
      'limit_exceeded',
      `You have reached your limit of ${LABEL[limit]} (${figure}); sending resumes at ${resetsAt.toISOString()}.`,
      undefined,
      { 'Retry-After': String(retryAfter) },
      { limit, current, max, resetsAt: resetsAt.toISOString() },
    );
  }

  return {
    async get(principal, customerId) {
      await assertCustomerAccess(db, principal, customerId);
      return view(customerId);
    },

    async put(principal, customerId, input) {
      const access = await assertCustomerAccess(db, principal, customerId);
      if (access === 'member') throw forbidden('Only an owner of this customer can change its limits');
      const fields = LIMIT_FIELDS.filter((f) => input[f] !== undefined);
      const prefix = access === 'staff' ? 'ceiling' : 'own';
      const before = await load(customerId);
      if (access === 'owner') {
        const errors = fields
          .filter((f) => {
            const ceiling = before.ceilings[f];
            const v = input[f];
            return ceiling !== null && (v === null || (v !== undefined && v > ceiling));
          })
          .map((f) => ({ path: f, message: `must be at most ${before.ceilings[f]}, the ceiling set for you${input[f] === null ? ' (it cannot be removed)' : ''}` }));
        if (errors.length) throw new AppError(422, 'validation_failed', `You can only set limits at or below your ceilings: ${errors.map((e) => e.path).join(', ')}`, errors);
      }
      if (fields.length) {
        const cols = fields.map((f) => `${prefix}_${COLUMN[f]}`);
        await db.query(
          `INSERT INTO isv.customer_limits (customer_id, ${cols.join(', ')}) VALUES ($1, ${cols.map((_, i) => `$${i + 2}`).join(', ')})
           ON CONFLICT (customer_id) DO UPDATE SET ${cols.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, updated_at = now()`,
          [customerId, ...fields.map((f) => input[f] ?? null)],
        );
        if (access === 'staff') {
          await appendAudit(db, {
            actor: principal, actorRole: staffRoleOf(principal), action: 'customer.limits_set', targetType: 'customer', targetId: customerId, customerId,
            before: before.ceilings, after: Object.fromEntries(fields.map((f) => [f, input[f]])),
          });
        }
      }
      return view(customerId);
    },

    async effective(customerId) {
      const { ceilings, own } = await load(customerId);
      return effectiveLimits(ceilings, own);
    },

    async messagesThisMonth(customerId) {
      return counted('month', customerId, windows(now()).month.start);
    },

    async checkSend(customerId) {
      const { ceilings, own } = await load(customerId);
      const limits = effectiveLimits(ceilings, own);
      const w = windows(now());
      if (limits.monthlyBudgetUsd !== null) {
        const spend = await deps.usage.monthSpendUsd(customerId);
        if (spend >= limits.monthlyBudgetUsd) throw exceeded('monthlyBudgetUsd', spend, limits.monthlyBudgetUsd, w.month.end);
      }
      const counters: { field: LimitField; kind: 'second' | 'day' | 'month' }[] = [
        { field: 'sendsPerSecond', kind: 'second' },
        { field: 'messagesPerDay', kind: 'day' },
        { field: 'messagesPerMonth', kind: 'month' },
      ];
      // Day and month are always counted (the usage page and alerts read them); the second only when limited.
      const active = counters.filter((c) => c.kind !== 'second' || limits.sendsPerSecond !== null);
      const windowsCounted = active.map((c) => ({ key: key(c.kind, customerId), start: w[c.kind].start }));
      await db.tx(async (tx) => {
        for (const c of active) {
          const max = limits[c.field];
          const start = w[c.kind].start;
          const rows = await tx.query<{ count: number }>(
            `INSERT INTO isv.rate_limits (key, window_start, count) SELECT $1, $2, 1 WHERE $3::int IS NULL OR $3::int >= 1
             ON CONFLICT (key, window_start) DO UPDATE SET count = isv.rate_limits.count + 1
              WHERE $3::int IS NULL OR isv.rate_limits.count < $3::int
             RETURNING count`,
            [key(c.kind, customerId), start, max],
          );
          if (rows.length === 0) {
            const current = (await tx.query<{ count: number }>(`SELECT count FROM isv.rate_limits WHERE key = $1 AND window_start = $2`, [key(c.kind, customerId), start]))[0]?.count ?? 0;
            throw exceeded(c.field, current, max!, w[c.kind].end);
          }
          // The first send of a window drops this counter's old windows, so the table does not grow.
          if (rows[0]!.count === 1) await deleteRateLimitWindowsBefore(tx, key(c.kind, customerId), new Date(start.getTime() - RETENTION_MS[c.kind]));
        }
      });
      return {
        async release() {
          for (const c of windowsCounted) {
            await db.query(`UPDATE isv.rate_limits SET count = count - 1 WHERE key = $1 AND window_start = $2 AND count > 0`, [c.key, c.start]);
          }
        },
      };
    },
  };
}
