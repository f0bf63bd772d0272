import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signUp, uniqueEmail, type SignedUp } from '../helpers/auth.ts';
import { createCustomerSchema, customerSchema, customerPageSchema } from '../../shared/customers.ts';
import { customerBody } from './fixtures.ts';
import { createCustomersService } from '../../server/customers/customers.service.ts';

describe('customers API', () => {
  let ctx: TestContext;
  let owner: SignedUp;
  let stranger: SignedUp;
  let admin: SignedUp;
  beforeAll(async () => {
    ctx = await createTestContext();
    owner = await signUp(ctx, uniqueEmail('owner'));
    stranger = await signUp(ctx, uniqueEmail('stranger'));
    admin = await signUp(ctx, uniqueEmail('admin'), { roles: ['admin'] });
  });
  afterAll(() => ctx.close());

  it('creates a customer with 201, makes the creator its owner and audits it', async () => {
    const res = await ctx.request.post('/api/isv/customers').set(owner.auth).send(customerBody());
    expect(res.status).toBe(201);
    const c = customerSchema.parse(res.body);
    expect(c).toMatchObject({ legalName: 'Acme Bakery LLC', myRole: 'owner', status: 'onboarding' });
    const m = await ctx.db.query(`SELECT role FROM isv.memberships WHERE customer_id = $1 AND user_id = $2`, [c.id, owner.userId]);
    expect(m).toEqual([{ role: 'owner' }]);
    const audit = await ctx.db.query<{ actor_id: string; after: { legalName: string } }>(`SELECT actor_id, after FROM isv.audit_log WHERE action = 'customer.created' AND target_id = $1`, [c.id]);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor_id).toBe(owner.userId);
    const me = await ctx.request.get('/api/auth/me').set(owner.auth);
    expect(me.body.memberships).toContainEqual({ customerId: c.id, customerName: 'Acme Bakery', role: 'owner' });
  });

  it('starts the subaccount flow with the customer, in the same transaction', async () => {
    const res = await ctx.request.post('/api/isv/customers').set(owner.auth).send(customerBody({ legalName: 'Flow Start Co' }));
    const flows = await ctx.db.query<{ kind: string; status: string }>(`SELECT kind, status FROM isv.flows WHERE customer_id = $1`, [res.body.id]);
    expect(flows).toEqual([{ kind: 'subaccount', status: 'in_progress' }]);

    const failing = createCustomersService({
      db: ctx.db,
      onboarding: {
        startSubaccountFlow: async () => {
          throw new Error('flow start failed');
        },
        resumeAfterCustomerUpdate: async () => 0,
      },
    });
    const principal = { userId: owner.userId, email: owner.email, roles: [], emailVerified: true };
    await expect(failing.create(principal, createCustomerSchema.parse(customerBody({ legalName: 'Half Made Co' })))).rejects.toThrow('flow start failed');
    expect(await ctx.db.query(`SELECT id FROM isv.customers WHERE legal_name = 'Half Made Co'`)).toEqual([]);
    expect(await ctx.db.query(`SELECT id FROM isv.audit_log WHERE after->>'legalName' = 'Half Made Co'`)).toEqual([]);
  });

  it('resumes a flow parked on a customer fix when the customer corrects its data', async () => {
    const c = (await ctx.request.post('/api/isv/customers').set(owner.auth).send(customerBody({ legalName: 'Fix Me Co' }))).body;
    await ctx.db.query(
      `UPDATE isv.flows SET status = 'action_required', waiting_for = 'customer_fix', next_run_at = NULL WHERE customer_id = $1 AND kind = 'subaccount'`,
      [c.id],
    );
    const res = await ctx.request.patch(`/api/isv/customers/${c.id}`).set(owner.auth).send({ legalName: 'Fixed Co' });
    expect(res.status).toBe(200);
    const flows = await ctx.db.query<{ status: string; next_run_at: Date | null }>(`SELECT status, next_run_at FROM isv.flows WHERE customer_id = $1`, [c.id]);
    expect(flows[0]!.status).toBe('in_progress');
    expect(flows[0]!.next_run_at).not.toBeNull();
  });

  it('lets a sole proprietor omit the EIN but requires it for every other business type', async () => {
    const sole = await ctx.request.post('/api/isv/customers').set(owner.auth).send(customerBody({ businessType: 'sole_proprietor', ein: undefined }));
    expect(sole.status).toBe(201);
    expect(sole.body.ein).toBeNull();
    const corp = await ctx.request.post('/api/isv/customers').set(owner.auth).send(customerBody({ businessType: 'corporation', ein: undefined }));
    expect(corp.status).toBe(422);
    expect(corp.body.errors).toEqual([{ path: 'ein', message: 'is required unless the business is a sole proprietor' }]);
  });

  it('keeps sole proprietors to Twilio’s rule: no tax ID, and only in the US or Canada, saying what to choose instead', async () => {
    const withEin = await ctx.request.post('/api/isv/customers').set(owner.auth).send(customerBody({ businessType: 'sole_proprietor' }));
    expect(withEin.status).toBe(422);
    expect(withEin.body.errors).toEqual([{ path: 'ein', message: expect.stringMatching(/without a tax ID.*Standard or Low-Volume Standard/) }]);
    const base = customerBody({ businessType: 'sole_proprietor', ein: undefined });
    const abroad = await ctx.request.post('/api/isv/customers').set(owner.auth).send({ ...base, address: { street: '1 High St', city: 'London', region: 'London', postalCode: 'SW1A 1AA', country: 'GB' } });
    expect(abroad.status).toBe(422);
    expect(abroad.body.errors).toEqual([expect.objectContaining({ path: 'businessType', message: expect.stringMatching(/only in the US and Canada/) })]);
    // A patch that keeps the stored number while becoming a sole proprietor is refused the same way, and changes nothing.
    const llc = await ctx.request.post('/api/isv/customers').set(owner.auth).send(customerBody());
    const patched = await ctx.request.patch(`/api/isv/customers/${llc.body.id}`).set(owner.auth).send({ businessType: 'sole_proprietor' });
    expect(patched.status).toBe(422);
    expect(patched.body.errors).toEqual([expect.objectContaining({ path: 'ein' })]);
    expect((await ctx.request.get(`/api/isv/customers/${llc.body.id}`).set(owner.auth)).body.businessType).toBe('llc');
    expect((await ctx.request.patch(`/api/isv/customers/${llc.body.id}`).set(owner.auth).send({ businessType: 'sole_proprietor', ein: null })).status).toBe(200);
  });

  it('rejects malformed fields with 422 naming each field path', async () => {
    const res = await ctx.request
      .post('/api/isv/customers')
      .set(owner.auth)
      .send(
        customerBody({
          ein: '123456789',
          website: 'not a url',
          address: { street: '1 Main', city: 'Austin', region: 'XX', postalCode: 'abc', country: 'USA' },
          contact: { firstName: 'A', lastName: 'B', email: 'nope', phone: '555-0100', jobTitle: 'CEO' },
          regionsOfOperation: [],
        }),
      );
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('validation_failed');
    const paths = res.body.errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(expect.arrayContaining(['address.country', 'contact.email', 'contact.phone', 'ein', 'regionsOfOperation', 'website']));
  });

  it('says what is wrong with a field in words a person reads, not in the validator\'s developer wording', async () => {
    const body = customerBody({ legalName: '', regionsOfOperation: [] });
    delete (body as Record<string, unknown>).industry;
    const res = await ctx.request.post('/api/isv/customers').set(owner.auth).send(body);
    expect(res.status).toBe(422);
    const byPath = Object.fromEntries(res.body.errors.map((e: { path: string; message: string }) => [e.path, e.message]));
    expect(byPath).toMatchObject({ legalName: 'is required', industry: 'is required', regionsOfOperation: 'name at least one region' });
    for (const message of Object.values(byPath)) expect(message).not.toMatch(/Too small|Too big|Invalid input|expected|>=/);
    expect(await ctx.db.query(`SELECT 1 FROM isv.customers WHERE legal_name = ''`)).toEqual([]);
  });

  it('refuses NUL characters, which Postgres cannot store, with 422 naming the field rather than a 500', async () => {
    const res = await ctx.request.post('/api/isv/customers').set(owner.auth).send(customerBody({ legalName: 'Nul\u0000Co' }));
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('invalid_text');
    expect(res.body.errors).toEqual([{ path: 'legalName', message: 'must not contain NUL characters' }]);
    const q = await ctx.request.get('/api/isv/customers').query({ q: 'a\u0000b' }).set(owner.auth);
    expect(q.status).toBe(422);
  });

  it('checks the US state and ZIP only for US addresses', async () => {
    const us = await ctx.request.post('/api/isv/customers').set(owner.auth)
      .send(customerBody({ address: { street: '1 Main', city: 'Austin', region: 'ZZ', postalCode: '78701', country: 'US' } }));
    expect(us.status).toBe(422);
    expect(us.body.errors).toEqual([{ path: 'address.region', message: 'must be a US state code such as CA' }]);
    const ca = await ctx.request.post('/api/isv/customers').set(owner.auth)
      .send(customerBody({ ein: '123456789', address: { street: '1 Rue', city: 'Montréal', region: 'QC', postalCode: 'H2X 1Y4', country: 'CA' } }));
    expect(ca.status).toBe(201);
  });

  it('checks the registration number against the country: an EIN in the US, a 9-digit CBN in Canada, naming ein and the format', async () => {
    const caAddress = { street: '1 Rue', city: 'Montréal', region: 'QC', postalCode: 'H2X 1Y4', country: 'CA' };
    const einInCanada = await ctx.request.post('/api/isv/customers').set(owner.auth).send(customerBody({ legalName: 'Érable Ltée', address: caAddress }));
    expect(einInCanada.status).toBe(422);
    expect(einInCanada.body.errors).toEqual([{ path: 'ein', message: 'must be a Canadian Business Number of 9 digits' }]);
    const badUk = await ctx.request.post('/api/isv/customers').set(owner.auth)
      .send(customerBody({ ein: '123', address: { street: '1 High St', city: 'London', region: 'London', postalCode: 'EC1A 1BB', country: 'GB' } }));
    expect(badUk.status).toBe(422);
    expect(badUk.body.errors).toEqual([{ path: 'ein', message: 'must be a UK company number of 8 digits, or 2 letters and 6 digits' }]);
    const cbn = await ctx.request.post('/api/isv/customers').set(owner.auth).send(customerBody({ legalName: 'Érable Ltée', ein: '123456789', address: caAddress }));
    expect(cbn.status).toBe(201);
    expect(cbn.body.ein).toBe('123456789');
    const moved = await ctx.request.patch(`/api/isv/customers/${cbn.body.id}`).set(owner.auth).send({ address: { street: '1 Main', city: 'Austin', region: 'TX', postalCode: '78701', country: 'US' } });
    expect(moved.status).toBe(422);
    expect(moved.body.errors).toEqual([{ path: 'ein', message: 'must be an EIN in the form NN-NNNNNNN' }]);
    const rows = await ctx.db.query<{ ein: string; address: { country: string } }>(`SELECT ein, address FROM isv.customers WHERE id = $1`, [cbn.body.id]);
    expect(rows).toEqual([expect.objectContaining({ ein: '123456789', address: expect.objectContaining({ country: 'CA' }) })]);
  });

  it('lists only the caller’s own customers; staff see all and can search', async () => {
    const mine = await ctx.request.post('/api/isv/customers').set(stranger.auth).send(customerBody({ legalName: 'Zebra Stripes Inc', businessType: 'corporation' }));
    expect(mine.status).toBe(201);
    const strangerList = customerPageSchema.parse((await ctx.request.get('/api/isv/customers').set(stranger.auth)).body);
    expect(strangerList.items.map((c) => c.id)).toEqual([mine.body.id]);
    const ownerList = customerPageSchema.parse((await ctx.request.get('/api/isv/customers').set(owner.auth)).body);
    expect(ownerList.items.map((c) => c.id)).not.toContain(mine.body.id);
    const adminSearch = customerPageSchema.parse((await ctx.request.get('/api/isv/customers?q=zebra').set(admin.auth)).body);
    expect(adminSearch.items.map((c) => [c.id, c.myRole])).toEqual([[mine.body.id, 'staff']]);
  });

  it('lets staff search by id in either case, website, contact email or name part, taking % and _ literally', async () => {
    const u = await signUp(ctx, uniqueEmail('finder'));
    const made = await ctx.request.post('/api/isv/customers').set(u.auth)
      .send(customerBody({
        legalName: 'Quokka 100% Pure_Goods LLC',
        website: 'https://quokka-goods.example.com',
        contact: { ...customerBody().contact, email: 'joey@quokka-mail.example.net' },
      }));
    expect(made.status).toBe(201);
    const id = made.body.id as string;
    const search = async (q: string) =>
      customerPageSchema.parse((await ctx.request.get('/api/isv/customers').query({ q }).set(admin.auth)).body).items.map((c) => c.id);
    expect(await search(id)).toEqual([id]);
    expect(await search(id.toUpperCase())).toEqual([id]);
    expect(await search('QUOKKA-GOODS.example')).toEqual([id]);
    expect(await search('joey@quokka-mail')).toEqual([id]);
    expect(await search('100% pure_')).toEqual([id]);
    expect(await search('100%_pure')).toEqual([]);
    expect(await search(id.slice(0, 8))).not.toContain(id);
  });

  it('pages with keyset cursors, newest first, without gaps or repeats', async () => {
    const u = await signUp(ctx, uniqueEmail('pager'));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await ctx.request.post('/api/isv/customers').set(u.auth).send(customerBody({ legalName: `Pager ${i}` }))).body.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await ctx.request.get('/api/isv/customers').query({ limit: 2, ...(cursor ? { cursor } : {}) }).set(u.auth);
      expect(res.status).toBe(200);
      const page = customerPageSchema.parse(res.body);
      seen.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    const bad = await ctx.request.get('/api/isv/customers?cursor=garbage').set(u.auth);
    expect(bad.status).toBe(400);
  });

  it('patches data, audits only the changed fields before and after, and keeps the EIN rule on the merged record', async () => {
    const c = (await ctx.request.post('/api/isv/customers').set(owner.auth).send(customerBody())).body;
    const res = await ctx.request.patch(`/api/isv/customers/${c.id}`).set(owner.auth).send({ website: 'https://acme.example.org', displayName: 'Acme' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ website: 'https://acme.example.org', displayName: 'Acme' });
    const audit = await ctx.db.query<{ before: unknown; after: unknown }>(`SELECT before, after FROM isv.audit_log WHERE action = 'customer.updated' AND target_id = $1`, [c.id]);
    expect(audit).toEqual([{ before: { website: 'https://acme-bakery.example.com', displayName: 'Acme Bakery' }, after: { website: 'https://acme.example.org', displayName: 'Acme' } }]);
    const clearEin = await ctx.request.patch(`/api/isv/customers/${c.id}`).set(owner.auth).send({ ein: null });
    expect(clearEin.status).toBe(422);
    expect(clearEin.body.errors[0].path).toBe('ein');
    const toSole = await ctx.request.patch(`/api/isv/customers/${c.id}`).set(owner.auth).send({ businessType: 'sole_proprietor', ein: null });
    expect(toSole.status).toBe(200);
    const sameAddress = await ctx.request.patch(`/api/isv/customers/${c.id}`).set(owner.auth).send({ address: customerBody().address, legalName: 'Acme Bakery Two LLC' });
    expect(sameAddress.status).toBe(200);
    const last = await ctx.db.query<{ after: Record<string, unknown> }>(`SELECT after FROM isv.audit_log WHERE action = 'customer.updated' AND target_id = $1 ORDER BY at DESC LIMIT 1`, [c.id]);
    expect(Object.keys(last[0]!.after)).toEqual(['legalName']);
    const empty = await ctx.request.patch(`/api/isv/customers/${c.id}`).set(owner.auth).send({});
    expect(empty.status).toBe(422);
  });

  it('hides another customer behind 404 for reads and writes, and changes nothing', async () => {
    const c = (await ctx.request.post('/api/isv/customers').set(owner.auth).send(customerBody())).body;
    expect((await ctx.request.get(`/api/isv/customers/${c.id}`).set(stranger.auth)).status).toBe(404);
    expect((await ctx.request.patch(`/api/isv/customers/${c.id}`).set(stranger.auth).send({ legalName: 'Stolen' })).status).toBe(404);
    expect((await ctx.request.get(`/api/isv/customers/${c.id}/members`).set(stranger.auth)).status).toBe(404);
    expect((await ctx.request.get(`/api/isv/customers/not-a-uuid`).set(stranger.auth)).status).toBe(404);
    expect((await ctx.request.get(`/api/isv/customers/${'-'.repeat(36)}`).set(admin.auth)).status).toBe(404);
    const after = await ctx.request.get(`/api/isv/customers/${c.id}`).set(owner.auth);
    expect(after.body.legalName).toBe('Acme Bakery LLC');
    expect((await ctx.request.get(`/api/isv/customers/${c.id}`).set(admin.auth)).body.myRole).toBe('staff');
  });
});

describe('members and invitations (embedded mode)', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(() => ctx.close());

  it('lets an owner invite a new email, emails the invitee, and makes them a member only once they accept', async () => {
    const owner = await signUp(ctx, uniqueEmail('owner'));
    const c = (await ctx.request.post('/api/isv/customers').set(owner.auth).send(customerBody())).body;
    const email = uniqueEmail('invitee');
    const inv = await ctx.request.post(`/api/isv/customers/${c.id}/members`).set(owner.auth).send({ email: email.toUpperCase() });
    expect(inv.status).toBe(201);
    expect(inv.body).toMatchObject({ delivery: 'invitation_emailed', member: { email, role: 'member', status: 'invited', userId: null, invitationId: expect.any(String) } });
    expect(ctx.mail.sent.at(-1)).toMatchObject({ to: email, subject: `${owner.email} invited you to ${c.displayName ?? c.legalName}` });
    expect((await ctx.request.post(`/api/isv/customers/${c.id}/members`).set(owner.auth).send({ email })).body.code).toBe('already_invited');
    const invitee = await signUp(ctx, email);
    expect((await ctx.request.get(`/api/isv/customers/${c.id}`).set(invitee.auth)).status).toBe(404);
    const accepted = await ctx.request.post(`/api/isv/invitations/${inv.body.member.invitationId}/accept`).set(invitee.auth);
    expect(accepted.body).toEqual({ customerId: c.id, role: 'member' });
    const got = await ctx.request.get(`/api/isv/customers/${c.id}`).set(invitee.auth);
    expect(got.body.myRole).toBe('member');
    const members = await ctx.request.get(`/api/isv/customers/${c.id}/members`).set(owner.auth);
    expect(members.body.items.map((m: { email: string; status: string }) => [m.email, m.status])).toEqual([[owner.email, 'active'], [email, 'active']]);
    const audit = await ctx.db.query(`SELECT action FROM isv.audit_log WHERE customer_id = $1 AND action IN ('invitation.created', 'invitation.accepted')`, [c.id]);
    expect(audit).toHaveLength(2);
  });

  it('invites an existing user without adding them until they accept, and refuses invitations from members and staff who are not owners', async () => {
    const owner = await signUp(ctx, uniqueEmail('owner'));
    const existing = await signUp(ctx, uniqueEmail('existing'));
    const admin = await signUp(ctx, uniqueEmail('admin'), { roles: ['admin'] });
    const c = (await ctx.request.post('/api/isv/customers').set(owner.auth).send(customerBody())).body;
    const inv = await ctx.request.post(`/api/isv/customers/${c.id}/members`).set(owner.auth).send({ email: existing.email, role: 'member' });
    expect(inv.status).toBe(201);
    expect(inv.body.member.status).toBe('invited');
    expect((await ctx.request.get(`/api/isv/customers/${c.id}`).set(existing.auth)).status).toBe(404);
    expect((await ctx.request.post(`/api/isv/invitations/${inv.body.member.invitationId}/accept`).set(existing.auth)).status).toBe(200);
    expect((await ctx.request.post(`/api/isv/customers/${c.id}/members`).set(owner.auth).send({ email: existing.email })).body.code).toBe('already_member');
    expect((await ctx.request.post(`/api/isv/customers/${c.id}/members`).set(existing.auth).send({ email: uniqueEmail() })).status).toBe(403);
    expect((await ctx.request.post(`/api/isv/customers/${c.id}/members`).set(admin.auth).send({ email: uniqueEmail() })).status).toBe(403);
    const bad = await ctx.request.post(`/api/isv/customers/${c.id}/members`).set(owner.auth).send({ email: 'x', role: 'king' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['email', 'role']);
  });
});
