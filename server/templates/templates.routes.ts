// Template routes: list, create (waits for an admin), and edit into a new version.
import { Router, type Request } from 'express';
import { parseInput } from '../platform/errors.ts';
import { getPrincipal } from '../platform/auth/principal.ts';
import type { Db } from '../platform/db/db.ts';
import type { RouteDoc } from '../platform/http/route-docs.ts';
import { assertCustomerAccess } from '../customers/customer-access.ts';
import { templateCreateSchema, templatesResponseSchema, templateUpdateSchema, templateViewSchema } from '../../shared/templates.ts';
import { createTemplate, listTemplates, newTemplateVersion } from './templates.service.ts';

const tags = ['templates'];
export const routeDocs: RouteDoc[] = [
  { method: 'get', path: '/isv/customers/:id/templates', summary: "The customer's WhatsApp templates, every version", auth: 'user', response: templatesResponseSchema, tags },
  { method: 'post', path: '/isv/customers/:id/templates', summary: 'Create a WhatsApp template; it waits for admin approval', auth: 'user', body: templateCreateSchema, response: templateViewSchema, status: 201, tags },
  { method: 'put', path: '/isv/customers/:id/templates/:templateId', summary: 'Edit a template: creates a new version that waits for approval', auth: 'user', body: templateUpdateSchema, response: templateViewSchema, status: 201, tags },
];

export function templatesRoutes(deps: { db: Db; now?: () => Date }): Router {
  const router = Router();
  const now = () => deps.now?.() ?? new Date();
  // The /isv/customers/:id gate in features.ts checks this too; repeated per route so the router is safe anywhere.
  const access = (req: Request) => assertCustomerAccess(deps.db, getPrincipal(req), String(req.params.id));
  router.get('/customers/:id/templates', async (req, res) => {
    await access(req);
    res.json(await listTemplates(deps.db, req.params.id));
  });
  router.post('/customers/:id/templates', async (req, res) => {
    await access(req);
    const input = parseInput(templateCreateSchema, req.body);
    res.status(201).json(await createTemplate(deps.db, req.params.id, input, now()));
  });
  router.put('/customers/:id/templates/:templateId', async (req, res) => {
    await access(req);
    const input = parseInput(templateUpdateSchema, req.body);
    res.status(201).json(await newTemplateVersion(deps.db, req.params.id, req.params.templateId, input, now()));
  });
  return router;
}
