// WhatsApp sender routes: register a number and enter its OTP.
import { Router, type Request } from 'express';
import { z } from 'zod';
import { parseInput } from '../platform/errors.ts';
import { getPrincipal } from '../platform/auth/principal.ts';
import type { Db } from '../platform/db/db.ts';
import type { RouteDoc } from '../platform/http/route-docs.ts';
import { assertCustomerAccess } from '../customers/customer-access.ts';
import { senderCreateSchema, senderVerifySchema, senderViewSchema } from '../../shared/whatsapp.ts';
import { listSenders, registerSender, verifySender } from './whatsapp.service.ts';

const tags = ['whatsapp'];
export const routeDocs: RouteDoc[] = [
  { method: 'get', path: '/isv/customers/:id/whatsapp/senders', summary: "The customer's WhatsApp senders", auth: 'user', response: z.object({ items: z.array(senderViewSchema) }), tags },
  { method: 'post', path: '/isv/customers/:id/whatsapp/senders', summary: 'Register a WhatsApp sender (or resubmit an offline one with a corrected profile)', auth: 'user', body: senderCreateSchema, response: senderViewSchema, status: 201, tags },
  { method: 'post', path: '/isv/customers/:id/whatsapp/senders/:senderId/verify', summary: "Enter the sender's verification code", auth: 'user', body: senderVerifySchema, response: senderViewSchema, tags },
];

export function whatsappRoutes(deps: { db: Db; now?: () => Date }): Router {
  const router = Router();
  const now = () => deps.now?.() ?? new Date();
  // The /isv/customers/:id gate in features.ts checks this too; repeated per route so the router is safe anywhere.
  const access = (req: Request) => assertCustomerAccess(deps.db, getPrincipal(req), String(req.params.id));
  router.get('/customers/:id/whatsapp/senders', async (req, res) => {
    await access(req);
    res.json(await listSenders(deps.db, req.params.id));
  });
  router.post('/customers/:id/whatsapp/senders', async (req, res) => {
    await access(req);
    const input = parseInput(senderCreateSchema, req.body);
    const r = await registerSender(deps.db, req.params.id, input, now());
    res.status(r.created ? 201 : 200).json(r.sender);
  });
  router.post('/customers/:id/whatsapp/senders/:senderId/verify', async (req, res) => {
    await access(req);
    const { code } = parseInput(senderVerifySchema, req.body);
    res.json(await verifySender(deps.db, req.params.id, req.params.senderId, code, now()));
  });
  return router;
}
