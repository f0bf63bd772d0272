// The engine's clock in production: a node-cron task (ONBOARDING_CRON) that drains due flows. A run that is still
// draining when the next fires is skipped (noOverlap); stop() stops the task, stops claiming and waits for steps.
import { createTask, type ScheduledTask } from 'node-cron';
import type { Logger } from '../platform/logger.ts';
import type { OnboardingEngine } from './engine.ts';

export interface OnboardingScheduler {
  start(): void;
  stop(): Promise<void>;
}

export function createOnboardingScheduler(o: { engine: OnboardingEngine; cron: string; logger: Logger }): OnboardingScheduler {
  const log = o.logger.child({ component: 'onboarding.scheduler' });
  let task: ScheduledTask | undefined;
  let running: Promise<unknown> | undefined;
  const run = async () => {
    if (running) return;
    running = o.engine
      .drain()
      .then((claimed) => {
        if (claimed) log.debug({ claimed }, 'onboarding.tick');
      })
      .catch((err) => log.error({ err }, 'onboarding.tick_failed'))
      .finally(() => (running = undefined));
    await running;
  };
  return {
    start() {
      if (task) return;
      task = createTask(o.cron, run, { name: 'onboarding', noOverlap: true });
      void task.start();
      log.info({ cron: o.cron, owner: o.engine.owner }, 'onboarding.scheduler_started');
    },
    async stop() {
      await task?.stop();
      await task?.destroy();
      task = undefined;
      await o.engine.stop();
      await running;
      log.info('onboarding.scheduler_stopped');
    },
  };
}
