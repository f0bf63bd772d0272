// /api/isv/customers/:id/twilio-connection: connect (owners), read, test, discover, choose the sender,
// disconnect; /api/isv/operator/twilio-connections: operators list and disconnect connected accounts.
import { Router } from 'express';
import { parseInput } from '../platform/errors.ts';
import { getPrincipal } from '../platform/auth/principal.ts';
import { requireRole } from '../platform/auth/require-role.ts';
import type { RouteDoc } from '../platform/http/route-docs.ts';
import { idParamsSchema } from '../../shared/common.ts';
import {
  accountSidParamsSchema,
  chooseSenderSchema,
  connectionResourcesSchema,
  connectTwilioSchema,
  operatorConnectionsSchema,
  testConnectionResponseSchema,
  testConnectionSchema,
  twilioConnectionSchema,
} from '../../shared/twilio-connection.ts';
import type { ConnectionsService } from './connections.service.ts';

const tags = ['twilio-connection'];
const base = '/isv/customers/:id/twilio-connection';
export const routeDocs: RouteDoc[] = [
  { method: 'put', path: base, summary: "Connect the customer's own Twilio account (owners); checked with Twilio before it is stored; answers it masked", auth: 'user', body: connectTwilioSchema, response: twilioConnectionSchema, tags },
  { method: 'get', path: base, summary: 'The connected Twilio account, masked', auth: 'user', response: twilioConnectionSchema, tags },
  { method: 'delete', path: base, summary: "Disconnect it (owners): the service's callback URLs are restored; the customer goes back to a platform subaccount", auth: 'user', status: 204, tags },
  { method: 'post', path: `${base}/test`, summary: 'Re-check the credentials, report what the account has, optionally send a test message', auth: 'user', body: testConnectionSchema, response: testConnectionResponseSchema, tags },
  { method: 'get', path: `${base}/resources`, summary: "The account's messaging services (with A2P campaign status), numbers and WhatsApp senders", auth: 'user', response: connectionResourcesSchema, tags },
  { method: 'put', path: `${base}/sender`, summary: "Make one of the account's messaging services (and optionally one of its WhatsApp senders) the customer's sender; their callbacks point here", auth: 'user', body: chooseSenderSchema, response: twilioConnectionSchema, tags },
  { method: 'get', path: '/isv/operator/twilio-connections', summary: 'Every connected customer account: status and last check', auth: 'operator', response: operatorConnectionsSchema, tags },
  { method: 'post', path: '/isv/operator/twilio-connections/:accountSid/disconnect', summary: "Disconnect a customer's own account (it is never suspended or closed: it is not the platform's)", auth: 'operator', status: 204, tags },
];

export function connectionsRoutes(deps: { connections: ConnectionsService }): Router {
  const router = Router();
  const { connections } = deps;
  const customerId = (req: { params: unknown }) => parseInput(idParamsSchema, req.params, 'path').id;

  router.put('/customers/:id/twilio-connection', async (req, res) => {
    const id = customerId(req);
    res.json(await connections.connect(getPrincipal(req), id, parseInput(connectTwilioSchema, req.body)));
  });
  router.get('/customers/:id/twilio-connection', async (req, res) => {
    res.json(await connections.get(getPrincipal(req), customerId(req)));
  });
  router.delete('/customers/:id/twilio-connection', async (req, res) => {
    await connections.disconnect(getPrincipal(req), customerId(req));
    res.status(204).end();
  });
  router.post('/customers/:id/twilio-connection/test', async (req, res) => {
    const id = customerId(req);
    const body = parseInput(testConnectionSchema, req.body ?? {});
    res.json(await connections.test(getPrincipal(req), id, body.to));
  });
  router.get('/customers/:id/twilio-connection/resources', async (req, res) => {
    res.json(await connections.resources(getPrincipal(req), customerId(req)));
  });
  router.put('/customers/:id/twilio-connection/sender', async (req, res) => {
    const id = customerId(req);
    const body = parseInput(chooseSenderSchema, req.body);
    res.json(await connections.chooseSender(getPrincipal(req), id, body));
  });

  router.get('/operator/twilio-connections', requireRole('operator'), async (_req, res) => {
    res.json({ items: await connections.listForOperator() });
  });
  router.post('/operator/twilio-connections/:accountSid/disconnect', requireRole('operator'), async (req, res) => {
    const { accountSid } = parseInput(accountSidParamsSchema, req.params, 'path');
    await connections.disconnectByOperator(getPrincipal(req), accountSid);
    res.status(204).end();
  });
  return router;
}
