import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signUp, uniqueEmail, type SignedUp } from '../helpers/auth.ts';
import { insertSubaccount } from '../../server/subaccounts/subaccounts.dao.ts';
import { createOperatorService } from '../../server/operator/operator.service.ts';
import { auditLogPageSchema, subaccountReconciliationSchema } from '../../shared/operator.ts';
import { customerBody } from '../customers/fixtures.ts';

describe('operator API against the sandbox', () => {
  let ctx: TestContext;
  let operator: SignedUp;
  let admin: SignedUp;
  let customerUser: SignedUp;

  beforeAll(async () => {
    ctx = await createTestContext();
    operator = await signUp(ctx, uniqueEmail('operator'), { roles: ['operator'] });
    admin = await signUp(ctx, uniqueEmail('admin'), { roles: ['admin'] });
    customerUser = await signUp(ctx, uniqueEmail('customer'));
  });
  afterAll(() => ctx.close());

  async function newCustomer(name: string): Promise<string> {
    const res = await ctx.request.post('/api/isv/customers').set(customerUser.auth).send(customerBody({ legalName: name, displayName: undefined }));
    expect(res.status).toBe(201);
    return res.body.id;
  }

  /** A subaccount created in the sandbox with master credentials and, unless told otherwise, recorded in the database. */
  async function subaccountFor(customerId: string, opts: { record?: boolean } = {}) {
    const account = await ctx.twilio.master.api.v2010.accounts.create({ friendlyName: `isv:${customerId}` });
    if (opts.record !== false) {
      await insertSubaccount(ctx.db, ctx.keyRing, { customerId, accountSid: account.sid, friendlyName: account.friendlyName, authToken: account.authToken });
    }
    return account.sid;
  }

  const twilioStatus = async (sid: string) => (await ctx.twilio.master.api.v2010.accounts(sid).fetch()).status;
  const dbStatus = async (sid: string) => (await ctx.db.query<{ status: string }>(`SELECT status FROM isv.twilio_subaccounts WHERE account_sid = $1`, [sid]))[0]?.status;

  it('reconciles the database with Twilio and reports each kind of drift', async () => {
    const inSync = await newCustomer('In Sync Co');
    const syncedSid = await subaccountFor(inSync);

    const missing = await newCustomer('Missing Co');
    const missingSid = `AC${randomBytes(16).toString('hex')}`;
    await insertSubaccount(ctx.db, ctx.keyRing, { customerId: missing, accountSid: missingSid, friendlyName: `isv:${missing}`, authToken: 'x'.repeat(32) });

    const mismatched = await newCustomer('Mismatch Co');
    const mismatchSid = await subaccountFor(mismatched);
    await ctx.twilio.master.api.v2010.accounts(mismatchSid).update({ status: 'suspended' });

    const orphanSid = (await ctx.twilio.master.api.v2010.accounts.create({ friendlyName: `isv:${randomUUID()}` })).sid;
    const unrelatedSid = (await ctx.twilio.master.api.v2010.accounts.create({ friendlyName: 'Someone else’s project' })).sid;

    const res = await ctx.request.get('/api/isv/operator/subaccounts').set(operator.auth);
    expect(res.status).toBe(200);
    const body = subaccountReconciliationSchema.parse(res.body);
    const bySid = new Map(body.items.map((i) => [i.accountSid, i]));

    expect(bySid.get(syncedSid)).toMatchObject({ customerId: inSync, customerName: 'In Sync Co', dbStatus: 'active', twilioStatus: 'active', drift: [] });
    expect(bySid.get(syncedSid)!.usage).toEqual({ count: 0, price: 0, priceUnit: 'USD' });
    expect(bySid.get(missingSid)).toMatchObject({ customerId: missing, dbStatus: 'active', twilioStatus: null, usage: null, drift: ['missing_in_twilio'] });
    expect(bySid.get(mismatchSid)).toMatchObject({ customerId: mismatched, dbStatus: 'active', twilioStatus: 'suspended', drift: ['status_mismatch'] });
    expect(bySid.get(orphanSid)).toMatchObject({ customerId: null, dbStatus: null, twilioStatus: 'active', drift: ['orphan_in_twilio'] });
    expect(bySid.get(unrelatedSid)).toMatchObject({ customerId: null, drift: [] });
    expect(bySid.has(ctx.config.twilio.masterAccountSid!)).toBe(false);
    expect(body.summary.drifted).toBe(3);
    const audit = await ctx.db.query(`SELECT actor_id FROM isv.audit_log WHERE action = 'operator.subaccounts_reconciled'`);
    expect(audit).toEqual([{ actor_id: operator.userId }]);
  });

  it("shows this month's usage of each subaccount from Twilio's usage records", async () => {
    const customerId = await newCustomer('Busy Co');
    const sid = await subaccountFor(customerId);
    const account = ctx.twilio.master.api.v2010.accounts(sid);
    const number = await account.incomingPhoneNumbers.create({ areaCode: '415' });
    await account.messages.create({ to: '+14155550100', from: number.phoneNumber, body: 'Your bread is ready' });
    await account.messages.create({ to: '+14155550101', from: number.phoneNumber, body: 'Your cake is ready' });
    const body = subaccountReconciliationSchema.parse((await ctx.request.get('/api/isv/operator/subaccounts').set(operator.auth)).body);
    const row = body.items.find((i) => i.accountSid === sid)!;
    expect(row.usage).toEqual({ count: 2, price: expect.any(Number), priceUnit: 'USD' });
    expect(row.usage!.price).toBeGreaterThan(0);
  });

  it('reads every page of Twilio’s account list', async () => {
    const customerId = await newCustomer('Many Pages Co');
    const sid = await subaccountFor(customerId);
    const service = createOperatorService({ db: ctx.db, twilio: ctx.twilio, logger: ctx.logger, listPageSize: 2 });
    const seenBefore = ctx.sandbox.requests.length;
    const result = await service.reconcileSubaccounts({ userId: operator.userId, email: operator.email, roles: ['operator'], emailVerified: true });
    const listCalls = ctx.sandbox.requests.slice(seenBefore).filter((r) => r.method === 'GET' && r.path === '/2010-04-01/Accounts.json');
    const all = await ctx.twilio.master.api.v2010.accounts.list();
    expect(listCalls.length).toBe(Math.ceil(all.length / 2));
    expect(result.items.map((i) => i.accountSid).sort()).toEqual(all.map((a) => a.sid).filter((s) => s !== ctx.config.twilio.masterAccountSid).concat(result.items.filter((i) => i.drift.includes('missing_in_twilio')).map((i) => i.accountSid)).sort());
    expect(result.items.find((i) => i.accountSid === sid)?.drift).toEqual([]);
  });

  it('suspends and reactivates a subaccount in Twilio and in the database, and audits both', async () => {
    const customerId = await newCustomer('Lifecycle Co');
    const sid = await subaccountFor(customerId);
    const s = await ctx.request.post(`/api/isv/operator/subaccounts/${sid}/suspend`).set(operator.auth).send({ reason: 'unpaid invoice' });
    expect(s.status).toBe(200);
    expect(s.body).toEqual({ accountSid: sid, customerId, previousStatus: 'active', status: 'suspended' });
    expect(await twilioStatus(sid)).toBe('suspended');
    expect(await dbStatus(sid)).toBe('suspended');
    expect((await ctx.request.post(`/api/isv/operator/subaccounts/${sid}/suspend`).set(operator.auth).send({})).status).toBe(409);

    const r = await ctx.request.post(`/api/isv/operator/subaccounts/${sid}/reactivate`).set(operator.auth).send();
    expect(r.status).toBe(200);
    expect(await twilioStatus(sid)).toBe('active');
    expect(await dbStatus(sid)).toBe('active');

    const audit = await ctx.db.query<{ action: string; actor_id: string; customer_id: string; before: unknown; after: unknown }>(
      `SELECT action, actor_id, customer_id, before, after FROM isv.audit_log WHERE target_id = $1 ORDER BY at`,
      [sid],
    );
    expect(audit).toEqual([
      { action: 'subaccount.suspended', actor_id: operator.userId, customer_id: customerId, before: { status: 'active' }, after: { status: 'suspended', reason: 'unpaid invoice' } },
      { action: 'subaccount.reactivated', actor_id: operator.userId, customer_id: customerId, before: { status: 'suspended' }, after: { status: 'active' } },
    ]);
  });

  it('closes only with the SID repeated as confirmation, and a closed subaccount stays closed', async () => {
    const customerId = await newCustomer('Closing Co');
    const sid = await subaccountFor(customerId);
    const noConfirm = await ctx.request.post(`/api/isv/operator/subaccounts/${sid}/close`).set(operator.auth).send({});
    expect(noConfirm.status).toBe(422);
    expect(noConfirm.body.errors[0].path).toBe('confirm');
    const wrong = await ctx.request.post(`/api/isv/operator/subaccounts/${sid}/close`).set(operator.auth).send({ confirm: 'AC0' });
    expect(wrong.status).toBe(422);
    expect(await twilioStatus(sid)).toBe('active');

    const closed = await ctx.request.post(`/api/isv/operator/subaccounts/${sid}/close`).set(operator.auth).send({ confirm: sid });
    expect(closed.status).toBe(200);
    expect(await twilioStatus(sid)).toBe('closed');
    expect(await dbStatus(sid)).toBe('closed');
    const again = await ctx.request.post(`/api/isv/operator/subaccounts/${sid}/reactivate`).set(operator.auth).send({});
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('subaccount_closed');
    expect(await twilioStatus(sid)).toBe('closed');
    const audit = await ctx.db.query(`SELECT action FROM isv.audit_log WHERE target_id = $1`, [sid]);
    expect(audit).toEqual([{ action: 'subaccount.closed' }]);
  });

  it("acts on Twilio's own status when the database has drifted, and brings the database back in line", async () => {
    const customerId = await newCustomer('Drifted Co');
    const sid = await subaccountFor(customerId);
    await ctx.twilio.master.api.v2010.accounts(sid).update({ status: 'suspended' });
    const reactivated = await ctx.request.post(`/api/isv/operator/subaccounts/${sid}/reactivate`).set(operator.auth).send({});
    expect(reactivated.status).toBe(200);
    expect(await twilioStatus(sid)).toBe('active');
    expect(await dbStatus(sid)).toBe('active');

    await ctx.db.query(`UPDATE isv.twilio_subaccounts SET status = 'suspended' WHERE account_sid = $1`, [sid]);
    const synced = await ctx.request.post(`/api/isv/operator/subaccounts/${sid}/reactivate`).set(operator.auth).send({});
    expect(synced.status).toBe(200);
    expect(synced.body).toMatchObject({ previousStatus: 'suspended', status: 'active' });
    expect(await dbStatus(sid)).toBe('active');
    const audit = await ctx.db.query<{ before: unknown }>(`SELECT before FROM isv.audit_log WHERE target_id = $1 ORDER BY at`, [sid]);
    expect(audit.map((a) => a.before)).toEqual([{ status: 'active', twilioStatus: 'suspended' }, { status: 'suspended', twilioStatus: 'active' }]);
  });

  it('refuses to act on a recorded subaccount that Twilio does not know', async () => {
    const customerId = await newCustomer('Ghost Co');
    const sid = `AC${randomBytes(16).toString('hex')}`;
    await insertSubaccount(ctx.db, ctx.keyRing, { customerId, accountSid: sid, friendlyName: `isv:${customerId}`, authToken: 'y'.repeat(32) });
    const res = await ctx.request.post(`/api/isv/operator/subaccounts/${sid}/suspend`).set(operator.auth).send({});
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('missing_in_twilio');
    expect(await dbStatus(sid)).toBe('active');
  });

  it('can close an orphan isv:* subaccount that has no database row', async () => {
    const orphanSid = (await ctx.twilio.master.api.v2010.accounts.create({ friendlyName: `isv:${randomUUID()}` })).sid;
    const res = await ctx.request.post(`/api/isv/operator/subaccounts/${orphanSid}/close`).set(operator.auth).send({ confirm: orphanSid });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ customerId: null, previousStatus: 'active', status: 'closed' });
    expect(await twilioStatus(orphanSid)).toBe('closed');
  });

  it('answers 404 for a SID that is not one of the master account’s subaccounts', async () => {
    const res = await ctx.request.post(`/api/isv/operator/subaccounts/AC${'f'.repeat(32)}/suspend`).set(operator.auth).send({});
    expect(res.status).toBe(404);
    expect((await ctx.request.post(`/api/isv/operator/subaccounts/not-a-sid/suspend`).set(operator.auth).send({})).status).toBe(404);
  });

  it('refuses every operator route to admins and customers with 403', async () => {
    const sid = `AC${'a'.repeat(32)}`;
    for (const who of [admin, customerUser]) {
      expect((await ctx.request.get('/api/isv/operator/subaccounts').set(who.auth)).status).toBe(403);
      expect((await ctx.request.get('/api/isv/operator/audit-log').set(who.auth)).status).toBe(403);
      expect((await ctx.request.post(`/api/isv/operator/subaccounts/${sid}/suspend`).set(who.auth).send({})).status).toBe(403);
      expect((await ctx.request.post(`/api/isv/operator/subaccounts/${sid}/close`).set(who.auth).send({ confirm: sid })).status).toBe(403);
    }
  });

  it('lists the audit log newest first with filters and keyset pages', async () => {
    const customerId = await newCustomer('Audited Co');
    for (const name of ['A1', 'A2', 'A3']) {
      expect((await ctx.request.patch(`/api/isv/customers/${customerId}`).set(customerUser.auth).send({ displayName: name })).status).toBe(200);
    }
    const first = auditLogPageSchema.parse(
      (await ctx.request.get('/api/isv/operator/audit-log').query({ customerId, action: 'customer.updated', limit: 2 }).set(operator.auth)).body,
    );
    expect(first.items.map((e) => (e.after as { displayName: string }).displayName)).toEqual(['A3', 'A2']);
    expect(first.nextCursor).not.toBeNull();
    const second = auditLogPageSchema.parse(
      (await ctx.request.get('/api/isv/operator/audit-log').query({ customerId, action: 'customer.updated', limit: 2, cursor: first.nextCursor! }).set(operator.auth)).body,
    );
    expect(second.items.map((e) => (e.after as { displayName: string }).displayName)).toEqual(['A1']);
    expect(second.nextCursor).toBeNull();

    const byActor = auditLogPageSchema.parse((await ctx.request.get('/api/isv/operator/audit-log').query({ actor: customerUser.email, action: 'customer.*', customerId }).set(operator.auth)).body);
    expect(byActor.items.map((e) => e.action)).toEqual(['customer.updated', 'customer.updated', 'customer.updated', 'customer.created']);
    const future = auditLogPageSchema.parse((await ctx.request.get('/api/isv/operator/audit-log').query({ since: '2999-01-01T00:00:00Z' }).set(operator.auth)).body);
    expect(future.items).toEqual([]);
    const target = auditLogPageSchema.parse((await ctx.request.get('/api/isv/operator/audit-log').query({ targetType: 'customer', targetId: customerId }).set(operator.auth)).body);
    expect(target.items).toHaveLength(4);
    const bad = await ctx.request.get('/api/isv/operator/audit-log').query({ since: 'yesterday', customerId: 'x' }).set(operator.auth);
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['customerId', 'since']);
  });
});

describe('a closed subaccount over the 30 days before Twilio deletes it', () => {
  let ctx: TestContext;
  let offsetMs = 0;
  beforeAll(async () => {
    ctx = await createTestContext({ sandbox: { now: () => new Date(Date.now() + offsetMs) } });
  });
  afterAll(() => ctx.close());

  it('shows it closed with its deletion date, then deleted, and never as drift', async () => {
    const operator = await signUp(ctx, uniqueEmail('operator'), { roles: ['operator'] });
    const owner = await signUp(ctx);
    const customerId = (await ctx.request.post('/api/isv/customers').set(owner.auth).send(customerBody({ legalName: 'Gone Soon LLC' }))).body.id as string;
    const account = await ctx.twilio.master.api.v2010.accounts.create({ friendlyName: `isv:${customerId}` });
    await insertSubaccount(ctx.db, ctx.keyRing, { customerId, accountSid: account.sid, friendlyName: account.friendlyName, authToken: account.authToken });
    const before = Date.now();
    expect((await ctx.request.post(`/api/isv/operator/subaccounts/${account.sid}/close`).set(operator.auth).send({ confirm: account.sid })).status).toBe(200);

    const reconcile = async () => subaccountReconciliationSchema.parse((await ctx.request.get('/api/isv/operator/subaccounts').set(operator.auth)).body).items.find((i) => i.accountSid === account.sid)!;
    const closed = await reconcile();
    expect(closed).toMatchObject({ dbStatus: 'closed', twilioStatus: 'closed', deleted: false, drift: [] });
    const due = Date.parse(closed.deletionDueAt!);
    expect(due - before).toBeGreaterThanOrEqual(30 * 24 * 3600 * 1000 - 5_000);
    expect(due - Date.now()).toBeLessThanOrEqual(30 * 24 * 3600 * 1000);

    // 31 days on, Twilio no longer lists it.
    offsetMs = 31 * 24 * 3600 * 1000;
    const gone = await reconcile();
    expect(gone).toMatchObject({ dbStatus: 'closed', twilioStatus: null, deleted: true, drift: [] });
  });
});
