// Admin approval routes (admins only, 403 otherwise): the queue, and approve/reject of brands and templates.
import { Router } from 'express';
import { parseInput } from '../platform/errors.ts';
import { getPrincipal } from '../platform/auth/principal.ts';
import { requireRole } from '../platform/auth/require-role.ts';
import type { Db } from '../platform/db/db.ts';
import type { RouteDoc } from '../platform/http/route-docs.ts';
import { approvalDecisionResponseSchema, approvalsResponseSchema, rejectBodySchema } from '../../shared/onboarding.ts';
import { decideBrandApproval, decideTemplateApproval, listApprovals } from './admin.service.ts';

const tags = ['admin'];
export const routeDocs: RouteDoc[] = [
  { method: 'get', path: '/isv/admin/approvals', summary: 'Brand/campaign data and templates waiting for review, with changes since the last rejection', auth: 'admin', response: approvalsResponseSchema, tags },
  { method: 'post', path: '/isv/admin/brands/:id/approve', summary: 'Approve brand and campaign data (the A2P flow resumes)', auth: 'admin', response: approvalDecisionResponseSchema, tags },
  { method: 'post', path: '/isv/admin/brands/:id/reject', summary: 'Reject brand and campaign data with a reason the customer sees', auth: 'admin', body: rejectBodySchema, response: approvalDecisionResponseSchema, tags },
  { method: 'post', path: '/isv/admin/templates/:id/approve', summary: 'Approve a template (it is submitted to WhatsApp)', auth: 'admin', response: approvalDecisionResponseSchema, tags },
  { method: 'post', path: '/isv/admin/templates/:id/reject', summary: 'Reject a template with a reason the customer sees', auth: 'admin', body: rejectBodySchema, response: approvalDecisionResponseSchema, tags },
];

export function adminRoutes(deps: { db: Db; now?: () => Date }): Router {
  const router = Router();
  const now = () => deps.now?.() ?? new Date();
  router.use(requireRole('admin'));
  router.get('/approvals', async (_req, res) => {
    res.json(await listApprovals(deps.db));
  });
  router.post('/brands/:id/approve', async (req, res) => {
    res.json(await decideBrandApproval(deps.db, getPrincipal(req), req.params.id, { decision: 'approve' }, now()));
  });
  router.post('/brands/:id/reject', async (req, res) => {
    const { reason } = parseInput(rejectBodySchema, req.body);
    res.json(await decideBrandApproval(deps.db, getPrincipal(req), req.params.id, { decision: 'reject', reason }, now()));
  });
  router.post('/templates/:id/approve', async (req, res) => {
    res.json(await decideTemplateApproval(deps.db, getPrincipal(req), req.params.id, { decision: 'approve' }, now()));
  });
  router.post('/templates/:id/reject', async (req, res) => {
    const { reason } = parseInput(rejectBodySchema, req.body);
    res.json(await decideTemplateApproval(deps.db, getPrincipal(req), req.params.id, { decision: 'reject', reason }, now()));
  });
  return router;
}
