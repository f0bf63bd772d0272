// The Twilio boundary on its own: error classification, retries with full jitter, the A2P rate limit shared
// through the database, and the per-subaccount token cache. Contract tests against the sandbox live beside it.
import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyRing, type KeyRing } from '../../server/platform/crypto/keyring.ts';
import type { Db } from '../../server/platform/db/db.ts';
import { createLogger } from '../../server/platform/logger.ts';
import { insertSubaccount, updateSubaccountAuthToken } from '../../server/subaccounts/subaccounts.dao.ts';
import { appendParams, SandboxNetworkError, sandboxUrlFor } from '../../server/twilio/sandbox-http-client.ts';
import { classifyTwilioError, createTwilioGateway, TwilioCallError, type GatewayOptions } from '../../server/twilio/gateway.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { captureLogs } from '../helpers/log-capture.ts';
import { fakeSid, insertCustomerRow } from './fixtures.ts';

const restException = (statusCode: number, body: unknown) => new twilio.RestException({ statusCode, body });

describe('classifyTwilioError', () => {
  it('treats HTTP 429 with code 20429 as transient', () => {
    const err = classifyTwilioError(restException(429, { code: 20429, message: 'Too Many Requests', more_info: 'https://www.twilio.com/docs/errors/20429', status: 429 }), 'messages.create');
    expect(err).toBeInstanceOf(TwilioCallError);
    expect(err).toMatchObject({ kind: 'transient', httpStatus: 429, twilioCode: 20429, operation: 'messages.create' });
  });

  it('treats code 20429 as transient whatever the status', () => {
    expect(classifyTwilioError(restException(400, { code: 20429, message: 'Too Many Requests' }), 'x').kind).toBe('transient');
  });

  it('treats every 5xx as transient', () => {
    for (const status of [500, 502, 503, 504]) {
      expect(classifyTwilioError(restException(status, { code: 20500, message: 'Internal' }), 'x').kind).toBe('transient');
    }
  });

  it('keeps the code, message and more_info of a permanent 4xx', () => {
    const err = classifyTwilioError(
      restException(400, { code: 21211, message: "The 'To' number +15005550001 is not a valid phone number.", more_info: 'https://www.twilio.com/docs/errors/21211', status: 400 }),
      'messages.create',
    );
    expect(err).toMatchObject({
      kind: 'permanent',
      httpStatus: 400,
      twilioCode: 21211,
      moreInfo: 'https://www.twilio.com/docs/errors/21211',
      twilioMessage: "The 'To' number +15005550001 is not a valid phone number.",
    });
    expect(err.message).toContain('messages.create');
  });

  it('treats 401 and 404 as permanent', () => {
    expect(classifyTwilioError(restException(401, { code: 20003, message: 'Authenticate' }), 'x')).toMatchObject({ kind: 'permanent', twilioCode: 20003 });
    expect(classifyTwilioError(restException(404, { code: 20404, message: 'Not found' }), 'x')).toMatchObject({ kind: 'permanent', twilioCode: 20404 });
  });

  it('reads RFC 9457 problem bodies (TwilioServiceException) too', () => {
    const problem = { type: 'https://www.twilio.com/docs/errors/21725', title: 'Brand not failed', status: 400, code: 21725, detail: 'Only FAILED brands can be updated' };
    expect(classifyTwilioError(Object.assign(new Error('x'), problem), 'brand.resubmit')).toMatchObject({
      kind: 'permanent', httpStatus: 400, twilioCode: 21725, moreInfo: problem.type, twilioMessage: problem.detail,
    });
  });

  it('treats network failures and timeouts as transient', () => {
    expect(classifyTwilioError(new SandboxNetworkError('refused', 'ECONNREFUSED'), 'x').kind).toBe('transient');
    expect(classifyTwilioError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'x').kind).toBe('transient');
    expect(classifyTwilioError(Object.assign(new Error('timeout of 30000ms exceeded'), { code: 'ECONNABORTED', isAxiosError: true }), 'x').kind).toBe('transient');
    expect(classifyTwilioError(new TypeError('fetch failed', { cause: { code: 'UND_ERR_SOCKET' } }), 'x').kind).toBe('transient');
    expect(classifyTwilioError(new DOMException('The operation timed out.', 'TimeoutError'), 'x').kind).toBe('transient');
  });

  it('treats what the SDK refuses before sending as permanent', () => {
    const err = classifyTwilioError(new Error('Required parameter "params[\'to\']" missing.'), 'messages.create');
    expect(err).toMatchObject({ kind: 'permanent', httpStatus: undefined, twilioCode: undefined });
  });

  it('returns an already classified error unchanged', () => {
    const err = new TwilioCallError({ kind: 'transient', operation: 'a', message: 'b' });
    expect(classifyTwilioError(err, 'other')).toBe(err);
  });
});

describe('the sandbox HTTP client', () => {
  it('maps a Twilio URL onto the sandbox with the host as the first path segment', () => {
    expect(sandboxUrlFor('http://127.0.0.1:4010/', 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?PageSize=5').toString()).toBe(
      'http://127.0.0.1:4010/api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?PageSize=5',
    );
    expect(sandboxUrlFor('http://h:1', 'https://trusthub.twilio.com/v1/EndUsers').toString()).toBe('http://h:1/trusthub.twilio.com/v1/EndUsers');
  });

  it('serialises arrays as repeated keys and skips undefined, like qs arrayFormat repeat', () => {
    const form = appendParams(new URLSearchParams(), { MessageSamples: ['one', 'two'], HasEmbeddedLinks: 'false', Skip: undefined, Attributes: '{"a":1}' });
    expect(form.toString()).toBe('MessageSamples=one&MessageSamples=two&HasEmbeddedLinks=false&Attributes=%7B%22a%22%3A1%7D');
  });
});

describe('the gateway', () => {
  let db: TestDb;
  let keyRing: KeyRing;
  const masterAccountSid = fakeSid('AC');
  const masterAuthToken = randomBytes(16).toString('hex');

  beforeAll(async () => {
    db = await createTestDb();
    keyRing = createKeyRing([{ id: 'k1', key: randomBytes(32) }]);
  });
  afterAll(async () => {
    await db?.close();
  });

  const gateway = (over: Partial<GatewayOptions> = {}) =>
    createTwilioGateway({
      mode: 'sandbox',
      sandboxUrl: 'http://127.0.0.1:9',
      masterAccountSid,
      masterAuthToken,
      db,
      keyRing,
      logger: createLogger({ level: 'silent' }),
      sleep: async () => undefined,
      ...over,
    });

  describe('call', () => {
    it('retries transient errors with full-jitter backoff and returns the eventual result', async () => {
      const delays: number[] = [];
      const slept: number[] = [];
      const g = gateway({ retry: { baseMs: 100, maxMs: 1000, maxAttempts: 6 }, random: () => 0.999, sleep: async (ms) => void slept.push(ms) });
      let calls = 0;
      const result = await g.call(
        'accounts.fetch',
        async () => {
          calls++;
          if (calls < 5) throw restException(503, { code: 20503, message: 'Service unavailable' });
          return 'ok';
        },
        { onRetry: (_e, _attempt, delayMs) => delays.push(delayMs) },
      );
      expect(result).toBe('ok');
      expect(calls).toBe(5);
      // Full jitter: uniform below min(cap, base·2^n); random()≈1 shows the ceilings 100, 200, 400, 800.
      expect(delays).toEqual([99, 199, 399, 799]);
      expect(slept).toEqual(delays);
    });

    it('caps each delay at maxMs and draws it uniformly from zero', async () => {
      const delays: number[] = [];
      let r = 0;
      const g = gateway({ retry: { baseMs: 100, maxMs: 300, maxAttempts: 6 }, random: () => [0, 0.5, 0.999, 0.999, 0.25][r++]! });
      await expect(
        g.call('x', async () => {
          throw restException(429, { code: 20429, message: 'Too Many Requests' });
        }, { onRetry: (_e, _a, d) => delays.push(d) }),
      ).rejects.toMatchObject({ kind: 'transient', attempts: 6 });
      expect(delays).toEqual([0, 100, 299, 299, 75]);
    });

    it('throws a permanent error at once without retrying', async () => {
      const g = gateway();
      let calls = 0;
      const retries: number[] = [];
      const err = await g
        .call('messages.create', async () => {
          calls++;
          throw restException(400, { code: 21211, message: 'Invalid To', more_info: 'https://www.twilio.com/docs/errors/21211' });
        }, { onRetry: (_e, a) => retries.push(a) })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TwilioCallError);
      expect(err).toMatchObject({ kind: 'permanent', twilioCode: 21211, attempts: 1 });
      expect(calls).toBe(1);
      expect(retries).toEqual([]);
    });

    it('gives up after maxAttempts with the last transient error', async () => {
      const g = gateway({ retry: { maxAttempts: 3 } });
      let calls = 0;
      await expect(
        g.call('x', async () => {
          calls++;
          throw restException(500, { code: 20500, message: 'boom' });
        }),
      ).rejects.toMatchObject({ kind: 'transient', httpStatus: 500, attempts: 3 });
      expect(calls).toBe(3);
    });

    it('lets a call override the attempt limit', async () => {
      const g = gateway({ retry: { maxAttempts: 5 } });
      let calls = 0;
      await expect(
        g.call('x', async () => {
          calls++;
          throw restException(503, { code: 20503, message: 'x' });
        }, { maxAttempts: 1 }),
      ).rejects.toMatchObject({ attempts: 1 });
      expect(calls).toBe(1);
    });

    it('surfaces an unreachable sandbox as a transient network error through the real SDK', async () => {
      const g = gateway({ retry: { maxAttempts: 2 } });
      const err = await g.call('accounts.fetch', () => g.master.api.v2010.accounts(masterAccountSid).fetch()).catch((e: unknown) => e);
      expect(err).toMatchObject({ kind: 'transient', attempts: 2, httpStatus: undefined });
    });

    it("uses the SDK's own RequestClient with its 429 auto-retry off in live mode", async () => {
      const g = gateway({ mode: 'live', sandboxUrl: undefined });
      expect(g.mode).toBe('live');
      const http = g.master.httpClient as InstanceType<typeof twilio.RequestClient>;
      expect(http).toBeInstanceOf(twilio.RequestClient);
      expect(http.autoRetry).toBe(false);
      expect(g.master.accountSid).toBe(masterAccountSid);
    });

    it('logs retries and failures without tokens or raw errors', async () => {
      const logs = captureLogs('debug');
      const g = gateway({ logger: logs.logger, retry: { maxAttempts: 2 } });
      await g.call('accounts.fetch', () => g.master.api.v2010.accounts(masterAccountSid).fetch()).catch(() => undefined);
      const records = logs.records();
      expect(records.map((r) => r.msg)).toEqual(['twilio.call_retry', 'twilio.call_failed']);
      expect(records[0]).toMatchObject({ operation: 'accounts.fetch', attempt: 1, kind: 'transient' });
      expect(logs.text()).not.toContain(masterAuthToken);
      expect(logs.text()).not.toContain(Buffer.from(`${masterAccountSid}:${masterAuthToken}`).toString('base64'));
    });
  });

  describe('the A2P rate limit', () => {
    // A shared fake clock: sleeping advances it, so spacing is measured without waiting. The sleeper first lets
    // pending microtasks run (a caller that already holds its slot records its time before the clock moves on).
    function fakeClock(start: number) {
      let t = start;
      return {
        now: () => t,
        sleep: async (ms: number) => {
          await new Promise((resolve) => setImmediate(resolve));
          t += Math.max(0, ms);
        },
      };
    }

    it('spaces brand and campaign calls by the configured interval', async () => {
      const clock = fakeClock(1_000_000);
      const g = gateway({ masterAccountSid: fakeSid('AC'), a2pIntervalMs: 1000, ...clock });
      const at: number[] = [];
      for (let i = 0; i < 3; i++) await g.call('brand.create', async () => void at.push(clock.now()), { a2p: true });
      expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(1000);
      expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(1000);
    });

    it('queues concurrent callers in one process', async () => {
      const clock = fakeClock(2_000_000);
      const g = gateway({ masterAccountSid: fakeSid('AC'), a2pIntervalMs: 500, ...clock });
      const at: number[] = [];
      await Promise.all([0, 1, 2, 3].map(() => g.call('campaign.create', async () => void at.push(clock.now()), { a2p: true })));
      at.sort((a, b) => a - b);
      for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(500);
    });

    it('is shared by two server instances of the same master account through the database', async () => {
      const clock = fakeClock(3_000_000);
      const master = fakeSid('AC');
      const a = gateway({ masterAccountSid: master, a2pIntervalMs: 1000, ...clock });
      const b = gateway({ masterAccountSid: master, a2pIntervalMs: 1000, ...clock });
      const at: number[] = [];
      await a.call('brand.create', async () => void at.push(clock.now()), { a2p: true });
      await b.call('brand.create', async () => void at.push(clock.now()), { a2p: true });
      expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(1000);
    });

    it('does not hold back calls that are not A2P', async () => {
      const clock = fakeClock(4_000_000);
      const g = gateway({ masterAccountSid: fakeSid('AC'), a2pIntervalMs: 1000, ...clock });
      await g.call('brand.create', async () => undefined, { a2p: true });
      const before = clock.now();
      await g.call('messages.create', async () => undefined);
      await g.call('messages.create', async () => undefined);
      expect(clock.now()).toBe(before);
    });
  });

  describe('subaccount credentials', () => {
    function countingDb(inner: Db): Db & { queries: number } {
      const counted = {
        engine: inner.engine,
        queries: 0,
        async query<R>(sql: string, params?: readonly unknown[]) {
          counted.queries++;
          return inner.query<R>(sql, params);
        },
        exec: (sql: string) => inner.exec(sql),
        tx: <T>(fn: (tx: Db) => Promise<T>) => inner.tx(fn),
        close: () => inner.close(),
      };
      return counted;
    }

    it('answers the master token for the master SID and undefined for an unknown account', async () => {
      const g = gateway();
      expect(await g.authTokenFor(masterAccountSid)).toBe(masterAuthToken);
      expect(await g.authTokenFor(fakeSid('AC'))).toBeUndefined();
      await expect(g.subaccount(fakeSid('AC'))).rejects.toMatchObject({ kind: 'permanent' });
    });

    it('decrypts a subaccount token once and then serves it from the cache', async () => {
      const sid = fakeSid('AC');
      const token = randomBytes(16).toString('hex');
      await insertSubaccount(db, keyRing, { customerId: await insertCustomerRow(db), accountSid: sid, friendlyName: `isv:${sid}`, authToken: token });
      const counting = countingDb(db);
      const g = gateway({ db: counting });
      const [t1, c1, c2] = await Promise.all([g.authTokenFor(sid), g.subaccount(sid), g.subaccount(sid)]);
      expect(t1).toBe(token);
      expect(c1).toBe(c2);
      expect(c1.accountSid).toBe(sid);
      expect(c1.password).toBe(token);
      const after = counting.queries;
      expect(after).toBe(1);
      expect(await g.authTokenFor(sid)).toBe(token);
      expect(await g.subaccount(sid)).toBe(c1);
      expect(counting.queries).toBe(after);
    });

    it('picks up a new token after invalidate', async () => {
      const sid = fakeSid('AC');
      await insertSubaccount(db, keyRing, { customerId: await insertCustomerRow(db), accountSid: sid, friendlyName: `isv:${sid}`, authToken: 'first-token-0000000000' });
      const g = gateway();
      const before = await g.subaccount(sid);
      expect(await updateSubaccountAuthToken(db, keyRing, sid, 'second-token-000000000')).toBe(true);
      expect(await g.authTokenFor(sid)).toBe('first-token-0000000000');
      g.invalidate(sid);
      expect(await g.authTokenFor(sid)).toBe('second-token-000000000');
      const after = await g.subaccount(sid);
      expect(after).not.toBe(before);
      expect(after.password).toBe('second-token-000000000');
    });
  });
});
