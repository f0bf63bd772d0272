// Messaging Services (messaging.twilio.com/v1) in the sandbox: CRUD, the number pool and use cases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectMatchesSpec } from '../helpers/openapi.ts';
import { buyNumber, createSubaccount, startTestSandbox, type TestSandbox } from './harness.ts';

const MSG = 'messaging.twilio.com';

describe('sandbox messaging services', () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startTestSandbox();
  });
  afterAll(() => t.close());

  it('create needs FriendlyName; create, fetch, list, update and delete follow the v1 schemas', async () => {
    const a = await createSubaccount(t);
    const missing = await a.api.post(MSG, '/v1/Services', {});
    expect(missing).toMatchObject({ status: 400, body: { code: 20001, message: 'Missing required parameter FriendlyName in the post body' } });

    const created = await a.api.post(MSG, '/v1/Services', {
      FriendlyName: 'Acme notifications',
      InboundRequestUrl: 'https://hooks.example.com/inbound',
      StatusCallback: 'https://hooks.example.com/status',
      Usecase: 'notifications',
      StickySender: 'false',
    });
    expect(created.status).toBe(201);
    expectMatchesSpec('messaging_v1', 'POST', '/v1/Services', 201, created.body);
    expect(created.body).toMatchObject({
      account_sid: a.sid,
      friendly_name: 'Acme notifications',
      inbound_method: 'POST',
      usecase: 'notifications',
      sticky_sender: false,
      us_app_to_person_registered: false,
      url: `https://messaging.twilio.com/v1/Services/${created.body.sid}`,
    });
    expect(created.body.sid).toMatch(/^MG[0-9a-f]{32}$/);
    expect(created.body.date_created).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

    const sid = created.body.sid as string;
    expectMatchesSpec('messaging_v1', 'GET', '/v1/Services/{Sid}', 200, (await a.api.get(MSG, `/v1/Services/${sid}`)).body);
    const updated = await a.api.post(MSG, `/v1/Services/${sid}`, { FriendlyName: 'Renamed', InboundRequestUrl: '' });
    expectMatchesSpec('messaging_v1', 'POST', '/v1/Services/{Sid}', 200, updated.body);
    expect(updated.body).toMatchObject({ friendly_name: 'Renamed', inbound_request_url: null, usecase: 'notifications' });
    expect((await a.api.post(MSG, `/v1/Services/${sid}`, { Usecase: 'gossip' })).body.code).toBe(20001);

    await a.api.post(MSG, '/v1/Services', { FriendlyName: 'Second' });
    const page = await a.api.get(MSG, '/v1/Services', { PageSize: '1' });
    expectMatchesSpec('messaging_v1', 'GET', '/v1/Services', 200, page.body);
    expect(page.body.services).toHaveLength(1);
    expect(page.body.meta).toMatchObject({ key: 'services', page: 0, page_size: 1, previous_page_url: null });
    expect(page.body.meta.next_page_url).toMatch(/^https:\/\/messaging\.twilio\.com\/v1\/Services\?PageSize=1&Page=1&PageToken=PT1$/);
    const second = await a.api.get(MSG, '/v1/Services', { PageSize: '1', Page: '1', PageToken: 'PT1' });
    expect(second.body.services[0].friendly_name).toBe('Second');
    expect(second.body.meta.next_page_url).toBeNull();

    expect((await a.api.delete(MSG, `/v1/Services/${sid}`)).status).toBe(204);
    expect((await a.api.get(MSG, `/v1/Services/${sid}`)).status).toBe(404);
  });

  it('numbers join a pool only from the same account, once, and leave it on remove or release', async () => {
    const a = await createSubaccount(t);
    const b = await createSubaccount(t);
    const svc = (await a.api.post(MSG, '/v1/Services', { FriendlyName: 'Pool' })).body.sid as string;
    const mine = await buyNumber(t, a);
    const theirs = await buyNumber(t, b);

    expect((await a.api.post(MSG, `/v1/Services/${svc}/PhoneNumbers`, {})).body.code).toBe(20001);
    expect((await a.api.post(MSG, `/v1/Services/${svc}/PhoneNumbers`, { PhoneNumberSid: theirs.sid })).status).toBe(404);
    const added = await a.api.post(MSG, `/v1/Services/${svc}/PhoneNumbers`, { PhoneNumberSid: mine.sid });
    expect(added.status).toBe(201);
    expectMatchesSpec('messaging_v1', 'POST', '/v1/Services/{ServiceSid}/PhoneNumbers', 201, added.body);
    expect(added.body).toMatchObject({ sid: mine.sid, service_sid: svc, phone_number: mine.phone, country_code: 'US' });
    expect((await a.api.post(MSG, `/v1/Services/${svc}/PhoneNumbers`, { PhoneNumberSid: mine.sid })).body.code).toBe(21710);

    const list = await a.api.get(MSG, `/v1/Services/${svc}/PhoneNumbers`);
    expectMatchesSpec('messaging_v1', 'GET', '/v1/Services/{ServiceSid}/PhoneNumbers', 200, list.body);
    expect(list.body.phone_numbers.map((p: { sid: string }) => p.sid)).toEqual([mine.sid]);
    const one = await a.api.get(MSG, `/v1/Services/${svc}/PhoneNumbers/${mine.sid}`);
    expectMatchesSpec('messaging_v1', 'GET', '/v1/Services/{ServiceSid}/PhoneNumbers/{Sid}', 200, one.body);
    expect((await b.api.get(MSG, `/v1/Services/${svc}/PhoneNumbers/${mine.sid}`)).status).toBe(404);

    expect((await a.api.delete(MSG, `/v1/Services/${svc}/PhoneNumbers/${mine.sid}`)).status).toBe(204);
    expect((await a.api.get(MSG, `/v1/Services/${svc}/PhoneNumbers`)).body.phone_numbers).toEqual([]);

    await a.api.post(MSG, `/v1/Services/${svc}/PhoneNumbers`, { PhoneNumberSid: mine.sid });
    await t.master.delete('api.twilio.com', `/2010-04-01/Accounts/${a.sid}/IncomingPhoneNumbers/${mine.sid}.json`);
    expect((await a.api.get(MSG, `/v1/Services/${svc}/PhoneNumbers`)).body.phone_numbers).toEqual([]);
  });

  it('a service with an empty pool cannot send without From (21704)', async () => {
    const a = await createSubaccount(t);
    const svc = (await a.api.post(MSG, '/v1/Services', { FriendlyName: 'Empty' })).body.sid as string;
    const res = await t.master.post('api.twilio.com', `/2010-04-01/Accounts/${a.sid}/Messages.json`, { To: '+14155550199', MessagingServiceSid: svc, Body: 'x' });
    expect(res.body.code).toBe(21704);
  });

  it('lists the service use cases', async () => {
    const a = await createSubaccount(t);
    const res = await a.api.get(MSG, '/v1/Services/Usecases');
    expect(res.status).toBe(200);
    expectMatchesSpec('messaging_v1', 'GET', '/v1/Services/Usecases', 200, res.body);
    expect(res.body.usecases.map((u: { usecase: string }) => u.usecase)).toEqual(
      expect.arrayContaining(['notifications', 'marketing', 'verification', 'discussion', 'poll', 'undeclared']),
    );
  });
});
