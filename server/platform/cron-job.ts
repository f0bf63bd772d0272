// A background job on a node-cron schedule, for the composition root's `background` list: one run at a time (a
// tick that finds the previous run still going is skipped), failures logged, and stop() waits for the run in
// progress so a shutdown never cuts one off.
import { createTask, type ScheduledTask } from 'node-cron';
import type { Logger } from './logger.ts';

export interface BackgroundJob {
  start(): void;
  stop(): Promise<void>;
}

export function createCronJob(o: { name: string; cron: string; logger: Logger; run: () => Promise<unknown> }): BackgroundJob {
  const log = o.logger.child({ component: o.name });
  let task: ScheduledTask | undefined;
  let running: Promise<unknown> | undefined;
  const tick = async () => {
    if (running) return;
    running = o
      .run()
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
