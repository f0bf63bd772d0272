// The daily check of every connected account (TWILIO_CONNECTION_CHECK_CRON): credentials Twilio stopped
// accepting turn the connection `credentials_invalid` (sends refused with the reason, owners asked to reconnect,
// an audit entry for operators); Twilio's own faults change nothing and wait for the next run.
import type { Logger } from '../platform/logger.ts';
import { claimCronSlot, createCronJob, type BackgroundJob } from '../platform/cron-job.ts';
import type { Db } from '../platform/db/db.ts';
import type { ConnectionsService } from './connections.service.ts';

// With several workers or instances the daily run is claimed (isv.cron_runs): one process checks each account once.
export function createConnectionHealthCheck(o: { connections: ConnectionsService; cron: string; logger: Logger; db?: Db }): BackgroundJob {
  const log = o.logger.child({ component: 'connections.health' });
  return createCronJob({
    name: 'connections.health',
    cron: o.cron,
    logger: o.logger,
    claim: o.db ? claimCronSlot(o.db, 'connections.health') : undefined,
    run: async () => log.info(await o.connections.checkAll(), 'connections.checked'),
  });
}
