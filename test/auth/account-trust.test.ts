// The attacks of issue #16's table, rows 1, 2, 3, 6, 10 and 11, and sessions, each reproduced and shown refused,
// on the settings a real install runs with (email confirmation required, the default ceilings). Rows 4, 5, 7,
// 8, 9 and 12 are in test/api/input-hardening.test.ts, test/platform/main-process.slow.test.ts and
// test/webhooks/dedup-keys.test.ts.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import request from 'supertest';
import { SignJWT } from 'jose';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { buildTestApp, TEST_PASSWORD, uniqueEmail, type AuthTestApp } from '../helpers/auth.ts';
import { customerBody } from '../customers/fixtures.ts';
import { createTenant } from '../messaging/tenant.ts';
import { grantPlatformRole } from '../../server/auth/users.dao.ts';
import { createOutboxMailer } from '../../server/platform/mail/mailer.ts';
import type { PlatformRole } from '../../server/platform/auth/principal.ts';

/** What a real install runs with; only the sign-up ceiling per address is lifted where a test needs many accounts. */
const STRICT = { AUTH_EMAIL_CONFIRMATION: 'required', ISV_MAX_CUSTOMERS_PER_USER: '3', AUTH_SIGNUPS_PER_IP_PER_HOUR: '20', AUTH_LOGIN_FAILURES_PER_IP: '30' };
const MANY_SIGNUPS = { ...STRICT, AUTH_SIGNUPS_PER_IP_PER_HOUR: '100000' };

interface Account {
  userId: string;
  email: string;
  token: string;
  auth: { Authorization: string };
}

type Target = Pick<AuthTestApp, 'app' | 'db' | 'mail'>;

async function signUpUnverified(t: Target, email = uniqueEmail()): Promise<Account> {
  const res = await request(t.app).post('/api/auth/signup').send({ email, password: TEST_PASSWORD });
  expect(res.status).toBe(201);
  return { userId: res.body.user.id, email: res.body.user.email, token: res.body.token, auth: { Authorization: `Bearer ${res.body.token}` } };
}

/** Opens the newest verification link mailed to the account, as its owner would. */
async function openVerificationLink(t: Target, a: Account) {
  return request(t.app).post('/api/auth/verify-email').send({ token: t.mail.tokenFor(a.email, 'verify-email') });
}

async function verifiedAccount(t: Target, email = uniqueEmail(), roles: PlatformRole[] = []): Promise<Account> {
  const a = await signUpUnverified(t, email);
  expect((await openVerificationLink(t, a)).status).toBe(200);
  for (const role of roles) await grantPlatformRole(t.db, a.userId, role);
  return a;
}

const me = (t: Target, a: Account) => request(t.app).get('/api/auth/me').set(a.auth);

describe('row 1: embedded sign-up verifies the email before it counts', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ env: { ...MANY_SIGNUPS, ISV_BOOTSTRAP_ADMINS: 'boss@example.test' } });
  });
  afterAll(() => ctx.close());

  it('gives an address listed in ISV_BOOTSTRAP_ADMINS no role until the link mailed to it is opened', async () => {
    const squatter = await signUpUnverified(ctx, 'boss@example.test');
    expect((await me(ctx, squatter)).body.user).toMatchObject({ roles: [], emailVerified: false });
    expect((await ctx.request.get('/api/isv/admin/approvals').set(squatter.auth)).status).toBe(403);
    expect(await ctx.db.query(`SELECT 1 FROM isv.platform_roles WHERE user_id = $1`, [squatter.userId])).toEqual([]);
    // Only whoever reads boss@'s mail can finish: the link went there and nowhere else.
    expect(ctx.mail.sent.filter((m) => m.link.includes('/verify-email?token=')).map((m) => m.to)).toEqual(['boss@example.test']);
    const opened = await openVerificationLink(ctx, squatter);
    expect(opened.body.user).toMatchObject({ roles: ['admin'], emailVerified: true });
    expect((await ctx.request.get('/api/isv/admin/approvals').set(squatter.auth)).status).toBe(200);
    expect((await openVerificationLink(ctx, squatter)).body.code).toBe('link_invalid');
  });

  it('lets an unverified account create no customer, and writes nothing', async () => {
    const a = await signUpUnverified(ctx);
    const res = await ctx.request.post('/api/isv/customers').set(a.auth).send(customerBody());
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('email_unverified');
    expect(res.body.detail).toContain(a.email);
    expect(await ctx.db.query(`SELECT 1 FROM isv.memberships WHERE user_id = $1`, [a.userId])).toEqual([]);
  });

  it('does not hand an invitation to carol@ to whoever signs up with that address: it waits for the verified address', async () => {
    const owner = await verifiedAccount(ctx);
    const c = (await ctx.request.post('/api/isv/customers').set(owner.auth).send(customerBody())).body;
    const carolEmail = uniqueEmail('carol');
    const inv = await ctx.request.post(`/api/isv/customers/${c.id}/members`).set(owner.auth).send({ email: carolEmail });
    expect(inv.status).toBe(201);
    const impostor = await signUpUnverified(ctx, carolEmail);
    expect((await ctx.request.get('/api/isv/invitations').set(impostor.auth)).body.items).toEqual([]);
    const taken = await ctx.request.post(`/api/isv/invitations/${inv.body.member.invitationId}/accept`).set(impostor.auth);
    expect(taken.status).toBe(403);
    expect(taken.body.code).toBe('email_unverified');
    expect((await ctx.request.get(`/api/isv/customers/${c.id}`).set(impostor.auth)).status).toBe(404);
    expect((await me(ctx, impostor)).body.memberships).toEqual([]);
    expect(await ctx.db.query(`SELECT accepted_at FROM isv.invitations WHERE id = $1`, [inv.body.member.invitationId])).toEqual([{ accepted_at: null }]);
  });

  it('does not make dave@, who signed up in advance, an owner when he is invited: he is one only once he accepts', async () => {
    const owner = await verifiedAccount(ctx);
    const dave = await verifiedAccount(ctx, uniqueEmail('dave'));
    const c = (await ctx.request.post('/api/isv/customers').set(owner.auth).send(customerBody())).body;
    const inv = await ctx.request.post(`/api/isv/customers/${c.id}/members`).set(owner.auth).send({ email: dave.email, role: 'owner' });
    expect(inv.body.member).toMatchObject({ status: 'invited', userId: null, role: 'owner' });
    expect((await ctx.request.get(`/api/isv/customers/${c.id}`).set(dave.auth)).status).toBe(404);
    expect((await ctx.request.patch(`/api/isv/customers/${c.id}`).set(dave.auth).send({ displayName: 'Dave was here' })).status).toBe(404);
    expect(await ctx.db.query(`SELECT 1 FROM isv.memberships WHERE user_id = $1`, [dave.userId])).toEqual([]);
    expect((await ctx.request.post(`/api/isv/invitations/${inv.body.member.invitationId}/accept`).set(dave.auth)).body).toEqual({ customerId: c.id, role: 'owner' });
    expect((await ctx.request.get(`/api/isv/customers/${c.id}`).set(dave.auth)).body.myRole).toBe('owner');
  });
});

describe('row 2: Supabase mode keys users on sub and trusts only verified addresses', () => {
  let db: TestDb;
  let t: AuthTestApp;
  const url = 'http://127.0.0.1:9';
  const secret = 'a-supabase-jwt-secret-of-at-least-32-characters';
  beforeAll(async () => {
    db = await createTestDb();
    t = buildTestApp(db, { ...STRICT, SUPABASE_URL: url, SUPABASE_JWT_SECRET: secret, ISV_BOOTSTRAP_OPERATORS: 'op@supa.test' });
  });
  afterAll(() => db.close());

  const bearer = async (sub: string, email: string, verified: boolean) => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ email, role: 'authenticated', user_metadata: { email_verified: verified } })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(sub)
      .setIssuer(`${url}/auth/v1`)
      .setAudience('authenticated')
      .setIssuedAt(now - 60)
      .setExpirationTime(now + 600)
      .sign(new TextEncoder().encode(secret));
    return { Authorization: `Bearer ${token}` };
  };

  it('resolves a token with a new sub and an existing email to a new user, who gets none of the old user’s customers or roles', async () => {
    const victim = randomUUID();
    const victimAuth = await bearer(victim, 'victim@supa.test', true);
    expect((await request(t.app).get('/api/auth/me').set(victimAuth)).body.user).toMatchObject({ id: victim, roles: [] });
    await grantPlatformRole(db, victim, 'admin');
    expect((await request(t.app).get('/api/auth/me').set(victimAuth)).body.user.roles).toEqual(['admin']);
    const c = await request(t.app).post('/api/isv/customers').set(victimAuth).send(customerBody());
    expect(c.status).toBe(201);

    const attacker = randomUUID();
    const attackerAuth = await bearer(attacker, 'victim@supa.test', true);
    const res = await request(t.app).get('/api/auth/me').set(attackerAuth);
    expect(res.body.user.id).toBe(attacker);
    expect(res.body.user.roles).toEqual([]);
    expect(res.body.memberships).toEqual([]);
    expect((await request(t.app).get(`/api/isv/customers/${c.body.id}`).set(attackerAuth)).status).toBe(404);
    expect((await request(t.app).get('/api/auth/me').set(victimAuth)).body.user).toMatchObject({ id: victim, email: 'victim@supa.test', roles: ['admin'] });
    expect((await request(t.app).get(`/api/isv/customers/${c.body.id}`).set(victimAuth)).body.myRole).toBe('owner');
  });

  it('gives a token with email_verified false no bootstrap role, and grants it once Supabase says the address is confirmed', async () => {
    const sub = randomUUID();
    const unverified = await request(t.app).get('/api/auth/me').set(await bearer(sub, 'op@supa.test', false));
    expect(unverified.body.user).toMatchObject({ id: sub, roles: [], emailVerified: false });
    expect(await db.query(`SELECT 1 FROM isv.platform_roles WHERE user_id = $1`, [sub])).toEqual([]);
    const verified = await request(t.app).get('/api/auth/me').set(await bearer(sub, 'op@supa.test', true));
    expect(verified.body.user).toMatchObject({ id: sub, roles: ['operator'], emailVerified: true });
  });
});

describe('row 3: customers per user, and sign-ups per address', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ env: MANY_SIGNUPS });
  });
  afterAll(() => ctx.close());

  const customersOf = async (userId: string) =>
    (await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM isv.memberships WHERE user_id = $1 AND role = 'owner'`, [userId]))[0]!.n;

  it('refuses a fourth customer with 403 customer_limit_reached and starts no fourth subaccount', async () => {
    const a = await verifiedAccount(ctx);
    for (let i = 0; i < 3; i++) expect((await ctx.request.post('/api/isv/customers').set(a.auth).send(customerBody())).status).toBe(201);
    const flowsBefore = (await ctx.db.query(`SELECT id FROM isv.flows`)).length;
    const fourth = await ctx.request.post('/api/isv/customers').set(a.auth).send(customerBody());
    expect(fourth.status).toBe(403);
    expect(fourth.body).toMatchObject({ code: 'customer_limit_reached', detail: expect.stringContaining('3 customers') });
    expect(await customersOf(a.userId)).toBe(3);
    expect((await ctx.db.query(`SELECT id FROM isv.flows`)).length).toBe(flowsBefore);
  });

  it('caps six simultaneous creates from one new user at three', async () => {
    const a = await verifiedAccount(ctx);
    const results = await Promise.all(Array.from({ length: 6 }, () => ctx.request.post('/api/isv/customers').set(a.auth).send(customerBody())));
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 201, 403, 403, 403]);
    expect(await customersOf(a.userId)).toBe(3);
  });

  it('lets an admin raise one user’s ceiling, audited; other users keep theirs, and staff are not counted', async () => {
    const a = await verifiedAccount(ctx);
    const admin = await verifiedAccount(ctx, uniqueEmail('admin'), ['admin']);
    for (let i = 0; i < 3; i++) await ctx.request.post('/api/isv/customers').set(a.auth).send(customerBody());
    expect((await ctx.request.put(`/api/isv/users/${a.userId}/customer-limit`).set(a.auth).send({ maxCustomers: 50 })).status).toBe(403);
    const raised = await ctx.request.put(`/api/isv/users/${a.userId.toUpperCase()}/customer-limit`).set(admin.auth).send({ maxCustomers: 5 });
    expect(raised.body).toEqual({ userId: a.userId, maxCustomers: 5 });
    expect((await ctx.request.post('/api/isv/customers').set(a.auth).send(customerBody())).status).toBe(201);
    const audit = await ctx.db.query(`SELECT actor_id, actor_role, before, after FROM isv.audit_log WHERE action = 'user.customer_limit_set' AND target_id = $1`, [a.userId]);
    expect(audit).toEqual([{ actor_id: admin.userId, actor_role: 'admin', before: { maxCustomers: null }, after: { maxCustomers: 5 } }]);
    for (let i = 0; i < 4; i++) expect((await ctx.request.post('/api/isv/customers').set(admin.auth).send(customerBody())).status).toBe(201);
  });

  it('answers the 21st sign-up from one address within the hour with 429 and Retry-After, and creates no account', async () => {
    const db = await createTestDb();
    try {
      const t = buildTestApp(db, STRICT);
      const statuses: number[] = [];
      for (let i = 0; i < 21; i++) statuses.push((await request(t.app).post('/api/auth/signup').send({ email: uniqueEmail('bulk'), password: TEST_PASSWORD })).status);
      expect(statuses).toEqual([...Array(20).fill(201), 429]);
      const last = await request(t.app).post('/api/auth/signup').send({ email: uniqueEmail('bulk'), password: TEST_PASSWORD });
      expect(last.status).toBe(429);
      expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
      expect((await db.query(`SELECT id FROM isv.users`)).length).toBe(20);
    } finally {
      await db.close();
    }
  });
});

describe('row 6: password spraying and weak passwords', () => {
  let db: TestDb;
  let t: AuthTestApp;
  beforeAll(async () => {
    db = await createTestDb();
    t = buildTestApp(db, MANY_SIGNUPS);
  });
  afterAll(() => db.close());

  it('stops one address trying a password on more than 30 accounts, even for an account with the right password', async () => {
    // Its own database: the failures it piles up from this address would throttle the other tests.
    const sprayDb = await createTestDb();
    const t = buildTestApp(sprayDb, MANY_SIGNUPS);
    onTestFinished(() => sprayDb.close());
    const victims = await Promise.all(Array.from({ length: 31 }, () => signUpUnverified(t, uniqueEmail('spray'))));
    const statuses: number[] = [];
    for (const v of victims) statuses.push((await request(t.app).post('/api/auth/login').send({ email: v.email, password: 'Summer2026!' })).status);
    expect(statuses).toEqual([...Array(30).fill(401), 429]);
    const right = await request(t.app).post('/api/auth/login').send({ email: victims[0]!.email, password: TEST_PASSWORD });
    expect(right.status).toBe(429);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('refuses password12 and password1234 at sign-up and at reset with 422 on password, and keeps the old password', async () => {
    for (const password of ['password12', 'password1234', 'aaaaaaaaaaaa']) {
      const res = await request(t.app).post('/api/auth/signup').send({ email: uniqueEmail('weak'), password });
      expect(res.status, password).toBe(422);
      expect(res.body.errors).toEqual([{ path: 'password', message: expect.any(String) }]);
    }
    const a = await signUpUnverified(t, uniqueEmail('resetweak'));
    await request(t.app).post('/api/auth/password-reset').send({ email: a.email });
    const token = t.mail.tokenFor(a.email, 'reset-password');
    const weak = await request(t.app).post('/api/auth/password-reset/confirm').send({ token, password: 'password1234' });
    expect(weak.status).toBe(422);
    expect(weak.body.errors[0].path).toBe('password');
    expect((await request(t.app).post('/api/auth/login').send({ email: a.email, password: TEST_PASSWORD })).status).toBe(200);
  });

  it('treats the email case-insensitively at sign-in and sign-up', async () => {
    const a = await signUpUnverified(t, `Erin-${randomUUID().slice(0, 8)}@Example.TEST`);
    expect(a.email).toBe(a.email.toLowerCase());
    const login = await request(t.app).post('/api/auth/login').send({ email: a.email.toUpperCase(), password: TEST_PASSWORD });
    expect(login.status).toBe(200);
    expect(login.body.user.id).toBe(a.userId);
    expect((await request(t.app).post('/api/auth/signup').send({ email: a.email.toUpperCase(), password: TEST_PASSWORD })).body.code).toBe('email_taken');
  });
});

describe('row 10: nobody becomes a member without consent, and a customer keeps an owner', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ env: MANY_SIGNUPS });
  });
  afterAll(() => ctx.close());

  it('keeps an existing user out until they accept; a declined or revoked invitation cannot be accepted later', async () => {
    const owner = await verifiedAccount(ctx);
    const c = (await ctx.request.post('/api/isv/customers').set(owner.auth).send(customerBody())).body;
    const erin = await verifiedAccount(ctx, uniqueEmail('erin'));
    const frank = await verifiedAccount(ctx, uniqueEmail('frank'));
    const toErin = (await ctx.request.post(`/api/isv/customers/${c.id}/members`).set(owner.auth).send({ email: erin.email, role: 'owner' })).body.member;
    const toFrank = (await ctx.request.post(`/api/isv/customers/${c.id}/members`).set(owner.auth).send({ email: frank.email })).body.member;
    expect((await ctx.request.post(`/api/isv/invitations/${toErin.invitationId}/accept`).set(frank.auth)).status).toBe(404);
    expect((await ctx.request.post(`/api/isv/invitations/${toErin.invitationId}/decline`).set(erin.auth)).status).toBe(204);
    expect((await ctx.request.post(`/api/isv/invitations/${toErin.invitationId}/accept`).set(erin.auth)).status).toBe(404);
    expect((await ctx.request.delete(`/api/isv/customers/${c.id}/invitations/${toFrank.invitationId}`).set(owner.auth)).status).toBe(204);
    expect((await ctx.request.post(`/api/isv/invitations/${toFrank.invitationId}/accept`).set(frank.auth)).status).toBe(404);
    const members = await ctx.request.get(`/api/isv/customers/${c.id}/members`).set(owner.auth);
    expect(members.body.items.map((m: { email: string }) => m.email)).toEqual([owner.email]);
    const actions = await ctx.db.query<{ action: string }>(`SELECT action FROM isv.audit_log WHERE customer_id = $1 AND action LIKE 'invitation.%' `, [c.id]);
    expect(actions.map((a) => a.action).sort()).toEqual(['invitation.created', 'invitation.created', 'invitation.declined', 'invitation.revoked']);
  });

  it('refuses to remove the last owner with 409 last_owner, and lets members be removed by an owner only', async () => {
    const owner = await verifiedAccount(ctx);
    const c = (await ctx.request.post('/api/isv/customers').set(owner.auth).send(customerBody())).body;
    const gina = await verifiedAccount(ctx, uniqueEmail('gina'));
    const inv = (await ctx.request.post(`/api/isv/customers/${c.id}/members`).set(owner.auth).send({ email: gina.email })).body.member;
    await ctx.request.post(`/api/isv/invitations/${inv.invitationId}/accept`).set(gina.auth);
    expect((await ctx.request.delete(`/api/isv/customers/${c.id}/members/${owner.userId}`).set(gina.auth)).status).toBe(403);
    const last = await ctx.request.delete(`/api/isv/customers/${c.id}/members/${owner.userId}`).set(owner.auth);
    expect(last.status).toBe(409);
    expect(last.body.code).toBe('last_owner');
    expect((await ctx.request.delete(`/api/isv/customers/${c.id}/members/${gina.userId.toUpperCase()}`).set(owner.auth)).status).toBe(204);
    expect((await ctx.request.get(`/api/isv/customers/${c.id}`).set(gina.auth)).status).toBe(404);
  });
});

describe('row 11: staff acting for a tenant leave an audit entry with the role they used', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ env: MANY_SIGNUPS });
  });
  afterAll(() => ctx.close());

  it('audits an operator’s send as a customer and an admin’s edit of it, naming the staff member and role', async () => {
    const tenant = await createTenant(ctx);
    const operator = await verifiedAccount(ctx, uniqueEmail('operator'), ['operator']);
    const admin = await verifiedAccount(ctx, uniqueEmail('admin'), ['admin']);
    const sent = await ctx.request.post(`/api/isv/customers/${tenant.customerId}/messages`).set(operator.auth).send({ to: '+14155551001', body: 'Sent by support' });
    expect(sent.status).toBe(201);
    const edited = await ctx.request.patch(`/api/isv/customers/${tenant.customerId}`).set(admin.auth).send({ displayName: 'Renamed by support' });
    expect(edited.status).toBe(200);
    const audit = await ctx.db.query<{ action: string; actor_id: string; actor_role: string; after: Record<string, unknown> }>(
      `SELECT action, actor_id, actor_role, after FROM isv.audit_log WHERE customer_id = $1 AND action IN ('message.sent_by_staff', 'customer.updated') `,
      [tenant.customerId],
    );
    expect(audit.map((a) => [a.action, a.actor_id, a.actor_role]).sort()).toEqual([
      ['customer.updated', admin.userId, 'admin'],
      ['message.sent_by_staff', operator.userId, 'operator'],
    ]);
    expect(audit.find((a) => a.action === 'message.sent_by_staff')!.after).toMatchObject({ sid: sent.body.sid, to: expect.not.stringContaining('5551001') });
    // The tenant's own owner sending leaves no staff entry.
    await ctx.request.post(`/api/isv/customers/${tenant.customerId}/messages`).set(tenant.owner.auth).send({ to: '+14155551002', body: 'Sent by the owner' });
    expect(await ctx.db.query(`SELECT 1 FROM isv.audit_log WHERE customer_id = $1 AND action = 'message.sent_by_staff'`, [tenant.customerId])).toHaveLength(1);
  });
});

describe('row 12: sessions end when the user says so', () => {
  let db: TestDb;
  let t: AuthTestApp;
  beforeAll(async () => {
    db = await createTestDb();
    t = buildTestApp(db, MANY_SIGNUPS);
  });
  afterAll(() => db.close());

  const signIn = async (email: string, password = TEST_PASSWORD) => {
    const res = await request(t.app).post('/api/auth/login').send({ email, password });
    expect(res.status).toBe(200);
    return { Authorization: `Bearer ${res.body.token}` };
  };

  it('revokes this session’s token on sign-out, leaving the user’s other sessions signed in', async () => {
    const a = await verifiedAccount(t);
    const laptop = await signIn(a.email);
    expect((await request(t.app).post('/api/auth/logout').set(a.auth)).status).toBe(204);
    expect((await request(t.app).get('/api/auth/me').set(a.auth)).status).toBe(401);
    expect((await request(t.app).get('/api/auth/me').set(laptop)).status).toBe(200);
  });

  it('revokes every session on "sign out everywhere", audited', async () => {
    const a = await verifiedAccount(t);
    const laptop = await signIn(a.email);
    expect((await request(t.app).post('/api/auth/logout-all').set(laptop)).status).toBe(204);
    for (const auth of [a.auth, laptop]) expect((await request(t.app).get('/api/isv/customers').set(auth)).status).toBe(401);
    expect(await db.query(`SELECT after FROM isv.audit_log WHERE action = 'user.signed_out_everywhere' AND target_id = $1`, [a.userId])).toEqual([{ after: { sessionsRevoked: 2 } }]);
    expect((await request(t.app).get('/api/auth/me').set(await signIn(a.email))).status).toBe(200);
  });

  it('signs out every device on a password reset; the link works once and the old password no longer does', async () => {
    const a = await verifiedAccount(t);
    const stolen = await signIn(a.email);
    expect((await request(t.app).post('/api/auth/password-reset').send({ email: a.email.toUpperCase() })).status).toBe(202);
    const token = t.mail.tokenFor(a.email, 'reset-password');
    const reset = await request(t.app).post('/api/auth/password-reset/confirm').send({ token, password: 'a new and long passphrase 42' });
    expect(reset.status).toBe(200);
    for (const auth of [a.auth, stolen]) expect((await request(t.app).get('/api/auth/me').set(auth)).status).toBe(401);
    expect((await request(t.app).get('/api/auth/me').set('Authorization', `Bearer ${reset.body.token}`)).status).toBe(200);
    expect((await request(t.app).post('/api/auth/password-reset/confirm').send({ token, password: 'yet another long passphrase 7' })).body.code).toBe('link_invalid');
    expect((await request(t.app).post('/api/auth/login').send({ email: a.email, password: TEST_PASSWORD })).status).toBe(401);
  });

  it('answers a reset request for an unknown address exactly as for a known one, and mails nobody', async () => {
    const before = t.mail.sent.length;
    const res = await request(t.app).post('/api/auth/password-reset').send({ email: uniqueEmail('nobody') });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: true });
    expect(t.mail.sent.length).toBe(before);
  });
});

describe('the outbox mailer of the embedded default', () => {
  it('writes each message owner-only under DATA_DIR/outbox and prints its link on the terminal, not in the log', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'isv-outbox-'));
    try {
      const printed: string[] = [];
      const mailer = createOutboxMailer({ dataDir, from: 'ISV Platform <no-reply@localhost>', print: (line) => printed.push(line) });
      const link = 'http://localhost:3000/verify-email?token=abc123';
      await mailer.send({ to: 'ann@example.test', subject: 'Confirm your email address', text: `Open ${link}\n`, link });
      const dir = path.join(dataDir, 'outbox');
      expect(mailer.destination).toBe(dir);
      expect((await stat(dir)).mode & 0o777).toBe(0o700);
      const files = await readdir(dir);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/\.eml$/);
      expect((await stat(path.join(dir, files[0]!))).mode & 0o777).toBe(0o600);
      const eml = await readFile(path.join(dir, files[0]!), 'utf8');
      expect(eml).toMatch(/^To: ann@example\.test$/m);
      expect(eml).toMatch(/^Subject: Confirm your email address$/m);
      expect(eml).toContain(link);
      expect(printed).toEqual([`[mail] Confirm your email address → ann@example.test: ${link}`]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
