// Bring your own Twilio account (#17) against the sandbox: an independent account made with the sandbox's
// control route, already holding a messaging service and a number the way a business's account would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signUp, type SignedUp } from '../helpers/auth.ts';
import { byoaCustomer as makeByoaCustomer, connectionPath, control as controlRoute, ownAccount as makeOwnAccount, type OwnAccount } from './own-account.ts';
import { createTenant } from '../messaging/tenant.ts';
import { a2pRequest } from '../onboarding/fixtures.ts';
import { connectionResourcesSchema, operatorConnectionsSchema, testConnectionResponseSchema, twilioConnectionSchema } from '../../shared/twilio-connection.ts';
import { messageDetailSchema, sendMessageResponseSchema } from '../../shared/messages.ts';

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx?.close());

const control = (path: string, body: Record<string, unknown>) => controlRoute(ctx, path, body);
const ownAccount = (opts: { trial?: boolean } = {}) => makeOwnAccount(ctx, opts);
const byoaCustomer = (owner?: SignedUp) => makeByoaCustomer(ctx, owner);
const storedRow = async (customerId: string) =>
  (await ctx.db.query<Record<string, unknown>>(`SELECT * FROM isv.twilio_subaccounts WHERE customer_id = $1 AND kind = 'connected'`, [customerId]))[0];
const auditActions = async (customerId: string) =>
  (await ctx.db.query<{ action: string }>(`SELECT action FROM isv.audit_log WHERE customer_id = $1 ORDER BY id`, [customerId])).map((r) => r.action);
const service = (sid: string) => ctx.sandbox.resources<{ sid: string; account_sid: string; inbound_request_url: string | null; status_callback: string | null }>('service').find((s) => s.sid === sid)!;

describe('connecting a Twilio account of the customer’s own', () => {
  it('creates a bring-your-own-account customer without making a platform subaccount', async () => {
    const { customerId } = await byoaCustomer();
    const flows = await ctx.db.query(`SELECT kind FROM isv.flows WHERE customer_id = $1`, [customerId]);
    expect(flows).toEqual([]);
    expect(ctx.sandbox.requests.some((r) => r.method === 'POST' && r.path === '/2010-04-01/Accounts.json' && r.params.FriendlyName === `isv:${customerId}`)).toBe(false);
  });

  it('asks a business on its own account to connect it before registering A2P there, and starts nothing', async () => {
    const { owner, customerId } = await byoaCustomer();
    const res = await ctx.request.post(`/api/isv/customers/${customerId}/a2p`).set(owner.auth).send(a2pRequest());
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('twilio_not_connected');
    expect(await ctx.db.query(`SELECT kind FROM isv.flows WHERE customer_id = $1`, [customerId])).toEqual([]);
  });

  it('connects with good credentials, answers them masked and keeps the token sealed', async () => {
    const { owner, customerId } = await byoaCustomer();
    const own = await ownAccount();
    const res = await ctx.request.put(connectionPath(customerId)).set(owner.auth).send({ accountSid: own.sid, authToken: own.token });
    expect(res.status).toBe(200);
    const conn = twilioConnectionSchema.parse(res.body);
    expect(conn).toMatchObject({ mode: 'byoa', accountSid: own.sid, friendlyName: 'Acme Bakery (own)', status: 'connected', accountStatus: 'active', tokenLast4: own.token.slice(-4), messagingServiceSid: null, lastError: null });
    expect(JSON.stringify(res.body)).not.toContain(own.token);
    // Twilio was asked with those credentials before anything was stored.
    expect(ctx.sandbox.requests.some((r) => r.method === 'GET' && r.path === `/2010-04-01/Accounts/${own.sid}.json` && r.accountSid === own.sid)).toBe(true);
    const row = (await storedRow(customerId))!;
    expect(JSON.stringify(row)).not.toContain(own.token);
    expect(row.auth_token_ciphertext).toEqual(expect.any(String));
    expect(await ctx.twilio.authTokenFor(own.sid)).toBe(own.token);
    expect((await ctx.request.get(connectionPath(customerId)).set(owner.auth)).body).toEqual(res.body);
    expect(await auditActions(customerId)).toContain('twilio_connection.connected');
  });

  it('refuses a wrong token with 422 and stores nothing', async () => {
    const { owner, customerId } = await byoaCustomer();
    const own = await ownAccount();
    const res = await ctx.request.put(connectionPath(customerId)).set(owner.auth).send({ accountSid: own.sid, authToken: 'f'.repeat(32) });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'twilio_credentials_rejected', errors: [{ path: 'authToken' }] });
    expect(res.body.detail).toMatch(/20003/);
    expect(await storedRow(customerId)).toBeUndefined();
    expect((await ctx.request.get(connectionPath(customerId)).set(owner.auth)).status).toBe(404);
  });

  it('names the field when the SID or token is not shaped like Twilio’s', async () => {
    const { owner, customerId } = await byoaCustomer();
    const res = await ctx.request.put(connectionPath(customerId)).set(owner.auth).send({ accountSid: 'AC123', authToken: 'secret' });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['accountSid', 'authToken']);
  });

  it('refuses a trial account, a suspended one and a closed one with the reason', async () => {
    const { owner, customerId } = await byoaCustomer();
    const trial = await ownAccount({ trial: true });
    const t = await ctx.request.put(connectionPath(customerId)).set(owner.auth).send({ accountSid: trial.sid, authToken: trial.token });
    expect(t.status).toBe(422);
    expect(t.body.code).toBe('twilio_trial_account');
    expect(t.body.detail).toMatch(/verified/);

    const suspended = await ownAccount();
    await control('/sandbox/accounts/status', { account_sid: suspended.sid, status: 'suspended' });
    const s = await ctx.request.put(connectionPath(customerId)).set(owner.auth).send({ accountSid: suspended.sid, authToken: suspended.token });
    expect(s.status).toBe(422);
    expect(s.body).toMatchObject({ code: 'twilio_account_unusable' });
    expect(s.body.detail).toMatch(/suspended/);

    // Twilio no longer authenticates a closed account's credentials (FACTS §1).
    const closed = await ownAccount();
    await control('/sandbox/accounts/status', { account_sid: closed.sid, status: 'closed' });
    const c = await ctx.request.put(connectionPath(customerId)).set(owner.auth).send({ accountSid: closed.sid, authToken: closed.token });
    expect(c.status).toBe(422);
    expect(c.body.code).toBe('twilio_credentials_rejected');
    expect(c.body.detail).toMatch(/closed/);
    expect(await storedRow(customerId)).toBeUndefined();
  });

  it('refuses a subaccount of the platform’s own master account', async () => {
    const { owner, customerId } = await byoaCustomer();
    const sub = await ctx.twilio.master.api.v2010.accounts.create({ friendlyName: 'not ours to connect' });
    const res = await ctx.request.put(connectionPath(customerId)).set(owner.auth).send({ accountSid: sub.sid, authToken: sub.authToken });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('twilio_account_is_platform_subaccount');
    expect(await storedRow(customerId)).toBeUndefined();
  });

  it('refuses to switch a customer whose platform subaccount already sends', async () => {
    const tenant = await createTenant(ctx);
    const own = await ownAccount();
    const res = await ctx.request.put(connectionPath(tenant.customerId)).set(tenant.owner.auth).send({ accountSid: own.sid, authToken: own.token });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('customer_sending');
    expect(await storedRow(tenant.customerId)).toBeUndefined();
  });
});

describe('a connected account end to end', () => {
  let owner: SignedUp;
  let customerId: string;
  let own: OwnAccount;

  beforeAll(async () => {
    ({ owner, customerId } = await byoaCustomer());
    own = await ownAccount();
    expect((await ctx.request.put(connectionPath(customerId)).set(owner.auth).send({ accountSid: own.sid, authToken: own.token })).status).toBe(200);
  });

  it('refuses sends until a sender is chosen, naming what to do', async () => {
    const res = await ctx.request.post(`/api/isv/customers/${customerId}/messages`).set(owner.auth).send({ to: '+14155552001', body: 'hi' });
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/messaging service/);
  });

  it('discovers the account’s services with their numbers, campaign status and webhooks', async () => {
    const res = await ctx.request.get(`${connectionPath(customerId)}/resources`).set(owner.auth);
    expect(res.status).toBe(200);
    const found = connectionResourcesSchema.parse(res.body);
    expect(found.messagingServices).toEqual([
      { sid: own.serviceSid, friendlyName: 'Acme notifications', campaignStatus: null, phoneNumbers: [own.phoneNumber], inboundRequestUrl: 'https://crm.acme.example/twilio/inbound', statusCallback: 'https://crm.acme.example/twilio/status' },
    ]);
    expect(found.phoneNumbers.map((n) => n.phoneNumber)).toEqual([own.phoneNumber]);
    expect(found.whatsappSenders).toEqual([]);
  });

  it('refuses a service the account does not have', async () => {
    const res = await ctx.request.put(`${connectionPath(customerId)}/sender`).set(owner.auth).send({ messagingServiceSid: `MG${'0'.repeat(32)}` });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ path: 'messagingServiceSid', message: 'is not a messaging service of the connected account' }]);
  });

  it('makes the chosen service the sender and points its callbacks at the platform', async () => {
    const res = await ctx.request.put(`${connectionPath(customerId)}/sender`).set(owner.auth).send({ messagingServiceSid: own.serviceSid });
    expect(res.status).toBe(200);
    expect(res.body.messagingServiceSid).toBe(own.serviceSid);
    expect(service(own.serviceSid)).toMatchObject({
      inbound_request_url: `${ctx.config.publicBaseUrl}/api/isv/webhooks/twilio/inbound`,
      status_callback: `${ctx.config.publicBaseUrl}/api/isv/webhooks/twilio/status`,
    });
    const update = ctx.sandbox.requests.filter((r) => r.method === 'POST' && r.path === `/v1/Services/${own.serviceSid}`).at(-1)!;
    expect(update.accountSid).toBe(own.sid);
  });

  it('sends through the connected account and applies its status callbacks, verified with its own token', async () => {
    const res = await ctx.request.post(`/api/isv/customers/${customerId}/messages`).set(owner.auth).send({ to: '+14155552002', body: 'Your bread is ready' });
    expect(res.status).toBe(201);
    const sent = sendMessageResponseSchema.parse(res.body);
    const create = ctx.sandbox.requests.filter((r) => r.method === 'POST' && r.path === `/2010-04-01/Accounts/${own.sid}/Messages.json`).at(-1)!;
    expect(create.accountSid).toBe(own.sid);
    expect(create.params).toMatchObject({ MessagingServiceSid: own.serviceSid, To: '+14155552002' });
    await ctx.sandbox.flushCallbacks();
    const detail = messageDetailSchema.parse((await ctx.request.get(`/api/isv/customers/${customerId}/messages/${sent.id}`).set(owner.auth)).body);
    expect(detail).toMatchObject({ status: 'delivered', from: own.phoneNumber });
    expect(detail.history.filter((h) => h.source === 'callback').map((h) => h.status)).toContain('delivered');
    const delivered = ctx.sandbox.callbackDeliveries.filter((d) => d.url.endsWith('/api/isv/webhooks/twilio/status'));
    expect(delivered.length).toBeGreaterThan(0);
    expect(delivered.every((d) => d.status === 200)).toBe(true);
  });

  it('tests the connection: capabilities and a test message', async () => {
    const res = await ctx.request.post(`${connectionPath(customerId)}/test`).set(owner.auth).send({ to: '+14155552003' });
    expect(res.status).toBe(200);
    const t = testConnectionResponseSchema.parse(res.body);
    expect(t.capabilities).toEqual({ phoneNumbers: 1, messagingServices: 1, a2pVerifiedServices: 0, whatsappSenders: 0 });
    expect(t.testMessage?.sid).toMatch(/^SM/);
    expect(t.connection.status).toBe('connected');
  });

  it('keeps another customer’s members and non-owners out', async () => {
    const stranger = await signUp(ctx);
    expect((await ctx.request.get(connectionPath(customerId)).set(stranger.auth)).status).toBe(404);
    expect((await ctx.request.put(connectionPath(customerId)).set(stranger.auth).send({ accountSid: own.sid, authToken: own.token })).status).toBe(404);
    expect((await ctx.request.delete(connectionPath(customerId)).set(stranger.auth)).status).toBe(404);
    const member = await signUp(ctx);
    await ctx.db.query(`INSERT INTO isv.memberships (user_id, customer_id, role) VALUES ($1, $2, 'member')`, [member.userId, customerId]);
    expect((await ctx.request.get(connectionPath(customerId)).set(member.auth)).status).toBe(200);
    expect((await ctx.request.put(`${connectionPath(customerId)}/sender`).set(member.auth).send({ messagingServiceSid: own.serviceSid })).status).toBe(403);
    expect((await ctx.request.delete(connectionPath(customerId)).set(member.auth)).status).toBe(403);
    // The same account cannot be connected to a second customer.
    const other = await byoaCustomer();
    const dup = await ctx.request.put(connectionPath(other.customerId)).set(other.owner.auth).send({ accountSid: own.sid, authToken: own.token });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('twilio_account_in_use');
  });

  it('turns credentials_invalid when the token is revoked, refuses sends with the reason, and reconnects', async () => {
    const rotated = await control('/sandbox/accounts/token', { account_sid: own.sid });
    const res = await ctx.request.post(`/api/isv/customers/${customerId}/messages`).set(owner.auth).send({ to: '+14155552004', body: 'after rotation' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('twilio_credentials_invalid');
    const conn = twilioConnectionSchema.parse((await ctx.request.get(connectionPath(customerId)).set(owner.auth)).body);
    expect(conn.status).toBe('credentials_invalid');
    expect(conn.lastError).toMatch(/20003/);
    expect(await auditActions(customerId)).toContain('twilio_connection.credentials_invalid');
    // Later sends are refused before Twilio.
    const before = ctx.sandbox.requests.length;
    expect((await ctx.request.post(`/api/isv/customers/${customerId}/messages`).set(owner.auth).send({ to: '+14155552005', body: 'x' })).body.code).toBe('twilio_credentials_invalid');
    expect(ctx.sandbox.requests.slice(before).some((r) => r.path.endsWith('/Messages.json'))).toBe(false);

    const again = await ctx.request.put(connectionPath(customerId)).set(owner.auth).send({ accountSid: own.sid, authToken: rotated.auth_token });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'connected', messagingServiceSid: own.serviceSid, tokenLast4: rotated.auth_token!.slice(-4) });
    own.token = rotated.auth_token!;
    expect((await ctx.request.post(`/api/isv/customers/${customerId}/messages`).set(owner.auth).send({ to: '+14155552006', body: 'back' })).status).toBe(201);
  });

  it('shows connected accounts to operators beside subaccounts', async () => {
    const operator = await signUp(ctx, undefined, { roles: ['operator'] });
    const res = await ctx.request.get('/api/isv/operator/twilio-connections').set(operator.auth);
    expect(res.status).toBe(200);
    const list = operatorConnectionsSchema.parse(res.body);
    const mine = list.items.find((c) => c.accountSid === own.sid);
    expect(mine).toMatchObject({ customerId, status: 'connected', customerName: 'Acme Bakery' });
    // Usage read with the account's own token: the messages sent above are counted.
    expect(mine!.usage!.count).toBeGreaterThanOrEqual(2);
    expect(ctx.sandbox.requests.some((r) => r.path === `/2010-04-01/Accounts/${own.sid}/Usage/Records/ThisMonth.json` && r.accountSid === own.sid)).toBe(true);
    expect((await ctx.request.get('/api/isv/operator/twilio-connections').set(owner.auth)).status).toBe(403);
    // Suspending is for the platform's subaccounts only: a connected account is not the master's to suspend.
    const suspend = await ctx.request.post(`/api/isv/operator/subaccounts/${own.sid}/suspend`).set(operator.auth).send({});
    expect(suspend.status).toBe(404);
  });

  it('disconnects: the service gets its own webhooks back and the customer returns to a platform subaccount', async () => {
    const res = await ctx.request.delete(connectionPath(customerId)).set(owner.auth);
    expect(res.status).toBe(204);
    expect(service(own.serviceSid)).toMatchObject({ inbound_request_url: 'https://crm.acme.example/twilio/inbound', status_callback: 'https://crm.acme.example/twilio/status' });
    expect(await storedRow(customerId)).toBeUndefined();
    expect(await ctx.twilio.authTokenFor(own.sid)).toBeUndefined();
    const customer = (await ctx.request.get(`/api/isv/customers/${customerId}`).set(owner.auth)).body;
    expect(customer.twilioMode).toBe('subaccount');
    expect(await ctx.db.query(`SELECT kind FROM isv.flows WHERE customer_id = $1`, [customerId])).toEqual([{ kind: 'subaccount' }]);
    expect(await auditActions(customerId)).toContain('twilio_connection.disconnected');
  });
});

describe('the daily check', () => {
  it('marks connections whose credentials stopped working and leaves working ones connected', async () => {
    const a = await byoaCustomer();
    const b = await byoaCustomer();
    const ownA = await ownAccount();
    const ownB = await ownAccount();
    await ctx.request.put(connectionPath(a.customerId)).set(a.owner.auth).send({ accountSid: ownA.sid, authToken: ownA.token });
    await ctx.request.put(connectionPath(b.customerId)).set(b.owner.auth).send({ accountSid: ownB.sid, authToken: ownB.token });
    await control('/sandbox/accounts/token', { account_sid: ownB.sid });
    const result = await ctx.features.connections.checkAll();
    expect(result.invalid).toBeGreaterThanOrEqual(1);
    expect((await ctx.request.get(connectionPath(a.customerId)).set(a.owner.auth)).body.status).toBe('connected');
    expect((await ctx.request.get(connectionPath(b.customerId)).set(b.owner.auth)).body.status).toBe('credentials_invalid');
  });
});
