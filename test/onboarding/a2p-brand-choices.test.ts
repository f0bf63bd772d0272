// Brand choices of #14 over HTTP and against the sandbox: Low-Volume Standard (a STANDARD brand created with
// SkipAutomaticSecVet=true), refused for government agencies and non-profits, which stay on Standard.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signUp, type SignedUp } from '../helpers/auth.ts';
import { customerBody } from '../customers/fixtures.ts';
import { findSubaccountByCustomer } from '../../server/subaccounts/subaccounts.dao.ts';
import { a2pRequest, drive, movableClock, testEngine, type Clock } from './fixtures.ts';
import type { OnboardingEngine } from '../../server/onboarding/engine.ts';

let ctx: TestContext;
let clock: Clock;
let engine: OnboardingEngine;
let owner: SignedUp;
let adminUser: SignedUp;
beforeAll(async () => {
  ctx = await createTestContext({ sandbox: { autoAdvance: false } });
  clock = movableClock();
  engine = testEngine(ctx, clock);
  owner = await signUp(ctx);
  adminUser = await signUp(ctx, undefined, { roles: ['admin'] });
});
afterAll(async () => ctx?.close());

async function newCustomer(over: Parameters<typeof customerBody>[0] = {}): Promise<string> {
  const res = await ctx.request.post('/api/isv/customers').set(owner.auth).send(customerBody(over));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

const brandPosts = (accountSid: string) =>
  ctx.sandbox.requests.filter((r) => r.method === 'POST' && r.path === '/v1/a2p/BrandRegistrations' && r.accountSid === accountSid && r.status === 201);

async function registerThroughApproval(customerId: string, body: object) {
  const posted = await ctx.request.post(`/api/isv/customers/${customerId}/a2p`).set(owner.auth).send(body);
  expect(posted.status, JSON.stringify(posted.body)).toBe(201);
  const approved = await ctx.request.post(`/api/isv/admin/brands/${posted.body.id}/approve`).set(adminUser.auth).send({});
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  await drive(ctx, [engine], clock, [customerId]);
  const flow = (await ctx.db.query<{ state: string; last_error: unknown }>(`SELECT state, last_error FROM isv.flows WHERE customer_id = $1 AND kind = 'a2p'`, [customerId]))[0]!;
  expect(flow.state, JSON.stringify(flow.last_error)).toBe('done');
  return { brandId: posted.body.id as string, sub: (await findSubaccountByCustomer(ctx.db, customerId))! };
}

describe('Low-Volume Standard brands', () => {
  it('a low-volume business registers a STANDARD brand with SkipAutomaticSecVet=true, and the choice is kept with the submission', async () => {
    const customerId = await newCustomer();
    const { brandId, sub } = await registerThroughApproval(customerId, a2pRequest({ lowVolume: true }));

    const posts = brandPosts(sub.account_sid);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.params).toMatchObject({ BrandType: 'STANDARD', SkipAutomaticSecVet: 'true' });
    const brands = ctx.sandbox.resources<{ sid: string; account_sid: string; skip_automatic_sec_vet: boolean; brand_type: string }>('brand', sub.account_sid);
    expect(brands).toEqual([expect.objectContaining({ brand_type: 'STANDARD', skip_automatic_sec_vet: true })]);

    const row = (await ctx.db.query<{ brand_type: string; data: { lowVolume?: boolean } }>(`SELECT brand_type, data FROM isv.brands WHERE id = $1`, [brandId]))[0]!;
    expect(row).toMatchObject({ brand_type: 'STANDARD', data: { lowVolume: true } });
    const submission = await ctx.request.get(`/api/isv/customers/${customerId}/a2p`).set(owner.auth);
    expect(submission.body.request.lowVolume).toBe(true);
  });

  it('a standard brand without the choice is created exactly as before, with no SkipAutomaticSecVet parameter', async () => {
    const customerId = await newCustomer({ legalName: 'Acme Standard LLC' });
    const { sub } = await registerThroughApproval(customerId, a2pRequest());
    const posts = brandPosts(sub.account_sid);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.params).toEqual({ CustomerProfileBundleSid: expect.stringMatching(/^BU/), A2PProfileBundleSid: expect.stringMatching(/^BU/), BrandType: 'STANDARD' });
    expect(ctx.sandbox.resources<{ sid: string; account_sid: string; skip_automatic_sec_vet: boolean }>('brand', sub.account_sid)[0]!.skip_automatic_sec_vet).toBe(false);
  });

  it.each([
    ['government', 'City of Springfield'],
    ['non_profit', 'Springfield Food Bank'],
  ] as const)('a %s asking for Low-Volume Standard is refused with 422 naming lowVolume and why, and nothing is stored', async (type, name) => {
    const customerId = await newCustomer({ legalName: name, businessType: type, industry: type === 'government' ? 'GOVERNMENT' : 'NOT_FOR_PROFIT' });
    const before = ctx.sandbox.requests.length;
    const res = await ctx.request.post(`/api/isv/customers/${customerId}/a2p`).set(owner.auth).send(a2pRequest({ companyType: type, lowVolume: true }));
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors).toEqual([{ path: 'lowVolume', message: expect.stringContaining('Standard brands (not Low-Volume Standard)') }]);
    expect(await ctx.db.query(`SELECT id FROM isv.brands WHERE customer_id = $1`, [customerId])).toEqual([]);
    expect(ctx.sandbox.requests.slice(before).filter((r) => r.path.startsWith('/v1/a2p'))).toEqual([]);
  });

  it('a government agency whose A2P company type is not government is refused with 422 naming companyType', async () => {
    const customerId = await newCustomer({ legalName: 'Town of Shelbyville', businessType: 'government', industry: 'GOVERNMENT' });
    const res = await ctx.request.post(`/api/isv/customers/${customerId}/a2p`).set(owner.auth).send(a2pRequest({ companyType: 'private' }));
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ path: 'companyType', message: 'must be government for a government agency' }]);
    expect(await ctx.db.query(`SELECT id FROM isv.brands WHERE customer_id = $1`, [customerId])).toEqual([]);
  });
});

const endUsers = (accountSid: string, type: string) =>
  ctx.sandbox.resources<{ sid: string; account_sid: string; type: string; attributes: Record<string, unknown> }>('trusthub_end_user', accountSid).filter((e) => e.type === type);

describe('the right data for every kind of business', () => {
  it('a government agency registers with Twilio’s government mapping: Non-profit Corporation, GOVERNMENT industry, company type government', async () => {
    const customerId = await newCustomer({ legalName: 'City of Ogdenville', businessType: 'government', industry: 'EDUCATION' });
    const { sub } = await registerThroughApproval(customerId, a2pRequest({ companyType: 'government' }));
    expect(endUsers(sub.account_sid, 'customer_profile_business_information')[0]!.attributes).toMatchObject({
      business_type: 'Non-profit Corporation',
      business_industry: 'GOVERNMENT',
      business_registration_identifier: 'EIN',
      business_registration_number: '12-3456789',
    });
    expect(endUsers(sub.account_sid, 'us_a2p_messaging_profile_information')[0]!.attributes).toMatchObject({ company_type: 'government' });
  });

  it('a non-profit registers as a Non-profit Corporation in NOT_FOR_PROFIT with Twilio’s company type non-profit', async () => {
    const customerId = await newCustomer({ legalName: 'Ogdenville Food Bank', businessType: 'non_profit', industry: 'NOT_FOR_PROFIT' });
    const { sub } = await registerThroughApproval(customerId, a2pRequest({ companyType: 'non_profit' }));
    expect(endUsers(sub.account_sid, 'customer_profile_business_information')[0]!.attributes).toMatchObject({ business_type: 'Non-profit Corporation', business_industry: 'NOT_FOR_PROFIT' });
    expect(endUsers(sub.account_sid, 'us_a2p_messaging_profile_information')[0]!.attributes).toMatchObject({ company_type: 'non-profit' });
  });

  it('a Canadian business registers with its CBN as business_registration_identifier CBN, and Twilio’s evaluation passes', async () => {
    const customerId = await newCustomer({ legalName: 'Érable Widgets Ltée', ein: '987654321', address: { street: '1 Rue Sainte-Catherine', city: 'Montréal', region: 'QC', postalCode: 'H2X 1Y4', country: 'CA' } });
    const { sub } = await registerThroughApproval(customerId, a2pRequest());
    expect(endUsers(sub.account_sid, 'customer_profile_business_information')[0]!.attributes).toMatchObject({ business_registration_identifier: 'CBN', business_registration_number: '987654321' });
    const evaluations = ctx.sandbox.requests.filter((r) => r.accountSid === sub.account_sid && r.path.endsWith('/Evaluations') && r.method === 'POST');
    expect(evaluations.length).toBeGreaterThanOrEqual(2);
  });
});
