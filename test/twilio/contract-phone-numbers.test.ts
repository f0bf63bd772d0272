// Contract: api.twilio.com Addresses, AvailablePhoneNumbers (Local) and IncomingPhoneNumbers, called with the
// master credentials on a subaccount's path (FACTS §0, §2), checked against api_v2010.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContractRig, type ContractRig, type Subaccount } from './contract-rig.ts';

describe('contract: Addresses and phone numbers', () => {
  let rig: ContractRig;
  let sub: Subaccount;
  beforeAll(async () => {
    rig = await createContractRig();
    sub = await rig.newSubaccount();
  });
  afterAll(async () => {
    await rig?.close();
  });

  const account = () => rig.twilio.master.api.v2010.accounts(sub.sid);

  async function createAddress() {
    return rig.twilio.call('addresses.create', () =>
      account().addresses.create({
        customerName: 'Acme Dental LLC',
        street: '1 Market St',
        city: 'San Francisco',
        region: 'CA',
        postalCode: '94105',
        isoCountry: 'US',
        friendlyName: 'isv:hq',
      }),
    );
  }

  it('CreateAddress stores the customer address under the subaccount', async () => {
    const address = await createAddress();
    const body = rig.expectContract('api_v2010', 'POST', '/2010-04-01/Accounts/{AccountSid}/Addresses.json', 201);
    expect(address.sid).toMatch(/^AD[0-9a-f]{32}$/);
    expect(body).toMatchObject({ account_sid: sub.sid, customer_name: 'Acme Dental LLC', iso_country: 'US' });
  });

  it('FetchAddress and ListAddress return it', async () => {
    const address = await createAddress();
    const fetched = await rig.twilio.call('addresses.fetch', () => account().addresses(address.sid).fetch());
    rig.expectContract('api_v2010', 'GET', '/2010-04-01/Accounts/{AccountSid}/Addresses/{Sid}.json', 200);
    expect(fetched.sid).toBe(address.sid);
    const list = await rig.twilio.call('addresses.list', () => account().addresses.list({ limit: 50 }));
    rig.expectContract('api_v2010', 'GET', '/2010-04-01/Accounts/{AccountSid}/Addresses.json', 200);
    expect(list.map((a) => a.sid)).toContain(address.sid);
  });

  it('ListAvailablePhoneNumberLocal searches by AreaCode with SMS enabled', async () => {
    const found = await rig.twilio.call('availablePhoneNumbers.local', () =>
      account().availablePhoneNumbers('US').local.list({ areaCode: 415, smsEnabled: true, limit: 5 }),
    );
    const body = rig.expectContract('api_v2010', 'GET', '/2010-04-01/Accounts/{AccountSid}/AvailablePhoneNumbers/{CountryCode}/Local.json', 200);
    expect(found.length).toBeGreaterThan(0);
    for (const n of found) {
      expect(n.phoneNumber).toMatch(/^\+1415\d{7}$/);
      expect(n.capabilities.sms).toBe(true);
    }
    expect(body).toHaveProperty('available_phone_numbers');
  });

  it('CreateIncomingPhoneNumber buys a found number; fetch, list and release follow', async () => {
    const [candidate] = await account().availablePhoneNumbers('US').local.list({ areaCode: 415, smsEnabled: true, limit: 1 });
    const bought = await rig.twilio.call('incomingPhoneNumbers.create', () =>
      account().incomingPhoneNumbers.create({ phoneNumber: candidate!.phoneNumber, friendlyName: 'isv:number' }),
    );
    const created = rig.expectContract('api_v2010', 'POST', '/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json', 201);
    expect(bought.sid).toMatch(/^PN[0-9a-f]{32}$/);
    expect(created).toMatchObject({ account_sid: sub.sid, phone_number: candidate!.phoneNumber });

    const fetched = await rig.twilio.call('incomingPhoneNumbers.fetch', () => account().incomingPhoneNumbers(bought.sid).fetch());
    rig.expectContract('api_v2010', 'GET', '/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json', 200);
    expect(fetched.phoneNumber).toBe(candidate!.phoneNumber);

    const listed = await rig.twilio.call('incomingPhoneNumbers.list', () => account().incomingPhoneNumbers.list({ limit: 50 }));
    rig.expectContract('api_v2010', 'GET', '/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json', 200);
    expect(listed.map((n) => n.sid)).toContain(bought.sid);

    const removed = await rig.twilio.call('incomingPhoneNumbers.remove', () => account().incomingPhoneNumbers(bought.sid).remove());
    rig.expectContract('api_v2010', 'DELETE', '/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json', 204);
    expect(removed).toBe(true);
    await expect(rig.twilio.call('incomingPhoneNumbers.fetch', () => account().incomingPhoneNumbers(bought.sid).fetch())).rejects.toMatchObject({
      kind: 'permanent',
      httpStatus: 404,
      twilioCode: 20404,
    });
  });
});
