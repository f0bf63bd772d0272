import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { buildTestApp, signUp, TEST_PASSWORD, uniqueEmail, type AuthTestApp } from '../helpers/auth.ts';
import { loadEmbeddedSigningKey } from '../../server/platform/auth/signing-key.ts';
import { createKeyRing } from '../../server/platform/crypto/keyring.ts';
import { EMBEDDED_AUDIENCE, EMBEDDED_ISSUER } from '../../server/platform/auth/tokens.ts';

const keyRing = createKeyRing([{ id: 'test1', key: Buffer.alloc(32, 7) }]);

async function insertCustomer(db: TestDb, name: string): Promise<string> {
  const rows = await db.query<{ id: string }>(
    `INSERT INTO isv.customers (legal_name, business_type, industry, website, address, contact)
     VALUES ($1, 'sole_proprietor', 'retail', 'https://example.com', '{}', '{}') RETURNING id`,
    [name],
  );
  return rows[0]!.id;
}

describe('embedded sign-up and sign-in', () => {
  let db: TestDb;
  let t: AuthTestApp;
  beforeAll(async () => {
    db = await createTestDb();
    t = buildTestApp(db, { ISV_BOOTSTRAP_ADMINS: 'boss@example.test', ISV_BOOTSTRAP_OPERATORS: 'ops@example.test,boss@example.test' }, { keyRing });
  });
  afterAll(() => db.close());

  it('signs a new user up with 201, a token and no roles, and the token works on /api/auth/me', async () => {
    const email = uniqueEmail();
    const res = await request(t.app).post('/api/auth/signup').send({ email: email.toUpperCase(), password: TEST_PASSWORD });
    expect(res.status).toBe(201);
    expect(res.body.user).toEqual({ id: expect.any(String), email, roles: [], emailVerified: true });
    const me = await request(t.app).get('/api/auth/me').set('Authorization', `Bearer ${res.body.token}`);
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ user: res.body.user, memberships: [], authMode: 'embedded' });
  });

  it('stores a salted scrypt hash, never the password', async () => {
    const a = await signUp(t.app, uniqueEmail());
    const b = await signUp(t.app, uniqueEmail());
    const rows = await db.query<{ password_hash: string }>(`SELECT password_hash FROM isv.users WHERE id = ANY($1::uuid[]) ORDER BY email`, [[a.userId, b.userId]]);
    for (const r of rows) {
      expect(r.password_hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
      expect(r.password_hash).not.toContain(TEST_PASSWORD);
    }
    expect(rows[0]!.password_hash).not.toBe(rows[1]!.password_hash);
  });

  it('refuses a second sign-up with the same email with 409', async () => {
    const email = uniqueEmail();
    await signUp(t.app, email);
    const res = await request(t.app).post('/api/auth/signup').send({ email, password: TEST_PASSWORD });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('email_taken');
  });

  it('rejects a malformed sign-up with 422 and the field paths', async () => {
    const res = await request(t.app).post('/api/auth/signup').send({ email: 'not-an-email', password: 'short' });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['email', 'password']);
  });

  it('logs in with the right password and gives the same 401 for a wrong password and an unknown email', async () => {
    const email = uniqueEmail();
    const { userId } = await signUp(t.app, email);
    const ok = await request(t.app).post('/api/auth/login').send({ email, password: TEST_PASSWORD });
    expect(ok.status).toBe(200);
    expect(ok.body.user.id).toBe(userId);
    const wrong = await request(t.app).post('/api/auth/login').send({ email, password: 'not the password' });
    const unknown = await request(t.app).post('/api/auth/login').send({ email: uniqueEmail('nobody'), password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.body.code).toBe('invalid_credentials');
  });

  it('spends a password hash on unknown emails too, so timing does not tell which emails exist', async () => {
    const known = [uniqueEmail(), uniqueEmail()];
    for (const e of known) await signUp(t.app, e);
    const time = async (email: string) => {
      const start = performance.now();
      const res = await request(t.app).post('/api/auth/login').send({ email, password: 'not the password' });
      expect(res.status).toBe(401);
      return performance.now() - start;
    };
    const wrong: number[] = [];
    const unknown: number[] = [];
    // Interleaved, so load on the machine affects both series alike; medians resist outliers.
    for (let i = 0; i < 8; i++) {
      wrong.push(await time(known[i % 2]!));
      unknown.push(await time(uniqueEmail('nobody')));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    // Skipping the hash would make unknown emails an order of magnitude faster; a generous band stays stable.
    expect(median(unknown) / median(wrong)).toBeGreaterThan(0.4);
    expect(median(unknown) / median(wrong)).toBeLessThan(2.5);
  });

  it('rate limits login per address and email with 429 and Retry-After, leaving other emails alone', async () => {
    const email = uniqueEmail();
    await signUp(t.app, email);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await request(t.app).post('/api/auth/login').send({ email, password: 'wrong password' })).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    const limited = await request(t.app).post('/api/auth/login').send({ email, password: TEST_PASSWORD });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const other = await request(t.app).post('/api/auth/login').send({ email: uniqueEmail(), password: 'wrong password' });
    expect(other.status).toBe(401);
  });

  it('rate limits sign-up per address and email', async () => {
    const email = uniqueEmail();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await request(t.app).post('/api/auth/signup').send({ email, password: TEST_PASSWORD })).status);
    expect(statuses).toEqual([201, 409, 409, 409, 409, 429]);
    expect((await request(t.app).post('/api/auth/signup').send({ email: uniqueEmail(), password: TEST_PASSWORD })).status).toBe(201);
  });

  it('grants bootstrap roles on first sign-in and records them in the audit log', async () => {
    const boss = await request(t.app).post('/api/auth/signup').send({ email: 'boss@example.test', password: TEST_PASSWORD });
    expect(boss.body.user.roles).toEqual(['admin', 'operator']);
    const ops = await request(t.app).post('/api/auth/signup').send({ email: 'ops@example.test', password: TEST_PASSWORD });
    expect(ops.body.user.roles).toEqual(['operator']);
    const audit = await db.query(`SELECT action FROM isv.audit_log WHERE target_id = $1 AND action = 'platform_role.bootstrap_granted'`, [boss.body.user.id]);
    expect(audit).toHaveLength(2);
  });

  it('shows a pending invitation to the invitee after sign-up, and makes them a member only when they accept', async () => {
    const customerId = await insertCustomer(db, 'Invite Co');
    const email = uniqueEmail('invitee');
    await db.query(`INSERT INTO isv.invitations (customer_id, email, role) VALUES ($1, $2, 'member')`, [customerId, email]);
    const u = await signUp(t.app, email);
    expect((await request(t.app).get('/api/auth/me').set(u.auth)).body.memberships).toEqual([]);
    const mine = await request(t.app).get('/api/isv/invitations').set(u.auth);
    expect(mine.body.items).toEqual([expect.objectContaining({ customerId, customerName: 'Invite Co', role: 'member', invitedBy: null })]);
    const accepted = await request(t.app).post(`/api/isv/invitations/${mine.body.items[0].id}/accept`).set(u.auth);
    expect(accepted.status).toBe(200);
    expect((await request(t.app).get('/api/auth/me').set(u.auth)).body.memberships).toEqual([{ customerId, customerName: 'Invite Co', role: 'member' }]);
    const inv = await db.query<{ accepted_at: Date | null }>(`SELECT accepted_at FROM isv.invitations WHERE email = $1`, [email]);
    expect(inv[0]!.accepted_at).not.toBeNull();
  });

  it('keeps the signing key encrypted in platform_secrets and reuses it across app instances', async () => {
    const u = await signUp(t.app, uniqueEmail());
    const rows = await db.query<{ key_id: string; ciphertext: string }>(`SELECT key_id, ciphertext FROM isv.platform_secrets WHERE name = 'auth.embedded_jwt_hs256'`);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.key_id).toBe('test1');
    const other = buildTestApp(db, {}, { keyRing });
    expect((await request(other.app).get('/api/auth/me').set(u.auth)).status).toBe(200);
  });
});

describe('bearer token checks', () => {
  let db: TestDb;
  let t: AuthTestApp;
  let user: Awaited<ReturnType<typeof signUp>>;
  let key: Uint8Array;
  const issuedAt = new Date('2026-11-23T12:00:00Z');
  beforeAll(async () => {
    db = await createTestDb();
    t = buildTestApp(db, {}, { keyRing, now: () => issuedAt });
    user = await signUp(t.app, uniqueEmail());
    key = await loadEmbeddedSigningKey(db, keyRing);
  });
  afterAll(() => db.close());

  const sign = (k: Uint8Array, claims: { aud?: string; iss?: string; exp?: number; sub?: string }) =>
    new SignJWT({ email: user.email, sid: decodeJwt(user.token).sid })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.sub ?? user.userId)
      .setIssuer(claims.iss ?? EMBEDDED_ISSUER)
      .setAudience(claims.aud ?? EMBEDDED_AUDIENCE)
      .setIssuedAt(Math.floor(issuedAt.getTime() / 1000))
      .setExpirationTime(claims.exp ?? Math.floor(issuedAt.getTime() / 1000) + 600)
      .sign(k);

  it('accepts a well-formed token signed with the platform key', async () => {
    const res = await request(t.app).get('/api/auth/me').set('Authorization', `Bearer ${await sign(key, {})}`);
    expect(res.status).toBe(200);
  });

  it('answers 401 with one body for no token, garbage, an expired token, another key, wrong audience or issuer', async () => {
    const later = buildTestApp(db, {}, { keyRing, now: () => new Date(issuedAt.getTime() + 9 * 3600_000) });
    const otherKey = new Uint8Array(32).fill(9);
    const cases: [string, import('express').Express, string | undefined][] = [
      ['no token', t.app, undefined],
      ['garbage', t.app, 'Bearer not.a.jwt'],
      ['basic auth', t.app, 'Basic dXNlcjpwYXNz'],
      ['expired', later.app, user.auth.Authorization],
      ['other key', t.app, `Bearer ${await sign(otherKey, {})}`],
      ['wrong audience', t.app, `Bearer ${await sign(key, { aud: 'authenticated' })}`],
      ['wrong issuer', t.app, `Bearer ${await sign(key, { iss: 'someone-else' })}`],
      ['unknown user', t.app, `Bearer ${await sign(key, { sub: randomUUID() })}`],
    ];
    const bodies = [];
    for (const [name, app, header] of cases) {
      const req = request(app).get('/api/isv/customers');
      const res = header ? await req.set('Authorization', header) : await req;
      expect(res.status, name).toBe(401);
      bodies.push(res.body);
    }
    for (const b of bodies) expect(b).toEqual({ code: 'unauthorized', detail: 'The access token is missing, invalid or expired' });
  });

  it('leaves /api/isv/webhooks/** to signature verification instead of bearer tokens', async () => {
    const res = await request(t.app).post('/api/isv/webhooks/no-such-hook').send({});
    expect(res.status).not.toBe(401);
  });
});

describe('Supabase mode', () => {
  let db: TestDb;
  let server: Server;
  let url: string;
  let jwk: JWK;
  let privateKey: CryptoKey;
  let strangerKey: CryptoKey;
  let t: AuthTestApp;
  const jwtSecret = 'super-secret-jwt-token-with-at-least-32-characters';

  beforeAll(async () => {
    db = await createTestDb();
    const pair = await generateKeyPair('ES256', { extractable: true });
    privateKey = pair.privateKey;
    strangerKey = (await generateKeyPair('ES256')).privateKey;
    jwk = { ...(await exportJWK(pair.publicKey)), kid: 'local-1', alg: 'ES256', use: 'sig' };
    server = createServer((req, res) => {
      if (req.url === '/auth/v1/.well-known/jwks.json') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ keys: [jwk] }));
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    t = buildTestApp(db, { SUPABASE_URL: url, SUPABASE_JWT_SECRET: jwtSecret, ISV_BOOTSTRAP_OPERATORS: 'op@supa.test' }, { keyRing });
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await db.close();
  });

  const supabaseToken = async (opts: { key?: CryptoKey | Uint8Array; alg?: string; aud?: string; exp?: number; sub?: string; email?: string; kid?: string; verified?: boolean }) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ email: opts.email ?? 'someone@supa.test', role: 'authenticated', user_metadata: { email_verified: opts.verified ?? true } })
      .setProtectedHeader({ alg: opts.alg ?? 'ES256', kid: opts.kid ?? 'local-1' })
      .setSubject(opts.sub ?? randomUUID())
      .setIssuer(`${url}/auth/v1`)
      .setAudience(opts.aud ?? 'authenticated')
      .setIssuedAt(now - 60)
      .setExpirationTime(opts.exp ?? now + 600)
      .sign(opts.key ?? privateKey);
  };

  it('accepts a token signed by a key in the JWKS and creates the user row from sub and email on first sight', async () => {
    const sub = randomUUID();
    const token = await supabaseToken({ sub, email: 'First@Supa.test' });
    const res = await request(t.app).get('/api/auth/me').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body.user).toEqual({ id: sub, email: 'first@supa.test', roles: [], emailVerified: true });
    expect(res.body.authMode).toBe('supabase');
    const again = await request(t.app).get('/api/auth/me').set('Authorization', `Bearer ${token}`);
    expect(again.body.user.id).toBe(sub);
    expect(await db.query(`SELECT id FROM isv.users WHERE email = 'first@supa.test'`)).toHaveLength(1);
  });

  it('follows an email change made in Supabase and shows the invitations waiting on the new address', async () => {
    const sub = randomUUID();
    await request(t.app).get('/api/auth/me').set('Authorization', `Bearer ${await supabaseToken({ sub, email: 'old@supa.test' })}`);
    const customer = await db.query<{ id: string }>(
      `INSERT INTO isv.customers (legal_name, business_type, industry, website, address, contact)
       VALUES ('Moved Co', 'sole_proprietor', 'RETAIL', 'https://example.com', '{}', '{}') RETURNING id`,
    );
    await db.query(`INSERT INTO isv.invitations (customer_id, email) VALUES ($1, 'new@supa.test')`, [customer[0]!.id]);
    const auth = `Bearer ${await supabaseToken({ sub, email: 'new@supa.test' })}`;
    const res = await request(t.app).get('/api/auth/me').set('Authorization', auth);
    expect(res.body.user).toEqual({ id: sub, email: 'new@supa.test', roles: [], emailVerified: true });
    const mine = await request(t.app).get('/api/isv/invitations').set('Authorization', auth);
    expect(mine.body.items).toEqual([expect.objectContaining({ customerId: customer[0]!.id, customerName: 'Moved Co' })]);
  });

  it('grants bootstrap roles to a Supabase user on first sight', async () => {
    const res = await request(t.app).get('/api/auth/me').set('Authorization', `Bearer ${await supabaseToken({ email: 'op@supa.test' })}`);
    expect(res.body.user.roles).toEqual(['operator']);
  });

  it('accepts HS256 tokens signed with SUPABASE_JWT_SECRET', async () => {
    const token = await supabaseToken({ alg: 'HS256', key: new TextEncoder().encode(jwtSecret) });
    expect((await request(t.app).get('/api/auth/me').set('Authorization', `Bearer ${token}`)).status).toBe(200);
  });

  it('refuses tokens from another key, with the wrong audience, expired, or HS256 with another secret', async () => {
    const past = Math.floor(Date.now() / 1000) - 10;
    const tokens = [
      await supabaseToken({ key: strangerKey }),
      await supabaseToken({ aud: 'anon' }),
      await supabaseToken({ exp: past }),
      await supabaseToken({ alg: 'HS256', key: new TextEncoder().encode('another-secret-another-secret-another-secret') }),
      await supabaseToken({ kid: 'unknown-kid' }),
    ];
    for (const token of tokens) {
      const res = await request(t.app).get('/api/isv/customers').set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('unauthorized');
    }
  });

  it('refuses HS256 tokens when no JWT secret is configured', async () => {
    const jwksOnly = buildTestApp(db, { SUPABASE_URL: url }, { keyRing });
    const token = await supabaseToken({ alg: 'HS256', key: new TextEncoder().encode(jwtSecret) });
    expect((await request(jwksOnly.app).get('/api/auth/me').set('Authorization', `Bearer ${token}`)).status).toBe(401);
  });

  it('answers 503, not 401, when the JWKS cannot be fetched', async () => {
    const dead = createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(dead.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    const unreachable = buildTestApp(db, { SUPABASE_URL: deadUrl }, { keyRing });
    const res = await request(unreachable.app).get('/api/auth/me').set('Authorization', `Bearer ${await supabaseToken({})}`);
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('auth_unavailable');
  });

  it('answers embedded sign-up and sign-in with 410 embedded_auth_disabled', async () => {
    for (const path of ['/api/auth/signup', '/api/auth/login']) {
      const res = await request(t.app).post(path).send({ email: 'x@supa.test', password: TEST_PASSWORD });
      expect(res.status).toBe(410);
      expect(res.body.code).toBe('embedded_auth_disabled');
    }
  });
});
