// Operators: registrations whose live A2P status the platform does not know (the watch raised them), and a
// re-read on demand.
import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../platform/db/db.ts';
import { requireRole } from '../platform/auth/require-role.ts';
import { notFound, parseInput } from '../platform/errors.ts';
import type { RouteDoc } from '../platform/http/route-docs.ts';
import { idParamsSchema, UUID_PATTERN } from '../../shared/common.ts';
import { a2pWatchAttentionSchema } from '../../shared/a2p.ts';
import { listWatchAttention, rereadSoon } from './a2p-watch.dao.ts';
import type { A2pWatch } from './a2p-watch.ts';

const tags = ['a2p', 'operator'];
export const routeDocs: RouteDoc[] = [
  { method: 'get', path: '/isv/operator/a2p-watch', summary: 'Registered brands whose live brand or campaign status the platform does not know', auth: 'operator', response: a2pWatchAttentionSchema, tags },
  { method: 'post', path: '/isv/operator/a2p-watch/:id/reread', summary: "Read a brand's and its campaign's status from Twilio now", auth: 'operator', response: z.object({ checked: z.number().int(), changed: z.number().int(), attention: z.number().int() }), tags },
];

export function a2pWatchRoutes(deps: { db: Db; watch: A2pWatch }): Router {
  const router = Router();
  router.get('/operator/a2p-watch', requireRole('operator'), async (_req, res) => {
    const rows = await listWatchAttention(deps.db);
    res.json({
      items: rows.map((r) => ({ brandId: r.brand_id, customerId: r.customer_id, customerName: r.customer_name, brandSid: r.brand_sid, attention: r.watch_attention, watchedAt: new Date(r.watched_at).toISOString() })),
    });
  });
  router.post('/operator/a2p-watch/:id/reread', requireRole('operator'), async (req, res) => {
    const { id } = parseInput(idParamsSchema, req.params, 'path');
    if (!UUID_PATTERN.test(id) || !(await rereadSoon(deps.db, id))) throw notFound('Registered brand');
    res.json(await deps.watch.runOnce());
  });
  return router;
}
