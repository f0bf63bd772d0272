// Contract: which credentials reach which resources (FACTS §0), as the sandbox enforces them like Twilio, and how
// the gateway reacts: wrong credentials are a permanent 401/20003 (never retried), a rejected cached subaccount
// token is dropped so the next call reads the current one from the database.
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertSubaccount, updateSubaccountAuthToken } from '../../server/subaccounts/subaccounts.dao.ts';
import { createSandboxHttpClient } from '../../server/twilio/sandbox-http-client.ts';
import { POLICY } from './a2p-fixtures.ts';
import { createContractRig, type ContractRig, type Subaccount } from './contract-rig.ts';
import { insertCustomerRow } from './fixtures.ts';

describe('contract: credentials and auth rules', () => {
  let rig: ContractRig;
  let a: Subaccount;
  let b: Subaccount;
  beforeAll(async () => {
    rig = await createContractRig();
    a = await rig.newSubaccount('isv:tenant-a');
    b = await rig.newSubaccount('isv:tenant-b');
  });
  afterAll(async () => {
    await rig?.close();
  });

  /** An SDK client with arbitrary credentials, through the same sandbox adapter the gateway uses. */
  const clientWith = (sid: string, token: string) =>
    twilio(sid, token, { httpClient: createSandboxHttpClient({ sandboxUrl: rig.sandbox.url }) as never });

  const noRetry = () => {
    const retries: number[] = [];
    return { retries, opts: { onRetry: (_e: unknown, attempt: number) => retries.push(attempt) } };
  };

  it('a wrong auth token gets 401 with code 20003, classified permanent and not retried', async () => {
    const { retries, opts } = noRetry();
    const wrong = clientWith(rig.masterAccountSid, 'not-the-token-000000000000000000');
    const err = await rig.twilio.call('accounts.fetch', () => wrong.api.v2010.accounts(rig.masterAccountSid).fetch(), opts).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'permanent', httpStatus: 401, twilioCode: 20003 });
    expect(retries).toEqual([]);
    const last = rig.sandbox.requests.at(-1)!;
    expect(last).toMatchObject({ status: 401, twilioCode: 20003 });
  });

  it('a subaccount SID with the master token is refused (each account authenticates with its own token)', async () => {
    const mixed = clientWith(a.sid, rig.masterAuthToken);
    await expect(rig.twilio.call('services.list', () => mixed.messaging.v1.services.list())).rejects.toMatchObject({ httpStatus: 401, twilioCode: 20003 });
  });

  it('master credentials cannot create a TrustHub bundle for a subaccount: the bundle lands in the master account', async () => {
    const profile = await rig.twilio.call('customerProfiles.create', () =>
      rig.twilio.master.trusthub.v1.customerProfiles.create({ friendlyName: `isv:${a.customerId}`, email: 'ops@example.com', policySid: POLICY.secondaryCustomerProfile }),
    );
    expect(profile.accountSid).toBe(rig.masterAccountSid);
    // The subaccount cannot see it, so it can never be the subaccount's secondary profile for a brand.
    await expect(rig.twilio.call('customerProfiles.fetch', () => a.client.trusthub.v1.customerProfiles(profile.sid).fetch())).rejects.toMatchObject({
      kind: 'permanent',
      httpStatus: 404,
      twilioCode: 20404,
    });
    await expect(
      rig.twilio.call('brandRegistrations.create', () =>
        a.client.messaging.v1.brandRegistrations.create({ customerProfileBundleSid: profile.sid, a2PProfileBundleSid: profile.sid }),
      ),
    ).rejects.toMatchObject({ kind: 'permanent', httpStatus: 400 });
    // Nor can the master assign a subaccount's end user to it: the end user is invisible to the master.
    const endUser = await a.client.trusthub.v1.endUsers.create({ friendlyName: 'rep', type: 'authorized_representative_1', attributes: { first_name: 'Ada' } });
    await expect(
      rig.twilio.call('customerProfiles.entityAssignments.create', () =>
        rig.twilio.master.trusthub.v1.customerProfiles(profile.sid).customerProfilesEntityAssignments.create({ objectSid: endUser.sid }),
      ),
    ).rejects.toMatchObject({ kind: 'permanent', httpStatus: 400 });
  });

  it("a subaccount's credentials cannot read a sibling's account, messages or services", async () => {
    await expect(rig.twilio.call('accounts.fetch', () => a.client.api.v2010.accounts(b.sid).fetch())).rejects.toMatchObject({ httpStatus: 401, twilioCode: 20003 });
    await expect(rig.twilio.call('messages.list', () => a.client.api.v2010.accounts(b.sid).messages.list({ limit: 5 }))).rejects.toMatchObject({
      httpStatus: 401,
      twilioCode: 20003,
    });
    const service = await b.client.messaging.v1.services.create({ friendlyName: 'isv:b-service' });
    await expect(rig.twilio.call('services.fetch', () => a.client.messaging.v1.services(service.sid).fetch())).rejects.toMatchObject({
      httpStatus: 404,
      twilioCode: 20404,
    });
    expect((await a.client.messaging.v1.services.list()).map((s) => s.sid)).not.toContain(service.sid);
  });

  it("master credentials reach a subaccount's 2010-04-01 resources", async () => {
    const own = await rig.twilio.call('accounts.fetch', () => rig.twilio.master.api.v2010.accounts(a.sid).fetch());
    expect(own.sid).toBe(a.sid);
    const messages = await rig.twilio.call('messages.list', () => rig.twilio.master.api.v2010.accounts(a.sid).messages.list({ limit: 5 }));
    expect(Array.isArray(messages)).toBe(true);
  });

  it('a subaccount can neither create subaccounts nor change its own status', async () => {
    await expect(rig.twilio.call('accounts.create', () => a.client.api.v2010.accounts.create({ friendlyName: 'nested' }))).rejects.toMatchObject({
      kind: 'permanent',
      httpStatus: 403,
    });
    await expect(rig.twilio.call('accounts.update', () => a.client.api.v2010.accounts(a.sid).update({ status: 'suspended' }))).rejects.toMatchObject({
      kind: 'permanent',
      httpStatus: 403,
    });
  });

  it('after a 401 the gateway forgets the cached subaccount token and reads the current one', async () => {
    const account = await rig.twilio.master.api.v2010.accounts.create({ friendlyName: 'isv:stale-token' });
    // The database holds an outdated token (as after a rotation made elsewhere).
    await insertSubaccount(rig.db, rig.keyRing, { customerId: await insertCustomerRow(rig.db), accountSid: account.sid, friendlyName: 'isv:stale-token', authToken: 'outdated-token-0000000000000000' });
    const stale = await rig.twilio.subaccount(account.sid);
    await expect(rig.twilio.call('services.list', () => stale.messaging.v1.services.list())).rejects.toMatchObject({ httpStatus: 401, twilioCode: 20003 });
    await updateSubaccountAuthToken(rig.db, rig.keyRing, account.sid, account.authToken);
    const fresh = await rig.twilio.subaccount(account.sid);
    expect(fresh).not.toBe(stale);
    await expect(rig.twilio.call('services.list', () => fresh.messaging.v1.services.list())).resolves.toEqual([]);
    expect(await rig.twilio.authTokenFor(account.sid)).toBe(account.authToken);
  });
});
