// This month's usage of one Twilio account (Usage Records, this month), as the operator pages show it: the
// message count (category `sms`) and the month's price (`totalprice`). Read with whichever client may see the
// account: the master for its subaccounts, the account's own credentials for a connected account.
import type { Twilio } from 'twilio';
import type { Logger } from '../platform/logger.ts';
import type { TwilioGateway } from './gateway.ts';

export interface MonthUsage {
  count: number;
  price: number;
  priceUnit: string;
}

/** Usage categories that do not overlap (sms already includes sms-inbound and sms-outbound). */
const TOP_LEVEL_CATEGORIES = ['sms', 'mms', 'calls', 'phonenumbers', 'shortcodes'];

/** The usage, or null when it could not be read (logged: one account's usage failing must not hide the others). */
export async function monthUsage(twilio: TwilioGateway, client: Twilio, accountSid: string, logger: Logger): Promise<MonthUsage | null> {
  try {
    // One read of every category of the month: `sms` gives the message count, `totalprice` the month's price.
    const records = await twilio.call('usage.thisMonth', () => client.api.v2010.accounts(accountSid).usage.records.thisMonth.list({ pageSize: 1000 }));
    const byCategory = new Map(records.map((r) => [r.category, r]));
    const sms = byCategory.get('sms');
    const total = byCategory.get('totalprice');
    // Without a totalprice record (the sandbox meters only a few categories) the top-level ones are added up.
    const price = total ? Number(total.price) : TOP_LEVEL_CATEGORIES.reduce((s, c) => s + (Number(byCategory.get(c)?.price) || 0), 0);
    return {
      count: Number(sms?.count ?? 0) || 0,
      price: Math.round((Number.isFinite(price) ? price : 0) * 100000) / 100000,
      priceUnit: (total?.priceUnit ?? sms?.priceUnit ?? records[0]?.priceUnit ?? 'usd').toUpperCase(),
    };
  } catch (err) {
    logger.warn({ accountSid, err: err instanceof Error ? err.message : String(err) }, 'operator.usage_unavailable');
    return null;
  }
}
