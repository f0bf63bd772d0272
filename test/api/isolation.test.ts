// The isolation matrix, driven by every feature's RouteDoc entries so routes added later are covered too:
// members of customer A asking for customer B's resources get 404 and change nothing; staff-only routes give
// 403 to everyone else; every authenticated route gives 401 to a missing, expired, foreign or mis-addressed token.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, SignJWT } from 'jose';
import type { Test } from 'supertest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signUp, uniqueEmail, type SignedUp } from '../helpers/auth.ts';
import { loadEmbeddedSigningKey } from '../../server/platform/auth/signing-key.ts';
import { EMBEDDED_AUDIENCE, EMBEDDED_ISSUER } from '../../server/platform/auth/tokens.ts';
import type { RouteDoc } from '../../server/platform/http/route-docs.ts';
import { customerBody } from '../customers/fixtures.ts';
import { a2pRequest } from '../onboarding/fixtures.ts';

const OTHER_ID = '00000000-0000-4000-8000-000000000000';
const SOME_SID = `AC${'b'.repeat(32)}`;

function urlFor(doc: RouteDoc, customerId: string): string {
  return `/api${doc.path}`.replace(':id', customerId).replace(/:([A-Za-z_]+)/g, (_m, name: string) => (/sid/i.test(name) ? SOME_SID : OTHER_ID));
}

/**
 * Staff routes deliberately open to both admins and operators, though RouteDoc can name only one role: they
 * still must refuse customers, which is checked for them as for every staff route.
 */
const OPEN_TO_BOTH_STAFF_ROLES = new Set(['get /isv/webhook-metrics']);

const isCustomerScoped = (d: RouteDoc) => d.auth === 'user' && d.path.startsWith('/isv/customers/:id');

describe('isolation matrix over every documented route', () => {
  let ctx: TestContext;
  let memberOfA: SignedUp;
  let ownerOfB: SignedUp;
  let admin: SignedUp;
  let operator: SignedUp;
  let customerA: string;
  let customerB: string;
  let docs: RouteDoc[];

  const send = (method: RouteDoc['method'], url: string, headers: Record<string, string> = {}): Test => {
    const req = (ctx.request as unknown as Record<string, (u: string) => Test>)[method]!(url).set(headers);
    return method === 'get' || method === 'delete' ? req : req.send({});
  };

  /** Row counts of every table and B's own row, so "nothing changed" is checked, not assumed. */
  async function snapshot() {
    const tables = await ctx.db.query<{ relname: string }>(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'isv' AND c.relkind = 'r' AND c.relname NOT IN ('rate_limits') ORDER BY 1`,
    );
    const counts: Record<string, number> = {};
    for (const t of tables) counts[t.relname] = (await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM isv.${t.relname}`))[0]!.n;
    const b = await ctx.db.query(`SELECT * FROM isv.customers WHERE id = $1`, [customerB]);
    const flowsOfB = await ctx.db.query(`SELECT id, state, status, version FROM isv.flows WHERE customer_id = $1 ORDER BY id`, [customerB]);
    return { counts, b, flowsOfB };
  }

  beforeAll(async () => {
    ctx = await createTestContext();
    memberOfA = await signUp(ctx, uniqueEmail('member-a'));
    ownerOfB = await signUp(ctx, uniqueEmail('owner-b'));
    admin = await signUp(ctx, uniqueEmail('admin'), { roles: ['admin'] });
    operator = await signUp(ctx, uniqueEmail('operator'), { roles: ['operator'] });
    customerA = (await ctx.request.post('/api/isv/customers').set(memberOfA.auth).send(customerBody({ legalName: 'Customer A' }))).body.id;
    customerB = (await ctx.request.post('/api/isv/customers').set(ownerOfB.auth).send(customerBody({ legalName: 'Customer B' }))).body.id;
    // A has submitted A2P data, so GET …/a2p has something to return to its own member (404 a2p_not_submitted otherwise).
    expect((await ctx.request.post(`/api/isv/customers/${customerA}/a2p`).set(memberOfA.auth).send(a2pRequest())).status).toBe(201);
    // A has its own Twilio account connected too (#17), so the connection's read routes answer 200 for its member.
    const own = (await (await fetch(`${ctx.sandbox.url}/sandbox/accounts`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).json()) as { account_sid: string; auth_token: string };
    expect((await ctx.request.put(`/api/isv/customers/${customerA}/twilio-connection`).set(memberOfA.auth).send({ accountSid: own.account_sid, authToken: own.auth_token })).status).toBe(200);
    docs = ctx.features.routeDocs;
  });
  afterAll(() => ctx.close());

  it('finds the customer-scoped, admin and operator routes to test', () => {
    expect(docs.filter(isCustomerScoped).length).toBeGreaterThanOrEqual(4);
    expect(docs.filter((d) => d.auth === 'operator').length).toBeGreaterThanOrEqual(5);
  });

  it("gives a member of customer A 404 for every route and method on customer B's resources, and changes nothing", async () => {
    const before = await snapshot();
    const failures: string[] = [];
    for (const doc of docs.filter(isCustomerScoped)) {
      const res = await send(doc.method, urlFor(doc, customerB), memberOfA.auth);
      if (res.status !== 404) failures.push(`${doc.method.toUpperCase()} ${doc.path} → ${res.status} ${JSON.stringify(res.body)}`);
    }
    expect(failures).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it('gives 404, not a different answer, whether customer B exists or not', async () => {
    for (const doc of docs.filter(isCustomerScoped)) {
      const existing = await send(doc.method, urlFor(doc, customerB), memberOfA.auth);
      const missing = await send(doc.method, urlFor(doc, randomUUID()), memberOfA.auth);
      expect([existing.status, existing.body], `${doc.method} ${doc.path}`).toEqual([missing.status, missing.body]);
    }
  });

  it('still lets each member reach its own customer through the same routes', async () => {
    for (const doc of docs.filter(isCustomerScoped).filter((d) => d.method === 'get' && !/:(?!id\b)/.test(d.path))) {
      const res = await send(doc.method, urlFor(doc, customerA), memberOfA.auth);
      expect(res.status, `${doc.method} ${doc.path}`).toBe(200);
    }
  });

  it("gives 404 when a member of A names one of B's sub-resources under A's own customer id, and changes nothing", async () => {
    // B's rows, made directly: each sub-resource parameter a route may name, mapped to one of B's own rows.
    const [template] = await ctx.db.query<{ id: string }>(
      `INSERT INTO isv.templates (customer_id, name, language, category, body) VALUES ($1, 'b_order_update', 'en', 'UTILITY', 'Your order {{1}} has shipped.') RETURNING id`,
      [customerB],
    );
    const [sender] = await ctx.db.query<{ id: string }>(
      `INSERT INTO isv.whatsapp_senders (customer_id, phone_number, profile, status) VALUES ($1, '+14155550999', '{"name":"B"}', 'pending_verification') RETURNING id`,
      [customerB],
    );
    const [message] = await ctx.db.query<{ id: string }>(
      `INSERT INTO isv.messages (customer_id, account_sid, direction, channel, to_number, status) VALUES ($1, $2, 'outbound', 'sms', '+14155550100', 'queued') RETURNING id`,
      [customerB, `AC${'e'.repeat(32)}`],
    );
    const [invitation] = await ctx.db.query<{ id: string }>(
      `INSERT INTO isv.invitations (customer_id, email, role) VALUES ($1, 'someone-b@example.test', 'member') RETURNING id`,
      [customerB],
    );
    const [alert] = await ctx.db.query<{ id: string }>(
      `INSERT INTO isv.alerts (customer_id, kind, subject, period, message) VALUES ($1, 'budget', '80%', '2026-12', 'B used 80% of its budget') RETURNING id`,
      [customerB],
    );
    const ofB: Record<string, string> = { templateId: template!.id, senderId: sender!.id, messageId: message!.id, invitationId: invitation!.id, userId: ownerOfB.userId, alertId: alert!.id };
    // Bodies a member could validly send, so the request reaches the look-up instead of stopping at validation.
    const validBodies: Record<string, unknown> = {
      'put /isv/customers/:id/templates/:templateId': { language: 'en', category: 'UTILITY', body: 'Your order {{1}} is on its way.', variables: { '1': '1234' } },
      'post /isv/customers/:id/whatsapp/senders/:senderId/verify': { code: '123456' },
    };
    const withSubParams = docs.filter((d) => isCustomerScoped(d) && /:(?!id\b)\w+/.test(d.path));
    expect(withSubParams.length).toBeGreaterThanOrEqual(3);
    const before = await snapshot();
    const failures: string[] = [];
    for (const doc of withSubParams) {
      const unknown = [...doc.path.matchAll(/:(\w+)/g)].map((m) => m[1]!).filter((n) => n !== 'id' && !ofB[n]);
      if (unknown.length) {
        failures.push(`${doc.method.toUpperCase()} ${doc.path}: teach this test where B's ${unknown.join(', ')} comes from`);
        continue;
      }
      const url = `/api${doc.path}`.replace(':id', customerA).replace(/:(\w+)/g, (_m, n: string) => ofB[n]!);
      const req = (ctx.request as unknown as Record<string, (u: string) => Test>)[doc.method]!(url).set(memberOfA.auth);
      const res = doc.method === 'get' ? await req : await req.send((validBodies[`${doc.method} ${doc.path}`] ?? {}) as object);
      if (res.status !== 404) failures.push(`${doc.method.toUpperCase()} ${doc.path} → ${res.status} ${JSON.stringify(res.body)}`);
    }
    expect(failures).toEqual([]);
    expect(await snapshot()).toEqual(before);
    const bRows = await ctx.db.query(`SELECT status, version FROM isv.templates WHERE customer_id = $1`, [customerB]);
    expect(bRows).toEqual([{ status: 'awaiting_approval', version: 1 }]);
  });

  it('gives 403 on admin-only routes to customers and operators, and on operator-only routes to customers and admins', async () => {
    const failures: string[] = [];
    for (const doc of docs.filter((d) => d.auth === 'admin' || d.auth === 'operator')) {
      const otherStaff = OPEN_TO_BOTH_STAFF_ROLES.has(`${doc.method} ${doc.path}`) ? [] : [doc.auth === 'admin' ? operator : admin];
      const others = [memberOfA, ownerOfB, ...otherStaff];
      for (const who of others) {
        const res = await send(doc.method, urlFor(doc, customerB), who.auth);
        if (res.status !== 403) failures.push(`${doc.method.toUpperCase()} ${doc.path} as ${who.email} → ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('gives 401 with one body to no token, an expired token, another key and the wrong audience on every authenticated route', async () => {
    const key = await loadEmbeddedSigningKey(ctx.db, ctx.keyRing);
    const now = Math.floor(Date.now() / 1000);
    const token = (k: Uint8Array, aud: string, exp: number) =>
      new SignJWT({ email: memberOfA.email, sid: decodeJwt(memberOfA.token).sid }).setProtectedHeader({ alg: 'HS256' }).setSubject(memberOfA.userId)
        .setIssuer(EMBEDDED_ISSUER).setAudience(aud).setIssuedAt(now - 7200).setExpirationTime(exp).sign(k);
    const bad: Record<string, Record<string, string>> = {
      none: {},
      expired: { Authorization: `Bearer ${await token(key, EMBEDDED_AUDIENCE, now - 60)}` },
      'other key': { Authorization: `Bearer ${await token(new Uint8Array(32).fill(1), EMBEDDED_AUDIENCE, now + 600)}` },
      'wrong audience': { Authorization: `Bearer ${await token(key, 'authenticated', now + 600)}` },
    };
    // The same token with the right audience and key works, so each refusal is about the one thing changed.
    const good = await token(key, EMBEDDED_AUDIENCE, now + 600);
    expect((await ctx.request.get('/api/auth/me').set('Authorization', `Bearer ${good}`)).status).toBe(200);
    const failures: string[] = [];
    for (const doc of docs.filter((d) => d.auth !== 'none' && d.auth !== 'twilio')) {
      for (const [name, headers] of Object.entries(bad)) {
        const res = await send(doc.method, urlFor(doc, customerA), headers);
        if (res.status !== 401 || res.body.code !== 'unauthorized') failures.push(`${doc.method.toUpperCase()} ${doc.path} with ${name} → ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
