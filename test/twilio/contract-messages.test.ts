// Contract: api.twilio.com Messages and Usage Records (this month) on a subaccount's path with the master
// credentials, checked against api_v2010; the magic test number +15005550001 is refused with 21211 at create.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContractRig, type ContractRig, type Subaccount } from './contract-rig.ts';

describe('contract: Messages and usage', () => {
  let rig: ContractRig;
  let sub: Subaccount;
  let from: string;
  beforeAll(async () => {
    rig = await createContractRig();
    sub = await rig.newSubaccount();
    const account = rig.twilio.master.api.v2010.accounts(sub.sid);
    const [candidate] = await account.availablePhoneNumbers('US').local.list({ areaCode: 415, smsEnabled: true, limit: 1 });
    from = (await account.incomingPhoneNumbers.create({ phoneNumber: candidate!.phoneNumber })).phoneNumber;
  });
  afterAll(async () => {
    await rig?.close();
  });

  const account = () => rig.twilio.master.api.v2010.accounts(sub.sid);

  it('CreateMessage queues an outbound message with a status callback', async () => {
    const message = await rig.twilio.call('messages.create', () =>
      account().messages.create({ to: '+15558675310', from, body: 'Your appointment is confirmed', statusCallback: 'https://hooks.example.com/status' }),
    );
    const body = rig.expectContract('api_v2010', 'POST', '/2010-04-01/Accounts/{AccountSid}/Messages.json', 201);
    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(body).toMatchObject({ account_sid: sub.sid, to: '+15558675310', from, direction: 'outbound-api' });
    expect(['queued', 'accepted']).toContain(body.status);
  });

  it('FetchMessage and ListMessage return it', async () => {
    const message = await account().messages.create({ to: '+15558675311', from, body: 'Second message' });
    const fetched = await rig.twilio.call('messages.fetch', () => account().messages(message.sid).fetch());
    rig.expectContract('api_v2010', 'GET', '/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json', 200);
    expect(fetched.sid).toBe(message.sid);
    const listed = await rig.twilio.call('messages.list', () => account().messages.list({ to: '+15558675311', limit: 20 }));
    rig.expectContract('api_v2010', 'GET', '/2010-04-01/Accounts/{AccountSid}/Messages.json', 200);
    expect(listed.map((m) => m.sid)).toEqual([message.sid]);
  });

  it('CreateMessage to the magic invalid number fails permanently with 21211 and is not retried', async () => {
    const retries: number[] = [];
    const err = await rig.twilio
      .call('messages.create', () => account().messages.create({ to: '+15005550001', from, body: 'x' }), { onRetry: (_e, a) => retries.push(a) })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'permanent', httpStatus: 400, twilioCode: 21211 });
    expect(retries).toEqual([]);
  });

  it('ListUsageRecordThisMonth reports the subaccount\'s usage', async () => {
    const records = await rig.twilio.call('usage.thisMonth', () => account().usage.records.thisMonth.list({ limit: 50 }));
    const body = rig.expectContract('api_v2010', 'GET', '/2010-04-01/Accounts/{AccountSid}/Usage/Records/ThisMonth.json', 200);
    expect(body).toHaveProperty('usage_records');
    expect(Array.isArray(records)).toBe(true);
  });
});
