// /api/isv/operator: subaccounts reconciled against Twilio, suspend / reactivate / close, the audit log.
// Operators only (the holder of the master account); everyone else gets 403.
import { Router } from 'express';
import { parseInput } from '../platform/errors.ts';
import { getPrincipal } from '../platform/auth/principal.ts';
import { requireRole } from '../platform/auth/require-role.ts';
import type { RouteDoc } from '../platform/http/route-docs.ts';
import {
  auditLogPageSchema,
  auditLogQuerySchema,
  closeSubaccountSchema,
  subaccountActionResultSchema,
  subaccountActionSchema,
  subaccountReconciliationSchema,
  subaccountSidParamsSchema,
} from '../../shared/operator.ts';
import type { OperatorService } from './operator.service.ts';

const tags = ['operator'];
export const routeDocs: RouteDoc[] = [
  { method: 'get', path: '/isv/operator/subaccounts', summary: "Subaccounts reconciled with Twilio's list: status, this month's usage, drift", auth: 'operator', response: subaccountReconciliationSchema, tags },
  { method: 'post', path: '/isv/operator/subaccounts/:sid/suspend', summary: 'Suspend a subaccount in Twilio and here', auth: 'operator', body: subaccountActionSchema, response: subaccountActionResultSchema, tags },
  { method: 'post', path: '/isv/operator/subaccounts/:sid/reactivate', summary: 'Reactivate a suspended subaccount', auth: 'operator', body: subaccountActionSchema, response: subaccountActionResultSchema, tags },
  { method: 'post', path: '/isv/operator/subaccounts/:sid/close', summary: 'Close a subaccount for good (irreversible, as on Twilio); body must repeat the SID', auth: 'operator', body: closeSubaccountSchema, response: subaccountActionResultSchema, tags },
  { method: 'get', path: '/isv/operator/audit-log', summary: 'The audit log, newest first, filtered, keyset pages', auth: 'operator', query: auditLogQuerySchema, response: auditLogPageSchema, tags },
];

export function operatorRoutes(deps: { operator: OperatorService }): Router {
  const router = Router();
  const { operator } = deps;
  router.use(requireRole('operator'));

  router.get('/subaccounts', async (req, res) => {
    res.json(await operator.reconcileSubaccounts(getPrincipal(req)));
  });
  router.post('/subaccounts/:sid/suspend', async (req, res) => {
    const { sid } = parseInput(subaccountSidParamsSchema, req.params, 'path');
    const body = parseInput(subaccountActionSchema, req.body ?? {});
    res.json(await operator.suspend(getPrincipal(req), sid, body.reason));
  });
  router.post('/subaccounts/:sid/reactivate', async (req, res) => {
    const { sid } = parseInput(subaccountSidParamsSchema, req.params, 'path');
    const body = parseInput(subaccountActionSchema, req.body ?? {});
    res.json(await operator.reactivate(getPrincipal(req), sid, body.reason));
  });
  router.post('/subaccounts/:sid/close', async (req, res) => {
    const { sid } = parseInput(subaccountSidParamsSchema, req.params, 'path');
    const body = parseInput(closeSubaccountSchema, req.body);
    res.json(await operator.close(getPrincipal(req), sid, body.confirm, body.reason));
  });
  router.get('/audit-log', async (req, res) => {
    const q = parseInput(auditLogQuerySchema, req.query, 'query');
    res.json(await operator.auditLog(q));
  });
  return router;
}
