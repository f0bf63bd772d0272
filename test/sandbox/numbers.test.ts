// Addresses, number search and IncomingPhoneNumbers in the sandbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectMatchesSpec } from '../helpers/openapi.ts';
import { createSubaccount, startTestSandbox, type TestSandbox } from './harness.ts';

const API = 'api.twilio.com';
const LOCAL = '/2010-04-01/Accounts/{AccountSid}/AvailablePhoneNumbers/{CountryCode}/Local.json';
const NUMBERS = '/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json';

describe('sandbox phone numbers', () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startTestSandbox();
  });
  afterAll(() => t.close());

  it('Local search is deterministic, honours AreaCode and never offers an owned number', async () => {
    const a = await createSubaccount(t);
    const search = () => t.master.get(API, `${a.base}/AvailablePhoneNumbers/US/Local.json`, { AreaCode: '512', SmsEnabled: 'true', PageSize: '5' });
    const first = await search();
    expect(first.status).toBe(200);
    expectMatchesSpec('api_v2010', 'GET', LOCAL, 200, first.body);
    const numbers = first.body.available_phone_numbers.map((n: { phone_number: string }) => n.phone_number);
    expect(numbers).toHaveLength(5);
    for (const n of numbers) expect(n).toMatch(/^\+1512\d{7}$/);
    expect(first.body.available_phone_numbers[0]).toMatchObject({ locality: 'Austin', region: 'TX', iso_country: 'US', capabilities: { sms: true } });
    expect((await search()).body.available_phone_numbers.map((n: { phone_number: string }) => n.phone_number)).toEqual(numbers);

    const bought = await t.master.post(API, `${a.base}/IncomingPhoneNumbers.json`, { PhoneNumber: numbers[0] });
    expect(bought.status).toBe(201);
    const again = (await search()).body.available_phone_numbers.map((n: { phone_number: string }) => n.phone_number);
    expect(again).not.toContain(numbers[0]);
    expect(again.slice(0, 4)).toEqual(numbers.slice(1));
  });

  it('search refuses a malformed area code and finds nothing when SMS is not wanted', async () => {
    const a = await createSubaccount(t);
    expect((await t.master.get(API, `${a.base}/AvailablePhoneNumbers/US/Local.json`, { AreaCode: '05' })).body.code).toBe(21451);
    const none = await t.master.get(API, `${a.base}/AvailablePhoneNumbers/US/Local.json`, { SmsEnabled: 'false' });
    expect(none.body.available_phone_numbers).toEqual([]);
    expect((await t.master.get(API, `${a.base}/AvailablePhoneNumbers/GB/Local.json`)).status).toBe(404);
  });

  it('purchase needs PhoneNumber or AreaCode, refuses a number someone owns, then fetch, list, filter and release', async () => {
    const a = await createSubaccount(t);
    const b = await createSubaccount(t);
    const none = await t.master.post(API, `${a.base}/IncomingPhoneNumbers.json`, {});
    expect(none).toMatchObject({ status: 400, body: { code: 21450 } });
    const byArea = await t.master.post(API, `${a.base}/IncomingPhoneNumbers.json`, { AreaCode: '206', FriendlyName: 'Main line' });
    expect(byArea.status).toBe(201);
    expectMatchesSpec('api_v2010', 'POST', NUMBERS, 201, byArea.body);
    expect(byArea.body).toMatchObject({ account_sid: a.sid, friendly_name: 'Main line', capabilities: { sms: true, mms: true, voice: true } });
    expect(byArea.body.sid).toMatch(/^PN[0-9a-f]{32}$/);
    expect(byArea.body.phone_number).toMatch(/^\+1206/);

    const taken = await t.master.post(API, `${b.base}/IncomingPhoneNumbers.json`, { PhoneNumber: byArea.body.phone_number });
    expect(taken).toMatchObject({ status: 400, body: { code: 21422 } });
    expect((await t.master.post(API, `${b.base}/IncomingPhoneNumbers.json`, { PhoneNumber: '12065550100' })).body.code).toBe(21421);

    const fetched = await t.master.get(API, `${a.base}/IncomingPhoneNumbers/${byArea.body.sid}.json`);
    expectMatchesSpec('api_v2010', 'GET', '/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json', 200, fetched.body);
    const list = await t.master.get(API, `${a.base}/IncomingPhoneNumbers.json`, { PhoneNumber: byArea.body.phone_number });
    expectMatchesSpec('api_v2010', 'GET', NUMBERS, 200, list.body);
    expect(list.body.incoming_phone_numbers.map((n: { sid: string }) => n.sid)).toEqual([byArea.body.sid]);
    // Another account's number is not found under that account.
    expect((await t.master.get(API, `${b.base}/IncomingPhoneNumbers/${byArea.body.sid}.json`)).status).toBe(404);

    const updated = await t.master.post(API, `${a.base}/IncomingPhoneNumbers/${byArea.body.sid}.json`, { SmsUrl: 'https://hooks.example.com/sms' });
    expect(updated.body.sms_url).toBe('https://hooks.example.com/sms');
    expectMatchesSpec('api_v2010', 'POST', '/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json', 200, updated.body);

    const released = await t.master.delete(API, `${a.base}/IncomingPhoneNumbers/${byArea.body.sid}.json`);
    expect(released.status).toBe(204);
    expect(released.body).toBeUndefined();
    expect((await t.master.get(API, `${a.base}/IncomingPhoneNumbers/${byArea.body.sid}.json`)).status).toBe(404);
    // Released numbers go back to the inventory.
    expect((await t.master.post(API, `${b.base}/IncomingPhoneNumbers.json`, { PhoneNumber: byArea.body.phone_number })).status).toBe(201);
  });

  it('addresses need every required field and are listed per account', async () => {
    const a = await createSubaccount(t);
    const missing = await t.master.post(API, `${a.base}/Addresses.json`, { CustomerName: 'Acme' });
    expect(missing).toMatchObject({ status: 400, body: { code: 20001, message: 'Missing required parameter Street in the post body' } });
    const created = await t.master.post(API, `${a.base}/Addresses.json`, {
      CustomerName: 'Acme Inc',
      Street: '1 Main St',
      City: 'San Francisco',
      Region: 'CA',
      PostalCode: '94105',
      IsoCountry: 'US',
    });
    expect(created.status).toBe(201);
    expectMatchesSpec('api_v2010', 'POST', '/2010-04-01/Accounts/{AccountSid}/Addresses.json', 201, created.body);
    expect(created.body.sid).toMatch(/^AD[0-9a-f]{32}$/);
    const fetched = await t.master.get(API, `${a.base}/Addresses/${created.body.sid}.json`);
    expectMatchesSpec('api_v2010', 'GET', '/2010-04-01/Accounts/{AccountSid}/Addresses/{Sid}.json', 200, fetched.body);
    const list = await a.api.get(API, `${a.base}/Addresses.json`, { CustomerName: 'Acme Inc' });
    expectMatchesSpec('api_v2010', 'GET', '/2010-04-01/Accounts/{AccountSid}/Addresses.json', 200, list.body);
    expect(list.body.addresses).toHaveLength(1);
    const withAddress = await t.master.post(API, `${a.base}/IncomingPhoneNumbers.json`, { AreaCode: '415', AddressSid: created.body.sid });
    expect(withAddress.body.address_sid).toBe(created.body.sid);
  });
});
