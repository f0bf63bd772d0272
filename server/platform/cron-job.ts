// A background job on a node-cron schedule, for the composition root's `background` list: one run at a time (a
// tick that finds the previous run still going is skipped), failures logged, and stop() waits for the run in
// progress so a shutdown never cuts one off.
import { createTask, type ScheduledTask } from 'node-cron';
import type { Db } from './db/db.ts';
import type { Logger } from './logger.ts';

export interface BackgroundJob {
  start(): void;
  stop(): Promise<void>;
}

/**
 * Claims a job's minute slot across every process sharing the database (isv.cron_runs): true for the one process
 * that should run this tick. For jobs whose work is not claimed row by row, so that N workers or instances run
 * a schedule once, not N times. Slots older than a week are pruned by the claim itself.
 */
export function claimCronSlot(db: Db, job: string): (at: Date) => Promise<boolean> {
  return async (at) => {
    const slot = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
    const rows = await db.query<{ job: string }>(
      `WITH pruned AS (DELETE FROM isv.cron_runs WHERE job = $1 AND slot < $2::timestamptz - interval '7 days')
       INSERT INTO isv.cron_runs (job, slot) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING job`,
      [job, slot.toISOString()],
    );
    return rows.length === 1;
  };
}

export function createCronJob(o: {
  name: string;
  cron: string;
  logger: Logger;
  run: () => Promise<unknown>;
  /** When given, a tick runs only if this claims its slot (claimCronSlot). */
  claim?: (at: Date) => Promise<boolean>;
}): BackgroundJob {
  const log = o.logger.child({ component: o.name });
  let task: ScheduledTask | undefined;
  let running: Promise<unknown> | undefined;
  const tick = async () => {
    if (running) return;
    const at = new Date();
    running = (o.claim ? o.claim(at) : Promise.resolve(true))
      .then((mine) => (mine ? o.run() : log.debug({ at }, `${o.name}.claimed_elsewhere`)))
      .catch((err: unknown) => log.error({ err }, `${o.name}.failed`))
      .finally(() => (running = undefined));
    await running;
  };
  return {
    start() {
      if (task) return;
      task = createTask(o.cron, tick, { name: o.name });
      void task.start();
    },
    async stop() {
      await task?.stop();
      await task?.destroy();
      task = undefined;
      await running;
    },
  };
}
