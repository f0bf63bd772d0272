// Builds the portal into web/dist before the server starts when the build is missing or older than its sources
// (web/src, web/index.html, web/vite.config.ts, shared/). Vite runs as a child process so its memory is not ours.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Logger } from '../platform/logger.ts';
import { measurePortalBundle } from './bundle-size.ts';

export interface PortalBuildPaths {
  /** Repository root (holds web/ and shared/). */
  root: string;
}

/** The newest modification time (ms) of any file under the given paths; 0 when none exist. */
export function newestMtime(paths: string[]): number {
  let newest = 0;
  const visit = (p: string) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const entry of readdirSync(p)) visit(path.join(p, entry));
    } else if (st.mtimeMs > newest) {
      newest = st.mtimeMs;
    }
  };
  for (const p of paths) visit(p);
  return newest;
}

export function portalSources(root: string): string[] {
  return ['web/src', 'web/index.html', 'web/vite.config.ts', 'shared'].map((p) => path.join(root, p));
}

/** Why the portal needs building, or null when web/dist is current. */
export function portalBuildReason(root: string): 'missing' | 'stale' | null {
  const index = path.join(root, 'web/dist/index.html');
  if (!existsSync(index)) return 'missing';
  return newestMtime(portalSources(root)) > statSync(index).mtimeMs ? 'stale' : null;
}

function runVite(root: string, outDir: string): Promise<void> {
  const require = createRequire(path.join(root, 'package.json'));
  const viteBin = path.join(path.dirname(require.resolve('vite/package.json')), 'bin/vite.js');
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [viteBin, 'build', '--config', 'web/vite.config.ts', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'],
      // A production bundle whatever NODE_ENV the server runs under (test or development would ship React's dev build).
      { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, NODE_ENV: 'production' } },
    );
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`vite build exited with ${code}`))));
  });
}

const code = (err: unknown) => (err as NodeJS.ErrnoException).code;

/** Replaces dist with fresh. Another process may be swapping too: whoever lands last wins, both builds are current. */
function swapIn(fresh: string, dist: string, old: string): void {
  try {
    renameSync(dist, old);
  } catch (err) {
    if (code(err) !== 'ENOENT') throw err;
  }
  try {
    renameSync(fresh, dist);
  } catch (err) {
    if (code(err) !== 'ENOTEMPTY' && code(err) !== 'EEXIST') throw err;
  }
}

/**
 * Builds into a private folder and then swaps it in, so a server already serving web/dist (or a second server
 * starting at the same moment) never sees a half-written build.
 */
export async function buildPortalIfStale(paths: PortalBuildPaths, logger: Logger): Promise<'built' | 'current'> {
  const reason = portalBuildReason(paths.root);
  if (!reason) return 'current';
  const started = Date.now();
  logger.info({ reason }, 'portal.building');
  const dist = path.join(paths.root, 'web/dist');
  const fresh = path.join(paths.root, `web/.dist-build-${process.pid}`);
  const old = path.join(paths.root, `web/.dist-old-${process.pid}`);
  try {
    await runVite(paths.root, fresh);
    swapIn(fresh, dist, old);
  } finally {
    rmSync(fresh, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
  const { initial_js_gzip_kb, lazy_js_gzip_kb, budget_kb } = measurePortalBundle(dist);
  logger.info({ ms: Date.now() - started, initial_js_gzip_kb, lazy_js_gzip_kb, budget_kb }, 'portal.built');
  return 'built';
}
