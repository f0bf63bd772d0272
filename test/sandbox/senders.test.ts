// WhatsApp senders (Messaging v2 Channels/Senders) in the sandbox: JSON create/fetch/list/update/delete,
// CREATING → PENDING_VERIFICATION → VERIFYING → ONLINE | OFFLINE, the wrong-OTP and OFFLINE triggers with their fixes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectSpec, expectTwilioError, MSG, openHarness, type Client, type Harness } from './review-fixtures.ts';

const SPEC = 'messaging_v2';
let h: Harness;
let sub: Client;

beforeEach(async () => {
  h = await openHarness();
  sub = await h.newSubaccount();
});
afterEach(async () => {
  await h.close();
});

const sender = (overrides: Record<string, unknown> = {}) => ({
  sender_id: 'whatsapp:+14155550123',
  configuration: { waba_id: '1234567890', verification_method: 'sms' },
  webhook: { callback_url: 'https://hooks.example.com/wa', callback_method: 'POST' },
  profile: { name: 'Acme Dental', about: 'Dentist in SF', websites: ['https://acme-dental.example.com'], emails: [{ email: 'hi@acme-dental.example.com', label: 'Email' }] },
  ...overrides,
});

const get = async (sid: string) => expectSpec(SPEC, 'GET', '/v2/Channels/Senders/{Sid}', await sub.form('GET', MSG, `/v2/Channels/Senders/${sid}`), 200);
const verify = (sid: string, code: string) => sub.json('POST', MSG, `/v2/Channels/Senders/${sid}`, { configuration: { verification_code: code } });

async function createSender(body: unknown = sender()): Promise<string> {
  const r = await sub.json('POST', MSG, '/v2/Channels/Senders', body);
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  return r.body.sid as string;
}

describe('WhatsApp senders', () => {
  it('registers a sender CREATING → PENDING_VERIFICATION → (code) VERIFYING → ONLINE', async () => {
    const created = expectSpec(SPEC, 'POST', '/v2/Channels/Senders', await sub.json('POST', MSG, '/v2/Channels/Senders', sender()), 202);
    expect(created.sid).toMatch(/^XE[0-9a-f]{32}$/);
    expect(created).toMatchObject({ status: 'CREATING', sender_id: 'whatsapp:+14155550123', compliance: null, offline_reasons: null });
    expect(created.profile.websites).toEqual([{ website: 'https://acme-dental.example.com', label: 'Website' }]);
    await h.step();
    expect((await get(created.sid)).status).toBe('PENDING_VERIFICATION');
    // Nothing happens until the code arrives.
    await h.step();
    expect((await get(created.sid)).status).toBe('PENDING_VERIFICATION');

    const verifying = expectSpec(SPEC, 'POST', '/v2/Channels/Senders/{Sid}', await verify(created.sid, '123456'), 202);
    expect(verifying.status).toBe('VERIFYING');
    expect(verifying.configuration.verification_code).toBeNull();
    await h.step();
    const online = await get(created.sid);
    expect(online).toMatchObject({ status: 'ONLINE', offline_reasons: null, properties: { quality_rating: 'HIGH' } });
    const list = expectSpec(SPEC, 'GET', '/v2/Channels/Senders', await sub.form('GET', MSG, '/v2/Channels/Senders', { Channel: 'whatsapp' }), 200);
    expect(list.meta.key).toBe('senders');
    expect(list.senders.map((s: { sid: string }) => s.sid)).toEqual([created.sid]);
    expect((await sub.form('GET', MSG, '/v2/Channels/Senders', { Channel: 'rcs' })).body.senders).toEqual([]);
  });

  it('puts a wrong code (000000) back to PENDING_VERIFICATION with a reason, and the right code then brings it ONLINE', async () => {
    const sid = await createSender();
    await h.step();
    expect((await verify(sid, '000000')).status).toBe(202);
    await h.step();
    const waiting = await get(sid);
    expect(waiting.status).toBe('PENDING_VERIFICATION');
    expect(waiting.offline_reasons).toEqual([expect.objectContaining({ code: 'VERIFICATION_CODE_INVALID' })]);
    expect((await verify(sid, '654321')).status).toBe(202);
    await h.step();
    expect((await get(sid)).status).toBe('ONLINE');
  });

  it('takes a profile name containing OFFLINE OFFLINE with offline_reasons; correcting the name brings it ONLINE', async () => {
    const sid = await createSender(sender({ profile: { name: 'OFFLINE Dental' } }));
    await h.step();
    await verify(sid, '123456');
    await h.step();
    const offline = await get(sid);
    expect(offline.status).toBe('OFFLINE');
    expect(offline.offline_reasons).toEqual([expect.objectContaining({ code: 'DISPLAY_NAME_REJECTED', more_info: expect.stringMatching(/^https:/) })]);
    const fixed = expectSpec(SPEC, 'POST', '/v2/Channels/Senders/{Sid}', await sub.json('POST', MSG, `/v2/Channels/Senders/${sid}`, { profile: { name: 'Acme Dental' } }), 202);
    expect(fixed.status).toBe('VERIFYING');
    await h.step();
    expect(await get(sid)).toMatchObject({ status: 'ONLINE', profile: { name: 'Acme Dental' } });
    // A later profile change while ONLINE goes through ONLINE:UPDATING.
    const updating = (await sub.json('POST', MSG, `/v2/Channels/Senders/${sid}`, { profile: { about: 'Family dentist' } })).body;
    expect(updating.status).toBe('ONLINE:UPDATING');
    await h.step();
    expect(await get(sid)).toMatchObject({ status: 'ONLINE', profile: { about: 'Family dentist' } });
  });

  it('checks sender_id, profile.name, field names and the Channel filter', async () => {
    const post = (b: unknown) => sub.json('POST', MSG, '/v2/Channels/Senders', b);
    expectTwilioError(await post({ profile: { name: 'Acme' } }), 400, 20001, /sender_id/);
    expectTwilioError(await post(sender({ sender_id: '+14155550123' })), 400, 20001, /sender_id/);
    expectTwilioError(await post(sender({ sender_id: 'rcs:acme_agent' })), 400, 20001, /WhatsApp/);
    expectTwilioError(await post(sender({ profile: { about: 'no name' } })), 400, 20001, /profile\.name/);
    expectTwilioError(await post(sender({ configuration: { verification_method: 'email' } })), 400, 20001, /verification_method/);
    expectTwilioError(await post(sender({ webhook: { callback_url: 'not a url' } })), 400, 20001, /callback_url/);
    expectTwilioError(await post(sender({ profile: { name: 'Acme', nickname: 'x' } })), 400, 20001, /nickname/);
    expectTwilioError(await sub.form('GET', MSG, '/v2/Channels/Senders'), 400, 20001, /Channel/);
    await createSender();
    expectTwilioError(await post(sender()), 400, 20001, /already registered/);
  });

  it('accepts a code only while PENDING_VERIFICATION, deletes with 204, and hides senders from other accounts', async () => {
    const sid = await createSender();
    expectTwilioError(await verify(sid, '123456'), 400, 20001, /PENDING_VERIFICATION/);
    const sibling = await h.newSubaccount('sibling');
    expectTwilioError(await sibling.form('GET', MSG, `/v2/Channels/Senders/${sid}`), 404, 20404);
    expectTwilioError(await sibling.form('DELETE', MSG, `/v2/Channels/Senders/${sid}`), 404, 20404);
    expect((await sub.form('DELETE', MSG, `/v2/Channels/Senders/${sid}`)).status).toBe(204);
    expectTwilioError(await sub.form('GET', MSG, `/v2/Channels/Senders/${sid}`), 404, 20404);
    expect(h.sandbox.pendingTransitions().filter((t) => t.sid === sid)).toEqual([]);
  });
});
