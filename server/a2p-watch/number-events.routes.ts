// POST /api/isv/webhooks/twilio/events: the Event Streams webhook sink for A2P number-registration events.
// Event Streams posts a JSON array of CloudEvents, signed like every JSON webhook (X-Twilio-Signature over the URL
// with its bodySHA256 parameter) with the token of the account the events are about; each event's number state is
// recorded and the onboarding flow waiting on that number checks now. Other event types are acknowledged and ignored.
import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../platform/db/db.ts';
import type { Logger } from '../platform/logger.ts';
import type { RouteDoc } from '../platform/http/route-docs.ts';
import { recordWebhook } from '../metrics/metrics.ts';
import { incomingWebhookOf } from '../webhooks/webhooks.routes.ts';
import type { WebhooksService } from '../webhooks/webhooks.service.ts';
import { wakeFlowsForAccountResource } from '../onboarding/flows.dao.ts';
import { parseNumberRegistrationEvent, recordNumberRegistration } from './number-registration.ts';

export const routeDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/isv/webhooks/twilio/events',
    summary: 'Event Streams webhook sink (signed by Twilio): records A2P number-registration events and wakes the flow waiting on the number',
    auth: 'twilio',
    body: z.array(z.record(z.string(), z.unknown())),
    tags: ['webhooks', 'a2p'],
  },
];

export function numberEventsRoutes(deps: { db: Db; webhooks: Pick<WebhooksService, 'verify'>; publicBaseUrl: string; logger: Logger; now?: () => Date }): Router {
  const router = Router();
  const log = deps.logger.child({ component: 'event-streams' });
  router.post('/webhooks/twilio/events', async (req, res) => {
    const events: unknown[] = Array.isArray(req.body) ? req.body : [];
    const accounts = new Set(events.map((e) => (e as { data?: { accountsid?: unknown } } | null)?.data?.accountsid).filter((a): a is string => typeof a === 'string'));
    // One account per delivery: its token is the one that signed it (a delivery naming none or several is refused
    // as from an unknown account).
    const { accountSid } = await deps.webhooks.verify({ ...incomingWebhookOf(req, deps.publicBaseUrl), accountSid: accounts.size === 1 ? [...accounts][0] : undefined }, 'events');
    recordWebhook('events', 'accepted');
    for (const e of events) {
      const parsed = parseNumberRegistrationEvent(e);
      if (!parsed || parsed.accountSid !== accountSid) continue;
      const customerId = await recordNumberRegistration(deps.db, parsed);
      log.info({ accountSid, phoneNumberSid: parsed.phoneNumberSid, status: parsed.status, known: Boolean(customerId) }, 'a2p.number_registration');
      if (customerId) await wakeFlowsForAccountResource(deps.db, accountSid, parsed.phoneNumberSid, deps.now?.() ?? new Date());
    }
    res.status(200).end();
  });
  return router;
}
