// Segments and price of finished messages, fetched from Twilio: a send through a Messaging Service is answered
// with num_segments 0 and price null, and status callbacks carry neither (FACTS §1, §9.3). Each finished message
// is fetched once it is final and again with backoff while Twilio has not priced it, at most MAX_ATTEMPTS times.
// Claims are leases (settle_after), so any number of instances can run it; nothing is held in memory.
import type { Db } from '../platform/db/db.ts';
import type { Logger } from '../platform/logger.ts';
import { createCronJob } from '../platform/cron-job.ts';
import type { TwilioGateway } from '../twilio/gateway.ts';
import { claimUnsettledMessages, recordSettlement } from './messaging.dao.ts';

const MAX_ATTEMPTS = 6;
/** First retry after a minute, then 2, 4, 8 and 16: Twilio usually prices a message within minutes of sending it. */
const BACKOFF_MS = 60_000;
const MAX_AGE_DAYS = 7;
const BATCH = 50;

const segmentsOf = (v: unknown): number | null => (v !== null && v !== undefined && /^\d+$/.test(String(v)) ? Number(v) : null);
const priceOf = (v: unknown): string | null => (v !== null && v !== undefined && /^-?\d+(\.\d+)?$/.test(String(v)) ? String(v) : null);

export interface MessageSettlement {
  /** One batch: fetches claimed messages from Twilio and stores their segments and price; returns how many were fetched. */
  settle(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

export function createMessageSettlement(o: { db: Db; twilio: TwilioGateway; logger: Logger; cron: string }): MessageSettlement {
  const log = o.logger.child({ component: 'messaging.settlement' });

  const settle = async (): Promise<number> => {
    const claimed = await claimUnsettledMessages(o.db, { limit: BATCH, maxAttempts: MAX_ATTEMPTS, backoffMs: BACKOFF_MS, maxAgeDays: MAX_AGE_DAYS });
    let fetched = 0;
    for (const m of claimed) {
      try {
        // No transaction is open during the call; the lease keeps other instances off this row.
        const client = await o.twilio.subaccount(m.account_sid);
        const t = await o.twilio.call('messages.fetch', () => client.messages(m.sid).fetch(), { maxAttempts: 1 });
        await recordSettlement(o.db, m.id, { numSegments: segmentsOf(t.numSegments), price: priceOf(t.price), priceUnit: t.priceUnit ?? null });
        fetched++;
      } catch (err) {
        // The backoff already moved settle_after: the next attempt comes by itself.
        log.warn({ err, messageSid: m.sid, attempt: m.settle_attempts }, 'messaging.settlement_fetch_failed');
      }
    }
    if (claimed.length) log.debug({ claimed: claimed.length, fetched }, 'messaging.settled');
    return fetched;
  };

  return { settle, ...createCronJob({ name: 'messaging.settlement', cron: o.cron, logger: o.logger, run: settle }) };
}
