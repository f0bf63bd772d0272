// Accounts in the sandbox: subaccount create/fetch/list/update with Twilio's status rules.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectMatchesSpec } from '../helpers/openapi.ts';
import { buyNumber, client, createSubaccount, MASTER_SID, startTestSandbox, type TestSandbox } from './harness.ts';

const API = 'api.twilio.com';

describe('sandbox accounts', () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startTestSandbox({ now: () => new Date('2026-11-23T18:30:00Z') });
  });
  afterAll(() => t.close());

  it('the master account exists from the start and owns itself', async () => {
    const res = await t.master.get(API, `/2010-04-01/Accounts/${MASTER_SID}.json`);
    expect(res.status).toBe(200);
    expectMatchesSpec('api_v2010', 'GET', '/2010-04-01/Accounts/{Sid}.json', 200, res.body);
    expect(res.body).toMatchObject({ sid: MASTER_SID, owner_account_sid: MASTER_SID, status: 'active', type: 'Full' });
  });

  it('creating a subaccount returns its own auth token, RFC 2822 dates and Twilio default name', async () => {
    const res = await t.master.post(API, '/2010-04-01/Accounts.json');
    expect(res.status).toBe(201);
    expectMatchesSpec('api_v2010', 'POST', '/2010-04-01/Accounts.json', 201, res.body);
    expect(res.body).toMatchObject({
      owner_account_sid: MASTER_SID,
      status: 'active',
      friendly_name: 'SubAccount Created at 2026-11-23 06:30 pm',
      date_created: 'Mon, 23 Nov 2026 18:30:00 +0000',
    });
    expect(res.body.sid).toMatch(/^AC[0-9a-f]{32}$/);
    expect(res.body.auth_token).toMatch(/^[0-9a-f]{32}$/);
    expect(res.body.auth_token).not.toBe(t.masterToken);
    // The new credentials work at once.
    const self = await client(t.sandbox.url, res.body.sid, res.body.auth_token).get(API, `/2010-04-01/Accounts/${res.body.sid}.json`);
    expect(self.status).toBe(200);
  });

  it('lists accounts with FriendlyName and Status filters and the 2010-04-01 envelope', async () => {
    const a = await createSubaccount(t, 'Filter me');
    await createSubaccount(t, 'Someone else');
    await t.master.post(API, `/2010-04-01/Accounts/${a.sid}.json`, { Status: 'suspended' });
    const byName = await t.master.get(API, '/2010-04-01/Accounts.json', { FriendlyName: 'Filter me' });
    expectMatchesSpec('api_v2010', 'GET', '/2010-04-01/Accounts.json', 200, byName.body);
    expect(byName.body.accounts.map((x: { sid: string }) => x.sid)).toEqual([a.sid]);
    const suspended = await t.master.get(API, '/2010-04-01/Accounts.json', { Status: 'suspended' });
    expect(suspended.body.accounts.map((x: { sid: string }) => x.sid)).toContain(a.sid);
    expect(suspended.body.accounts.every((x: { status: string }) => x.status === 'suspended')).toBe(true);
    const bad = await t.master.get(API, '/2010-04-01/Accounts.json', { Status: 'asleep' });
    expect(bad.status).toBe(400);
  });

  it('suspended ⇄ active is allowed; a suspended account cannot send', async () => {
    const a = await createSubaccount(t);
    const suspended = await t.master.post(API, `/2010-04-01/Accounts/${a.sid}.json`, { Status: 'suspended' });
    expect(suspended.status).toBe(200);
    expectMatchesSpec('api_v2010', 'POST', '/2010-04-01/Accounts/{Sid}.json', 200, suspended.body);
    expect(suspended.body.status).toBe('suspended');
    const send = await t.master.post(API, `${a.base}/Messages.json`, { To: '+14155550199', From: '+14155550100', Body: 'x' });
    expect(send.body.code).toBe(10001);
    const active = await t.master.post(API, `/2010-04-01/Accounts/${a.sid}.json`, { Status: 'active' });
    expect(active.body.status).toBe('active');
  });

  it('closed is terminal: reopening fails with 21479, its numbers are released and its credentials stop working', async () => {
    const a = await createSubaccount(t);
    const number = await buyNumber(t, a);
    const closed = await t.master.post(API, `/2010-04-01/Accounts/${a.sid}.json`, { Status: 'closed' });
    expect(closed.body.status).toBe('closed');
    const reopen = await t.master.post(API, `/2010-04-01/Accounts/${a.sid}.json`, { Status: 'active' });
    expect(reopen.status).toBe(400);
    expect(reopen.body).toMatchObject({ code: 21479, status: 400 });
    expect(t.sandbox.resource('incoming_phone_number', number.sid)).toBeUndefined();
    const own = await a.api.get(API, `/2010-04-01/Accounts/${a.sid}.json`);
    expect(own.body.code).toBe(20003);
    // Still listed with its history, as Twilio does until deletion.
    const fetched = await t.master.get(API, `/2010-04-01/Accounts/${a.sid}.json`);
    expect(fetched.body.status).toBe('closed');
  });

  it('only the master may create subaccounts or change a subaccount status', async () => {
    const a = await createSubaccount(t);
    const create = await a.api.post(API, '/2010-04-01/Accounts.json', { FriendlyName: 'nested' });
    expect(create.status).toBe(403);
    const suspendSelf = await a.api.post(API, `/2010-04-01/Accounts/${a.sid}.json`, { Status: 'suspended' });
    expect(suspendSelf.status).toBe(403);
    const rename = await a.api.post(API, `/2010-04-01/Accounts/${a.sid}.json`, { FriendlyName: 'Renamed by itself' });
    expect(rename.status).toBe(200);
    expect(rename.body.friendly_name).toBe('Renamed by itself');
  });

  it('a subaccount sees only itself in the list', async () => {
    const a = await createSubaccount(t);
    const list = await a.api.get(API, '/2010-04-01/Accounts.json');
    expect(list.body.accounts.map((x: { sid: string }) => x.sid)).toEqual([a.sid]);
  });
});
