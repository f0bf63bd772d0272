// The daily check of every connected account (TWILIO_CONNECTION_CHECK_CRON): credentials Twilio stopped
// accepting turn the connection `credentials_invalid` (sends refused with the reason, owners asked to reconnect,
// an audit entry for operators); Twilio's own faults change nothing and wait for the next run.
import type { Logger } from '../platform/logger.ts';
import { createCronJob, type BackgroundJob } from '../platform/cron-job.ts';
import type { ConnectionsService } from './connections.service.ts';

export function createConnectionHealthCheck(o: { connections: ConnectionsService; cron: string; logger: Logger }): BackgroundJob {
  const log = o.logger.child({ component: 'connections.health' });
  return createCronJob({
    name: 'connections.health',
    cron: o.cron,
    logger: o.logger,
    run: async () => log.info(await o.connections.checkAll(), 'connections.checked'),
  });
}
