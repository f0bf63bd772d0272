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
import { portalStatic } from './portal/portal-static.ts';

export interface AppDeps {
  config: Config;
  db: Db;
  logger: Logger;
  keyRing: KeyRing;
  /** Feature routers mounted under /api, in order. */
  routers?: { path: string; router: Router }[];
  /** Static portal directory served at / (with SPA fallback), when built. */
  webDist?: string;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(requestLogger(deps.logger));
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: { defaultSrc: ["'self'"], connectSrc: ["'self'", ...(deps.config.supabase.url ? [deps.config.supabase.url] : [])] },
      },
    }),
  );

  const api = express.Router();
  // Both parsers keep the raw bytes: webhook verification needs them (bodySHA256 is over the raw body).
  const keepRaw = (req: express.Request, _res: unknown, buf: Buffer) => {
    (req as RawBodyRequest).rawBody = buf;
  };
  // Postgres text and jsonb cannot hold NUL: such a body is refused as malformed JSON (400) instead of failing in SQL.
  const rejectNul = (key: string, value: unknown) => {
    if (key.includes('\u0000') || (typeof value === 'string' && value.includes('\u0000'))) throw new SyntaxError('NUL characters are not accepted');
    return value;
  };
  api.use(express.json({ limit: '100kb', verify: keepRaw, reviver: rejectNul }));
  api.use(express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 200, verify: keepRaw }));
  api.use(healthRoutes(deps));
  for (const r of deps.routers ?? []) api.use(r.path, r.router);
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
