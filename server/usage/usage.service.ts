// Usage per customer: Twilio's daily Usage Records of the account each customer sends through, read
// nightly and on demand (a day read again replaces what was stored for it), combined with the platform's own
// message counts; the customer's report, the operators' report across customers, and CSV for both.
import type { Db } from '../platform/db/db.ts';
import type { Logger } from '../platform/logger.ts';
import type { TwilioGateway } from '../twilio/gateway.ts';
import { SPEND_CATEGORIES, countMessages, lastIngestedAt, listUsageAccounts, monthSpend, averagePricePerSegment, replaceUsageRecords, sumUsage, topErrorCodes, type UsageRecordInput } from './usage.dao.ts';
import { USAGE_CATEGORIES, type OperatorUsage, type OperatorUsageQuery, type UsageItem, type UsageQuery, type UsageReport } from '../../shared/usage.ts';

/** Categories stored: the ones shown plus Twilio's totalprice (the day's whole spend). */
const INGESTED_CATEGORIES = new Set<string>([...USAGE_CATEGORIES, 'totalprice']);
/** Twilio's US SMS list price per segment, the estimate until the customer's own messages are priced. */
export const DEFAULT_PRICE_PER_SEGMENT_USD = 0.0083;

const DAY_MS = 86_400_000;
export const isoDay = (d: Date) => d.toISOString().slice(0, 10);
export const monthStartOf = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
export const nextMonthStartOf = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));

export interface UsageService {
  /** Reads [from, to] (default yesterday and today) of every account of one customer, or of all customers. */
  ingest(opts?: { customerId?: string; from?: string; to?: string }): Promise<{ days: number; records: number; failed: number }>;
  report(customerId: string, q: UsageQuery): Promise<UsageReport>;
  operatorReport(q: OperatorUsageQuery, budgets: Map<string, number | null>): Promise<OperatorUsage>;
  /** This month's spend so far: reported by Twilio plus the estimate for what it has not reported yet. */
  monthSpendUsd(customerId: string): Promise<number>;
}

export function createUsageService(deps: { db: Db; twilio: TwilioGateway; logger: Logger; now?: () => Date }): UsageService {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const log = deps.logger.child({ component: 'usage' });

  function range(q: { from?: string; to?: string }, defaultDays: number): { from: string; to: string } {
    const to = q.to ?? isoDay(now());
    const from = q.from ?? isoDay(new Date(Date.parse(`${to}T00:00:00Z`) - (defaultDays - 1) * DAY_MS));
    return { from, to };
  }

  async function ingestAccount(customerId: string, accountSid: string, from: string, to: string): Promise<number> {
    const client = await deps.twilio.subaccount(accountSid);
    const records = await deps.twilio.call('usage.daily', () =>
      client.api.v2010.accounts(accountSid).usage.records.daily.list({
        startDate: new Date(`${from}T00:00:00Z`),
        endDate: new Date(`${to}T00:00:00Z`),
        includeSubaccounts: false,
        pageSize: 1000,
      }),
    );
    const rows: UsageRecordInput[] = [];
    for (const r of records) {
      if (!r.category || !INGESTED_CATEGORIES.has(String(r.category))) continue;
      const day = r.startDate ? isoDay(new Date(r.startDate)) : undefined;
      if (!day || day < from || day > to) continue;
      const num = (v: unknown) => {
        const n = Math.abs(Number(v));
        return Number.isFinite(n) ? n : 0;
      };
      const row = { day, category: String(r.category), count: num(r.count), usage: num(r.usage), price: num(r.price), priceUnit: String(r.priceUnit ?? 'usd').toUpperCase() };
      // Days without any use are not stored (the replace still clears what an earlier read stored for them).
      if (row.count || row.usage || row.price) rows.push(row);
    }
    await replaceUsageRecords(db, customerId, accountSid, from, to, rows);
    return rows.length;
  }

  return {
    async ingest(opts = {}) {
      const yesterday = isoDay(new Date(now().getTime() - DAY_MS));
      const from = opts.from ?? yesterday;
      const to = opts.to ?? isoDay(now());
      const accounts = await listUsageAccounts(db, opts.customerId);
      let records = 0;
      let failed = 0;
      for (const a of accounts) {
        try {
          records += await ingestAccount(a.customer_id, a.account_sid, from, to);
        } catch (err) {
          // One account failing (revoked token, Twilio down) must not stop the others; the next run reads it again.
          failed++;
          log.warn({ customerId: a.customer_id, accountSid: a.account_sid, err: err instanceof Error ? err.message : String(err) }, 'usage.ingest_failed');
          if (opts.customerId) throw err;
        }
      }
      const days = Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS) + 1;
      log.info({ accounts: accounts.length, records, failed, from, to }, 'usage.ingested');
      return { days, records, failed };
    },

    async report(customerId, q) {
      const { from, to } = range(q, 30);
      const [rows, messages, ingestedAt] = await Promise.all([
        sumUsage(db, customerId, from, to, q.granularity),
        countMessages(db, customerId, from, to, q.granularity),
        lastIngestedAt(db, customerId),
      ]);
      const items: UsageItem[] = rows
        .filter((r) => r.category !== 'totalprice')
        .map((r) => ({ date: r.period, category: r.category, count: r.count, usage: r.usage, price: round(r.price), priceUnit: r.price_unit }));
      const byCategory: UsageReport['totals']['byCategory'] = {};
      for (const i of items) {
        const c = (byCategory[i.category] ??= { count: 0, usage: 0, price: 0 });
        c.count += i.count;
        c.usage += i.usage;
        c.price = round(c.price + i.price);
      }
      const finished = messages.filter((m) => m.direction === 'outbound');
      return {
        from,
        to,
        granularity: q.granularity,
        items,
        totals: {
          price: spendOf(rows),
          priceUnit: rows[0]?.price_unit ?? 'USD',
          byCategory,
          messages: {
            total: messages.reduce((s, m) => s + m.count, 0),
            delivered: finished.filter((m) => m.status === 'delivered' || m.status === 'read').reduce((s, m) => s + m.count, 0),
            failed: finished.filter((m) => m.status === 'failed' || m.status === 'undelivered').reduce((s, m) => s + m.count, 0),
            segments: messages.reduce((s, m) => s + m.segments, 0),
          },
        },
        messages: messages.map((m) => ({ date: m.period, channel: m.channel, direction: m.direction, status: m.status, count: m.count, segments: m.segments })),
        ingestedAt: ingestedAt?.toISOString() ?? null,
      };
    },

    async operatorReport(q, budgets) {
      const { from, to } = range(q, Math.max(1, Math.round((now().getTime() - monthStartOf(now()).getTime()) / DAY_MS) + 1));
      const [rows, messages, errors, names] = await Promise.all([
        sumUsage(db, null, from, to, q.granularity),
        countMessages(db, null, from, to, q.granularity),
        topErrorCodes(db, from, to),
        db.query<{ id: string; legal_name: string }>(`SELECT id, legal_name FROM isv.customers ORDER BY legal_name`),
      ]);
      const customers = names.map((c) => {
        const mine = rows.filter((r) => r.customer_id === c.id);
        const msgs = messages.filter((m) => m.customer_id === c.id);
        const outbound = msgs.filter((m) => m.direction === 'outbound');
        const sum = (pred: (s: string) => boolean) => outbound.filter((m) => pred(m.status)).reduce((s, m) => s + m.count, 0);
        const delivered = sum((s) => s === 'delivered' || s === 'read');
        const failed = sum((s) => s === 'failed' || s === 'undelivered');
        return {
          customerId: c.id,
          customerName: c.legal_name,
          spend: spendOf(mine),
          priceUnit: mine[0]?.price_unit ?? 'USD',
          messages: msgs.reduce((s, m) => s + m.count, 0),
          delivered,
          failed,
          deliveryRate: delivered + failed > 0 ? round(delivered / (delivered + failed)) : null,
          monthlyBudgetUsd: budgets.get(c.id) ?? null,
        };
      });
      if (q.sort === 'name') customers.sort((a, b) => a.customerName.localeCompare(b.customerName));
      else customers.sort((a, b) => (q.sort === 'spend' ? a.spend - b.spend : b.spend - a.spend) || a.customerName.localeCompare(b.customerName));
      const order = new Map(customers.map((c, i) => [c.customerId, i]));
      const nameOf = new Map(names.map((c) => [c.id, c.legal_name]));
      const items = rows
        .filter((r) => r.category !== 'totalprice')
        .map((r) => ({ customerId: r.customer_id, customerName: nameOf.get(r.customer_id) ?? '', date: r.period, category: r.category, count: r.count, usage: r.usage, price: round(r.price), priceUnit: r.price_unit }))
        .sort((a, b) => order.get(a.customerId)! - order.get(b.customerId)! || a.date.localeCompare(b.date) || a.category.localeCompare(b.category));
      return {
        from,
        to,
        customers,
        items,
        totals: { price: round(customers.reduce((s, c) => s + c.spend, 0)), priceUnit: 'USD', messages: customers.reduce((s, c) => s + c.messages, 0) },
        topErrorCodes: errors,
      };
    },

    async monthSpendUsd(customerId) {
      const t = now();
      const perSegment = (await averagePricePerSegment(db, customerId)) ?? DEFAULT_PRICE_PER_SEGMENT_USD;
      const s = await monthSpend(db, customerId, monthStartOf(t), nextMonthStartOf(t), perSegment);
      return round(s.reported + s.estimated);
    },
  };
}

const round = (n: number) => Math.round(n * 100000) / 100000;

/** A set of rows' spend: per customer and period Twilio's totalprice when present, else the categories added up. */
function spendOf(rows: { customer_id: string; period: string; category: string; price: number }[]): number {
  const groups = new Map<string, { total?: number; parts: number }>();
  for (const r of rows) {
    const g = groups.get(`${r.customer_id} ${r.period}`) ?? { parts: 0 };
    if (r.category === 'totalprice') g.total = r.price;
    else if (SPEND_CATEGORIES.includes(r.category)) g.parts += r.price;
    groups.set(`${r.customer_id} ${r.period}`, g);
  }
  return round([...groups.values()].reduce((s, g) => s + (g.total ?? g.parts), 0));
}

/** RFC 4180 CSV of rows (first row: the header). */
export function toCsv(header: string[], rows: (string | number | null)[][]): string {
  const cell = (v: string | number | null) => {
    const s = v === null ? '' : String(v);
    // A leading = + - @ would run as a formula in a spreadsheet; quote such cells with a leading apostrophe.
    const safe = /^[=+\-@\t\r]/.test(s) && typeof v === 'string' ? `'${s}` : s;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
