// The real entry point as a child process: start-up refusals, health, and restarts that keep data.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPgliteDb } from '../../server/platform/db/pglite.ts';
import { openToOthers } from '../../server/platform/data-dir.ts';

// This process opens the server's database directly between runs; like the server, it must leave what it
// writes in DATA_DIR owner-only.
process.umask(0o077);

const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

function run(env: Record<string, string>, args: string[] = []) {
  const child = spawn(TSX, ['server/main.ts', ...args, '--no-web-build'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => out, err: () => err };
}

async function waitForListening(p: ReturnType<typeof run>, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = p.out().split('\n').find((l) => l.includes('"server.listening"'));
    if (line) return (JSON.parse(line) as { port: number }).port;
    if (p.child.exitCode !== null) throw new Error(`server exited: ${p.err()}${p.out()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not start in time: ${p.err()}${p.out()}`);
}

const stop = async (child: ChildProcess, exited: Promise<number | null>) => {
  child.kill('SIGTERM');
  return exited;
};

describe('the server process', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'isv-main-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = { DATA_DIR: dataDir, PORT: '0', SANDBOX_PORT: '0', LOG_LEVEL: 'info', NODE_ENV: 'test' };

  it('refuses to start in live mode without ENCRYPTION_KEYS, naming the variable', async () => {
    const p = run({
      TWILIO_MODE: 'live',
      TWILIO_MASTER_ACCOUNT_SID: `AC${'c'.repeat(32)}`,
      TWILIO_MASTER_AUTH_TOKEN: 'z'.repeat(32),
      PUBLIC_BASE_URL: 'https://isv.example.com',
      DATA_DIR: dataDir,
    });
    expect(await p.exited).not.toBe(0);
    expect(p.err()).toContain('ENCRYPTION_KEYS: is required when TWILIO_MODE=live');
  });

  it('serves health on the embedded default, stops on SIGTERM, and keeps its data across a restart without migrating twice', async () => {
    const first = run(env);
    const port = await waitForListening(first);
    const health = await fetch(`http://127.0.0.1:${port}/api/health`);
    expect(health.status).toBe(200);
    expect(first.out()).toContain('"db.migrated"');
    expect(await stop(first.child, first.exited)).toBe(0);
    // Everything the start wrote (database, key file, sandbox state and credentials, demo passwords) is owner-only.
    expect(readdirSync(dataDir)).toEqual(expect.arrayContaining(['pgdata', 'encryption.key', 'sandbox-state.json', 'sandbox-credentials.json']));
    expect(openToOthers(dataDir)).toEqual([]);
    for (const name of readdirSync(dataDir)) {
      expect({ name, mode: statSync(path.join(dataDir, name)).mode & 0o777 }).toEqual({ name, mode: name === 'pgdata' ? 0o700 : 0o600 });
    }

    const db = await createPgliteDb(path.join(dataDir, 'pgdata'));
    await db.query(`INSERT INTO isv.audit_log (action, target_type, target_id) VALUES ('kept', 'test', 'restart')`);
    const migrationsBefore = await db.query<{ n: number }>('SELECT count(*) AS n FROM isv.schema_migrations');
    await db.close();

    const second = run(env);
    const port2 = await waitForListening(second);
    expect((await fetch(`http://127.0.0.1:${port2}/api/ready`)).status).toBe(200);
    expect(second.out()).toContain('"db.current"');
    expect(second.out()).not.toContain('"db.migrated"');
    expect(await stop(second.child, second.exited)).toBe(0);

    const again = await createPgliteDb(path.join(dataDir, 'pgdata'));
    expect(await again.query(`SELECT action FROM isv.audit_log WHERE target_id = 'restart'`)).toEqual([{ action: 'kept' }]);
    expect(await again.query('SELECT count(*) AS n FROM isv.schema_migrations')).toEqual(migrationsBefore);
    await again.close();
  }, 180_000);

  it('refuses to start when other users can reach DATA_DIR, naming the chmod that fixes it, and changes nothing', async () => {
    const open = mkdtempSync(path.join(tmpdir(), 'isv-open-'));
    const started: ChildProcess[] = [];
    try {
      writeFileSync(path.join(open, 'notes.txt'), 'left by an operator\n');
      chmodSync(path.join(open, 'notes.txt'), 0o666);
      chmodSync(open, 0o755); // as an earlier version (or a umask of 022) left it
      const p = run({ ...env, DATA_DIR: open });
      started.push(p.child);
      expect(await p.exited).toBe(2);
      expect(p.err()).toContain(`DATA_DIR ${open} is open to other users`);
      expect(p.err()).toContain(`${open} (mode 0755)`);
      expect(p.err()).toContain(`notes.txt (mode 0666)`);
      expect(p.err()).toContain(`chmod -R go-rwx '${open}'`);
      expect(statSync(path.join(open, 'notes.txt')).mode & 0o777).toBe(0o666);
      expect(readdirSync(open)).toEqual(['notes.txt']);

      chmodSync(path.join(open, 'notes.txt'), 0o600);
      chmodSync(open, 0o700);
      const fixed = run({ ...env, DATA_DIR: open });
      started.push(fixed.child);
      await waitForListening(fixed);
      expect(await stop(fixed.child, fixed.exited)).toBe(0);
    } finally {
      for (const c of started) if (c.exitCode === null) c.kill('SIGKILL');
      rmSync(open, { recursive: true, force: true });
    }
  }, 120_000);
});
