// Lists the routes an Express app really serves, by walking the feature routers' stacks (Express 5 keeps each
// route's path; a nested router's mount path is not kept, so its routes come back as path suffixes).
import type { Router } from 'express';

export interface ServedRoute {
  method: string;
  /** Full path under /api when known (e.g. /isv/customers/:id). */
  path: string;
  /** True when the route sits in a nested router whose mount path is unknown: `path` is then a suffix. */
  suffixOnly: boolean;
}

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

function join(base: string, path: string): string {
  const joined = `${base === '/' ? '' : base}${path === '/' ? '' : path}`;
  return joined === '' ? '/' : joined;
}

export function servedRoutes(routers: { path: string; router: Router }[]): ServedRoute[] {
  const out: ServedRoute[] = [];
  const walk = (stack: Layer[], base: string, suffixOnly: boolean) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths) {
          for (const [method, on] of Object.entries(layer.route.methods)) {
            if (on && method !== '_all') out.push({ method, path: suffixOnly ? p : join(base, p), suffixOnly });
          }
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, base, true);
      }
    }
  };
  for (const r of routers) walk((r.router as unknown as { stack: Layer[] }).stack, r.path, false);
  return out;
}
