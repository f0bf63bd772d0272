// api.twilio.com Usage/Records/ThisMonth: message counts and prices of the current calendar month, computed
// from the sandbox's own messages and numbers. IncludeSubaccounts defaults to true, as Twilio's does.
import { defineModule, errors, type AccountRecord } from '../framework.ts';
import { MESSAGE_KIND, type MessageRecord } from './messages.ts';
import { NUMBER_KIND } from './numbers.ts';

const HOST = 'api.twilio.com';
const NUMBER_MONTHLY_PRICE = 1.15;

interface Category {
  category: string;
  description: string;
  countUnit: string;
  usageUnit: string;
}

const CATEGORIES: Category[] = [
  { category: 'sms', description: 'SMS', countUnit: 'messages', usageUnit: 'messages' },
  { category: 'sms-outbound', description: 'Outbound SMS', countUnit: 'messages', usageUnit: 'messages' },
  { category: 'sms-inbound', description: 'Inbound SMS', countUnit: 'messages', usageUnit: 'messages' },
  { category: 'phonenumbers', description: 'Phone Numbers', countUnit: 'phone-numbers', usageUnit: 'phone-numbers' },
];

export const usageModule = defineModule('usage', (api) => {
  api.route('GET', HOST, '/2010-04-01/Accounts/{AccountSid}/Usage/Records/ThisMonth.json', (ctx) => {
    const category = ctx.param('Category');
    const includeSubs = ctx.bool('IncludeSubaccounts') ?? true;
    if (category !== undefined && !CATEGORIES.some((c) => c.category === category)) {
      // Twilio knows hundreds of categories; the sandbox only meters these, so others are refused plainly.
      throw errors.invalidParam('Category', `the sandbox meters only ${CATEGORIES.map((c) => c.category).join(', ')}`);
    }
    const now = ctx.now();
    const month = now.toISOString().slice(0, 7);
    const accounts = new Set([ctx.accountSid]);
    if (includeSubs) {
      for (const a of api.state.list<AccountRecord>('account', (x) => x.owner_account_sid === ctx.accountSid)) accounts.add(a.sid);
    }
    const messages = api.state.list<MessageRecord>(
      MESSAGE_KIND,
      (m) => accounts.has(m.account_sid) && m.date_created.slice(0, 7) === month && m.status !== 'failed' && !m.to.startsWith('whatsapp:'),
    );
    const numbers = api.state.list(NUMBER_KIND, (n) => accounts.has(n.account_sid));
    const sum = (ms: MessageRecord[]) => ({
      count: ms.length,
      usage: ms.reduce((s, m) => s + Math.max(1, Number(m.num_segments) || 0), 0),
      price: ms.reduce((s, m) => s + Math.abs(Number(m.price ?? 0)), 0),
    });
    const out = messages.filter((m) => m.direction !== 'inbound');
    const inbound = messages.filter((m) => m.direction === 'inbound');
    const figures: Record<string, { count: number; usage: number; price: number }> = {
      sms: sum(messages),
      'sms-outbound': sum(out),
      'sms-inbound': sum(inbound),
      phonenumbers: { count: numbers.length, usage: numbers.length, price: numbers.length * NUMBER_MONTHLY_PRICE },
    };
    const startDate = `${month}-01`;
    const endDate = now.toISOString().slice(0, 10);
    const base = `/2010-04-01/Accounts/${ctx.accountSid}/Usage/Records`;
    const records = CATEGORIES.filter((c) => category === undefined || c.category === category).map((c) => {
      const f = figures[c.category]!;
      const q = `?Category=${c.category}`;
      return {
        account_sid: ctx.accountSid,
        api_version: '2010-04-01',
        as_of: now.toISOString().replace(/\.\d{3}Z$/, '+00:00'),
        category: c.category,
        count: String(f.count),
        count_unit: c.countUnit,
        description: c.description,
        end_date: endDate,
        price: Math.round(f.price * 100000) / 100000,
        price_unit: 'usd',
        start_date: startDate,
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
        uri: `${base}/ThisMonth.json${q}&StartDate=${startDate}&EndDate=${endDate}`,
        usage: String(f.usage),
        usage_unit: c.usageUnit,
      };
    });
    return ctx.ok(api.pageV2010(ctx, 'usage_records', records));
  });
});
