// Measures the built portal: gzip size of the JavaScript a first visit loads (the entry script and the
// modulepreloads named in web/dist/index.html) and of the lazy chunks. Used by `npm run build:web` and logged
// after the build `npm start` runs.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export const INITIAL_JS_BUDGET_KB = 250;

export interface BundleReport {
  initial_js_gzip_kb: number;
  budget_kb: number;
  lazy_js_gzip_kb: number;
  initial_files: string[];
  chunks: Record<string, number>;
}

const round = (n: number) => Math.round(n * 10) / 10;

export function measurePortalBundle(dist: string): BundleReport {
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const initial = new Set<string>();
  for (const m of html.matchAll(/<script[^>]+type="module"[^>]+src="([^"]+)"/g)) initial.add(path.basename(m[1]!));
  for (const m of html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)) initial.add(path.basename(m[1]!));
  const assets = path.join(dist, 'assets');
  let initialKb = 0;
  let lazyKb = 0;
  const chunks: Record<string, number> = {};
  for (const f of readdirSync(assets).filter((name) => name.endsWith('.js'))) {
    const kb = gzipSync(readFileSync(path.join(assets, f)), { level: 9 }).length / 1024;
    chunks[f] = round(kb);
    if (initial.has(f)) initialKb += kb;
    else lazyKb += kb;
  }
  return { initial_js_gzip_kb: round(initialKb), budget_kb: INITIAL_JS_BUDGET_KB, lazy_js_gzip_kb: round(lazyKb), initial_files: [...initial], chunks };
}
