// GET /api/isv/customers/:id/a2p over HTTP: the latest brand + campaign data exactly as submitted (to prefill a
// resubmission), with its status and the admin's rejection reason; 404 before any submission and for strangers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signUp, type SignedUp } from '../helpers/auth.ts';
import { customerBody } from '../customers/fixtures.ts';
import { a2pSubmissionSchema } from '../../shared/a2p.ts';
import { a2pRequest } from './fixtures.ts';

let ctx: TestContext;
let owner: SignedUp;
let stranger: SignedUp;
let adminUser: SignedUp;
let customerId: string;
beforeAll(async () => {
  ctx = await createTestContext({ sandbox: { autoAdvance: false } });
  owner = await signUp(ctx);
  stranger = await signUp(ctx);
  adminUser = await signUp(ctx, undefined, { roles: ['admin'] });
  const res = await ctx.request.post('/api/isv/customers').set(owner.auth).send(customerBody());
  expect(res.status).toBe(201);
  customerId = res.body.id;
  const other = await ctx.request.post('/api/isv/customers').set(stranger.auth).send(customerBody({ legalName: 'Other Co LLC' }));
  expect(other.status).toBe(201);
});
afterAll(async () => ctx?.close());

const getA2p = (who: SignedUp) => ctx.request.get(`/api/isv/customers/${customerId}/a2p`).set(who.auth);

describe('GET /api/isv/customers/:id/a2p', () => {
  it('answers 404 a2p_not_submitted before any submission', async () => {
    const res = await getA2p(owner);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('a2p_not_submitted');
  });

  it('returns the submission as posted after a submission, then the resubmitted data with the rejection reason', async () => {
    const first = a2pRequest({ companyType: 'public', stockExchange: 'NASDAQ', stockTicker: 'ACME', areaCode: '415', campaign: { optInKeywords: ['START', 'JOIN'], termsUrl: 'https://acme.example.com/terms' } });
    const posted = await ctx.request.post(`/api/isv/customers/${customerId}/a2p`).set(owner.auth).send(first);
    expect(posted.status).toBe(201);
    let res = await getA2p(owner);
    expect(res.status).toBe(200);
    expect(a2pSubmissionSchema.parse(res.body)).toEqual({ brandId: posted.body.id, request: first, status: 'awaiting_approval', rejectionReason: null });

    const reason = 'Describe how customers opt in on the checkout page.';
    expect((await ctx.request.post(`/api/isv/admin/brands/${posted.body.id}/reject`).set(adminUser.auth).send({ reason })).status).toBe(200);
    res = await getA2p(owner);
    expect(res.body).toMatchObject({ request: first, status: 'rejected_by_admin', rejectionReason: reason });

    const second = a2pRequest({ campaign: { messageFlow: 'Customers tick an unticked SMS consent box on acme.example.com/checkout before paying.' } });
    expect((await ctx.request.post(`/api/isv/customers/${customerId}/a2p`).set(owner.auth).send(second)).status).toBe(200);
    res = await getA2p(owner);
    expect(a2pSubmissionSchema.parse(res.body)).toMatchObject({ brandId: posted.body.id, request: second, status: 'awaiting_approval', rejectionReason: reason });
  });

  it("answers 404 to another customer's member", async () => {
    const res = await getA2p(stranger);
    expect(res.status).toBe(404);
    expect(res.body.code).not.toBe('a2p_not_submitted');
  });
});

describe('POST /api/isv/customers/:id/a2p for a public company (Authentication+)', () => {
  it('refuses a brand contact on a free e-mail domain before anything is submitted, naming the field to fix', async () => {
    const base = customerBody();
    const created = await ctx.request.post('/api/isv/customers').set(owner.auth).send({ ...base, legalName: 'Listed Corp', contact: { ...base.contact, email: 'ceo.listed@gmail.com' } });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const res = await ctx.request.post(`/api/isv/customers/${id}/a2p`).set(owner.auth).send(a2pRequest({ companyType: 'public', stockExchange: 'NASDAQ', stockTicker: 'LSTD' }));
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ path: 'contact.email', message: expect.stringMatching(/own domain/) }]);
    expect(await ctx.db.query(`SELECT id FROM isv.brands WHERE customer_id = $1`, [id])).toEqual([]);
    // A private company may use any address.
    expect((await ctx.request.post(`/api/isv/customers/${id}/a2p`).set(owner.auth).send(a2pRequest())).status).toBe(201);
  });
});
