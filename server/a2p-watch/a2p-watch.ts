// Watching A2P 10DLC after approval. A registered brand and its campaign can change long after the flow
// finished: suspended by the carriers, expired, deleted. Every brand with a verified campaign is re-read from
// Twilio (in the account it was registered in) through the gateway's A2P spacing (~1 request/s per master,
// shared by all instances), at an interval that doubles while nothing changes, up to A2P_WATCH_INTERVAL_MS, and
// drops back to the shortest after a change. Sending readiness reads the recorded live status (a2p-status.ts),
// so a suspension refuses sends before Twilio is called and a reinstatement lifts it. A change lands on the
// registration's timeline and in the audit log; a status the platform does not know goes to operators.
import type { Db } from '../platform/db/db.ts';
import type { Logger } from '../platform/logger.ts';
import { appendAudit } from '../audit/audit.dao.ts';
import { TwilioCallError, type TwilioGateway } from '../twilio/gateway.ts';
import { findConnectionByCustomer, findSubaccountByCustomer } from '../subaccounts/subaccounts.dao.ts';
import { insertFlowEvent } from '../onboarding/flows.dao.ts';
import { BRAND_OK, CAMPAIGN_OK, GONE, isKnownBrandStatus, isKnownCampaignStatus, normalizeBrandStatus } from './a2p-status.ts';
import { claimDueBrands, postponeWatch, recordEventSink, recordWatch, type WatchedBrand } from './a2p-watch.dao.ts';
import { ensureNumberRegistrationSink } from './event-sink.ts';

export interface A2pWatchDeps {
  db: Db;
  twilio: TwilioGateway;
  logger: Logger;
  /** The longest interval between two reads of a stable brand. */
  maxIntervalMs: number;
  now?: () => Date;
  /** Brands read per run. */
  batch?: number;
  /** Where Twilio's Event Streams deliver (the sink a flow finished without is created here). */
  publicBaseUrl: string;
}

export interface A2pWatch {
  /** Reads every brand that is due (up to the batch); returns what it found. */
  runOnce(): Promise<{ checked: number; changed: number; attention: number }>;
  /**
   * A run in progress stops after the brand it is reading (each read waits for A2P slots, so a whole batch can
   * take minutes); the brands it claimed but did not read come round again when their claim runs out.
   */
  stop(): void;
}

const BRAND_TEXT: Record<string, string> = {
  APPROVED: 'is approved again',
  SUSPENDED: 'was suspended by the carriers',
  DELETION_PENDING: 'is being deleted',
  DELETION_FAILED: 'could not be deleted',
  [GONE]: 'no longer exists in Twilio',
};
const CAMPAIGN_TEXT: Record<string, string> = {
  VERIFIED: 'is verified again',
  SUSPENDED: 'was suspended by the carriers',
  EXPIRED: 'expired',
  [GONE]: 'no longer exists in Twilio',
};
const describe = (what: 'brand' | 'campaign', status: string) =>
  `Twilio reports that the A2P 10DLC ${what} ${(what === 'brand' ? BRAND_TEXT : CAMPAIGN_TEXT)[status] ?? `is now ${status}`}`;

export function createA2pWatch(deps: A2pWatchDeps): A2pWatch {
  const { db, twilio } = deps;
  const now = deps.now ?? (() => new Date());
  const log = deps.logger.child({ component: 'a2p.watch' });
  const max = deps.maxIntervalMs;
  // The shortest interval: an eighth of the longest, at most a minute (60 s → … → 1 h by default).
  const min = Math.max(1, Math.min(60_000, Math.floor(max / 8)));

  async function accountOf(b: WatchedBrand): Promise<string | undefined> {
    const row = b.connected ? await findConnectionByCustomer(db, b.customer_id) : await findSubaccountByCustomer(db, b.customer_id);
    return row?.account_sid;
  }

  /** Twilio's status of a resource, `DELETED` when it answers 404. */
  async function statusOf(operation: string, read: () => Promise<{ status: string }>): Promise<string> {
    try {
      return (await twilio.call(operation, read, { a2p: true })).status;
    } catch (err) {
      if (err instanceof TwilioCallError && err.httpStatus === 404) return GONE;
      throw err;
    }
  }

  async function watchOne(b: WatchedBrand): Promise<'unchanged' | 'changed' | 'attention' | 'skipped'> {
    const accountSid = await accountOf(b);
    // Disconnected or never made: nothing to read; look again at the longest interval.
    if (!accountSid) {
      await postponeWatch(db, b.brand_id, now(), max);
      return 'skipped';
    }
    const client = await twilio.subaccount(accountSid);
    const brandStatus = normalizeBrandStatus(await statusOf('a2p_watch.brand_registrations.fetch', async () => ({ status: String((await client.messaging.v1.brandRegistrations(b.brand_sid).fetch()).status) })));
    const campaignStatus = await statusOf('a2p_watch.campaigns.fetch', async () => ({
      status: String((await client.messaging.v1.services(b.messaging_service_sid).usAppToPerson(b.campaign_sid).fetch()).campaignStatus),
    }));
    // A registration finished before the flow subscribed to number-registration events: subscribe now, so the
    // numbers the customer adds later (and re-registrations) are tracked.
    if (!b.has_event_sink && b.flow_id) {
      const sink = await ensureNumberRegistrationSink(client, (op, fn, opts) => twilio.call(`a2p_watch.${op}`, fn, opts?.once ? { maxAttempts: 1 } : {}), deps.publicBaseUrl);
      await recordEventSink(db, b.flow_id, sink);
      log.info({ customerId: b.customer_id, sinkSid: sink.sinkSid }, 'a2p.watch_event_sink_created');
    }
    const at = now();
    const unknown = [!isKnownBrandStatus(brandStatus) && `brand ${brandStatus}`, !isKnownCampaignStatus(campaignStatus) && `campaign ${campaignStatus}`].filter(Boolean);
    const attention = unknown.length ? { reason: 'unknown_a2p_status', statuses: unknown, brandSid: b.brand_sid, campaignSid: b.campaign_sid, at: at.toISOString() } : null;
    const brandChanged = brandStatus !== normalizeBrandStatus(b.brand_status ?? BRAND_OK);
    const campaignChanged = campaignStatus !== (b.campaign_status ?? CAMPAIGN_OK);
    const healthy = brandStatus === BRAND_OK && campaignStatus === CAMPAIGN_OK;
    // Back to the shortest interval after a change or while something is wrong; stable brands are read less often.
    const intervalMs = brandChanged || campaignChanged || !healthy ? min : Math.min(max, Math.max(min, (b.watch_interval_ms ?? min / 2) * 2));
    await db.tx(async (tx) => {
      await recordWatch(tx, b.brand_id, { at, brandStatus, campaignStatus, intervalMs: attention ? max : intervalMs, attention });
      for (const [what, changed, status, sid] of [
        ['brand', brandChanged, brandStatus, b.brand_sid],
        ['campaign', campaignChanged, campaignStatus, b.campaign_sid],
      ] as const) {
        if (!changed) continue;
        const message = describe(what, status);
        if (b.flow_id) await insertFlowEvent(tx, { flowId: b.flow_id, at, from: 'done', to: 'done', message, data: { watch: true, [what]: sid, status } });
        await appendAudit(tx, {
          actor: null,
          action: `a2p.${what}_status_changed`,
          targetType: what === 'brand' ? 'brand_registration' : 'campaign',
          targetId: sid,
          customerId: b.customer_id,
          before: { status: (what === 'brand' ? b.brand_status : b.campaign_status) ?? (what === 'brand' ? BRAND_OK : CAMPAIGN_OK) },
          after: { status },
        });
      }
    });
    if (attention) {
      log.error({ customerId: b.customer_id, ...attention }, 'a2p.watch_unknown_status');
      return 'attention';
    }
    if (brandChanged || campaignChanged) {
      log.warn({ customerId: b.customer_id, brandSid: b.brand_sid, brandStatus, campaignStatus }, 'a2p.watch_status_changed');
      return 'changed';
    }
    return 'unchanged';
  }

  let stopping = false;
  return {
    stop() {
      stopping = true;
    },
    async runOnce() {
      if (stopping) return { checked: 0, changed: 0, attention: 0 };
      const due = await claimDueBrands(db, { now: now(), leaseMs: 5 * 60_000, limit: deps.batch ?? 50, settleMs: min });
      let checked = 0;
      let changed = 0;
      let attention = 0;
      for (const b of due) {
        if (stopping) break;
        checked++;
        try {
          const r = await watchOne(b);
          if (r === 'changed') changed++;
          if (r === 'attention') attention++;
        } catch (err) {
          // Twilio's fault or a revoked token: the statuses stay as they were; read again soon.
          log.warn({ customerId: b.customer_id, brandSid: b.brand_sid, reason: err instanceof TwilioCallError ? err.twilioMessage : String(err) }, 'a2p.watch_read_failed');
          await postponeWatch(db, b.brand_id, now(), min);
        }
      }
      return { checked, changed, attention };
    },
  };
}

/** Runs the watch every `tickMs` (the shortest watch interval, at most a minute) until stopped. */
export function createA2pWatchJob(o: { watch: A2pWatch; tickMs: number; logger: Logger }) {
  const log = o.logger.child({ component: 'a2p.watch' });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  const run = () => {
    if (running) return;
    running = o.watch
      .runOnce()
      .then((r) => r.checked && log.debug(r, 'a2p.watch_ran'))
      .catch((err: unknown) => log.error({ err }, 'a2p.watch_failed'))
      .finally(() => (running = undefined));
  };
  return {
    start() {
      if (timer) return;
      timer = setInterval(run, o.tickMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      o.watch.stop();
      await running;
    },
  };
}
