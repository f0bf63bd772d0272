// The production build: `npm run build:server` compiles the server to dist/, and `npm run start:prod` runs it with
// plain node (no tsx, no TypeScript at run time), as the Dockerfile does.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

describe('the compiled production build', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'isv-prod-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('builds into dist/ and, started with plain node, answers 200 on /api/health and stops cleanly on SIGTERM', async () => {
    await promisify(execFile)('npm', ['run', '-s', 'build:server'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    expect(existsSync(path.join(ROOT, 'dist/server/main.js'))).toBe(true);
    // Migrations travel with the build: the compiled runner reads them beside it, not from the source tree.
    expect(existsSync(path.join(ROOT, 'dist/supabase/migrations/20261123000000_init.sql'))).toBe(true);

    const [command, ...args] = scripts['start:prod']!.split(' ');
    expect(command).toBe('node');
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'production', DATA_DIR: dataDir, PORT: '0', SANDBOX_PORT: '0', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      let port: number | undefined;
      const deadline = Date.now() + 60_000;
      while (port === undefined && Date.now() < deadline) {
        const line = out.split('\n').find((l) => l.includes('"server.listening"'));
        if (line) port = (JSON.parse(line) as { port: number }).port;
        else if (child.exitCode !== null) throw new Error(`server exited: ${err}${out}`);
        else await new Promise((r) => setTimeout(r, 100));
      }
      if (port === undefined) throw new Error(`server did not start in time: ${err}${out}`);
      const health = await fetch(`http://127.0.0.1:${port}/api/health`);
      expect(health.status).toBe(200);
      expect(out).toContain('"db.migrated"');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 180_000);
});
