// Contract: api.twilio.com Accounts (subaccounts) through the gateway's master client, checked against api_v2010.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContractRig, type ContractRig } from './contract-rig.ts';

describe('contract: Accounts', () => {
  let rig: ContractRig;
  beforeAll(async () => {
    rig = await createContractRig();
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('CreateAccount makes a subaccount that carries its own auth token', async () => {
    const { master } = rig.twilio;
    const account = await rig.twilio.call('accounts.create', () => master.api.v2010.accounts.create({ friendlyName: 'isv:contract-create' }));
    const body = rig.expectContract('api_v2010', 'POST', '/2010-04-01/Accounts.json', 201);
    expect(body).toMatchObject({ friendly_name: 'isv:contract-create', status: 'active', owner_account_sid: rig.masterAccountSid });
    expect(account.sid).toMatch(/^AC[0-9a-f]{32}$/);
    expect(account.authToken).toEqual(body.auth_token);
    expect(account.authToken).not.toBe(rig.masterAuthToken);
  });

  it('FetchAccount returns a subaccount to the master credentials', async () => {
    const sub = await rig.newSubaccount('isv:contract-fetch');
    const fetched = await rig.twilio.call('accounts.fetch', () => rig.twilio.master.api.v2010.accounts(sub.sid).fetch());
    const body = rig.expectContract('api_v2010', 'GET', '/2010-04-01/Accounts/{Sid}.json', 200);
    expect(body.sid).toBe(sub.sid);
    expect(fetched.authToken).toBe(sub.token);
  });

  it('ListAccount filters by FriendlyName and Status', async () => {
    const sub = await rig.newSubaccount('isv:contract-list');
    const page = await rig.twilio.call('accounts.list', () =>
      rig.twilio.master.api.v2010.accounts.list({ friendlyName: 'isv:contract-list', status: 'active', limit: 20 }),
    );
    const body = rig.expectContract('api_v2010', 'GET', '/2010-04-01/Accounts.json', 200);
    expect(page.map((a) => a.sid)).toEqual([sub.sid]);
    expect(body).toHaveProperty('accounts');
  });

  it('UpdateAccount suspends, reactivates and closes; closed is terminal (21479)', async () => {
    const sub = await rig.newSubaccount('isv:contract-update');
    const accounts = rig.twilio.master.api.v2010.accounts;
    const suspended = await rig.twilio.call('accounts.update', () => accounts(sub.sid).update({ status: 'suspended' }));
    rig.expectContract('api_v2010', 'POST', '/2010-04-01/Accounts/{Sid}.json', 200);
    expect(suspended.status).toBe('suspended');
    expect((await rig.twilio.call('accounts.update', () => accounts(sub.sid).update({ status: 'active' }))).status).toBe('active');
    const closed = await rig.twilio.call('accounts.update', () => accounts(sub.sid).update({ status: 'closed' }));
    expect(closed.status).toBe('closed');
    const retries: number[] = [];
    const err = await rig.twilio
      .call('accounts.update', () => accounts(sub.sid).update({ status: 'active' }), { onRetry: (_e, a) => retries.push(a) })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'permanent', httpStatus: 400, twilioCode: 21479 });
    expect(retries).toEqual([]);
  });
});
