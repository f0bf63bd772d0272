// WhatsApp through the sandbox: a message may leave only from the account's ONLINE Messaging v2 sender, and an
// inbound WhatsApp message reaches the sender's webhook signed with the subaccount token.
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSubaccount, startReceiver, startTestSandbox, type Subaccount, type TestSandbox } from './harness.ts';

const MSG = 'messaging.twilio.com';

describe('sandbox WhatsApp messages', () => {
  let t: TestSandbox;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let sub: Subaccount;
  const sender = 'whatsapp:+14155550160';
  beforeAll(async () => {
    t = await startTestSandbox();
    receiver = await startReceiver();
    sub = await createSubaccount(t);
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  const send = () =>
    t.master.post('api.twilio.com', `${sub.base}/Messages.json`, { To: 'whatsapp:+14155550161', From: sender, Body: 'Your order shipped' });

  it('refuses a WhatsApp From that is not an ONLINE sender of the account (63007), then sends once it is', async () => {
    expect((await send()).body.code).toBe(63007);
    const created = await sub.api.postJson(MSG, '/v2/Channels/Senders', {
      sender_id: sender,
      profile: { name: 'Acme Shop' },
      webhook: { callback_url: `${receiver.url}/wa/inbound` },
    });
    expect(created.status).toBe(202);
    await t.sandbox.advanceReviews(); // CREATING → PENDING_VERIFICATION
    expect((await send()).body.code).toBe(63007);
    await sub.api.postJson(MSG, `/v2/Channels/Senders/${created.body.sid}`, { configuration: { verification_code: '123456' } });
    await t.sandbox.advanceReviews(); // VERIFYING → ONLINE
    expect((await sub.api.get(MSG, `/v2/Channels/Senders/${created.body.sid}`)).body.status).toBe('ONLINE');

    const sent = await send();
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ from: sender, to: 'whatsapp:+14155550161', status: 'queued' });
  });

  it('an inbound WhatsApp message reaches the sender callback_url, signed with the subaccount token', async () => {
    const res = await fetch(`${t.sandbox.url}/sandbox/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: 'whatsapp:+14155550162', to: sender, body: 'Where is my order?' }),
    });
    expect(res.status).toBe(201);
    await t.sandbox.flushCallbacks();
    const hook = receiver.received.find((w) => w.path === '/wa/inbound')!;
    expect(hook.params).toMatchObject({ AccountSid: sub.sid, From: 'whatsapp:+14155550162', To: sender, Body: 'Where is my order?', WaId: '14155550162' });
    expect(twilio.validateRequest(sub.token, hook.headers['x-twilio-signature'] as string, hook.url, hook.params)).toBe(true);
    expect(twilio.validateRequest(t.masterToken, hook.headers['x-twilio-signature'] as string, hook.url, hook.params)).toBe(false);
  });

  it('fails free-form text to a user who has not written in 24 hours with 63016, and delivers it once they have', async () => {
    const to = (user: string, body: Record<string, string>) => t.master.post('api.twilio.com', `${sub.base}/Messages.json`, { To: user, From: sender, ...body });
    const outcome = async (sid: string) => {
      await t.sandbox.flushCallbacks();
      return (await sub.api.get('api.twilio.com', `${sub.base}/Messages/${sid}.json`)).body as { status: string; error_code: number | null };
    };
    const cold = await to('whatsapp:+14155550163', { Body: 'Your order shipped' });
    expect(cold.status).toBe(201); // accepted, as Twilio does, then failed
    expect(await outcome(cold.body.sid)).toMatchObject({ status: 'failed', error_code: 63016 });

    const content = await sub.api.postJson('content.twilio.com', '/v1/Content', { friendly_name: 'shipped', language: 'en', types: { 'twilio/text': { body: 'Your order {{1}} shipped' } } });
    const template = await to('whatsapp:+14155550163', { ContentSid: content.body.sid });
    expect(await outcome(template.body.sid)).toMatchObject({ status: 'delivered', error_code: null });

    // The user who wrote in the previous test (+14155550162) opened the window.
    const reply = await to('whatsapp:+14155550162', { Body: 'It ships today' });
    expect(await outcome(reply.body.sid)).toMatchObject({ status: 'delivered', error_code: null });
  });
});
