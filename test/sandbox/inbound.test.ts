// POST /sandbox/inbound: signed inbound webhooks to the service's InboundRequestUrl, and the default opt-out
// keywords (STOP blocks later sends with 21610, START lifts the block, HELP only reports).
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceWithNumber, createSubaccount, startReceiver, startTestSandbox, type TestSandbox } from './harness.ts';

describe('sandbox inbound messages', () => {
  let t: TestSandbox;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    t = await startTestSandbox();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  const inbound = async (payload: Record<string, string>, asForm = false) => {
    const res = await fetch(`${t.sandbox.url}/sandbox/inbound`, {
      method: 'POST',
      headers: { 'content-type': asForm ? 'application/x-www-form-urlencoded' : 'application/json' },
      body: asForm ? new URLSearchParams(payload).toString() : JSON.stringify(payload),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  async function tenant(path: string) {
    const sub = await createSubaccount(t);
    const svc = await createServiceWithNumber(t, sub, { InboundRequestUrl: `${receiver.url}${path}?tenant=${sub.sid}` });
    return { ...sub, ...svc };
  }
  const send = (sub: { base: string; serviceSid: string }, to: string) =>
    t.master.post('api.twilio.com', `${sub.base}/Messages.json`, { To: to, MessagingServiceSid: sub.serviceSid, Body: 'Your code is 1234' });

  it('an inbound SMS reaches the service InboundRequestUrl signed with the subaccount token, not the master token', async () => {
    const sub = await tenant('/in/plain');
    const res = await inbound({ from: '+14155550111', to: sub.phone, body: 'Hello there' });
    expect(res.status).toBe(201);
    await t.sandbox.flushCallbacks();
    const hook = receiver.received.find((w) => w.path.startsWith('/in/plain'))!;
    expect(hook.params).toMatchObject({
      AccountSid: sub.sid,
      MessagingServiceSid: sub.serviceSid,
      From: '+14155550111',
      To: sub.phone,
      Body: 'Hello there',
      SmsStatus: 'received',
      NumMedia: '0',
      NumSegments: '1',
      ApiVersion: '2010-04-01',
      FromCity: 'SAN FRANCISCO',
    });
    expect(hook.params.MessageSid).toBe(res.body.message_sid);
    expect(hook.params.SmsSid).toBe(hook.params.MessageSid);
    expect(hook.params.SmsMessageSid).toBe(hook.params.MessageSid);
    expect(hook.params.OptOutType).toBeUndefined();
    const signature = hook.headers['x-twilio-signature'] as string;
    expect(twilio.validateRequest(sub.token, signature, hook.url, hook.params)).toBe(true);
    expect(twilio.validateRequest(t.masterToken, signature, hook.url, hook.params)).toBe(false);
    // The inbound message is a resource of the subaccount too.
    const listed = await t.master.get('api.twilio.com', `${sub.base}/Messages.json`, { From: '+14155550111' });
    expect(listed.body.messages[0]).toMatchObject({ direction: 'inbound', status: 'received', body: 'Hello there' });
  });

  it('STOP adds OptOutType=STOP and later sends from that account fail with 21610; START lifts it', async () => {
    const sub = await tenant('/in/stop');
    const other = await tenant('/in/other');
    const handset = '+14155550122';
    expect((await send(sub, handset)).status).toBe(201);

    await inbound({ from: handset, to: sub.phone, body: ' stop ' });
    await t.sandbox.flushCallbacks();
    const stopHook = receiver.received.filter((w) => w.path.startsWith('/in/stop')).at(-1)!;
    expect(stopHook.params.OptOutType).toBe('STOP');
    expect(twilio.validateRequest(sub.token, stopHook.headers['x-twilio-signature'] as string, stopHook.url, stopHook.params)).toBe(true);

    const refused = await send(sub, handset);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 21610, status: 400 });
    // Opt-outs belong to the account that received the STOP; another tenant may still write to that handset.
    expect((await send(other, handset)).status).toBe(201);

    await inbound({ from: handset, to: sub.phone, body: 'START' }, true);
    await t.sandbox.flushCallbacks();
    expect(receiver.received.filter((w) => w.path.startsWith('/in/stop')).at(-1)!.params.OptOutType).toBe('START');
    expect((await send(sub, handset)).status).toBe(201);
  });

  it.each([
    ['unsubscribe', 'STOP'],
    ['Cancel', 'STOP'],
    ['unstop', 'START'],
    ['HELP', 'HELP'],
    ['info', 'HELP'],
    ['stop please', undefined],
  ])('the body %j is reported as OptOutType %s', async (body, expected) => {
    const sub = await tenant('/in/keywords');
    const res = await inbound({ from: '+14155550133', to: sub.phone, body });
    expect(res.body.opt_out_type).toBe(expected ?? null);
  });

  it('HELP does not block sending', async () => {
    const sub = await tenant('/in/help');
    await inbound({ from: '+14155550144', to: sub.phone, body: 'help' });
    expect((await send(sub, '+14155550144')).status).toBe(201);
  });

  it('an inbound to a suspended account is dropped with 10001 and no webhook', async () => {
    const sub = await tenant('/in/suspended');
    await t.master.post('api.twilio.com', `${sub.base}.json`, { Status: 'suspended' });
    const res = await inbound({ from: '+14155550166', to: sub.phone, body: 'hello?' });
    expect(res).toMatchObject({ status: 403, body: { code: 10001 } });
    await t.sandbox.flushCallbacks();
    expect(receiver.received.filter((w) => w.path.startsWith('/in/suspended'))).toEqual([]);
  });

  it('an inbound to a number nobody owns is answered 404 and nothing is delivered', async () => {
    await t.sandbox.flushCallbacks();
    const before = receiver.received.length;
    const res = await inbound({ from: '+14155550155', to: '+19995550100', body: 'hi' });
    expect(res.status).toBe(404);
    await t.sandbox.flushCallbacks();
    expect(receiver.received.length).toBe(before);
  });
});
