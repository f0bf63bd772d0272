// Twilio's signed webhooks (inbound, status, opt-out) and the staff view of their counters. The authenticator
// skips /api/isv/webhooks/**: these routes are authenticated by X-Twilio-Signature instead.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { RawBodyRequest } from '../app.ts';
import type { RouteDoc } from '../platform/http/route-docs.ts';
import { requireRole } from '../platform/auth/require-role.ts';
import type { WebhooksService } from './webhooks.service.ts';
import type { WebhookKind } from './webhooks.dao.ts';
import type { IncomingWebhook } from './verify-twilio-signature.ts';

/** An empty TwiML answer: no reply (Twilio has already answered opt-out keywords itself, FACTS §10). */
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/** What signature verification needs of an Express request (the raw body is kept by app.ts's parsers). */
export function incomingWebhookOf(req: Request, publicBaseUrl: string): IncomingWebhook {
  return {
    publicBaseUrl,
    originalUrl: req.originalUrl,
    headers: req.headers,
    body: req.body,
    rawBody: (req as RawBodyRequest).rawBody,
    contentType: req.headers['content-type'],
  };
}

export function webhooksRoutes(deps: { webhooks: WebhooksService; publicBaseUrl: string }): Router {
  const router = Router();

  const handle = (kind: WebhookKind) => async (req: Request, res: Response) => {
    await deps.webhooks.receive(kind, await deps.webhooks.verify(incomingWebhookOf(req, deps.publicBaseUrl), kind));
    if (kind === 'status') {
      res.status(200).end();
      return;
    }
    res.status(200).type('text/xml').send(EMPTY_TWIML);
  };

  router.post('/webhooks/twilio/inbound', handle('inbound'));
  router.post('/webhooks/twilio/status', handle('status'));
  router.post('/webhooks/twilio/opt-out', handle('opt_out'));
  router.get('/webhook-metrics', requireRole('admin', 'operator'), (_req, res) => {
    res.json(deps.webhooks.metrics);
  });
  return router;
}

/** Form fields as Twilio sends them (FACTS §9.2, §9.3); all fields are passed on to verification untouched. */
const twilioFormSchema = z.record(z.string(), z.string());

export const webhookMetricsSchema = z.object({
  rejected: z.object({ missing_signature: z.number(), unknown_account: z.number(), bad_signature: z.number() }),
  accepted: z.object({ inbound: z.number(), status: z.number(), opt_out: z.number() }),
  duplicates: z.number(),
  malformed: z.number(),
  batches: z.number(),
  batchedEvents: z.number(),
});

export const routeDocs: RouteDoc[] = [
  { method: 'post', path: '/isv/webhooks/twilio/inbound', summary: 'Inbound message (signed by Twilio); answers empty TwiML', auth: 'twilio', body: twilioFormSchema, tags: ['webhooks'] },
  { method: 'post', path: '/isv/webhooks/twilio/status', summary: 'Message status callback (signed by Twilio)', auth: 'twilio', body: twilioFormSchema, tags: ['webhooks'] },
  { method: 'post', path: '/isv/webhooks/twilio/opt-out', summary: 'Opt-out keyword traffic routed separately (signed by Twilio)', auth: 'twilio', body: twilioFormSchema, tags: ['webhooks'] },
  { method: 'get', path: '/isv/webhook-metrics', summary: 'Webhook counters: accepted, duplicates, rejections per reason, batches', auth: 'operator', response: webhookMetricsSchema, tags: ['webhooks'] },
];
