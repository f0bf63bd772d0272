// WEB_CONCURRENCY: how many server processes main.ts forks to share the port through node:cluster.
import { availableParallelism } from 'node:os';
import type { Config } from './config.ts';

/**
 * How many server processes share the port: WEB_CONCURRENCY, or one per core. The embedded PGlite database lives
 * in one process's memory and cannot be shared, so without DATABASE_URL it is always one (and the log says so).
 */
export function workerCount(config: Pick<Config, 'databaseUrl' | 'webConcurrency'>, cores = availableParallelism()): { workers: number; reason?: string } {
  if (!config.databaseUrl) return { workers: 1, reason: 'the embedded PGlite database cannot be shared between processes; set DATABASE_URL to run several' };
  return { workers: config.webConcurrency ?? cores };
}

