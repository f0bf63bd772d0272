// Liveness (the process answers) and readiness (database reachable, every migration applied).
import { Router } from 'express';
import type { Db } from '../platform/db/db.ts';
import { pendingMigrations } from '../platform/db/migrate.ts';

export function healthRoutes(deps: { db: Db }): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    try {
      await deps.db.query('SELECT 1');
      const pending = await pendingMigrations(deps.db);
      if (pending.length) {
        res.status(503).json({ code: 'migrations_pending', detail: `${pending.length} migration(s) not applied` });
        return;
      }
      res.json({ status: 'ready', database: deps.db.engine });
    } catch {
      res.status(503).json({ code: 'database_unreachable', detail: 'The database cannot be reached' });
    }
  });
  return router;
}
