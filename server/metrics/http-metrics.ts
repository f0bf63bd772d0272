// http_request_duration_seconds for every request of the app, labelled with the Express route pattern that
// matched (`/api/isv/customers/:id/messages`), never the raw URL: ids would make a new series per customer.
// Requests no route matched (404s, the portal's static files) share one label each.
import type { RequestHandler } from 'express';
import { httpRequestDuration } from './metrics.ts';

export function httpMetrics(): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      httpRequestDuration.observe({ route: routeOf(req), method: req.method, status: String(res.statusCode) }, seconds);
    });
    next();
  };
}

function routeOf(req: Parameters<RequestHandler>[0]): string {
  const route = (req as { route?: { path?: unknown } }).route;
  if (route && typeof route.path === 'string') return `${req.baseUrl}${route.path}`;
  return req.originalUrl.startsWith('/api/') ? '/api/<unmatched>' : '<static>';
}
