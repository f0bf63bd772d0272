// http_request_duration_seconds for every request of the app, labelled with the Express route pattern that
// matched (`/api/isv/customers/:id/messages`), never the raw URL: ids would make a new series per customer.
// Requests no route matched (404s, the portal's static files) share one label each.
import type { Request, RequestHandler } from 'express';
import { httpRequestDuration } from './metrics.ts';

const handlerRoutes = new WeakMap<Request, string>();

/** The route label of a request answered by a handler that is not an Express route (the lean webhook path). */
export function labelRoute(req: Request, pattern: string): void {
  handlerRoutes.set(req, pattern);
}

export function httpMetrics(): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    // The router sets req.route when a route matches, with req.baseUrl then its mount path; a handler that throws
    // leaves the routers with baseUrl reset, so the full pattern is taken at that moment, not at 'finish'.
    let matched: string | undefined;
    let route: unknown;
    Object.defineProperty(req, 'route', {
      configurable: true,
      enumerable: true,
      get: () => route,
      set(value: unknown) {
        route = value;
        const path = (value as { path?: unknown } | undefined)?.path;
        if (typeof path === 'string') matched = `${req.baseUrl}${path}`;
      },
    });
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const label = matched ?? handlerRoutes.get(req) ?? (req.originalUrl.startsWith('/api/') ? '/api/<unmatched>' : '<static>');
      httpRequestDuration.observe({ route: label, method: req.method, status: String(res.statusCode) }, seconds);
    });
    next();
  };
}
