// Fault injection without side effects, the request log, lifecycle steps driven by due times, and state that
// survives a restart (accounts, resources, opt-outs, pending steps and callbacks).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import twilio from 'twilio';
import { afterAll, describe, expect, it } from 'vitest';
import { defineModule, type StoredRecord } from '../../server/sandbox/framework.ts';
import { client, createServiceWithNumber, createSubaccount, seeded, startReceiver, startTestSandbox } from './harness.ts';

const API = 'api.twilio.com';

describe('sandbox fault injection', () => {
  it('faulted requests are answered 429/20429 or 503 before anything happens, and are logged as faulted', async () => {
    const t = await startTestSandbox({ faultRate: 1, random: seeded(3) });
    try {
      const answers = [];
      for (let i = 0; i < 12; i++) answers.push(await t.master.post(API, '/2010-04-01/Accounts.json', { FriendlyName: `f${i}` }));
      const statuses = new Set(answers.map((a) => a.status));
      expect([...statuses].sort()).toEqual([429, 503]);
      for (const a of answers) {
        if (a.status === 429) expect(a.body).toMatchObject({ code: 20429, status: 429 });
        else expect(a.body).toMatchObject({ code: 20503, status: 503 });
      }
      expect(t.sandbox.resources('account').map((a) => a.sid)).toEqual([t.master.sid]);
      expect(t.sandbox.requests.filter((r) => r.faulted)).toHaveLength(12);
      expect(t.sandbox.requests[0]).toMatchObject({ method: 'POST', host: API, path: '/2010-04-01/Accounts.json', accountSid: t.master.sid, params: { FriendlyName: 'f0' }, faulted: true });

      t.sandbox.setFaultRate(0);
      const ok = await t.master.post(API, '/2010-04-01/Accounts.json', { FriendlyName: 'after' });
      expect(ok.status).toBe(201);
      expect(t.sandbox.requests.at(-1)).toMatchObject({ status: 201 });
      expect(t.sandbox.resources('account')).toHaveLength(2);
      const log = await (await fetch(`${t.sandbox.url}/sandbox/requests`)).json();
      expect(log.requests).toHaveLength(13);
    } finally {
      await t.close();
    }
  });

  it('a share of requests is faulted at the configured rate and the rest succeed', async () => {
    const t = await startTestSandbox({ faultRate: 0.3, random: seeded(11) });
    try {
      let faulted = 0;
      for (let i = 0; i < 100; i++) if ((await t.master.get(API, '/2010-04-01/Accounts.json')).status !== 200) faulted += 1;
      expect(faulted).toBeGreaterThan(15);
      expect(faulted).toBeLessThan(45);
    } finally {
      await t.close();
    }
  });

  it('latencyMs delays every answer by at least that long', async () => {
    const t = await startTestSandbox({ latencyMs: 60 });
    try {
      const started = performance.now();
      await t.master.get(API, '/2010-04-01/Accounts.json');
      expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    } finally {
      await t.close();
    }
  });

  it('error bodies and failed requests are logged with their Twilio code', async () => {
    const t = await startTestSandbox();
    try {
      await client(t.sandbox.url, t.master.sid, 'wrong').get(API, '/2010-04-01/Accounts.json');
      expect(t.sandbox.requests.at(-1)).toMatchObject({ status: 401, twilioCode: 20003 });
    } finally {
      await t.close();
    }
  });
});

describe('sandbox lifecycle steps', () => {
  interface Thing extends StoredRecord {
    status: string;
  }
  // A throw-away resource module, registered like any real one, to drive review steps by their due times.
  const thingsModule = defineModule('things', (api) => {
    api.route('POST', 'things.twilio.com', '/v1/Things', (ctx) => {
      const rec = api.state.insert<Thing>('thing', { sid: api.sid('ZZ'), account_sid: ctx.accountSid, status: 'pending' });
      api.schedule('thing.review', rec.sid, { to: 'approved' });
      return ctx.created(rec);
    });
    api.route('GET', 'things.twilio.com', '/v1/Things/{Sid}', (ctx) => ctx.ok(ctx.owned('thing', ctx.path.Sid)));
    api.onTransition('thing.review', (t) => void api.state.update<Thing>('thing', t.sid, { status: String(t.data.to) }));
  });

  it('a review step applies only once due (injected clock), and survives a restart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sandbox-life-'));
    const stateFile = path.join(dir, 'state.json');
    let now = new Date('2026-11-23T12:00:00Z');
    const opts = { stateFile, reviewDelayMs: 60_000, now: () => now, extraModules: [thingsModule] };
    try {
      const first = await startTestSandbox(opts);
      const created = await first.master.post('things.twilio.com', '/v1/Things');
      expect(created.body.status).toBe('pending');
      await first.sandbox.advanceReviews();
      expect(first.sandbox.resource<Thing>('thing', created.body.sid)?.status).toBe('pending');
      expect(first.sandbox.pendingTransitions()).toMatchObject([{ kind: 'thing.review', dueAt: '2026-11-23T12:01:00.000Z' }]);
      await first.close();

      now = new Date('2026-11-23T12:01:00Z');
      const second = await startTestSandbox({ ...opts, masterAuthToken: first.masterToken });
      await second.sandbox.advanceReviews();
      const fetched = await second.master.get('things.twilio.com', `/v1/Things/${created.body.sid}`);
      expect(fetched.body.status).toBe('approved');
      expect(second.sandbox.pendingTransitions()).toEqual([]);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with background timers on, a due step is applied without anyone asking', async () => {
    let applied!: () => void;
    const done = new Promise<void>((r) => (applied = r));
    const watcher = defineModule('watcher', (api) => {
      api.onTransition('watch.tick', () => applied());
      api.control('POST', '/sandbox/test-tick', () => {
        api.schedule('watch.tick', 'ZZ0', {}, { delayMs: 0 });
        return { status: 200, body: {} };
      });
    });
    const t = await startTestSandbox({ autoAdvance: true, extraModules: [watcher] });
    try {
      await fetch(`${t.sandbox.url}/sandbox/test-tick`, { method: 'POST' });
      await done;
      expect(t.sandbox.pendingTransitions()).toEqual([]);
    } finally {
      await t.close();
    }
  });
});

describe('sandbox persistence', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('accounts, services, numbers, opt-outs and undelivered callbacks survive a restart with the same state file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sandbox-state-'));
    dirs.push(dir);
    const stateFile = path.join(dir, 'sandbox-state.json');
    const receiver = await startReceiver();
    try {
      const first = await startTestSandbox({ stateFile });
      const sub = await createSubaccount(first, 'Persistent tenant');
      const svc = await createServiceWithNumber(first, sub, { StatusCallback: `${receiver.url}/status` });
      await fetch(`${first.sandbox.url}/sandbox/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: '+14155550177', to: svc.phone, body: 'STOP' }),
      });
      const msg = await first.master.post(API, `${sub.base}/Messages.json`, { To: '+14155550178', MessagingServiceSid: svc.serviceSid, Body: 'x' });
      expect(msg.status).toBe(201);
      expect(first.sandbox.pendingTransitions()).toHaveLength(1);
      await first.close();
      const saved = JSON.parse(readFileSync(stateFile, 'utf8'));
      expect(saved.version).toBe(1);

      const second = await startTestSandbox({ stateFile, masterAuthToken: first.masterToken });
      const again = client(second.sandbox.url, sub.sid, sub.token);
      const account = await second.master.get(API, `${sub.base}.json`);
      expect(account.body).toMatchObject({ sid: sub.sid, friendly_name: 'Persistent tenant', auth_token: sub.token });
      expect((await again.get('messaging.twilio.com', `/v1/Services/${svc.serviceSid}`)).status).toBe(200);
      expect((await again.get('messaging.twilio.com', `/v1/Services/${svc.serviceSid}/PhoneNumbers/${svc.numberSid}`)).status).toBe(200);
      const blocked = await second.master.post(API, `${sub.base}/Messages.json`, { To: '+14155550177', MessagingServiceSid: svc.serviceSid, Body: 'x' });
      expect(blocked.body.code).toBe(21610);

      // The message's lifecycle resumes where it stopped, with callbacks signed by the persisted token.
      await second.sandbox.flushCallbacks();
      const statuses = receiver.received.filter((w) => w.params.MessageSid === msg.body.sid);
      expect(statuses.map((w) => w.params.MessageStatus)).toEqual(['queued', 'sending', 'sent', 'delivered']);
      for (const w of statuses) expect(twilio.validateRequest(sub.token, w.headers['x-twilio-signature'] as string, w.url, w.params)).toBe(true);
      await second.close();
    } finally {
      await receiver.close();
    }
  });

  it('a new sandbox without a state file starts empty but for the master account', async () => {
    const t = await startTestSandbox();
    try {
      expect(t.sandbox.resources('account').map((a) => a.sid)).toEqual([t.master.sid]);
      expect(t.sandbox.resources('message')).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
