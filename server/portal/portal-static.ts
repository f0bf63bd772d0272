// Serves the built portal: hashed assets pre-compressed at build time (brotli, then gzip) and cached for a year,
// index.html revalidated on every visit so a deploy is seen at once, and index.html for client-side paths.
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Request, type Response, type Router } from 'express';

/** Vite names every file under assets/ by its content hash, so a changed file is a new URL. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const ENCODINGS = [
  { name: 'br', ext: '.br' },
  { name: 'gzip', ext: '.gz' },
] as const;

/** The encodings the client accepts (q > 0), from an Accept-Encoding header such as "gzip, br;q=0.8". */
export function acceptedEncodings(header: string | undefined): Set<string> {
  const accepted = new Set<string>();
  for (const part of (header ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (name && !(q && Number(q.slice(2)) === 0)) accepted.add(name);
  }
  return accepted;
}

function chooseEncoding(req: Request, file: string): (typeof ENCODINGS)[number] | null {
  const accepted = acceptedEncodings(req.headers['accept-encoding']);
  return ENCODINGS.find((enc) => accepted.has(enc.name) && existsSync(file + enc.ext)) ?? null;
}

export function portalStatic(webDist: string): Router {
  const router = express.Router();
  const assets = path.join(webDist, 'assets');

  // Pre-compressed variants written by the build (web/vite.config.ts); the plain file is the fallback.
  router.get(/^\/assets\/[^/]+$/, (req, res, next) => {
    const name = path.basename(req.path);
    const file = path.join(assets, name);
    if (!existsSync(file)) return next();
    const enc = chooseEncoding(req, file);
    res.set('Cache-Control', IMMUTABLE).vary('Accept-Encoding');
    if (enc) res.set('Content-Encoding', enc.name);
    // The type comes from the original name, not from .br/.gz.
    res.type(path.extname(name));
    res.sendFile(enc ? name + enc.ext : name, { root: assets, cacheControl: false, dotfiles: 'deny' });
  });
  router.use('/assets', (_req, res) => {
    res.status(404).set('Cache-Control', 'no-store').type('text/plain').send('Not found');
  });

  const sendIndex = (_req: Request, res: Response) => {
    res.set('Cache-Control', 'no-cache').sendFile('index.html', { root: webDist, cacheControl: false });
  };
  router.get('/index.html', sendIndex);
  router.use(express.static(webDist, { index: false, maxAge: '1h', redirect: false }));
  router.get(/^\/(?!api\/).*/, sendIndex);
  return router;
}
