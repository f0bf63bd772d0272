// `npm run sandbox` as a child process: generated master credentials under DATA_DIR, state that survives a
// SIGTERM and a restart (what keeps an `npm start` demo going), and a SIGKILL of its whole process group right
// after it acknowledged (durable before acknowledged, as Twilio never forgets a create it answered).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { client } from './harness.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

async function runSandbox(
  dataDir: string,
): Promise<{ url: string; masterAccountSid: string; stop(): Promise<number | null>; killGroup(): Promise<unknown> }> {
  const child = spawn(TSX, ['server/main.ts', 'sandbox'], {
    cwd: ROOT,
    detached: true, // its own process group, as `npm run sandbox` in a terminal
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir, SANDBOX_PORT: '0', LOG_LEVEL: 'info', NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const ready = await new Promise<{ url: string; masterAccountSid: string }>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.includes('"sandbox.ready"'));
      if (line) resolve(JSON.parse(line) as { url: string; masterAccountSid: string });
    });
    void exited.then((code) => reject(new Error(`sandbox exited with ${code}: ${err}${out}`)));
  });
  return {
    ...ready,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
    killGroup: () => {
      process.kill(-child.pid!, 'SIGKILL');
      return exited;
    },
  };
}

describe('the sandbox process', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sandbox-proc-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps its master credentials and its subaccounts across a SIGTERM and a restart', async () => {
    const first = await runSandbox(dataDir);
    const creds = JSON.parse(readFileSync(path.join(dataDir, 'sandbox-credentials.json'), 'utf8')) as { accountSid: string; authToken: string };
    expect(creds.accountSid).toBe(first.masterAccountSid);
    const master = client(first.url, creds.accountSid, creds.authToken);
    const sub = await master.post('api.twilio.com', '/2010-04-01/Accounts.json', { FriendlyName: 'Demo tenant' });
    expect(sub.status).toBe(201);
    const svc = await client(first.url, sub.body.sid, sub.body.auth_token).post('messaging.twilio.com', '/v1/Services', { FriendlyName: 'Demo' });
    expect(svc.status).toBe(201);
    expect(await first.stop()).toBe(0);

    const second = await runSandbox(dataDir);
    expect(second.masterAccountSid).toBe(creds.accountSid);
    const again = client(second.url, creds.accountSid, creds.authToken);
    const fetched = await again.get('api.twilio.com', `/2010-04-01/Accounts/${sub.body.sid}.json`);
    expect(fetched.body).toMatchObject({ sid: sub.body.sid, friendly_name: 'Demo tenant', auth_token: sub.body.auth_token });
    const service = await client(second.url, sub.body.sid, sub.body.auth_token).get('messaging.twilio.com', `/v1/Services/${svc.body.sid}`);
    expect(service.status).toBe(200);
    expect(await second.stop()).toBe(0);
  }, 60_000);

  it('keeps every resource it acknowledged when its whole process group is SIGKILLed right after the answers', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sandbox-kill-'));
    try {
      const first = await runSandbox(dir);
      const creds = JSON.parse(readFileSync(path.join(dir, 'sandbox-credentials.json'), 'utf8')) as { accountSid: string; authToken: string };
      const master = client(first.url, creds.accountSid, creds.authToken);
      const sub = await master.post('api.twilio.com', '/2010-04-01/Accounts.json', { FriendlyName: 'Killed tenant' });
      expect(sub.status).toBe(201);
      const tenant = client(first.url, sub.body.sid, sub.body.auth_token);
      // One create after another and the kill the moment the last answer arrives: a sandbox that saved later
      // (debounced or on exit) would lose the newest ones.
      const services: Awaited<ReturnType<typeof tenant.post>>[] = [];
      for (let i = 0; i < 20; i += 1) services.push(await tenant.post('messaging.twilio.com', '/v1/Services', { FriendlyName: `Svc ${i}` }));
      const killed = first.killGroup();
      expect(services.every((r) => r.status === 201)).toBe(true);
      await killed;

      expect(statSync(path.join(dir, 'sandbox-state.json')).mode & 0o777).toBe(0o600);
      const second = await runSandbox(dir);
      const again = client(second.url, sub.body.sid, sub.body.auth_token);
      expect((await again.get('api.twilio.com', `/2010-04-01/Accounts/${sub.body.sid}.json`)).body).toMatchObject({ friendly_name: 'Killed tenant' });
      for (const svc of services) {
        expect((await again.get('messaging.twilio.com', `/v1/Services/${svc.body.sid}`)).body).toMatchObject({ sid: svc.body.sid });
      }
      expect(await second.stop()).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
