// Contract: messaging.twilio.com v1 Services, their PhoneNumbers (sender pool) and the service Usecases, called
// with the subaccount's own credentials (FACTS §0, §4), checked against messaging_v1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContractRig, type ContractRig, type Subaccount } from './contract-rig.ts';

describe('contract: Messaging Services', () => {
  let rig: ContractRig;
  let sub: Subaccount;
  beforeAll(async () => {
    rig = await createContractRig();
    sub = await rig.newSubaccount();
  });
  afterAll(async () => {
    await rig?.close();
  });

  const createService = (friendlyName: string) =>
    rig.twilio.call('services.create', () =>
      sub.client.messaging.v1.services.create({
        friendlyName,
        inboundRequestUrl: 'https://hooks.example.com/inbound',
        statusCallback: 'https://hooks.example.com/status',
        usecase: 'notifications',
      }),
    );

  async function buyNumber() {
    const account = rig.twilio.master.api.v2010.accounts(sub.sid);
    const [candidate] = await account.availablePhoneNumbers('US').local.list({ areaCode: 212, smsEnabled: true, limit: 1 });
    return account.incomingPhoneNumbers.create({ phoneNumber: candidate!.phoneNumber });
  }

  it('CreateService makes a messaging service with inbound and status URLs', async () => {
    const service = await createService('isv:service-create');
    const body = rig.expectContract('messaging_v1', 'POST', '/v1/Services', 201);
    expect(service.sid).toMatch(/^MG[0-9a-f]{32}$/);
    expect(body).toMatchObject({ account_sid: sub.sid, friendly_name: 'isv:service-create', inbound_request_url: 'https://hooks.example.com/inbound' });
  });

  it('FetchService, ListService and UpdateService', async () => {
    const service = await createService('isv:service-crud');
    const fetched = await rig.twilio.call('services.fetch', () => sub.client.messaging.v1.services(service.sid).fetch());
    rig.expectContract('messaging_v1', 'GET', '/v1/Services/{Sid}', 200);
    expect(fetched.friendlyName).toBe('isv:service-crud');
    const listed = await rig.twilio.call('services.list', () => sub.client.messaging.v1.services.list({ limit: 50 }));
    rig.expectContract('messaging_v1', 'GET', '/v1/Services', 200);
    expect(listed.map((s) => s.sid)).toContain(service.sid);
    const updated = await rig.twilio.call('services.update', () =>
      sub.client.messaging.v1.services(service.sid).update({ statusCallback: 'https://hooks.example.com/status2' }),
    );
    rig.expectContract('messaging_v1', 'POST', '/v1/Services/{Sid}', 200);
    expect(updated.statusCallback).toBe('https://hooks.example.com/status2');
  });

  it('DeleteService removes it', async () => {
    const service = await createService('isv:service-delete');
    const removed = await rig.twilio.call('services.remove', () => sub.client.messaging.v1.services(service.sid).remove());
    rig.expectContract('messaging_v1', 'DELETE', '/v1/Services/{Sid}', 204);
    expect(removed).toBe(true);
    await expect(rig.twilio.call('services.fetch', () => sub.client.messaging.v1.services(service.sid).fetch())).rejects.toMatchObject({ httpStatus: 404, twilioCode: 20404 });
  });

  it('CreatePhoneNumber adds a number to the sender pool; list and remove follow', async () => {
    const service = await createService('isv:service-pool');
    const number = await buyNumber();
    const added = await rig.twilio.call('services.phoneNumbers.create', () =>
      sub.client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: number.sid }),
    );
    const body = rig.expectContract('messaging_v1', 'POST', '/v1/Services/{ServiceSid}/PhoneNumbers', 201);
    expect(added.sid).toBe(number.sid);
    expect(body).toMatchObject({ service_sid: service.sid, phone_number: number.phoneNumber });

    const listed = await rig.twilio.call('services.phoneNumbers.list', () => sub.client.messaging.v1.services(service.sid).phoneNumbers.list({ limit: 50 }));
    rig.expectContract('messaging_v1', 'GET', '/v1/Services/{ServiceSid}/PhoneNumbers', 200);
    expect(listed.map((p) => p.sid)).toEqual([number.sid]);

    const removed = await rig.twilio.call('services.phoneNumbers.remove', () => sub.client.messaging.v1.services(service.sid).phoneNumbers(number.sid).remove());
    rig.expectContract('messaging_v1', 'DELETE', '/v1/Services/{ServiceSid}/PhoneNumbers/{Sid}', 204);
    expect(removed).toBe(true);
  });

  it('FetchUsecase lists the service use cases', async () => {
    const usecases = await rig.twilio.call('services.usecases', () => sub.client.messaging.v1.usecases.fetch());
    const body = rig.expectContract('messaging_v1', 'GET', '/v1/Services/Usecases', 200);
    expect(body).toHaveProperty('usecases');
    expect((usecases.usecases as { usecase: string }[]).map((u) => u.usecase)).toContain('notifications');
  });
});
