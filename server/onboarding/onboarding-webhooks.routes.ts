// POST /api/isv/webhooks/twilio/trusthub: TrustHub's status callback for the bundles the a2p flow creates. Verified
// with the owning subaccount's token (the webhooks feature's verifier) before anything else; it only wakes the
// flow waiting on that bundle so it checks now instead of at its next poll, so a duplicate has no further effect.
import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../platform/db/db.ts';
import type { RouteDoc } from '../platform/http/route-docs.ts';
import type { WebhooksService } from '../webhooks/webhooks.service.ts';
import { wakeFlowsForAccountResource } from './flows.dao.ts';
import { recordWebhook } from '../metrics/metrics.ts';
import { incomingWebhookOf } from '../webhooks/webhooks.routes.ts';

export const routeDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/isv/webhooks/twilio/trusthub',
    summary: 'TrustHub bundle status callback (signed by Twilio); wakes the onboarding flow waiting on the bundle',
    auth: 'twilio',
    body: z.record(z.string(), z.string()),
    tags: ['webhooks', 'onboarding'],
  },
];

export function onboardingWebhookRoutes(deps: { db: Db; webhooks: Pick<WebhooksService, 'verify'>; publicBaseUrl: string; now?: () => Date }): Router {
  const router = Router();
  router.post('/webhooks/twilio/trusthub', async (req, res) => {
    const webhook = await deps.webhooks.verify(incomingWebhookOf(req, deps.publicBaseUrl), 'trusthub');
    recordWebhook('trusthub', 'accepted');
    const bundleSid = webhook.params.BundleSid;
    if (bundleSid && /^BU[0-9a-f]{32}$/.test(bundleSid)) {
      await wakeFlowsForAccountResource(deps.db, webhook.accountSid, bundleSid, deps.now?.() ?? new Date());
    }
    res.status(200).end();
  });
  return router;
}
