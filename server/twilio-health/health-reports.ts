// Twilio health across every process. Each process (each WEB_CONCURRENCY worker, each instance) keeps its
// own sliding windows and breaker in memory (server/twilio/health.ts); here each one reports its snapshot to
// isv.twilio_health_reports every few seconds, and the operator's health page merges the live reports with the
// answering process's own figures: operations and recent errors summed over all processes, each process's
// breaker listed.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Db } from '../platform/db/db.ts';
import type { Logger } from '../platform/logger.ts';
import type { HealthSnapshot, OperationHealth, TwilioHealth } from '../twilio/health.ts';
import type { TwilioHealthResponse } from '../../shared/twilio-health.ts';

export const HEALTH_REPORT_MS = 5_000;
/** A report older than this comes from a process that stopped (three missed reports). */
const STALE_MS = 3 * HEALTH_REPORT_MS;
const RECENT_ERRORS = 25;

export const processInstance = (): string => `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

export async function reportHealth(db: Db, o: { instance: string; pid: number; snapshot: HealthSnapshot; at: Date }): Promise<void> {
  await db.query(
    `INSERT INTO isv.twilio_health_reports (instance, pid, snapshot, reported_at) VALUES ($1, $2, $3::jsonb, $4)
     ON CONFLICT (instance) DO UPDATE SET pid = EXCLUDED.pid, snapshot = EXCLUDED.snapshot, reported_at = EXCLUDED.reported_at`,
    [o.instance, o.pid, JSON.stringify(o.snapshot), o.at.toISOString()],
  );
  await db.query(`DELETE FROM isv.twilio_health_reports WHERE reported_at < $1`, [new Date(o.at.getTime() - 20 * STALE_MS).toISOString()]);
}

/** Reports this process's snapshot every HEALTH_REPORT_MS until stopped; the row is removed on a clean stop. */
export function createHealthReporter(o: { db: Db; health: TwilioHealth; instance: string; logger: Logger; now: () => Date; intervalMs?: number }) {
  const log = o.logger.child({ component: 'twilio.health' });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const report = () => {
    if (running) return;
    running = reportHealth(o.db, { instance: o.instance, pid: process.pid, snapshot: o.health.snapshot(), at: o.now() })
      .catch((err: unknown) => log.warn({ err }, 'twilio.health_report_failed'))
      .finally(() => (running = undefined));
  };
  return {
    start() {
      if (timer) return;
      report();
      timer = setInterval(report, o.intervalMs ?? HEALTH_REPORT_MS);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
      await o.db.query(`DELETE FROM isv.twilio_health_reports WHERE instance = $1`, [o.instance]).catch(() => undefined);
    },
  };
}

function mergeOperations(snapshots: HealthSnapshot[]): OperationHealth[] {
  const byOp = new Map<string, OperationHealth>();
  for (const op of snapshots.flatMap((s) => s.operations)) {
    const m = byOp.get(op.operation);
    if (!m) {
      byOp.set(op.operation, { ...op });
      continue;
    }
    m.requests += op.requests;
    m.failures += op.failures;
    m.clientErrors += op.clientErrors;
    // The slowest process's p95: an upper bound of the merged p95, which is what an operator looks for.
    m.p95LatencyMs = op.p95LatencyMs === null ? m.p95LatencyMs : Math.max(m.p95LatencyMs ?? 0, op.p95LatencyMs);
    if (op.lastAt && (!m.lastAt || op.lastAt > m.lastAt)) m.lastAt = op.lastAt;
  }
  return [...byOp.values()]
    .map((op) => ({ ...op, errorRate: op.requests ? Math.round((op.failures / op.requests) * 1000) / 1000 : 0 }))
    .sort((a, b) => b.failures - a.failures || b.requests - a.requests || a.operation.localeCompare(b.operation));
}

/** The health page: this process's live snapshot and breaker, merged with every other live process's report. */
export async function platformHealth(db: Db, o: { instance: string; health: TwilioHealth; now: Date }): Promise<TwilioHealthResponse> {
  const own = o.health.snapshot();
  const rows = await db.query<{ instance: string; pid: number; snapshot: HealthSnapshot; reported_at: Date | string }>(
    `SELECT instance, pid, snapshot, reported_at FROM isv.twilio_health_reports WHERE instance <> $1 AND reported_at >= $2 ORDER BY instance`,
    [o.instance, new Date(o.now.getTime() - STALE_MS).toISOString()],
  );
  const others = rows.map((r) => ({ ...r, snapshot: typeof r.snapshot === 'string' ? (JSON.parse(r.snapshot) as HealthSnapshot) : r.snapshot }));
  const all = [own, ...others.map((r) => r.snapshot)];
  const instance = (id: string, pid: number, s: HealthSnapshot, reportedAt: string, self: boolean) => ({
    instance: id,
    pid,
    self,
    reportedAt,
    breaker: s.breaker.state,
    requests: s.breaker.window.requests,
    failures: s.breaker.window.failures,
    opened: s.breaker.opened,
    refused: s.breaker.refused,
  });
  return {
    ...own,
    operations: mergeOperations(all),
    recentErrors: all
      .flatMap((s) => s.recentErrors)
      .sort((a, b) => b.at.localeCompare(a.at))
      .slice(0, RECENT_ERRORS),
    pid: process.pid,
    instances: [
      instance(o.instance, process.pid, own, own.checkedAt, true),
      ...others.map((r) => instance(r.instance, r.pid, r.snapshot, new Date(r.reported_at).toISOString(), false)),
    ],
  };
}
