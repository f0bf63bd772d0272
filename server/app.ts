// createApp(deps) builds the Express app from its dependencies and never listens; main.ts and tests call it.
import express, { type Express, type Router } from 'express';
import helmet from 'helmet';
import type { Config } from './platform/config.ts';
import type { Db } from './platform/db/db.ts';
import type { KeyRing } from './platform/crypto/keyring.ts';
import type { Logger } from './platform/logger.ts';
import { errorHandler, notFoundRoute } from './platform/errors.ts';
import { requestLogger } from './platform/http/request-context.ts';
import { healthRoutes } from './health/health.routes.ts';
import { checkRawBody, MAX_PARAMETERS, refuseUnstorableInput } from './platform/http/body-checks.ts';
import { portalStatic } from './portal/portal-static.ts';
import { httpMetrics } from './metrics/http-metrics.ts';

export interface AppDeps {
  config: Config;
  db: Db;
  logger: Logger;
  keyRing: KeyRing;
  /**
   * Feature routers mounted under /api, in order. `beforeMiddleware` ones (the lean webhook path, issue 13) go
   * first, ahead of request logging, helmet and the body parsers, and pass what they do not handle on to them.
   */
  routers?: { path: string; router: Router; beforeMiddleware?: boolean }[];
  /** Static portal directory served at / (with SPA fallback), when built. */
  webDist?: string;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(httpMetrics());
  for (const r of deps.routers ?? []) if (r.beforeMiddleware) app.use(`/api${r.path}`, r.router);
  app.use(requestLogger(deps.logger));
  app.use(
    helmet({
      contentSecurityPolicy: {
        // style-src without helmet's default https: 'unsafe-inline': the portal's CSS is bundled into /assets.
        directives: {
          defaultSrc: ["'self'"],
          styleSrc: ["'self'"],
          connectSrc: ["'self'", ...(deps.config.supabase.url ? [deps.config.supabase.url] : [])],
        },
      },
    }),
  );

  const api = express.Router();
  // API answers carry tenant data and tokens: no browser or proxy cache may keep them.
  api.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  // Both parsers keep the raw (decompressed) bytes: webhook verification needs them (bodySHA256 is over the raw
  // body), and they are checked for invalid UTF-8 and NUL before parsing (body-checks.ts).
  const keepRaw = (form: boolean) => (req: express.Request, _res: unknown, buf: Buffer, charset: string | null) => {
    checkRawBody(buf, charset, form);
    (req as RawBodyRequest).rawBody = buf;
  };
  api.use(express.json({ limit: '100kb', verify: keepRaw(false) }));
  api.use(express.urlencoded({ extended: false, limit: '100kb', parameterLimit: MAX_PARAMETERS, verify: keepRaw(true) }));
  api.use(refuseUnstorableInput);
  api.use(healthRoutes(deps));
  for (const r of deps.routers ?? []) if (!r.beforeMiddleware) api.use(r.path, r.router);
  api.use(notFoundRoute);
  app.use('/api', api);

  if (deps.webDist) {
    app.use(portalStatic(deps.webDist));
  }
  app.use(notFoundRoute);
  app.use(errorHandler);
  return app;
}

export type RawBodyRequest = express.Request & { rawBody?: Buffer };
