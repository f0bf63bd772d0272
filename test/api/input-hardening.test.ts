// Issue 16 rows 4, 7, 9 and 12 (the parts on limits and input): each attack from the issue, reproduced and
// refused, plus a fuzz pass over every documented route with every body encoding the parsers accept.
import { gzipSync, deflateSync, brotliCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Test } from 'supertest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signUp, uniqueEmail, type SignedUp } from '../helpers/auth.ts';
import { captureLogs } from '../helpers/log-capture.ts';
import { customerBody } from '../customers/fixtures.ts';
import { createTenant, type Tenant } from '../messaging/tenant.ts';
import { DEFAULT_SEND_RATE_LIMIT } from '../../server/messaging/messaging.service.ts';
import { parseConfig } from '../../server/platform/config.ts';
import { isRealTimestamp } from '../../shared/common.ts';

const NOW = new Date('2026-12-05T12:00:00.000Z');
const logs = captureLogs('info');
let ctx: TestContext;
let tenant: Tenant;
let staff: SignedUp;

beforeAll(async () => {
  ctx = await createTestContext({ now: () => NOW, logger: logs.logger, env: { LOG_LEVEL: 'info' } });
  tenant = await createTenant(ctx);
  staff = await signUp(ctx, uniqueEmail('staff'), { roles: ['admin', 'operator'] });
});
afterAll(async () => ctx?.close());

/** superagent would JSON-encode a Buffer sent as application/json; these bytes must go out as they are. */
const sendRaw = (req: Test, bytes: Buffer) => req.serialize(((b: Buffer) => b) as unknown as (o: unknown) => string).send(bytes);

const cursorOf = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('row 4: the per-customer send limit', () => {
  it('is keyed on the canonical customer id, so changing the case of the UUID in the path does not open a new window', async () => {
    const windowStart = new Date(Math.floor(NOW.getTime() / DEFAULT_SEND_RATE_LIMIT.windowMs) * DEFAULT_SEND_RATE_LIMIT.windowMs);
    // One send short of the limit in this window, as if 19 had just been sent.
    await ctx.db.query(`INSERT INTO isv.rate_limits (key, window_start, count) VALUES ($1, $2, $3)`, [
      `messages.send:${tenant.customerId}`,
      windowStart,
      DEFAULT_SEND_RATE_LIMIT.limit - 1,
    ]);
    const lower = await ctx.request.post(`/api/isv/customers/${tenant.customerId}/messages`).set(tenant.owner.auth).send({ to: '+14155550123', body: 'last one' });
    expect(lower.status).toBe(201);
    for (const variant of [tenant.customerId.toUpperCase(), tenant.customerId.replace(/[a-f]/, (c) => c.toUpperCase())]) {
      const res = await ctx.request.post(`/api/isv/customers/${variant}/messages`).set(tenant.owner.auth).send({ to: '+14155550123', body: 'one more' });
      expect(res.status).toBe(429);
      expect(res.body.code).toBe('rate_limited');
    }
    const keys = await ctx.db.query<{ key: string }>(`SELECT key FROM isv.rate_limits WHERE key ILIKE $1`, [`messages.send:${tenant.customerId}`]);
    expect(keys.map((k) => k.key)).toEqual([`messages.send:${tenant.customerId}`]);
  });
});

describe('row 7: NUL and invalid UTF-8, whatever the body encoding', () => {
  const post = () => ctx.request.post('/api/isv/customers').set(tenant.owner.auth);

  it('refuses a form body with %00 with 422 naming the field, and logs neither the text nor the SQL parameters', async () => {
    const before = logs.lines.length;
    const res = await post().type('form').send('legalName=X%00&body=secret-text%00');
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('invalid_text');
    expect(res.body.errors).toEqual([{ path: 'legalName', message: 'must not contain NUL characters' }]);
    expect(logs.lines.slice(before).join('\n')).not.toContain('secret-text');
  });

  it('refuses NUL in JSON (\\u0000 escapes), in keys, and in the query string with 422', async () => {
    const json = await post().set('Content-Type', 'application/json').send('{"legalName":"a\\u0000b"}');
    expect(json.status).toBe(422);
    expect(json.body.errors).toEqual([{ path: 'legalName', message: 'must not contain NUL characters' }]);
    const key = await post().set('Content-Type', 'application/json').send('{"a\\u0000":1}');
    expect(key.status).toBe(422);
    const query = await ctx.request.get('/api/isv/customers').query({ q: 'a\u0000b' }).set(tenant.owner.auth);
    expect(query.status).toBe(422);
    expect(query.body.errors).toEqual([{ path: 'q', message: 'must not contain NUL characters' }]);
  });

  it('refuses invalid UTF-8 with 422: raw bytes in JSON or form, percent-escapes in form, and inside gzip', async () => {
    const badJson = Buffer.concat([Buffer.from('{"legalName":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    for (const [type, body, encoding] of [
      ['application/json', badJson, undefined],
      ['application/x-www-form-urlencoded', Buffer.concat([Buffer.from('legalName='), Buffer.from([0xff, 0xfe])]), undefined],
      ['application/x-www-form-urlencoded', Buffer.from('legalName=%FF%FE'), undefined],
      ['application/json', gzipSync(badJson), 'gzip'],
    ] as const) {
      const req = post().set('Content-Type', type);
      if (encoding) req.set('Content-Encoding', encoding);
      const res = await sendRaw(req, body);
      expect(res.status, `${type} ${encoding ?? ''}`).toBe(422);
      expect(res.body.code, `${type} ${encoding ?? ''} ${body.toString('latin1')}`).toBe('invalid_text');
    }
  });

  it('logs a failed statement by SQLSTATE and statement only, never its parameters', async () => {
    const before = logs.lines.length;
    await expect(ctx.db.query(`SELECT $1::uuid`, ['+14155550123 secret message'])).rejects.toMatchObject({ code: '22P02', statement: 'SELECT $1::uuid' });
    const err = await ctx.db.query(`SELECT $1::uuid`, ['+14155550123 secret message']).catch((e: unknown) => e);
    ctx.logger.error({ err }, 'request.failed');
    const written = logs.lines.slice(before).join('\n');
    expect(written).toContain('22P02');
    expect(written).not.toContain('secret message');
    expect(written).not.toContain('4155550123');
  });
});

describe('row 9: odd cursors, too many parameters, bad compression', () => {
  const odd = ['2026-13-45 00:00:00+00', '0000-01-01 00:00:00+00', '2026-01-01 00:00:00+99', '2026-02-30 10:00:00+00', '2026-01-01 24:00:00+00'];

  it('recognises only real instants as cursor timestamps', () => {
    expect(isRealTimestamp('2026-11-23 18:38:45.123456+00')).toBe(true);
    expect(isRealTimestamp('2024-02-29 00:00:00+05:30')).toBe(true);
    for (const t of odd) expect(isRealTimestamp(t), t).toBe(false);
  });

  it('answers 4xx, never 500, to cursors that pass the format check but fail a Postgres cast, on every listing', async () => {
    const listings = [
      `/api/isv/customers/${tenant.customerId}/messages`,
      '/api/isv/customers',
      '/api/isv/operator/audit-log',
    ];
    const cursors = [...odd.map((t) => cursorOf([t, tenant.customerId])), cursorOf(['2026-01-01 00:00:00+00', '-'.repeat(36)])];
    for (const url of listings) {
      for (const cursor of cursors) {
        const res = await ctx.request.get(url).query({ cursor }).set(staff.auth);
        expect(res.status, `${url} ${Buffer.from(cursor, 'base64url').toString()}`).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(res.body.errors?.[0]?.path).toBe('cursor');
      }
    }
  });

  it('refuses more than 200 query or body parameters with 4xx', async () => {
    const many = Array.from({ length: 201 }, (_, i) => `p${i}=1`).join('&');
    const query = await ctx.request.get(`/api/isv/customers?${many}`).set(tenant.owner.auth);
    expect(query.status).toBe(400);
    expect(query.body.code).toBe('too_many_parameters');
    const body = await ctx.request.post('/api/isv/customers').set(tenant.owner.auth).type('form').send(many);
    expect(body.status).toBe(413);
    expect(body.body.code).toBe('too_many_parameters');
  });

  it('refuses a corrupt gzip, deflate or brotli body and an unknown encoding or charset with 4xx', async () => {
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const req = ctx.request.post('/api/isv/customers').set(tenant.owner.auth).set('Content-Type', 'application/json').set('Content-Encoding', encoding);
      const res = await sendRaw(req, Buffer.from('this is not compressed'));
      expect(res.status, encoding).toBe(400);
      expect(res.body.code).toBe('unreadable_body');
    }
    // The same route reads a well-formed gzip body: the refusals above are about the bytes, not the encoding.
    const good = await sendRaw(ctx.request.post('/api/isv/customers').set(staff.auth).set('Content-Type', 'application/json').set('Content-Encoding', 'gzip'), gzipSync(JSON.stringify(customerBody())));
    expect(good.status).toBe(201);
    const unknown = await ctx.request.post('/api/isv/customers').set(tenant.owner.auth).set('Content-Type', 'application/json').set('Content-Encoding', 'x-lzma').send('{}');
    expect(unknown.status).toBe(415);
    const charset = await ctx.request.post('/api/isv/customers').set(tenant.owner.auth).set('Content-Type', 'application/json; charset=klingon').send('{}');
    expect(charset.status).toBe(415);
  });
});

describe('row 12: caching, CSP and the public URL', () => {
  it('marks every /api answer Cache-Control: no-store, errors included', async () => {
    for (const res of [
      await ctx.request.get('/api/isv/customers').set(tenant.owner.auth),
      await ctx.request.get('/api/isv/customers'),
      await ctx.request.get('/api/health'),
      await ctx.request.get('/api/no-such-route'),
    ]) {
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  it("sends a CSP whose style-src allows only 'self' (no unsafe-inline, no https: wildcard)", async () => {
    const csp = (await ctx.request.get('/api/health')).headers['content-security-policy'] as string;
    const styleSrc = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('style-src '));
    expect(styleSrc).toBe("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
  });

  it('refuses to start in live mode with an http:// PUBLIC_BASE_URL', () => {
    const live = {
      TWILIO_MODE: 'live',
      TWILIO_MASTER_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
      TWILIO_MASTER_AUTH_TOKEN: 'x'.repeat(32),
      ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
      SMTP_URL: 'smtp://127.0.0.1:25',
    };
    expect(() => parseConfig({ ...live, PUBLIC_BASE_URL: 'http://isv.example.com' })).toThrow(/PUBLIC_BASE_URL: must be an https:\/\/ URL/);
    expect(parseConfig({ ...live, PUBLIC_BASE_URL: 'https://isv.example.com' }).publicBaseUrl).toBe('https://isv.example.com');
    expect(parseConfig({ PUBLIC_BASE_URL: 'http://localhost:3000' }).twilio.mode).toBe('sandbox');
  });
});

describe('fuzz: every documented route with every body encoding', () => {
  const nasty: Record<string, unknown>[] = [
    {},
    { a: 'x\u0000' },
    customerBody({ legalName: '\u0000' }),
    { to: '+14155550123', body: 'héllo', channel: 'sms' },
    Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v'])),
    { reason: ['a', 'b'], legalName: { nested: true } },
  ];
  const encodings: { name: string; build(body: Record<string, unknown>, req: Test): Test }[] = [
    { name: 'json', build: (b, r) => r.set('Content-Type', 'application/json').send(JSON.stringify(b)) },
    { name: 'form', build: (b, r) => r.type('form').send(new URLSearchParams(Object.entries(b).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString()) },
    { name: 'gzip json', build: (b, r) => sendRaw(r.set('Content-Type', 'application/json').set('Content-Encoding', 'gzip'), gzipSync(JSON.stringify(b))) },
    { name: 'deflate form', build: (b, r) => sendRaw(r.type('form').set('Content-Encoding', 'deflate'), deflateSync(new URLSearchParams(Object.entries(b).map(([k, v]) => [k, String(v)])).toString())) },
    { name: 'br json', build: (b, r) => sendRaw(r.set('Content-Type', 'application/json').set('Content-Encoding', 'br'), brotliCompressSync(JSON.stringify(b))) },
    { name: 'latin1 form', build: (b, r) => sendRaw(r.set('Content-Type', 'application/x-www-form-urlencoded; charset=iso-8859-1'), Buffer.from(new URLSearchParams(Object.entries(b).map(([k, v]) => [k, String(v)])).toString(), 'latin1')) },
    { name: 'bad charset', build: (b, r) => r.set('Content-Type', 'application/json; charset=utf-7').send(JSON.stringify(b)) },
    { name: 'truncated gzip', build: (b, r) => sendRaw(r.set('Content-Type', 'application/json').set('Content-Encoding', 'gzip'), gzipSync(JSON.stringify(b)).subarray(0, 12)) },
    { name: 'text/plain', build: (b, r) => r.set('Content-Type', 'text/plain').send(JSON.stringify(b)) },
  ];

  it('never answers 5xx', async () => {
    // A customer made through the API (the send tenant's brand row is hand-written test data).
    const own = (await ctx.request.post('/api/isv/customers').set(staff.auth).send(customerBody())).body.id as string;
    const failures: string[] = [];
    let calls = 0;
    for (const doc of ctx.features.routeDocs) {
      const url = `/api${doc.path}`.replace(':id', own).replace(/:(\w+)/g, (_m, n: string) => (/sid/i.test(n) ? `AC${'c'.repeat(32)}` : '00000000-0000-4000-8000-000000000000'));
      for (const enc of encodings) {
        for (const body of nasty) {
          const base = (ctx.request as unknown as Record<string, (u: string) => Test>)[doc.method]!(url).set(staff.auth);
          const res = doc.method === 'get' ? await base : await enc.build(body, base);
          calls++;
          if (res.status >= 500) failures.push(`${doc.method.toUpperCase()} ${doc.path} [${enc.name}] ${JSON.stringify(body).slice(0, 60)} → ${res.status} ${JSON.stringify(res.body)}`);
        }
        if (doc.method === 'get') break;
      }
    }
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(100);
  });
});
