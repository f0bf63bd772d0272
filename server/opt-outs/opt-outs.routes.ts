// GET /api/isv/customers/:id/opt-outs: the customer's recipients who opted out (or back in), keyset-paged.
import { Router } from 'express';
import { parseInput } from '../platform/errors.ts';
import { getPrincipal } from '../platform/auth/principal.ts';
import type { RouteDoc } from '../platform/http/route-docs.ts';
import { idParamsSchema } from '../../shared/common.ts';
import { optOutListQuerySchema, optOutPageSchema, optOutScopeListSchema, optOutScopeSchema } from '../../shared/opt-outs.ts';
import type { OptOutsService } from './opt-outs.service.ts';

export function optOutsRoutes(deps: { optOuts: OptOutsService }): Router {
  const router = Router();
  router.get('/customers/:id/opt-outs', async (req, res) => {
    const { id } = parseInput(idParamsSchema, req.params, 'path');
    const q = parseInput(optOutListQuerySchema, req.query, 'query');
    res.json(await deps.optOuts.list(getPrincipal(req), id, q));
  });
  router.put('/customers/:id/opt-outs/scope', async (req, res) => {
    const { id } = parseInput(idParamsSchema, req.params, 'path');
    const body = parseInput(optOutScopeSchema, req.body, 'body');
    res.json(await deps.optOuts.setScope(getPrincipal(req), id, body));
  });
  router.get('/customers/:id/opt-outs/scope', async (req, res) => {
    const { id } = parseInput(idParamsSchema, req.params, 'path');
    res.json(await deps.optOuts.listScopes(getPrincipal(req), id));
  });
  return router;
}

export const routeDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/isv/customers/:id/opt-outs',
    summary: "The customer's opt-outs per recipient number and channel",
    auth: 'user',
    query: optOutListQuerySchema,
    response: optOutPageSchema,
    tags: ['messaging'],
  },
  {
    method: 'put',
    path: '/isv/customers/:id/opt-outs/scope',
    summary: 'Record whether one of the customer’s messaging services uses Advanced Opt-Out (a STOP then covers every sender of the service)',
    auth: 'user',
    body: optOutScopeSchema,
    response: optOutScopeSchema,
    tags: ['messaging'],
  },
  {
    method: 'get',
    path: '/isv/customers/:id/opt-outs/scope',
    summary: 'The customer’s messaging services and whether each uses Advanced Opt-Out',
    auth: 'user',
    response: optOutScopeListSchema,
    tags: ['messaging'],
  },
];
