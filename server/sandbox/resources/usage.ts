// api.twilio.com Usage/Records/ThisMonth: message counts and prices of the current calendar month, and
// Usage/Records/Daily: one record per day and category, both computed from what the sandbox actually sent,
// received and charged (messages, numbers, A2P registrations). IncludeSubaccounts defaults to true, as Twilio's does.
import { defineModule, errors, type AccountRecord, type Ctx, type SandboxApi, type StoredRecord } from '../framework.ts';
import { MESSAGE_KIND, type MessageRecord } from './messages.ts';
import { NUMBER_KIND } from './numbers.ts';
import { BRAND_KIND } from './brands.ts';
import { CAMPAIGN_KIND } from './campaigns.ts';

const HOST = 'api.twilio.com';
const NUMBER_MONTHLY_PRICE = 1.15;

interface Category {
  category: string;
  description: string;
  countUnit: string;
  usageUnit: string;
}


/** Brand registration ($4 one-time) and campaign vetting ($15 per submission), as shared/a2p-fees.ts lists them. */
export const SANDBOX_A2P_FEES = { brand: 4, campaign: 15 };

/** Categories of the Daily list: each is a figure the sandbox really has (Twilio knows many more). */
const DAILY_CATEGORIES: Category[] = [
  { category: 'sms', description: 'SMS', countUnit: 'messages', usageUnit: 'messages' },
  { category: 'sms-outbound', description: 'Outbound SMS', countUnit: 'messages', usageUnit: 'messages' },
  { category: 'sms-inbound', description: 'Inbound SMS', countUnit: 'messages', usageUnit: 'messages' },
  { category: 'channels-whatsapp', description: 'WhatsApp', countUnit: 'messages', usageUnit: 'messages' },
  { category: 'channels-whatsapp-outbound', description: 'WhatsApp Outbound', countUnit: 'messages', usageUnit: 'messages' },
  { category: 'channels-whatsapp-inbound', description: 'WhatsApp Inbound', countUnit: 'messages', usageUnit: 'messages' },
  { category: 'phonenumbers', description: 'Phone Numbers', countUnit: 'phone-numbers', usageUnit: 'phone-numbers' },
  { category: 'a2p-registration-fees', description: 'A2P Registration Fees', countUnit: 'registrations', usageUnit: 'registrations' },
  { category: 'totalprice', description: 'Total Price', countUnit: '', usageUnit: 'usd' },
];

/** ThisMonth meters the SMS and number categories only. */
const CATEGORIES = DAILY_CATEGORIES.filter((c) => ['sms', 'sms-outbound', 'sms-inbound', 'phonenumbers'].includes(c.category));

type Figure = { count: number; usage: number; price: number };

/** Messages counted as Twilio bills them: usage in segments (at least one each), price as a positive amount. */
const sumMessages = (ms: MessageRecord[]): Figure => ({
  count: ms.length,
  usage: ms.reduce((s, m) => s + Math.max(1, Number(m.num_segments) || 0), 0),
  price: ms.reduce((s, m) => s + Math.abs(Number(m.price ?? 0)), 0),
});

const dayOf = (iso: string) => iso.slice(0, 10);
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The accounts a usage request covers: the path account and, unless IncludeSubaccounts=false, its subaccounts. */
function coveredAccounts(api: SandboxApi, ctx: Ctx): Set<string> {
  const accounts = new Set([ctx.accountSid]);
  if (ctx.bool('IncludeSubaccounts') ?? true) {
    for (const a of api.state.list<AccountRecord>('account', (x) => x.owner_account_sid === ctx.accountSid)) accounts.add(a.sid);
  }
  return accounts;
}

/** Every daily category's figure for one day, from the sandbox's own records. */
function dailyFigures(api: SandboxApi, accounts: Set<string>, day: string): Record<string, Figure> {
  const messages = api.state.list<MessageRecord>(MESSAGE_KIND, (m) => accounts.has(m.account_sid) && dayOf(m.date_created) === day && m.status !== 'failed');
  const wa = (m: MessageRecord) => m.to.startsWith('whatsapp:') || (m.from ?? '').startsWith('whatsapp:');
  const sms = messages.filter((m) => !wa(m));
  const whatsapp = messages.filter(wa);
  const inbound = (m: MessageRecord) => m.direction === 'inbound';
  // A number is charged its monthly price on the day it was bought and on that day of every later month.
  const numbers = api.state.list(NUMBER_KIND, (n) => {
    if (!accounts.has(n.account_sid) || typeof n.date_created !== 'string') return false;
    const bought = dayOf(n.date_created);
    return bought <= day && bought.slice(8) === day.slice(8);
  });
  const registrations = [
    ...api.state.list(BRAND_KIND, (b) => accounts.has(b.account_sid) && typeof b.date_created === 'string' && dayOf(b.date_created) === day).map(() => SANDBOX_A2P_FEES.brand),
    ...api.state.list(CAMPAIGN_KIND, (c: StoredRecord) => accounts.has(c.account_sid) && typeof c.date_created === 'string' && dayOf(c.date_created) === day).map(() => SANDBOX_A2P_FEES.campaign),
  ];
  const f: Record<string, Figure> = {
    sms: sumMessages(sms),
    'sms-outbound': sumMessages(sms.filter((m) => !inbound(m))),
    'sms-inbound': sumMessages(sms.filter(inbound)),
    'channels-whatsapp': sumMessages(whatsapp),
    'channels-whatsapp-outbound': sumMessages(whatsapp.filter((m) => !inbound(m))),
    'channels-whatsapp-inbound': sumMessages(whatsapp.filter(inbound)),
    phonenumbers: { count: numbers.length, usage: numbers.length, price: numbers.length * NUMBER_MONTHLY_PRICE },
    'a2p-registration-fees': { count: registrations.length, usage: registrations.length, price: registrations.reduce((s, p) => s + p, 0) },
  };
  const total = f.sms!.price + f['channels-whatsapp']!.price + f.phonenumbers!.price + f['a2p-registration-fees']!.price;
  f.totalprice = { count: 0, usage: total, price: total };
  return f;
}

/** A usage record as Twilio's Usage/Records lists answer it, for one category over one period. */
function usageRecord(ctx: Ctx, c: Category, f: Figure, period: { list: 'Daily' | 'ThisMonth'; startDate: string; endDate: string }): Record<string, unknown> {
  const base = `/2010-04-01/Accounts/${ctx.accountSid}/Usage/Records`;
  const q = `?Category=${c.category}`;
  const round = (n: number) => Math.round(n * 100000) / 100000;
  return {
    account_sid: ctx.accountSid,
    api_version: '2010-04-01',
    as_of: ctx.now().toISOString().replace(/\.\d{3}Z$/, '+00:00'),
    category: c.category,
    count: String(f.count),
    count_unit: c.countUnit,
    description: c.description,
    end_date: period.endDate,
    price: round(f.price),
    price_unit: 'usd',
    start_date: period.startDate,
    subresource_uris: {
      all_time: `${base}/AllTime.json${q}`,
      daily: `${base}/Daily.json${q}`,
      last_month: `${base}/LastMonth.json${q}`,
      monthly: `${base}/Monthly.json${q}`,
      this_month: `${base}/ThisMonth.json${q}`,
      today: `${base}/Today.json${q}`,
      yearly: `${base}/Yearly.json${q}`,
      yesterday: `${base}/Yesterday.json${q}`,
    },
    uri: `${base}/${period.list}.json${q}&StartDate=${period.startDate}&EndDate=${period.endDate}`,
    usage: String(round(f.usage)),
    usage_unit: c.usageUnit,
  };
}

export const usageModule = defineModule('usage', (api) => {
  // Daily: StartDate/EndDate (YYYY-MM-DD, inclusive; default the last 30 days), optional Category.
  api.route('GET', HOST, '/2010-04-01/Accounts/{AccountSid}/Usage/Records/Daily.json', (ctx) => {
    const category = ctx.param('Category');
    if (category !== undefined && !DAILY_CATEGORIES.some((c) => c.category === category)) {
      throw errors.invalidParam('Category', `the sandbox meters only ${DAILY_CATEGORIES.map((c) => c.category).join(', ')}`);
    }
    const today = dayOf(ctx.now().toISOString());
    const endDate = ctx.param('EndDate') ?? today;
    const startDate = ctx.param('StartDate') ?? dayOf(new Date(Date.parse(`${endDate}T00:00:00Z`) - 29 * 86_400_000).toISOString());
    for (const [name, v] of [['StartDate', startDate], ['EndDate', endDate]] as const) {
      if (!DATE.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) throw errors.invalidParam(name, 'must be a date YYYY-MM-DD');
    }
    if (startDate > endDate) throw errors.invalidParam('StartDate', 'must not be after EndDate');
    const accounts = coveredAccounts(api, ctx);
    const records: Record<string, unknown>[] = [];
    for (let t = Date.parse(`${startDate}T00:00:00Z`); t <= Date.parse(`${endDate}T00:00:00Z`); t += 86_400_000) {
      const day = dayOf(new Date(t).toISOString());
      const figures = dailyFigures(api, accounts, day);
      for (const c of DAILY_CATEGORIES) {
        if (category !== undefined && c.category !== category) continue;
        records.push(usageRecord(ctx, c, figures[c.category]!, { list: 'Daily', startDate: day, endDate: day }));
      }
    }
    return ctx.ok(api.pageV2010(ctx, 'usage_records', records));
  });

  api.route('GET', HOST, '/2010-04-01/Accounts/{AccountSid}/Usage/Records/ThisMonth.json', (ctx) => {
    const category = ctx.param('Category');
    if (category !== undefined && !CATEGORIES.some((c) => c.category === category)) {
      // Twilio knows hundreds of categories; the sandbox only meters these, so others are refused plainly.
      throw errors.invalidParam('Category', `the sandbox meters only ${CATEGORIES.map((c) => c.category).join(', ')}`);
    }
    const now = ctx.now();
    const month = now.toISOString().slice(0, 7);
    const accounts = coveredAccounts(api, ctx);
    const messages = api.state.list<MessageRecord>(
      MESSAGE_KIND,
      (m) => accounts.has(m.account_sid) && m.date_created.slice(0, 7) === month && m.status !== 'failed' && !m.to.startsWith('whatsapp:'),
    );
    const numbers = api.state.list(NUMBER_KIND, (n) => accounts.has(n.account_sid));
    const out = messages.filter((m) => m.direction !== 'inbound');
    const inbound = messages.filter((m) => m.direction === 'inbound');
    const figures: Record<string, Figure> = {
      sms: sumMessages(messages),
      'sms-outbound': sumMessages(out),
      'sms-inbound': sumMessages(inbound),
      phonenumbers: { count: numbers.length, usage: numbers.length, price: numbers.length * NUMBER_MONTHLY_PRICE },
    };
    const records = CATEGORIES.filter((c) => category === undefined || c.category === category).map((c) =>
      usageRecord(ctx, c, figures[c.category]!, { list: 'ThisMonth', startDate: `${month}-01`, endDate: dayOf(now.toISOString()) }),
    );
    return ctx.ok(api.pageV2010(ctx, 'usage_records', records));
  });
});
