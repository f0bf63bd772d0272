// Content API v1 in the sandbox: JSON templates checked against content_v1's type schemas, WhatsApp approval
// requests moving received → pending → approved | rejected, and the REJECT trigger with its fix.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectSpec, expectTwilioError, openHarness, type Client, type Harness } from './review-fixtures.ts';

const SPEC = 'content_v1';
const CT = 'content.twilio.com';
let h: Harness;
let sub: Client;

beforeEach(async () => {
  h = await openHarness();
  sub = await h.newSubaccount();
});
afterEach(async () => {
  await h.close();
});

const reminder = (body = 'Hi {{1}}, your appointment is on {{2}}. Reply C to confirm.') => ({
  friendly_name: 'appointment_reminder',
  language: 'en',
  variables: { '1': 'Jane', '2': 'Tuesday 3pm' },
  types: {
    'twilio/quick-reply': { body, actions: [{ title: 'Confirm', id: 'confirm' }, { title: 'Cancel', id: 'cancel' }] },
    'twilio/text': { body },
  },
});

async function createContent(c: Client, payload: unknown = reminder()): Promise<string> {
  const r = await c.json('POST', CT, '/v1/Content', payload);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.sid as string;
}

const approvalStatus = async (sid: string) => (await sub.form('GET', CT, `/v1/Content/${sid}/ApprovalRequests`)).body.whatsapp.status as string;

describe('Content templates', () => {
  it('creates, fetches, lists and deletes a template', async () => {
    const created = expectSpec(SPEC, 'POST', '/v1/Content', await sub.json('POST', CT, '/v1/Content', reminder()), 201);
    expect(created.sid).toMatch(/^HX[0-9a-f]{32}$/);
    expect(created).toMatchObject({ account_sid: sub.sid, language: 'en', friendly_name: 'appointment_reminder', variables: { '1': 'Jane' } });
    expect(created.links.approval_create).toBe(`https://${CT}/v1/Content/${created.sid}/ApprovalRequests/whatsapp`);
    expectSpec(SPEC, 'GET', '/v1/Content/{Sid}', await sub.form('GET', CT, `/v1/Content/${created.sid}`), 200);
    const list = expectSpec(SPEC, 'GET', '/v1/Content', await sub.form('GET', CT, '/v1/Content'), 200);
    expect(list.meta.key).toBe('contents');
    expect(list.contents).toHaveLength(1);
    const withApprovals = expectSpec(SPEC, 'GET', '/v1/ContentAndApprovals', await sub.form('GET', CT, '/v1/ContentAndApprovals'), 200);
    expect(withApprovals.contents[0].approval_requests.status).toBe('unsubmitted');
    expect((await sub.form('DELETE', CT, `/v1/Content/${created.sid}`)).status).toBe(204);
    expectTwilioError(await sub.form('GET', CT, `/v1/Content/${created.sid}`), 404, 20404);
  });

  it('refuses missing language or types, unknown types and fields, and type-specific required fields', async () => {
    const post = (b: unknown) => sub.json('POST', CT, '/v1/Content', b);
    expectTwilioError(await post({ types: { 'twilio/text': { body: 'hi' } } }), 400, 20001, /language/);
    expectTwilioError(await post({ language: 'en' }), 400, 20001, /types/);
    expectTwilioError(await post({ language: 'en', types: {} }), 400, 20001, /types/);
    expectTwilioError(await post({ language: 'en', types: { 'twilio/sms': { body: 'hi' } } }), 400, 20001, /unknown content type/);
    expectTwilioError(await post({ language: 'en', types: { 'twilio/text': { text: 'hi' } } }), 400, 20001, /text/);
    expectTwilioError(await post({ language: 'en', types: { 'twilio/quick-reply': { body: 'pick one' } } }), 400, 20001, /actions/);
    expectTwilioError(
      await post({ language: 'en', types: { 'twilio/call-to-action': { body: 'Call us', actions: [{ type: 'FAX', title: 'Fax' }] } } }),
      400,
      20001,
      /type/,
    );
    expectTwilioError(await post({ language: 'en', types: { 'twilio/text': { body: 'hi' } }, variables: { '1': 5 } }), 400, 20001, /variables/);
    // The SDK passes the body through unchanged: camelCase keys are not Content fields.
    expectTwilioError(await post({ language: 'en', friendlyName: 'x', types: { 'twilio/text': { body: 'hi' } } }), 400, 20001, /friendlyName/);
    expectTwilioError(await post({ language: 'en', types: { twilioText: { body: 'hi' } } }), 400, 20001, /twilioText/);
    const form = await sub.form('POST', CT, '/v1/Content', { language: 'en' });
    expectTwilioError(form, 400, 20001, /JSON/);
  });

  it('keeps templates per account: a sibling subaccount gets 404', async () => {
    const sid = await createContent(sub);
    const sibling = await h.newSubaccount('sibling');
    expectTwilioError(await sibling.form('GET', CT, `/v1/Content/${sid}`), 404, 20404);
    expectTwilioError(await sibling.json('POST', CT, `/v1/Content/${sid}/ApprovalRequests/whatsapp`, { name: 'x', category: 'UTILITY' }), 404, 20404);
    expect((await sibling.form('GET', CT, '/v1/Content')).body.contents).toEqual([]);
  });
});

describe('WhatsApp approval requests', () => {
  it('moves an approval received → pending → approved', async () => {
    const sid = await createContent(sub);
    const unsubmitted = expectSpec(SPEC, 'GET', '/v1/Content/{Sid}/ApprovalRequests', await sub.form('GET', CT, `/v1/Content/${sid}/ApprovalRequests`), 200);
    expect(unsubmitted.whatsapp.status).toBe('unsubmitted');
    const created = expectSpec(
      SPEC,
      'POST',
      '/v1/Content/{ContentSid}/ApprovalRequests/whatsapp',
      await sub.json('POST', CT, `/v1/Content/${sid}/ApprovalRequests/whatsapp`, { name: 'appointment_reminder', category: 'UTILITY' }),
      201,
    );
    expect(created).toEqual({
      name: 'appointment_reminder',
      category: 'UTILITY',
      content_type: 'twilio/quick-reply',
      status: 'received',
      rejection_reason: '',
      allow_category_change: true,
    });
    await h.step();
    expect(await approvalStatus(sid)).toBe('pending');
    await h.step();
    const fetched = expectSpec(SPEC, 'GET', '/v1/Content/{Sid}/ApprovalRequests', await sub.form('GET', CT, `/v1/Content/${sid}/ApprovalRequests`), 200);
    expect(fetched).toMatchObject({ sid, account_sid: sub.sid, whatsapp: { type: 'whatsapp', status: 'approved', name: 'appointment_reminder' } });
    expectTwilioError(await sub.json('POST', CT, `/v1/Content/${sid}/ApprovalRequests/whatsapp`, { name: 'again', category: 'UTILITY' }), 400, 20001, /already submitted/);
  });

  it('rejects a template containing REJECT with a rejection_reason; a corrected template is approved', async () => {
    const bad = await createContent(sub, reminder('Hi {{1}}, REJECT this offer now!'));
    await sub.json('POST', CT, `/v1/Content/${bad}/ApprovalRequests/whatsapp`, { name: 'offer', category: 'MARKETING' });
    const rejected = await h.settle(
      () => sub.form('GET', CT, `/v1/Content/${bad}/ApprovalRequests`),
      (b) => b.whatsapp.status === 'approved' || b.whatsapp.status === 'rejected',
    );
    expect(rejected.whatsapp.status).toBe('rejected');
    expect(rejected.whatsapp.rejection_reason).not.toBe('');
    // A rejected request may be submitted again, and is rejected again while the text still carries the trigger.
    expect((await sub.json('POST', CT, `/v1/Content/${bad}/ApprovalRequests/whatsapp`, { name: 'offer', category: 'MARKETING' })).status).toBe(201);

    const good = await createContent(sub, reminder('Hi {{1}}, our spring offer is live.'));
    await sub.json('POST', CT, `/v1/Content/${good}/ApprovalRequests/whatsapp`, { name: 'offer_v2', category: 'MARKETING' });
    await h.step();
    await h.step();
    expect(await approvalStatus(good)).toBe('approved');
    expect(await approvalStatus(bad)).toBe('rejected');
  });

  it('updates a template with PUT until WhatsApp reviews it; a rejected template edited with PUT is approved on resubmission', async () => {
    const sid = await createContent(sub, reminder('Hi {{1}}, REJECT me.'));
    const put = (b: unknown) => sub.json('PUT', CT, `/v1/Content/${sid}`, b);
    expectTwilioError(await put({ language: 'en' }), 400, 20001, /types/);
    const edited = expectSpec(SPEC, 'PUT', '/v1/Content/{Sid}', await put({ types: { 'twilio/text': { body: 'Hi {{1}}, REJECT me again.' } } }), 200);
    expect(edited.types).toEqual({ 'twilio/text': { body: 'Hi {{1}}, REJECT me again.' } });
    await sub.json('POST', CT, `/v1/Content/${sid}/ApprovalRequests/whatsapp`, { name: 'hello', category: 'UTILITY' });
    expectTwilioError(await put({ types: { 'twilio/text': { body: 'Hi {{1}}.' } } }), 400, 20001, /received/);
    await h.step();
    await h.step();
    expect(await approvalStatus(sid)).toBe('rejected');
    expect((await put({ types: { 'twilio/text': { body: 'Hi {{1}}, welcome.' } } })).status).toBe(200);
    expect(await approvalStatus(sid)).toBe('unsubmitted');
    await sub.json('POST', CT, `/v1/Content/${sid}/ApprovalRequests/whatsapp`, { name: 'hello', category: 'UTILITY' });
    await h.step();
    await h.step();
    expect(await approvalStatus(sid)).toBe('approved');
  });

  it('checks name, category and whether the content can be sent to WhatsApp', async () => {
    const sid = await createContent(sub);
    const post = (b: unknown, s = sid) => sub.json('POST', CT, `/v1/Content/${s}/ApprovalRequests/whatsapp`, b);
    expectTwilioError(await post({ category: 'UTILITY' }), 400, 20001, /name/);
    expectTwilioError(await post({ name: 'reminder' }), 400, 20001, /category/);
    expectTwilioError(await post({ name: 'Reminder Template', category: 'UTILITY' }), 400, 20001, /lower-case/);
    expectTwilioError(await post({ name: 'reminder', category: 'TRANSACTIONAL' }), 400, 20001, /category/);
    expectTwilioError(await post({ name: 'reminder', category: 'AUTHENTICATION' }), 400, 20001, /AUTHENTICATION/);
    const location = await createContent(sub, { language: 'en', types: { 'twilio/location': { latitude: 37.79, longitude: -122.39, label: 'Acme' } } });
    expectTwilioError(await post({ name: 'where', category: 'UTILITY' }, location), 400, 20001, /cannot be submitted/);
    const otp = await createContent(sub, {
      language: 'en',
      types: { 'whatsapp/authentication': { add_security_recommendation: true, actions: [{ type: 'COPY_CODE', copy_code_text: 'Copy code' }] } },
    });
    expect((await post({ name: 'login_code', category: 'AUTHENTICATION' }, otp)).status).toBe(201);
  });
});
