// The portal's server side: GET /api/config tells the browser the auth mode and never more than public values,
// the built portal is served at / with a fallback for client-side paths, and the build runs only when stale.
import { mkdtempSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
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

describe('serving the built portal', () => {
  function portalApp() {
    const webDist = tempDir();
    mkdirSync(path.join(webDist, 'assets'));
    writeFileSync(path.join(webDist, 'index.html'), '<!doctype html><div id="root"></div>');
    const js = Buffer.from('console.log("portal");'.repeat(200));
    writeFileSync(path.join(webDist, 'assets/index-abc123.js'), js);
    writeFileSync(path.join(webDist, 'assets/index-abc123.js.br'), brotliCompressSync(js));
    writeFileSync(path.join(webDist, 'assets/index-abc123.js.gz'), gzipSync(js));
    const config = parseConfig({});
    const app = createApp({
      config,
      db: {} as Db,
      logger: createLogger({ level: 'silent' }),
      keyRing: createKeyRing([{ id: 'k1', key: Buffer.alloc(32, 1) }]),
      webDist,
    });
    return { app, request: supertest(app), js };
  }
  /** The bytes on the wire (supertest would decode them), from a server on an ephemeral port. */
  async function rawGet(app: ReturnType<typeof createApp>, urlPath: string, acceptEncoding: string) {
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    try {
      const { port } = server.address() as AddressInfo;
      return await new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: urlPath, headers: { 'accept-encoding': acceptEncoding } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          })
          .on('error', reject);
      });
    } finally {
      server.close();
    }
  }

  it('sends hashed assets brotli-compressed to browsers that accept it, cached for a year as immutable', async () => {
    const { app, js } = portalApp();
    const res = await rawGet(app, '/assets/index-abc123.js', 'gzip, deflate, br');
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers.vary).toMatch(/Accept-Encoding/i);
    expect(brotliDecompressSync(res.body).equals(js)).toBe(true);
    expect(res.body.length).toBeLessThan(js.length / 10);
  });

  it('falls back to gzip, and to the plain file for clients that accept neither', async () => {
    const { app, js } = portalApp();
    const gz = await rawGet(app, '/assets/index-abc123.js', 'gzip, br;q=0');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(js)).toBe(true);
    const plain = await rawGet(app, '/assets/index-abc123.js', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.equals(js)).toBe(true);
  });

  it('revalidates index.html on every visit, at / and for client-side paths, so a deploy is seen at once', async () => {
    const { request } = portalApp();
    for (const p of ['/', '/index.html', '/customers/123/progress']) {
      const res = await request.get(p).expect(200);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.text).toContain('<div id="root">');
    }
  });

  it('answers 404 for an asset that does not exist instead of the portal page', async () => {
    const { request } = portalApp();
    const res = await request.get('/assets/index-old999.js').expect(404);
    expect(res.headers['cache-control']).toBe('no-store');
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
