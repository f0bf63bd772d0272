// Usage, limits and alerts per customer: /api/isv/customers/:id/{usage,limits,alerts,alert-settings} and
// the operators' view across customers at /api/isv/operator/usage.
import { Router, type Response } from 'express';
import { AppError, parseInput } from '../platform/errors.ts';
import { getPrincipal } from '../platform/auth/principal.ts';
import { requireRole } from '../platform/auth/require-role.ts';
import { assertCustomerAccess } from '../customers/customer-access.ts';
import type { Db } from '../platform/db/db.ts';
import type { RouteDoc } from '../platform/http/route-docs.ts';
import { idParamsSchema } from '../../shared/common.ts';
import {
  alertIdParamsSchema,
  alertListSchema,
  alertSchema,
  alertSettingsResponseSchema,
  alertSettingsSchema,
  limitsSchema,
  operatorUsageQuerySchema,
  operatorUsageSchema,
  putAlertSettingsSchema,
  putLimitsSchema,
  usageQuerySchema,
  usageRefreshResultSchema,
  usageRefreshSchema,
  usageReportSchema,
} from '../../shared/usage.ts';
import { toCsv, type UsageService } from './usage.service.ts';
import type { LimitsService } from './limits.service.ts';
import type { AlertsService } from './alerts.service.ts';

const tags = ['usage'];
export const routeDocs: RouteDoc[] = [
  { method: 'get', path: '/isv/customers/:id/usage', summary: "The customer's Twilio usage by day or month and category, with its own message counts (format=csv for a spreadsheet)", auth: 'user', query: usageQuerySchema, response: usageReportSchema, tags },
  { method: 'post', path: '/isv/customers/:id/usage/refresh', summary: "Read the customer's usage from Twilio again for a range of days (at most 31; each day read replaces what was stored)", auth: 'user', body: usageRefreshSchema, response: usageRefreshResultSchema, tags },
  { method: 'get', path: '/isv/customers/:id/limits', summary: 'Limits (the lower of the staff ceiling and the customer\'s own value) and where they stand', auth: 'user', response: limitsSchema, tags },
  { method: 'put', path: '/isv/customers/:id/limits', summary: 'Set limits: staff set ceilings, owners lower values of their own (never above the ceiling)', auth: 'user', body: putLimitsSchema, response: limitsSchema, tags },
  { method: 'get', path: '/isv/customers/:id/alerts', summary: "The customer's raised alerts, newest first, and how many are unread", auth: 'user', response: alertListSchema, tags },
  { method: 'post', path: '/isv/customers/:id/alerts/:alertId/read', summary: 'Mark an alert as read', auth: 'user', response: alertSchema, tags },
  { method: 'get', path: '/isv/customers/:id/alert-settings', summary: 'Alert thresholds and the alert webhook endpoint', auth: 'user', response: alertSettingsSchema, tags },
  { method: 'put', path: '/isv/customers/:id/alert-settings', summary: 'Set alert thresholds and the HTTPS endpoint; its signing secret is in this answer only when created', auth: 'user', body: putAlertSettingsSchema, response: alertSettingsResponseSchema, tags },
  { method: 'get', path: '/isv/operator/usage', summary: 'Usage, spend and delivery rate of every customer, sortable by spend, and the top Twilio error codes (format=csv)', auth: 'operator', query: operatorUsageQuerySchema, response: operatorUsageSchema, tags },
  { method: 'post', path: '/isv/operator/usage/refresh', summary: "Read every customer's usage from Twilio again (yesterday and today unless a range is given)", auth: 'operator', body: usageRefreshSchema, response: usageRefreshResultSchema, tags },
];

const MAX_REFRESH_DAYS = 31;

function refreshRange(body: { from?: string; to?: string }): { from?: string; to?: string } {
  if (body.from && body.to) {
    if (body.from > body.to) throw new AppError(422, 'validation_failed', 'The request body is invalid', [{ path: 'from', message: 'must not be after to' }]);
    if ((Date.parse(body.to) - Date.parse(body.from)) / 86_400_000 >= MAX_REFRESH_DAYS) {
      throw new AppError(422, 'validation_failed', 'The request body is invalid', [{ path: 'to', message: `must be less than ${MAX_REFRESH_DAYS} days after from` }]);
    }
  } else if (body.from || body.to) {
    throw new AppError(422, 'validation_failed', 'The request body is invalid', [{ path: body.from ? 'to' : 'from', message: 'is required with the other end of the range' }]);
  }
  return body;
}

function sendCsv(res: Response, name: string, csv: string) {
  res.type('text/csv; charset=utf-8').attachment(name).send(csv);
}

export function usageRoutes(deps: { db: Db; usage: UsageService; limits: LimitsService; alerts: AlertsService }): Router {
  const router = Router();
  const { usage, limits, alerts } = deps;

  router.get('/customers/:id/usage', async (req, res) => {
    const { id } = parseInput(idParamsSchema, req.params, 'path');
    const q = parseInput(usageQuerySchema, req.query, 'query');
    await assertCustomerAccess(deps.db, getPrincipal(req), id);
    const report = await usage.report(id, q);
    if (q.format === 'csv') {
      return sendCsv(res, `usage-${report.from}-${report.to}.csv`, toCsv(['date', 'category', 'count', 'usage', 'price', 'priceUnit'], report.items.map((i) => [i.date, i.category, i.count, i.usage, i.price, i.priceUnit])));
    }
    res.json(report);
  });

  router.post('/customers/:id/usage/refresh', async (req, res) => {
    const { id } = parseInput(idParamsSchema, req.params, 'path');
    const body = refreshRange(parseInput(usageRefreshSchema, req.body ?? {}));
    await assertCustomerAccess(deps.db, getPrincipal(req), id);
    try {
      const r = await usage.ingest({ customerId: id, ...body });
      res.json({ days: r.days, records: r.records });
    } catch (err) {
      if (err instanceof AppError) throw err;
      // A Twilio fault is not the customer's to fix: logged by the service, answered plainly.
      throw new AppError(503, 'usage_unavailable', 'Twilio could not give your usage right now; it is read again automatically every night.', undefined, { 'Retry-After': '60' });
    }
  });

  router.get('/customers/:id/limits', async (req, res) => {
    const { id } = parseInput(idParamsSchema, req.params, 'path');
    res.json(await limits.get(getPrincipal(req), id));
  });

  router.put('/customers/:id/limits', async (req, res) => {
    const { id } = parseInput(idParamsSchema, req.params, 'path');
    const body = parseInput(putLimitsSchema, req.body ?? {});
    res.json(await limits.put(getPrincipal(req), id, body));
  });

  router.get('/customers/:id/alerts', async (req, res) => {
    const { id } = parseInput(idParamsSchema, req.params, 'path');
    res.json(await alerts.list(getPrincipal(req), id));
  });

  router.post('/customers/:id/alerts/:alertId/read', async (req, res) => {
    const { id, alertId } = parseInput(alertIdParamsSchema, req.params, 'path');
    res.json(await alerts.markRead(getPrincipal(req), id, alertId));
  });

  router.get('/customers/:id/alert-settings', async (req, res) => {
    const { id } = parseInput(idParamsSchema, req.params, 'path');
    res.json(await alerts.getSettings(getPrincipal(req), id));
  });

  router.put('/customers/:id/alert-settings', async (req, res) => {
    const { id } = parseInput(idParamsSchema, req.params, 'path');
    const body = parseInput(putAlertSettingsSchema, req.body ?? {});
    res.set('Cache-Control', 'no-store').json(await alerts.putSettings(getPrincipal(req), id, body));
  });

  const operator = Router();
  operator.use(requireRole('operator'));
  operator.get('/usage', async (req, res) => {
    const q = parseInput(operatorUsageQuerySchema, req.query, 'query');
    const budgets = new Map<string, number | null>();
    const rows = await deps.db.query<{ customer_id: string }>(`SELECT customer_id FROM isv.customer_limits`);
    for (const r of rows) budgets.set(r.customer_id, (await limits.effective(r.customer_id)).monthlyBudgetUsd);
    const report = await usage.operatorReport(q, budgets);
    if (q.format === 'csv') {
      return sendCsv(
        res,
        `customers-usage-${report.from}-${report.to}.csv`,
        toCsv(
          ['customerId', 'customerName', 'spend', 'priceUnit', 'messages', 'delivered', 'failed', 'deliveryRate', 'monthlyBudgetUsd'],
          report.customers.map((c) => [c.customerId, c.customerName, c.spend, c.priceUnit, c.messages, c.delivered, c.failed, c.deliveryRate, c.monthlyBudgetUsd]),
        ),
      );
    }
    res.json(report);
  });
  operator.post('/usage/refresh', async (req, res) => {
    const body = refreshRange(parseInput(usageRefreshSchema, req.body ?? {}));
    const r = await usage.ingest(body);
    res.json({ days: r.days, records: r.records });
  });
  router.use('/operator', operator);

  return router;
}
