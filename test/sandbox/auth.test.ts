// Basic auth as Twilio enforces it (FACTS §0): wrong credentials 401/20003, the master reaches its subaccounts'
// 2010-04-01 resources, other hosts serve only the caller's own account, siblings never see each other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buyNumber, client, createServiceWithNumber, createSubaccount, MASTER_SID, startTestSandbox, type TestSandbox } from './harness.ts';

const API = 'api.twilio.com';
const MSG = 'messaging.twilio.com';
const AUTH_ERROR = { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 };

describe('sandbox auth rules', () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startTestSandbox();
  });
  afterAll(() => t.close());

  it('a wrong token, an unknown account or no credentials get 401 with code 20003', async () => {
    const wrong = client(t.sandbox.url, MASTER_SID, 'not-the-token');
    expect(await wrong.get(API, '/2010-04-01/Accounts.json')).toEqual({ status: 401, body: AUTH_ERROR });
    expect((await wrong.get(MSG, '/v1/Services')).body).toEqual(AUTH_ERROR);
    const unknown = client(t.sandbox.url, `AC${'9'.repeat(32)}`, t.masterToken);
    expect((await unknown.get(API, '/2010-04-01/Accounts.json')).status).toBe(401);
    const none = await fetch(`${t.sandbox.url}/api.twilio.com/2010-04-01/Accounts.json`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual(AUTH_ERROR);
  });

  it('a subaccount token does not authenticate as the master or another subaccount', async () => {
    const a = await createSubaccount(t);
    const b = await createSubaccount(t);
    expect((await client(t.sandbox.url, MASTER_SID, a.token).get(API, '/2010-04-01/Accounts.json')).status).toBe(401);
    expect((await client(t.sandbox.url, b.sid, a.token).get(API, b.base + '.json')).status).toBe(401);
  });

  it('master credentials reach a subaccount 2010-04-01 resources', async () => {
    const a = await createSubaccount(t);
    const n = await buyNumber(t, a);
    const res = await t.master.get(API, `${a.base}/IncomingPhoneNumbers/${n.sid}.json`);
    expect(res.status).toBe(200);
    expect(res.body.account_sid).toBe(a.sid);
  });

  it('a subaccount cannot reach its parent or a sibling on api.twilio.com: 401/20003, as Twilio authenticates against the path account', async () => {
    const a = await createSubaccount(t);
    const b = await createSubaccount(t);
    await buyNumber(t, b);
    expect(await a.api.get(API, `${b.base}/IncomingPhoneNumbers.json`)).toEqual({ status: 401, body: AUTH_ERROR });
    expect(await a.api.get(API, `${b.base}.json`)).toEqual({ status: 401, body: AUTH_ERROR });
    expect(await a.api.get(API, `/2010-04-01/Accounts/${MASTER_SID}/Messages.json`)).toEqual({ status: 401, body: AUTH_ERROR });
    const send = await a.api.post(API, `${b.base}/Messages.json`, { To: '+14155550199', From: '+14155550100', Body: 'x' });
    expect(send.status).toBe(401);
  });

  it('on messaging.twilio.com a resource belongs to the account whose credentials created it: siblings and the master get 404/20404', async () => {
    const a = await createSubaccount(t);
    const b = await createSubaccount(t);
    const svc = await createServiceWithNumber(t, a);
    const own = await a.api.get(MSG, `/v1/Services/${svc.serviceSid}`);
    expect(own.status).toBe(200);
    const sibling = await b.api.get(MSG, `/v1/Services/${svc.serviceSid}`);
    expect(sibling.status).toBe(404);
    expect(sibling.body).toMatchObject({ code: 20404, status: 404 });
    expect((await t.master.get(MSG, `/v1/Services/${svc.serviceSid}`)).status).toBe(404);
    expect((await b.api.delete(MSG, `/v1/Services/${svc.serviceSid}`)).status).toBe(404);
    expect((await b.api.get(MSG, '/v1/Services')).body.services).toEqual([]);
    // Still there for its owner after the sibling's attempts.
    expect((await a.api.get(MSG, `/v1/Services/${svc.serviceSid}`)).status).toBe(200);
  });

  it('unknown SIDs and unknown paths answer 404 with code 20404', async () => {
    const a = await createSubaccount(t);
    const res = await t.master.get(API, `${a.base}/Messages/SM${'0'.repeat(32)}.json`);
    expect(res).toMatchObject({ status: 404, body: { code: 20404, status: 404, more_info: 'https://www.twilio.com/docs/errors/20404' } });
    expect((await t.master.get(API, '/2010-04-01/Nothing.json')).status).toBe(404);
    expect((await t.master.get('nowhere.twilio.com', '/v1/Things')).status).toBe(404);
  });
});
