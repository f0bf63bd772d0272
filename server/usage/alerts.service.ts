// Alerts per customer: 50/80/100 % of the monthly budget or message cap, a delivery rate below a
// threshold over the last N finished messages, a burst of a Twilio error code (30007 filtered, 30034
// unregistered, …). Each is raised once per period (a unique row in isv.alerts), shown in the portal, emailed to
// the customer's owners and, when the customer configured an endpoint, POSTed to it signed with HMAC-SHA256
// (docs/alert-webhooks.md) through a durable outbox (isv.alert_deliveries) retried with backoff.
import { createHmac, randomBytes } from 'node:crypto';
import type { Db } from '../platform/db/db.ts';
import type { KeyRing } from '../platform/crypto/keyring.ts';
import type { Logger } from '../platform/logger.ts';
import type { Mailer } from '../platform/mail/mailer.ts';
import { blockedHost, postToPublicUrl } from '../platform/outbound-http.ts';
import type { Principal } from '../platform/auth/principal.ts';
import { AppError, forbidden, notFound } from '../platform/errors.ts';
import { assertCustomerAccess } from '../customers/customer-access.ts';
import type { Alert, AlertSettings } from '../../shared/usage.ts';
import type { z } from 'zod';
import type { putAlertSettingsSchema } from '../../shared/usage.ts';
import type { LimitsService } from './limits.service.ts';
import type { UsageService } from './usage.service.ts';

export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  budgetThresholds: [50, 80, 100],
  deliveryRateMin: 0.9,
  deliveryRateWindow: 100,
  errorCodes: [30007, 30034],
  errorBurstCount: 5,
  errorBurstWindowMinutes: 60,
  webhookUrl: null,
};

/** Attempts of one alert webhook before it is given up (about a day and a half of backoff in all). */
export const MAX_WEBHOOK_ATTEMPTS = 12;
/** Backoff after the n-th failed attempt: 30 s, 1 min, 2 min, … capped at 6 h. */
export const webhookBackoffMs = (attempts: number) => Math.min(30_000 * 2 ** (attempts - 1), 6 * 3_600_000);

export const SIGNATURE_HEADER = 'X-ISV-Signature';
export const TIMESTAMP_HEADER = 'X-ISV-Timestamp';
export const EVENT_ID_HEADER = 'X-ISV-Event-Id';

/** `v1=` + hex HMAC-SHA256 of `${timestamp}.${body}` with the endpoint's signing secret. */
export function signAlertWebhook(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

type SettingsRow = {
  budget_thresholds: number[];
  delivery_rate_min: string | number;
  delivery_rate_window: number;
  error_codes: number[];
  error_burst_count: number;
  error_burst_window_minutes: number;
  webhook_url: string | null;
  webhook_secret_key_id: string | null;
  webhook_secret_ciphertext: string | null;
};

type AlertRow = { id: string; customer_id: string; kind: Alert['kind']; subject: string; period: string; message: string; detail: Record<string, unknown>; created_at: Date; read_at: Date | null };

const toAlert = (r: AlertRow): Alert => ({
  id: r.id,
  kind: r.kind,
  subject: r.subject,
  period: r.period,
  message: r.message,
  detail: r.detail,
  createdAt: new Date(r.created_at).toISOString(),
  readAt: r.read_at ? new Date(r.read_at).toISOString() : null,
});

export interface AlertsService {
  getSettings(principal: Principal, customerId: string): Promise<AlertSettings>;
  putSettings(principal: Principal, customerId: string, input: z.output<typeof putAlertSettingsSchema>): Promise<AlertSettings & { webhookSecret?: string }>;
  list(principal: Principal, customerId: string): Promise<{ items: Alert[]; unread: number }>;
  markRead(principal: Principal, customerId: string, alertId: string): Promise<Alert>;
  /** Checks every customer (or one) and raises what is due; returns the alerts raised. */
  evaluate(customerId?: string): Promise<Alert[]>;
  /** Delivers due alert webhooks; returns how many were attempted. */
  deliverDue(): Promise<number>;
}

export function createAlertsService(deps: {
  db: Db;
  keyRing: KeyRing;
  mailer: Mailer;
  logger: Logger;
  usage: UsageService;
  limits: LimitsService;
  publicBaseUrl: string;
  /** Plain http:// is accepted only for localhost outside production (a local receiver while developing). */
  allowHttpLocalhost: boolean;
  now?: () => Date;
}): AlertsService {
  const { db, keyRing } = deps;
  const now = deps.now ?? (() => new Date());
  const log = deps.logger.child({ component: 'alerts' });
  const aad = (customerId: string) => `alert_settings:${customerId}`;

  async function loadSettings(customerId: string): Promise<{ settings: AlertSettings; row?: SettingsRow }> {
    const rows = await db.query<SettingsRow>(`SELECT * FROM isv.alert_settings WHERE customer_id = $1`, [customerId]);
    const r = rows[0];
    if (!r) return { settings: { ...DEFAULT_ALERT_SETTINGS } };
    return {
      row: r,
      settings: {
        budgetThresholds: r.budget_thresholds.map(Number),
        deliveryRateMin: Number(r.delivery_rate_min),
        deliveryRateWindow: r.delivery_rate_window,
        errorCodes: r.error_codes.map(Number),
        errorBurstCount: r.error_burst_count,
        errorBurstWindowMinutes: r.error_burst_window_minutes,
        webhookUrl: r.webhook_url,
      },
    };
  }

  function checkUrl(url: string): void {
    const u = new URL(url);
    const invalid = (message: string) => new AppError(422, 'validation_failed', 'The alert endpoint is not allowed', [{ path: 'webhookUrl', message }]);
    const blocked = blockedHost(u.hostname, { allowLoopback: deps.allowHttpLocalhost });
    if (blocked) throw invalid(blocked === 'loopback' ? 'must be a public internet address, not this server' : 'must be a public internet address, not a private or reserved one');
    // Plain http only to this machine, and only where loopback is allowed (a local receiver while developing).
    if (u.protocol !== 'https:' && blockedHost(u.hostname, { allowLoopback: false }) !== 'loopback') throw invalid('must be an https:// URL');
  }

  /** Inserts the alert unless this (kind, subject, period) was raised already; then mails owners and queues the webhook. */
  async function raise(customerId: string, a: { kind: Alert['kind']; subject: string; period: string; message: string; detail: Record<string, unknown> }): Promise<Alert | undefined> {
    const rows = await db.query<AlertRow>(
      `INSERT INTO isv.alerts (customer_id, kind, subject, period, message, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (customer_id, kind, subject, period) DO NOTHING RETURNING *`,
      [customerId, a.kind, a.subject, a.period, a.message, JSON.stringify(a.detail), now()],
    );
    const row = rows[0];
    if (!row) return undefined;
    const { settings } = await loadSettings(customerId);
    if (settings.webhookUrl) {
      await db.query(`INSERT INTO isv.alert_deliveries (alert_id, customer_id, url, next_attempt_at) VALUES ($1, $2, $3, $4)`, [row.id, customerId, settings.webhookUrl, now()]);
    }
    const owners = await db.query<{ email: string; legal_name: string }>(
      `SELECT u.email, c.legal_name FROM isv.memberships m JOIN isv.users u ON u.id = m.user_id JOIN isv.customers c ON c.id = m.customer_id
        WHERE m.customer_id = $1 AND m.role = 'owner' ORDER BY u.email`,
      [customerId],
    );
    const link = `${deps.publicBaseUrl}/customers/${customerId}/usage`;
    for (const o of owners) {
      try {
        await deps.mailer.send({ to: o.email, subject: `${o.legal_name}: ${a.message}`, link, text: `${a.message}\n\nSee your usage, limits and alerts:\n\n${link}\n` });
      } catch (err) {
        log.warn({ customerId, alertId: row.id, err: err instanceof Error ? err.message : String(err) }, 'alerts.mail_failed');
      }
    }
    log.info({ customerId, alertId: row.id, kind: a.kind, subject: a.subject, period: a.period }, 'alert.raised');
    return toAlert(row);
  }

  async function evaluateCustomer(customerId: string): Promise<Alert[]> {
    const t = now();
    const { settings } = await loadSettings(customerId);
    const limits = await deps.limits.effective(customerId);
    const month = t.toISOString().slice(0, 7);
    const raised: Alert[] = [];
    const add = (a: Alert | undefined) => a && raised.push(a);
    const thresholds = [...settings.budgetThresholds].sort((x, y) => x - y);

    if (limits.monthlyBudgetUsd !== null && limits.monthlyBudgetUsd > 0) {
      const spend = await deps.usage.monthSpendUsd(customerId);
      const pct = (spend / limits.monthlyBudgetUsd) * 100;
      for (const th of thresholds.filter((x) => pct >= x)) {
        add(await raise(customerId, {
          kind: 'budget', subject: `${th}%`, period: month,
          message: th >= 100 ? `You have used your whole monthly budget of $${limits.monthlyBudgetUsd.toFixed(2)}: new messages are refused until next month.` : `You have used ${th}% of your monthly budget ($${spend.toFixed(2)} of $${limits.monthlyBudgetUsd.toFixed(2)}).`,
          detail: { threshold: th, spendUsd: spend, budgetUsd: limits.monthlyBudgetUsd },
        }));
      }
    }
    if (limits.messagesPerMonth !== null && limits.messagesPerMonth > 0) {
      const sent = await deps.limits.messagesThisMonth(customerId);
      const pct = (sent / limits.messagesPerMonth) * 100;
      for (const th of thresholds.filter((x) => pct >= x)) {
        add(await raise(customerId, {
          kind: 'monthly_messages', subject: `${th}%`, period: month,
          message: th >= 100 ? `You have sent all ${limits.messagesPerMonth} messages of your monthly cap: new messages are refused until next month.` : `You have sent ${th}% of your monthly cap (${sent} of ${limits.messagesPerMonth} messages).`,
          detail: { threshold: th, messages: sent, cap: limits.messagesPerMonth },
        }));
      }
    }
    const finished = await db.query<{ status: string }>(
      `SELECT status FROM isv.messages WHERE customer_id = $1 AND direction = 'outbound' AND status IN ('delivered', 'read', 'undelivered', 'failed')
        ORDER BY created_at DESC LIMIT $2`,
      [customerId, settings.deliveryRateWindow],
    );
    if (finished.length >= settings.deliveryRateWindow) {
      const rate = finished.filter((m) => m.status === 'delivered' || m.status === 'read').length / finished.length;
      if (rate < settings.deliveryRateMin) {
        add(await raise(customerId, {
          kind: 'delivery_rate', subject: `below ${Math.round(settings.deliveryRateMin * 100)}%`, period: t.toISOString().slice(0, 10),
          message: `Only ${Math.round(rate * 100)}% of your last ${finished.length} messages were delivered (your alert is below ${Math.round(settings.deliveryRateMin * 100)}%).`,
          detail: { rate, window: finished.length, min: settings.deliveryRateMin },
        }));
      }
    }
    if (settings.errorCodes.length) {
      const windowMs = settings.errorBurstWindowMinutes * 60_000;
      const bursts = await db.query<{ code: number; count: number }>(
        `SELECT error_code AS code, count(*)::int AS count FROM isv.messages
          WHERE customer_id = $1 AND error_code = ANY($2::int[]) AND updated_at > $3 GROUP BY error_code`,
        [customerId, settings.errorCodes, new Date(t.getTime() - windowMs)],
      );
      for (const b of bursts.filter((x) => x.count >= settings.errorBurstCount)) {
        add(await raise(customerId, {
          kind: 'error_burst', subject: String(b.code), period: new Date(Math.floor(t.getTime() / windowMs) * windowMs).toISOString(),
          message: `${b.count} of your messages failed with Twilio error ${b.code} in the last ${settings.errorBurstWindowMinutes} minutes.`,
          detail: { code: b.code, count: b.count, windowMinutes: settings.errorBurstWindowMinutes },
        }));
      }
    }
    return raised;
  }

  async function deliver(d: { id: string; alert_id: string; customer_id: string; url: string; attempts: number }): Promise<void> {
    const [alertRow] = await db.query<AlertRow>(`SELECT * FROM isv.alerts WHERE id = $1`, [d.alert_id]);
    const { row } = await loadSettings(d.customer_id);
    const attempts = d.attempts + 1;
    let error: string | undefined;
    if (!alertRow || !row?.webhook_secret_ciphertext || !row.webhook_secret_key_id) {
      error = 'the alert endpoint was removed';
    } else {
      const secret = keyRing.decrypt({ keyId: row.webhook_secret_key_id, ciphertext: row.webhook_secret_ciphertext }, aad(d.customer_id));
      const body = JSON.stringify({ id: alertRow.id, type: 'alert.raised', customerId: d.customer_id, alert: toAlert(alertRow) });
      const timestamp = String(Math.floor(now().getTime() / 1000));
      try {
        // Redirects are not followed; an address inside the platform's network is refused (postToPublicUrl).
        const res = await postToPublicUrl(d.url, {
          timeoutMs: 10_000,
          allowLoopback: deps.allowHttpLocalhost,
          headers: { 'Content-Type': 'application/json', 'User-Agent': 'isv-platform-alerts/1', [EVENT_ID_HEADER]: alertRow.id, [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: signAlertWebhook(secret, timestamp, body) },
          body,
        });
        if (res.status < 200 || res.status > 299) error = `HTTP ${res.status}`;
      } catch (err) {
        error = err instanceof Error ? err.message.slice(0, 200) : 'request failed';
      }
    }
    if (!error) {
      await db.query(`UPDATE isv.alert_deliveries SET status = 'delivered', attempts = $2, delivered_at = $3, last_error = NULL WHERE id = $1`, [d.id, attempts, now()]);
      return;
    }
    const giveUp = attempts >= MAX_WEBHOOK_ATTEMPTS || error === 'the alert endpoint was removed';
    await db.query(`UPDATE isv.alert_deliveries SET status = $2, attempts = $3, last_error = $4, next_attempt_at = $5 WHERE id = $1`, [
      d.id, giveUp ? 'failed' : 'pending', attempts, error, new Date(now().getTime() + webhookBackoffMs(attempts)),
    ]);
    log.warn({ customerId: d.customer_id, deliveryId: d.id, attempts, error, giveUp }, 'alerts.webhook_failed');
  }

  return {
    async getSettings(principal, customerId) {
      await assertCustomerAccess(db, principal, customerId);
      return (await loadSettings(customerId)).settings;
    },

    async putSettings(principal, customerId, input) {
      const access = await assertCustomerAccess(db, principal, customerId);
      if (access === 'member') throw forbidden('Only an owner of this customer can change its alerts');
      if (input.webhookUrl) checkUrl(input.webhookUrl);
      const { settings, row } = await loadSettings(customerId);
      const next: AlertSettings = { ...settings, ...Object.fromEntries(Object.entries(input).filter(([k, v]) => v !== undefined && k !== 'rotateSecret')) };
      next.budgetThresholds = [...new Set(next.budgetThresholds)].sort((a, b) => a - b);
      let secret: string | undefined;
      let sealed = row?.webhook_secret_ciphertext && row.webhook_secret_key_id ? { keyId: row.webhook_secret_key_id, ciphertext: row.webhook_secret_ciphertext } : null;
      if (!next.webhookUrl) sealed = null;
      else if (!sealed || input.rotateSecret) {
        secret = `whsec_${randomBytes(24).toString('base64url')}`;
        sealed = keyRing.encrypt(secret, aad(customerId));
      }
      await db.query(
        `INSERT INTO isv.alert_settings (customer_id, budget_thresholds, delivery_rate_min, delivery_rate_window, error_codes, error_burst_count,
                                         error_burst_window_minutes, webhook_url, webhook_secret_key_id, webhook_secret_ciphertext)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (customer_id) DO UPDATE SET budget_thresholds = $2, delivery_rate_min = $3, delivery_rate_window = $4, error_codes = $5,
           error_burst_count = $6, error_burst_window_minutes = $7, webhook_url = $8, webhook_secret_key_id = $9, webhook_secret_ciphertext = $10, updated_at = now()`,
        [customerId, next.budgetThresholds, next.deliveryRateMin, next.deliveryRateWindow, next.errorCodes, next.errorBurstCount, next.errorBurstWindowMinutes, next.webhookUrl, sealed?.keyId ?? null, sealed?.ciphertext ?? null],
      );
      return secret ? { ...next, webhookSecret: secret } : next;
    },

    async list(principal, customerId) {
      await assertCustomerAccess(db, principal, customerId);
      const rows = await db.query<AlertRow>(`SELECT * FROM isv.alerts WHERE customer_id = $1 ORDER BY created_at DESC, id LIMIT 100`, [customerId]);
      const unread = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM isv.alerts WHERE customer_id = $1 AND read_at IS NULL`, [customerId]);
      return { items: rows.map(toAlert), unread: unread[0]?.n ?? 0 };
    },

    async markRead(principal, customerId, alertId) {
      await assertCustomerAccess(db, principal, customerId);
      const rows = await db.query<AlertRow>(`UPDATE isv.alerts SET read_at = coalesce(read_at, $3) WHERE id = $1 AND customer_id = $2 RETURNING *`, [alertId, customerId, now()]);
      if (!rows[0]) throw notFound('Alert');
      return toAlert(rows[0]);
    },

    async evaluate(customerId) {
      const ids = customerId ? [customerId] : (await db.query<{ id: string }>(`SELECT id FROM isv.customers ORDER BY id`)).map((r) => r.id);
      const raised: Alert[] = [];
      for (const id of ids) {
        try {
          raised.push(...(await evaluateCustomer(id)));
        } catch (err) {
          log.error({ customerId: id, err }, 'alerts.evaluate_failed');
          if (customerId) throw err;
        }
      }
      return raised;
    },

    async deliverDue() {
      // Claimed by moving next_attempt_at past a lease first, so two instances never POST the same delivery at once.
      const due = await db.query<{ id: string; alert_id: string; customer_id: string; url: string; attempts: number }>(
        `UPDATE isv.alert_deliveries SET next_attempt_at = $2
          WHERE id IN (SELECT id FROM isv.alert_deliveries WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT 50 FOR UPDATE SKIP LOCKED)
          RETURNING id, alert_id, customer_id, url, attempts`,
        [now(), new Date(now().getTime() + 60_000)],
      );
      for (const d of due) await deliver(d);
      return due.length;
    },
  };
}
