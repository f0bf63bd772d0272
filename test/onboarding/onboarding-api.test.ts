// The customer-facing onboarding API over HTTP: the read model, Twilio's limits checked before anything is stored
// or submitted, other customers' members get 404, and OTP routes answer 409 when nothing waits for a code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signUp, type SignedUp } from '../helpers/auth.ts';
import { customerBody } from '../customers/fixtures.ts';
import { onboardingResponseSchema } from '../../shared/onboarding.ts';
import { numbersResponseSchema } from '../../shared/a2p.ts';
import { a2pRequest, movableClock, testEngine } from './fixtures.ts';

let ctx: TestContext;
let owner: SignedUp;
let stranger: SignedUp;
let customerId: string;
beforeAll(async () => {
  ctx = await createTestContext({ sandbox: { autoAdvance: false } });
  owner = await signUp(ctx);
  stranger = await signUp(ctx);
  const res = await ctx.request.post('/api/isv/customers').set(owner.auth).send(customerBody());
  customerId = res.body.id;
  await ctx.request.post('/api/isv/customers').set(stranger.auth).send(customerBody({ legalName: 'Other Co LLC' }));
});
afterAll(async () => ctx?.close());

const count = async (table: string) => (await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM isv.${table}`))[0]!.n;

describe('GET /api/isv/customers/:id/onboarding', () => {
  it('shows the subaccount flow started with the customer, then done with its timeline', async () => {
    let body = onboardingResponseSchema.parse((await ctx.request.get(`/api/isv/customers/${customerId}/onboarding`).set(owner.auth)).body);
    expect(body.overall).toBe('in_progress');
    expect(body.flows).toEqual([
      expect.objectContaining({ kind: 'subaccount', state: 'create_subaccount', status: 'in_progress', progress: 0, attempts: 0, lastError: null }),
    ]);
    const clock = movableClock();
    await testEngine(ctx, clock).drain();
    body = onboardingResponseSchema.parse((await ctx.request.get(`/api/isv/customers/${customerId}/onboarding`).set(owner.auth)).body);
    expect(body.overall).toBe('complete');
    expect(body.flows[0]).toMatchObject({ status: 'done', progress: 100, nextCheckAt: null, waitingFor: null });
    expect(body.flows[0]!.events.map((e) => [e.from, e.to])).toEqual([
      [null, 'create_subaccount'],
      ['create_subaccount', 'done'],
    ]);
    expect(body.flows[0]!.events[1]!.message).toMatch(/^Created subaccount AC[0-9a-f]{32}$/);
  });

  it('says suspended, then closed, instead of complete once the operator pauses or closes the subaccount', async () => {
    const overall = async () => onboardingResponseSchema.parse((await ctx.request.get(`/api/isv/customers/${customerId}/onboarding`).set(owner.auth)).body).overall;
    expect(await overall()).toBe('complete');
    await ctx.db.query(`UPDATE isv.twilio_subaccounts SET status = 'suspended' WHERE customer_id = $1 AND kind = 'subaccount'`, [customerId]);
    expect(await overall()).toBe('suspended');
    await ctx.db.query(`UPDATE isv.twilio_subaccounts SET status = 'closed' WHERE customer_id = $1 AND kind = 'subaccount'`, [customerId]);
    expect(await overall()).toBe('closed');
    await ctx.db.query(`UPDATE isv.twilio_subaccounts SET status = 'active' WHERE customer_id = $1 AND kind = 'subaccount'`, [customerId]);
  });
});

describe('input checks', () => {
  it("refuses A2P data outside Twilio's limits with every field path, and stores nothing", async () => {
    const before = { brands: await count('brands'), flows: await count('flows'), requests: ctx.sandbox.requests.length };
    const bad = a2pRequest({
      companyType: 'public',
      campaign: { description: 'too short', messageFlow: 'x'.repeat(2049), sampleMessages: ['only one sample, twenty+ chars'] },
    });
    const res = await ctx.request.post(`/api/isv/customers/${customerId}/a2p`).set(owner.auth).send(bad);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(
      ['campaign.description', 'campaign.messageFlow', 'campaign.sampleMessages', 'stockExchange', 'stockTicker'].sort(),
    );
    const soleProp = await ctx.request.post(`/api/isv/customers/${customerId}/a2p`).set(owner.auth).send(a2pRequest({ brandType: 'SOLE_PROPRIETOR' }));
    expect(soleProp.status).toBe(422);
    expect(soleProp.body.errors).toEqual([{ path: 'brandType', message: 'only sole proprietors register SOLE_PROPRIETOR brands' }]);
    expect({ brands: await count('brands'), flows: await count('flows'), requests: ctx.sandbox.requests.length }).toEqual(before);
  });

  it('refuses malformed templates and senders with 422', async () => {
    const t = await ctx.request
      .post(`/api/isv/customers/${customerId}/templates`)
      .set(owner.auth)
      .send({ name: 'Bad Name', language: 'english', category: 'PROMO', body: '{{2}} hello', variables: { '3': 'x' } });
    expect(t.status).toBe(422);
    expect(t.body.errors.map((e: { path: string }) => e.path)).toEqual(['name', 'language', 'category']);
    const placeholders = await ctx.request
      .post(`/api/isv/customers/${customerId}/templates`)
      .set(owner.auth)
      .send({ name: 'bad_placeholders', language: 'en', category: 'UTILITY', body: 'Hello {{2}} there', variables: { '3': 'x' } });
    expect(placeholders.status).toBe(422);
    expect(placeholders.body.errors.map((e: { path: string }) => e.path)).toEqual(['body', 'variables.2', 'variables.3']);
    const s = await ctx.request.post(`/api/isv/customers/${customerId}/whatsapp/senders`).set(owner.auth).send({ phoneNumber: '5125550100', profile: {} });
    expect(s.status).toBe(422);
    expect(s.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['phoneNumber', 'profile.name']);
  });
});

describe('routes', () => {
  it('answer 404 to a member of another customer, whatever the route', async () => {
    const paths: [string, string, unknown?][] = [
      ['get', `/api/isv/customers/${customerId}/onboarding`],
      ['post', `/api/isv/customers/${customerId}/a2p`, a2pRequest()],
      ['post', `/api/isv/customers/${customerId}/a2p/otp/resend`, {}],
      ['get', `/api/isv/customers/${customerId}/numbers`],
      ['get', `/api/isv/customers/${customerId}/templates`],
      ['post', `/api/isv/customers/${customerId}/whatsapp/senders`, { phoneNumber: '+15125550199', profile: { name: 'X' } }],
    ];
    for (const [method, path, body] of paths) {
      const req = method === 'get' ? ctx.request.get(path) : ctx.request.post(path).send(body as object);
      expect((await req.set(stranger.auth)).status, `${method} ${path}`).toBe(404);
    }
  });

  it('OTP routes answer 409 when nothing waits for a code; numbers start empty', async () => {
    // No A2P registration yet, so no verification text to send again.
    expect((await ctx.request.post(`/api/isv/customers/${customerId}/a2p/otp/resend`).set(owner.auth).send({})).status).toBe(404);
    const sender = await ctx.request.post(`/api/isv/customers/${customerId}/whatsapp/senders`).set(owner.auth).send({ phoneNumber: '+15125550188', profile: { name: 'Acme' } });
    expect(sender.status).toBe(201);
    const verify = await ctx.request.post(`/api/isv/customers/${customerId}/whatsapp/senders/${sender.body.id}/verify`).set(owner.auth).send({ code: '123456' });
    expect(verify.status).toBe(409);
    expect(verify.body.code).toBe('otp_not_expected');
    expect((await ctx.request.post(`/api/isv/customers/${customerId}/whatsapp/senders`).set(owner.auth).send({ phoneNumber: '+15125550188', profile: { name: 'Acme' } })).status).toBe(409);
    const numbers = numbersResponseSchema.parse((await ctx.request.get(`/api/isv/customers/${customerId}/numbers`).set(owner.auth)).body);
    expect(numbers.items).toEqual([]);
  });
});
