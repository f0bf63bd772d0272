// The admin approval API over HTTP: admins only (403 for others), the queue with what changed since a rejection,
// approve/reject of brands and templates moving their flows, and every decision in the audit log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signUp, type SignedUp } from '../helpers/auth.ts';
import { customerBody } from '../customers/fixtures.ts';
import { a2pRequest } from '../onboarding/fixtures.ts';
import { approvalsResponseSchema, onboardingResponseSchema } from '../../shared/onboarding.ts';

let ctx: TestContext;
let owner: SignedUp;
let adminUser: SignedUp;
let customerId: string;
beforeAll(async () => {
  ctx = await createTestContext();
  owner = await signUp(ctx);
  adminUser = await signUp(ctx, undefined, { roles: ['admin'] });
  const res = await ctx.request.post('/api/isv/customers').set(owner.auth).send(customerBody());
  expect(res.status).toBe(201);
  customerId = res.body.id;
});
afterAll(async () => ctx?.close());

const audit = (targetId: string) =>
  ctx.db.query<{ action: string; actor_email: string; after: { reason?: string } }>(`SELECT action, actor_email, after FROM isv.audit_log WHERE target_id = $1 ORDER BY at`, [targetId]);

describe('admin approvals', () => {
  it('are for admins only', async () => {
    const operator = await signUp(ctx, undefined, { roles: ['operator'] });
    for (const who of [owner, operator]) {
      expect((await ctx.request.get('/api/isv/admin/approvals').set(who.auth)).status).toBe(403);
      expect((await ctx.request.post('/api/isv/admin/brands/00000000-0000-4000-8000-000000000000/approve').set(who.auth)).status).toBe(403);
      expect((await ctx.request.post('/api/isv/admin/templates/00000000-0000-4000-8000-000000000000/reject').set(who.auth).send({ reason: 'nope' })).status).toBe(403);
    }
    expect((await ctx.request.get('/api/isv/admin/approvals')).status).toBe(401);
  });

  it('a brand rejected with a reason shows it to the customer, and the resubmission lists what changed', async () => {
    const sub = await ctx.request.post(`/api/isv/customers/${customerId}/a2p`).set(owner.auth).send(a2pRequest());
    expect(sub.status).toBe(201);
    const brandId = sub.body.id as string;

    let queue = approvalsResponseSchema.parse((await ctx.request.get('/api/isv/admin/approvals').set(adminUser.auth)).body);
    const item = queue.items.find((i) => i.id === brandId)!;
    expect(item).toMatchObject({ type: 'brand', customerId, customerName: 'Acme Bakery LLC', changes: [], previousRejection: null });

    expect((await ctx.request.post(`/api/isv/admin/brands/${brandId}/reject`).set(adminUser.auth).send({ reason: '' })).status).toBe(422);
    const rej = await ctx.request.post(`/api/isv/admin/brands/${brandId}/reject`).set(adminUser.auth).send({ reason: 'Describe how customers opt in on the checkout page.' });
    expect(rej.status).toBe(200);
    expect(rej.body).toMatchObject({ status: 'rejected_by_admin', rejectionReason: 'Describe how customers opt in on the checkout page.' });
    expect((await ctx.request.post(`/api/isv/admin/brands/${brandId}/approve`).set(adminUser.auth)).status).toBe(409);

    const view = onboardingResponseSchema.parse((await ctx.request.get(`/api/isv/customers/${customerId}/onboarding`).set(owner.auth)).body);
    const a2p = view.flows.find((f) => f.kind === 'a2p')!;
    expect(a2p).toMatchObject({ status: 'action_required', waitingFor: 'customer_fix' });
    expect(a2p.lastError).toMatchObject({ code: 'rejected_by_admin', message: 'Describe how customers opt in on the checkout page.' });
    expect(view.overall).toBe('action_required');

    const fixed = a2pRequest({ campaign: { messageFlow: 'Customers opt in on acme-bakery.example.com/checkout by ticking an unticked SMS consent box.' } });
    expect((await ctx.request.post(`/api/isv/customers/${customerId}/a2p`).set(owner.auth).send(fixed)).status).toBe(200);
    queue = approvalsResponseSchema.parse((await ctx.request.get('/api/isv/admin/approvals').set(adminUser.auth)).body);
    const again = queue.items.find((i) => i.id === brandId)!;
    expect(again.previousRejection).toBe('Describe how customers opt in on the checkout page.');
    expect(again.changes).toEqual([
      { path: 'campaign.messageFlow', before: a2pRequest().campaign.messageFlow, after: fixed.campaign.messageFlow },
    ]);

    const ok = await ctx.request.post(`/api/isv/admin/brands/${brandId}/approve`).set(adminUser.auth);
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('approved');
    const flow = onboardingResponseSchema.parse((await ctx.request.get(`/api/isv/customers/${customerId}/onboarding`).set(owner.auth)).body).flows.find((f) => f.kind === 'a2p')!;
    expect(flow).toMatchObject({ state: 'wait_for_subaccount', status: 'in_progress', lastError: null });
    expect(flow.events.map((e) => e.message)).toEqual([
      'Brand and campaign details submitted for approval',
      'An ISV admin rejected the brand and campaign details: Describe how customers opt in on the checkout page.',
      'New brand and campaign details were submitted for approval',
      'An ISV admin approved the brand and campaign details',
    ]);
    expect((await audit(brandId)).map((a) => [a.action, a.actor_email])).toEqual([
      ['brand.rejected', adminUser.email],
      ['brand.approved', adminUser.email],
    ]);
    expect((await audit(brandId))[0]!.after.reason).toBe('Describe how customers opt in on the checkout page.');
  });

  it('templates are approved or rejected the same way, and a new version shows the change', async () => {
    const t = await ctx.request
      .post(`/api/isv/customers/${customerId}/templates`)
      .set(owner.auth)
      .send({ name: 'pickup_ready', language: 'en', category: 'UTILITY', body: 'Hi {{1}}, your cake is ready for pickup.', variables: { '1': 'Ada' } });
    expect(t.status).toBe(201);
    const rej = await ctx.request.post(`/api/isv/admin/templates/${t.body.id}/reject`).set(adminUser.auth).send({ reason: 'Say which store to collect from.' });
    expect(rej.body).toMatchObject({ status: 'rejected_by_admin' });

    const v2 = await ctx.request
      .put(`/api/isv/customers/${customerId}/templates/${t.body.id}`)
      .set(owner.auth)
      .send({ language: 'en', category: 'UTILITY', body: 'Hi {{1}}, your cake is ready for pickup at Market St.', variables: { '1': 'Ada' } });
    expect(v2.status).toBe(201);
    expect(v2.body).toMatchObject({ name: 'pickup_ready', version: 2, status: 'awaiting_approval' });
    const queue = approvalsResponseSchema.parse((await ctx.request.get('/api/isv/admin/approvals').set(adminUser.auth)).body);
    const item = queue.items.find((i) => i.id === v2.body.id)!;
    expect(item.previousRejection).toBe('Say which store to collect from.');
    expect(item.changes.map((c) => c.path)).toEqual(['body']);
    expect(queue.items.some((i) => i.id === t.body.id)).toBe(false);

    expect((await ctx.request.post(`/api/isv/admin/templates/${v2.body.id}/approve`).set(adminUser.auth)).body.status).toBe('approved');
    const list = await ctx.request.get(`/api/isv/customers/${customerId}/templates`).set(owner.auth);
    expect(list.body.items.map((i: { version: number; status: string }) => [i.version, i.status])).toEqual([
      [2, 'approved'],
      [1, 'superseded'],
    ]);
    expect((await audit(t.body.id)).map((a) => a.action)).toEqual(['template.rejected']);
    expect((await audit(v2.body.id)).map((a) => a.action)).toEqual(['template.approved']);
  });
});
