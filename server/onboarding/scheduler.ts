// The engine's clock in production: a node-cron task (ONBOARDING_CRON) that drains due flows. A tick that fires
// while the previous drain still runs is skipped here rather than by node-cron's noOverlap, which would print its
// own console warning every second of a long drain; the overrun is logged once, when it ends, with its duration.
// stop() stops the task, stops claiming and waits for steps.
import { createTask, type ScheduledTask } from 'node-cron';
import type { Logger } from '../platform/logger.ts';
import type { OnboardingEngine } from './engine.ts';

export interface OnboardingScheduler {
  start(): void;
  stop(): Promise<void>;
}

export function createOnboardingScheduler(o: {
  engine: OnboardingEngine;
  cron: string;
  logger: Logger;
  now?: () => number;
}): OnboardingScheduler {
  const log = o.logger.child({ component: 'onboarding.scheduler' });
  const now = o.now ?? Date.now;
  // node-cron's own messages (a missed tick, a failed start) go through our logger: one log stream.
  const cronLogger = {
    info: (message: string) => log.info({ source: 'node-cron' }, message),
    warn: (message: string) => log.warn({ source: 'node-cron' }, message),
    error: (message: string | Error, err?: Error) => log.error({ source: 'node-cron', err: err ?? message }, String(message)),
    debug: (message: string | Error) => log.debug({ source: 'node-cron' }, String(message)),
  };
  let task: ScheduledTask | undefined;
  let running: Promise<unknown> | undefined;
  let skipped = 0;
  const run = async () => {
    if (running) {
      skipped++;
      return;
    }
    const startedAt = now();
    skipped = 0;
    running = o.engine
      .drain()
      .then((claimed) => {
        if (claimed) log.debug({ claimed }, 'onboarding.tick');
      })
      .catch((err) => log.error({ err }, 'onboarding.tick_failed'))
      .finally(() => {
        if (skipped) log.warn({ durationMs: now() - startedAt, skippedTicks: skipped, cron: o.cron }, 'onboarding.tick_overran');
        running = undefined;
      });
    await running;
  };
  return {
    start() {
      if (task) return;
      task = createTask(o.cron, run, { name: 'onboarding', logger: cronLogger });
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
