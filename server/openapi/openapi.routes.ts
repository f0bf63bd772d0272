// GET /api/openapi.json: the OpenAPI 3.1 document, built on first request from every feature's RouteDoc entries
// (by then every feature has registered its routes) and kept by this router instance.
import { Router } from 'express';
import type { RouteDoc } from '../platform/http/route-docs.ts';
import { buildOpenApiDocument, coreRouteDocs } from './openapi.ts';

export const routeDocs: RouteDoc[] = coreRouteDocs;

export function openApiRoutes(deps: { routeDocs: readonly RouteDoc[]; publicBaseUrl: string; version: string }): Router {
  const router = Router();
  let document: Record<string, unknown> | undefined;
  router.get('/openapi.json', (_req, res) => {
    document ??= buildOpenApiDocument(deps.routeDocs, { version: deps.version, serverUrl: deps.publicBaseUrl });
    res.set('Cache-Control', 'no-cache').json(document);
  });
  return router;
}
