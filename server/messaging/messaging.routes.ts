// Sending a customer's messages and reading its message log: POST/GET /api/isv/customers/:id/messages and
// GET …/messages/:messageId with the status history.
import { Router } from 'express';
import { z } from 'zod';
import { parseInput } from '../platform/errors.ts';
import { getPrincipal } from '../platform/auth/principal.ts';
import type { RouteDoc } from '../platform/http/route-docs.ts';
import { idParamsSchema } from '../../shared/common.ts';
import {
  idempotencyKeySchema,
  messageDetailSchema,
  messageListQuerySchema,
  messagePageSchema,
  sendMessageRequestSchema,
  sendMessageResponseSchema,
  sendingStatusSchema,
} from '../../shared/messages.ts';
import type { MessagingService } from './messaging.service.ts';

const messageParamsSchema = z.object({ id: z.string(), messageId: z.string() });

export function messagingRoutes(deps: { messaging: MessagingService }): Router {
  const router = Router();

  router.post('/customers/:id/messages', async (req, res) => {
    const { id } = parseInput(idParamsSchema, req.params, 'path');
    const key = req.get('Idempotency-Key');
    const idempotencyKey = key === undefined ? undefined : parseInput(idempotencyKeySchema, key, 'Idempotency-Key header');
    const input = parseInput(sendMessageRequestSchema, req.body);
    const result = await deps.messaging.send(getPrincipal(req), id, input, idempotencyKey);
    if (result.replayed) res.set('Idempotent-Replayed', 'true');
    res.status(201).json(result.message);
  });

  router.get('/customers/:id/messages', async (req, res) => {
    const { id } = parseInput(idParamsSchema, req.params, 'path');
    const q = parseInput(messageListQuerySchema, req.query, 'query');
    res.json(await deps.messaging.list(getPrincipal(req), id, q));
  });

  router.get('/customers/:id/sending-status', async (req, res) => {
    const { id } = parseInput(idParamsSchema, req.params, 'path');
    res.json(await deps.messaging.sendingStatus(getPrincipal(req), id));
  });

  router.get('/customers/:id/messages/:messageId', async (req, res) => {
    const { id, messageId } = parseInput(messageParamsSchema, req.params, 'path');
    res.json(await deps.messaging.get(getPrincipal(req), id, messageId));
  });

  return router;
}

export const routeDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/isv/customers/:id/sending-status',
    summary: 'Whether SMS and WhatsApp can send now, and if not why (what a send would be refused with)',
    auth: 'user',
    response: sendingStatusSchema,
    tags: ['messaging'],
  },
  {
    method: 'post',
    path: '/isv/customers/:id/messages',
    summary: "Send an SMS or WhatsApp message through the customer's subaccount (Idempotency-Key header supported)",
    auth: 'user',
    body: sendMessageRequestSchema,
    response: sendMessageResponseSchema,
    status: 201,
    tags: ['messaging'],
  },
  {
    method: 'get',
    path: '/isv/customers/:id/messages',
    summary: "The customer's message log, newest first, with filters and keyset pages",
    auth: 'user',
    query: messageListQuerySchema,
    response: messagePageSchema,
    tags: ['messaging'],
  },
  {
    method: 'get',
    path: '/isv/customers/:id/messages/:messageId',
    summary: 'One message with its full status history',
    auth: 'user',
    response: messageDetailSchema,
    tags: ['messaging'],
  },
];
