import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { buildTestApp, type AuthTestApp } from '../helpers/auth.ts';
import { customerBody } from './fixtures.ts';

interface SeenInvite {
  path: string;
  authorization?: string;
  apikey?: string;
  body: { email?: string };
}

describe('members in Supabase mode', () => {
  let db: TestDb;
  let server: Server;
  let url: string;
  let privateKey: CryptoKey;
  let t: AuthTestApp;
  const invites: SeenInvite[] = [];
  let failNextInvite = false;
  const serviceRoleKey = 'service-role-key-for-tests';

  beforeAll(async () => {
    db = await createTestDb();
    const pair = await generateKeyPair('ES256', { extractable: true });
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    // A stand-in for the project's Auth server: its JWKS and the admin invite endpoint supabase-js calls.
    server = createServer(async (req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      res.setHeader('content-type', 'application/json');
      if (req.url === '/auth/v1/.well-known/jwks.json') return void res.end(JSON.stringify({ keys: [jwk] }));
      if (req.method === 'POST' && req.url?.startsWith('/auth/v1/invite')) {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        invites.push({ path: req.url, authorization: req.headers.authorization, apikey: req.headers.apikey as string | undefined, body });
        if (failNextInvite) {
          failNextInvite = false;
          res.statusCode = 500;
          return void res.end(JSON.stringify({ code: 500, error_code: 'unexpected_failure', msg: 'mail server down' }));
        }
        return void res.end(JSON.stringify({ id: randomUUID(), aud: 'authenticated', role: 'authenticated', email: body.email, invited_at: new Date().toISOString(), app_metadata: {}, user_metadata: {}, identities: [], created_at: new Date().toISOString(), updated_at: new Date().toISOString() }));
      }
      res.statusCode = 404;
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    t = buildTestApp(db, { SUPABASE_URL: url, SUPABASE_SERVICE_ROLE_KEY: serviceRoleKey, SUPABASE_ANON_KEY: 'anon' });
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await db.close();
  });

  const bearer = async (email: string, sub = randomUUID()) => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ email, user_metadata: { email_verified: true } }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setSubject(sub)
      .setIssuer(`${url}/auth/v1`).setAudience('authenticated').setIssuedAt(now).setExpirationTime(now + 600).sign(privateKey);
    return { Authorization: `Bearer ${token}` };
  };

  it('emails the invitation through auth.admin.inviteUserByEmail, and the invitee becomes a member once they accept', async () => {
    const owner = await bearer('owner@supa.test');
    const c = (await request(t.app).post('/api/isv/customers').set(owner).send(customerBody())).body;
    const res = await request(t.app).post(`/api/isv/customers/${c.id}/members`).set(owner).send({ email: 'New.Person@supa.test' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ delivery: 'invitation_emailed', member: { email: 'new.person@supa.test', status: 'invited' } });
    expect(invites.at(-1)).toMatchObject({ authorization: `Bearer ${serviceRoleKey}`, apikey: serviceRoleKey, body: { email: 'new.person@supa.test' } });

    const invitee = await bearer('new.person@supa.test');
    expect((await request(t.app).get(`/api/isv/customers/${c.id}`).set(invitee)).status).toBe(404);
    expect((await request(t.app).post(`/api/isv/invitations/${res.body.member.invitationId}/accept`).set(invitee)).status).toBe(200);
    const got = await request(t.app).get(`/api/isv/customers/${c.id}`).set(invitee);
    expect(got.status).toBe(200);
    expect(got.body.myRole).toBe('member');
  });

  it('keeps the invitation and answers 502 when Supabase cannot send the email', async () => {
    const owner = await bearer('owner2@supa.test');
    const c = (await request(t.app).post('/api/isv/customers').set(owner).send(customerBody())).body;
    failNextInvite = true;
    const res = await request(t.app).post(`/api/isv/customers/${c.id}/members`).set(owner).send({ email: 'late@supa.test' });
    expect(res.status).toBe(502);
    expect(res.body.code).toBe('invite_failed');
    const rows = await db.query(`SELECT email FROM isv.invitations WHERE customer_id = $1`, [c.id]);
    expect(rows).toEqual([{ email: 'late@supa.test' }]);
  });
});
