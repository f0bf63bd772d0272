// Prints the gzip size of the JavaScript a first visit loads (the entry script and its modulepreloads in
// web/dist/index.html) and of the lazy chunks; exits 1 when the initial figure passes the 250 KB budget.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = 250;
const dist = path.resolve(process.argv[2] ?? 'web/dist');
const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
const initial = new Set<string>();
for (const m of html.matchAll(/<script[^>]+type="module"[^>]+src="([^"]+)"/g)) initial.add(m[1]!);
for (const m of html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)) initial.add(m[1]!);

const gzipKb = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length / 1024;
const round = (n: number) => Math.round(n * 10) / 10;

const assets = path.join(dist, 'assets');
const all = readdirSync(assets).filter((f) => f.endsWith('.js'));
let initialKb = 0;
let lazyKb = 0;
const files: Record<string, number> = {};
for (const f of all) {
  const kb = gzipKb(path.join(assets, f));
  files[f] = round(kb);
  if (initial.has(`/assets/${f}`)) initialKb += kb;
  else lazyKb += kb;
}
const report = {
  initial_js_gzip_kb: round(initialKb),
  budget_kb: BUDGET_KB,
  lazy_js_gzip_kb: round(lazyKb),
  initial_files: [...initial].map((f) => path.basename(f)),
  chunks: files,
};
console.log(JSON.stringify(report, null, 2));
if (initialKb > BUDGET_KB) {
  console.error(`initial JavaScript is ${round(initialKb)} KB gzip, over the ${BUDGET_KB} KB budget`);
  process.exit(1);
}
