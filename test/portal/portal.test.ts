// The portal's server side: GET /api/config tells the browser the auth mode and never more than public values,
// the built portal is served at / with a fallback for client-side paths, and the build runs only when stale.
import { mkdtempSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { parseConfig } from '../../server/platform/config.ts';
import { createKeyRing } from '../../server/platform/crypto/keyring.ts';
import { createLogger } from '../../server/platform/logger.ts';
import { portalBuildReason } from '../../server/portal/build-if-stale.ts';
import { measurePortalBundle } from '../../server/portal/bundle-size.ts';
import { portalConfig, portalRoutes } from '../../server/portal/portal.routes.ts';
import { portalConfigSchema } from '../../shared/portal.ts';
import type { Db } from '../../server/platform/db/db.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'portal-test-'));
  dirs.push(d);
  return d;
};

describe('GET /api/config', () => {
  it('answers embedded mode by default, with no Supabase settings', () => {
    const body = portalConfig(parseConfig({}));
    expect(portalConfigSchema.parse(body)).toEqual({ authMode: 'embedded', supabase: null, twilioMode: 'sandbox' });
  });

  it('answers Supabase mode with the URL and the anon key only, never the service-role key or the JWT secret', () => {
    const config = parseConfig({
      SUPABASE_URL: 'https://abc.supabase.co',
      SUPABASE_ANON_KEY: 'anon-public-key',
      SUPABASE_SERVICE_ROLE_KEY: 'service-role-secret',
      SUPABASE_JWT_SECRET: 'jwt-secret',
    });
    const body = portalConfig(config);
    expect(body).toEqual({ authMode: 'supabase', supabase: { url: 'https://abc.supabase.co', anonKey: 'anon-public-key' }, twilioMode: 'sandbox' });
    expect(JSON.stringify(body)).not.toMatch(/service-role-secret|jwt-secret/);
  });

  it('stays embedded when only the Supabase URL is set (the browser cannot sign in without the anon key)', () => {
    expect(portalConfig(parseConfig({ SUPABASE_URL: 'https://abc.supabase.co' })).authMode).toBe('embedded');
  });

  it('is served without authentication and serves index.html for client-side paths but not for /api', async () => {
    const webDist = tempDir();
    writeFileSync(path.join(webDist, 'index.html'), '<!doctype html><div id="root"></div>');
    const config = parseConfig({});
    const app = createApp({
      config,
      db: {} as Db,
      logger: createLogger({ level: 'silent' }),
      keyRing: createKeyRing([{ id: 'k1', key: Buffer.alloc(32, 1) }]),
      routers: [{ path: '/', router: portalRoutes({ config }) }],
      webDist,
    });
    const request = supertest(app);
    const res = await request.get('/api/config').expect(200);
    expect(portalConfigSchema.parse(res.body).authMode).toBe('embedded');
    const page = await request.get('/customers/123/messages').expect(200);
    expect(page.text).toContain('<div id="root">');
    const missing = await request.get('/api/nothing-here').expect(404);
    expect(missing.body.code).toBe('route_not_found');
  });
});

describe('portal build freshness', () => {
  function repo() {
    const root = tempDir();
    mkdirSync(path.join(root, 'web/src'), { recursive: true });
    mkdirSync(path.join(root, 'shared'), { recursive: true });
    writeFileSync(path.join(root, 'web/src/main.tsx'), 'x');
    writeFileSync(path.join(root, 'shared/auth.ts'), 'x');
    return root;
  }
  const setTime = (file: string, seconds: number) => utimesSync(file, seconds, seconds);

  it('builds when web/dist is missing', () => {
    expect(portalBuildReason(repo())).toBe('missing');
  });

  it('does not build when web/dist is newer than every source', () => {
    const root = repo();
    mkdirSync(path.join(root, 'web/dist'));
    writeFileSync(path.join(root, 'web/dist/index.html'), 'built');
    setTime(path.join(root, 'web/src/main.tsx'), 1_000);
    setTime(path.join(root, 'shared/auth.ts'), 1_000);
    setTime(path.join(root, 'web/dist/index.html'), 2_000);
    expect(portalBuildReason(root)).toBeNull();
  });

  it('rebuilds when a portal source or a shared schema changed after the build', () => {
    const root = repo();
    mkdirSync(path.join(root, 'web/dist'));
    writeFileSync(path.join(root, 'web/dist/index.html'), 'built');
    setTime(path.join(root, 'web/dist/index.html'), 2_000);
    setTime(path.join(root, 'web/src/main.tsx'), 1_000);
    setTime(path.join(root, 'shared/auth.ts'), 3_000);
    expect(portalBuildReason(root)).toBe('stale');
    setTime(path.join(root, 'shared/auth.ts'), 1_000);
    setTime(path.join(root, 'web/src/main.tsx'), 3_000);
    expect(portalBuildReason(root)).toBe('stale');
  });
});

describe('portal bundle figures', () => {
  it('counts the entry script and its modulepreloads as initial, everything else as lazy', () => {
    const dist = tempDir();
    mkdirSync(path.join(dist, 'assets'));
    writeFileSync(
      path.join(dist, 'index.html'),
      '<script type="module" crossorigin src="/assets/index-a.js"></script><link rel="modulepreload" crossorigin href="/assets/vendor-b.js">',
    );
    const noise = (n: number) => Array.from({ length: n }, (_, i) => `const v${i} = ${(i * 7919) % 10007};`).join('\n');
    writeFileSync(path.join(dist, 'assets/index-a.js'), noise(4000));
    writeFileSync(path.join(dist, 'assets/vendor-b.js'), noise(2000));
    writeFileSync(path.join(dist, 'assets/AdminPage-c.js'), noise(1000));
    const report = measurePortalBundle(dist);
    expect(report.initial_files.sort()).toEqual(['index-a.js', 'vendor-b.js']);
    expect(report.initial_js_gzip_kb).toBeCloseTo(report.chunks['index-a.js']! + report.chunks['vendor-b.js']!, 0);
    expect(report.lazy_js_gzip_kb).toBeCloseTo(report.chunks['AdminPage-c.js']!, 1);
    expect(report.initial_js_gzip_kb).toBeGreaterThan(report.lazy_js_gzip_kb);
  });
});
