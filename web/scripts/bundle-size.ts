// `npm run build:web` (after vite build): prints the portal's bundle figures as JSON and exits 1 when the
// JavaScript a first visit loads passes the 250 KB gzip budget.
import path from 'node:path';
import { measurePortalBundle } from '../../server/portal/bundle-size.ts';

const report = measurePortalBundle(path.resolve(process.argv[2] ?? 'web/dist'));
console.log(JSON.stringify(report, null, 2));
if (report.initial_js_gzip_kb > report.budget_kb) {
  console.error(`initial JavaScript is ${report.initial_js_gzip_kb} KB gzip, over the ${report.budget_kb} KB budget`);
  process.exit(1);
}
