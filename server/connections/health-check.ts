// The daily check of every connected account (TWILIO_CONNECTION_CHECK_CRON): credentials Twilio stopped
// accepting turn the connection `credentials_invalid` (sends refused with the reason, owners asked to reconnect,
// an audit entry for operators); Twilio's own faults change nothing and wait for the next run.
import { createTask, type ScheduledTask } from 'node-cron';
import type { Logger } from '../platform/logger.ts';
import type { ConnectionsService } from './connections.service.ts';

export function createConnectionHealthCheck(o: { connections: ConnectionsService; cron: string; logger: Logger }) {
  const log = o.logger.child({ component: 'connections.health' });
  let task: ScheduledTask | undefined;
  let running: Promise<void> | undefined;
  const run = async () => {
    if (running) return;
    running = o.connections
      .checkAll()
      .then((r) => log.info(r, 'connections.checked'))
      .catch((err: unknown) => log.error({ err }, 'connections.check_failed'))
      .finally(() => (running = undefined));
    await running;
  };
  return {
    start() {
      if (task) return;
      task = createTask(o.cron, run, { name: 'connections.health' });
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
