// Messages in the sandbox: create/fetch/list per the spec, the status lifecycle, signed status callbacks,
// the magic test numbers and usage.
import twilio from 'twilio';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectMatchesSpec } from '../helpers/openapi.ts';
import { createServiceWithNumber, createSubaccount, seeded, startReceiver, startTestSandbox, type Subaccount, type TestSandbox } from './harness.ts';

const API = 'api.twilio.com';
const MESSAGES = '/2010-04-01/Accounts/{AccountSid}/Messages.json';

describe('sandbox messages', () => {
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
  afterEach(() => {
    receiver.received.length = 0;
  });

  async function tenant(): Promise<Subaccount & { serviceSid: string; phone: string }> {
    const sub = await createSubaccount(t);
    const svc = await createServiceWithNumber(t, sub, { StatusCallback: `${receiver.url}/status/service?tenant=${sub.sid}` });
    return { ...sub, ...svc };
  }

  it('a message sent through a service starts accepted, then reports queued, sending, sent and delivered in signed callbacks', async () => {
    const sub = await tenant();
    const created = await t.master.post(API, `${sub.base}/Messages.json`, { To: '+14155550199', MessagingServiceSid: sub.serviceSid, Body: 'Hello' });
    expect(created.status).toBe(201);
    expectMatchesSpec('api_v2010', 'POST', MESSAGES, 201, created.body);
    expect(created.body).toMatchObject({ status: 'accepted', num_segments: '0', from: null, messaging_service_sid: sub.serviceSid, direction: 'outbound-api' });
    expect(created.body.sid).toMatch(/^SM[0-9a-f]{32}$/);

    await t.sandbox.flushCallbacks();
    const statuses = receiver.received.map((w) => w.params.MessageStatus);
    expect(statuses).toEqual(['queued', 'sending', 'sent', 'delivered']);
    for (const w of receiver.received) {
      const signature = w.headers['x-twilio-signature'] as string;
      expect(twilio.validateRequest(sub.token, signature, w.url, w.params)).toBe(true);
      expect(twilio.validateRequest(t.masterToken, signature, w.url, w.params)).toBe(false);
      expect(w.params).toMatchObject({
        AccountSid: sub.sid,
        MessageSid: created.body.sid,
        SmsSid: created.body.sid,
        SmsStatus: w.params.MessageStatus,
        To: '+14155550199',
        From: sub.phone,
        MessagingServiceSid: sub.serviceSid,
        ApiVersion: '2010-04-01',
      });
      expect(w.params.ErrorCode).toBeUndefined();
      expect(w.headers['i-twilio-idempotency-token']).toMatch(/\S+/);
    }
    expect(new Set(receiver.received.map((w) => w.headers['i-twilio-idempotency-token'])).size).toBe(4);

    const fetched = await t.master.get(API, `${sub.base}/Messages/${created.body.sid}.json`);
    expectMatchesSpec('api_v2010', 'GET', '/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json', 200, fetched.body);
    expect(fetched.body).toMatchObject({ status: 'delivered', from: sub.phone, num_segments: '1', price_unit: 'USD' });
    expect(fetched.body.date_sent).toMatch(/ \+0000$/);
  });

  it('a message with its own StatusCallback and a From number starts queued and calls that URL, not the service one', async () => {
    const sub = await tenant();
    const created = await sub.api.post(API, `${sub.base}/Messages.json`, {
      To: '+14155550198',
      From: sub.phone,
      Body: 'Hi',
      StatusCallback: `${receiver.url}/status/own`,
    });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('queued');
    await t.sandbox.flushCallbacks();
    expect(receiver.received.map((w) => [w.path, w.params.MessageStatus])).toEqual([
      ['/status/own', 'sending'],
      ['/status/own', 'sent'],
      ['/status/own', 'delivered'],
    ]);
    expect(receiver.received[0]!.params.MessagingServiceSid).toBeUndefined();
  });

  it('the sandbox magic numbers end undelivered with 30003 and failed with 30008, carried as ErrorCode', async () => {
    const sub = await tenant();
    const undelivered = await t.master.post(API, `${sub.base}/Messages.json`, { To: '+15005550010', MessagingServiceSid: sub.serviceSid, Body: 'x' });
    const failed = await t.master.post(API, `${sub.base}/Messages.json`, { To: '+15005550011', MessagingServiceSid: sub.serviceSid, Body: 'x' });
    await t.sandbox.flushCallbacks();
    const last = (sid: string) => receiver.received.filter((w) => w.params.MessageSid === sid).at(-1)!.params;
    expect(last(undelivered.body.sid)).toMatchObject({ MessageStatus: 'undelivered', ErrorCode: '30003' });
    expect(last(failed.body.sid)).toMatchObject({ MessageStatus: 'failed', ErrorCode: '30008' });
    const fetched = await t.master.get(API, `${sub.base}/Messages/${failed.body.sid}.json`);
    expect(fetched.body).toMatchObject({ status: 'failed', error_code: 30008, error_message: 'Unknown error' });
    expectMatchesSpec('api_v2010', 'GET', '/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json', 200, fetched.body);
  });

  it.each([
    ['+15005550001', 21211],
    ['+15005550002', 21612],
    ['+15005550003', 21408],
    ['+15005550004', 21610],
    ['+15005550009', 21614],
    ['not-a-number', 21211],
  ])('sending to %s is refused at create with %i and leaves no message behind', async (to, code) => {
    const sub = await tenant();
    const res = await t.master.post(API, `${sub.base}/Messages.json`, { To: to, MessagingServiceSid: sub.serviceSid, Body: 'x' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code, message: expect.any(String), more_info: `https://www.twilio.com/docs/errors/${code}`, status: 400 });
    expect(t.sandbox.resources('message', sub.sid)).toEqual([]);
  });

  it('required parameters are checked with Twilio codes: To 21604, From 21603, Body 21602, foreign service 21701, unowned From 21606', async () => {
    const sub = await tenant();
    const other = await tenant();
    const send = (form: Record<string, string>) => t.master.post(API, `${sub.base}/Messages.json`, form);
    expect((await send({ MessagingServiceSid: sub.serviceSid, Body: 'x' })).body.code).toBe(21604);
    expect((await send({ To: '+14155550199', Body: 'x' })).body.code).toBe(21603);
    expect((await send({ To: '+14155550199', MessagingServiceSid: sub.serviceSid })).body.code).toBe(21602);
    expect((await send({ To: '+14155550199', MessagingServiceSid: other.serviceSid, Body: 'x' })).body.code).toBe(21701);
    expect((await send({ To: '+14155550199', From: other.phone, Body: 'x' })).body.code).toBe(21606);
    expect((await send({ To: '+14155550199', From: sub.phone, Body: 'x'.repeat(1601) })).body.code).toBe(21617);
    expect((await send({ To: '+14155550199', From: sub.phone, Body: 'x', StatusCallback: 'ftp://nope' })).body.code).toBe(21609);
  });

  it('lists messages newest first with the 2010-04-01 paging envelope and To filter', async () => {
    const sub = await tenant();
    for (const to of ['+14155550101', '+14155550102', '+14155550103']) {
      await t.master.post(API, `${sub.base}/Messages.json`, { To: to, MessagingServiceSid: sub.serviceSid, Body: to });
    }
    const page = await t.master.get(API, `${sub.base}/Messages.json`, { PageSize: '2' });
    expectMatchesSpec('api_v2010', 'GET', MESSAGES, 200, page.body);
    expect(page.body.messages.map((m: { to: string }) => m.to)).toEqual(['+14155550103', '+14155550102']);
    expect(page.body.next_page_uri).toContain(`/2010-04-01/Accounts/${sub.sid}/Messages.json?PageSize=2&Page=1`);
    const next = await t.master.get(API, page.body.next_page_uri.replace(/\?.*$/, ''), Object.fromEntries(new URL(page.body.next_page_uri, 'https://x').searchParams));
    expect(next.body.messages.map((m: { to: string }) => m.to)).toEqual(['+14155550101']);
    expect(next.body.next_page_uri).toBeNull();
    const filtered = await t.master.get(API, `${sub.base}/Messages.json`, { To: '+14155550102' });
    expect(filtered.body.messages).toHaveLength(1);
  });

  it('in chaos mode every callback arrives twice with the same idempotency token, shuffled', async () => {
    const chaotic = await startTestSandbox({ callbackChaos: true, random: seeded(7) });
    try {
      const sub = await createSubaccount(chaotic);
      const svc = await createServiceWithNumber(chaotic, sub, { StatusCallback: `${receiver.url}/chaos` });
      await chaotic.master.post(API, `${sub.base}/Messages.json`, { To: '+14155550199', MessagingServiceSid: svc.serviceSid, Body: 'x' });
      await chaotic.sandbox.flushCallbacks();
      const got = receiver.received.filter((w) => w.path === '/chaos');
      expect(got).toHaveLength(8);
      const byToken = new Map<string, string[]>();
      for (const w of got) {
        const token = w.headers['i-twilio-idempotency-token'] as string;
        byToken.set(token, [...(byToken.get(token) ?? []), w.params.MessageStatus!]);
        expect(twilio.validateRequest(sub.token, w.headers['x-twilio-signature'] as string, w.url, w.params)).toBe(true);
      }
      expect([...byToken.values()].map((v) => v.length)).toEqual([2, 2, 2, 2]);
      for (const statuses of byToken.values()) expect(new Set(statuses).size).toBe(1);
      const order = got.map((w) => w.params.MessageStatus);
      expect(order).not.toEqual(['queued', 'queued', 'sending', 'sending', 'sent', 'sent', 'delivered', 'delivered']);
    } finally {
      await chaotic.close();
    }
  });

  it('usage this month counts and prices the account messages and numbers, subaccounts included for the master', async () => {
    const sub = await tenant();
    await t.master.post(API, `${sub.base}/Messages.json`, { To: '+14155550199', MessagingServiceSid: sub.serviceSid, Body: 'x' });
    await t.sandbox.flushCallbacks();
    const usage = await t.master.get(API, `${sub.base}/Usage/Records/ThisMonth.json`);
    expect(usage.status).toBe(200);
    expectMatchesSpec('api_v2010', 'GET', '/2010-04-01/Accounts/{AccountSid}/Usage/Records/ThisMonth.json', 200, usage.body);
    const byCat = Object.fromEntries(usage.body.usage_records.map((r: { category: string }) => [r.category, r]));
    expect(byCat.sms).toMatchObject({ count: '1', price: 0.0079, count_unit: 'messages' });
    expect(byCat.phonenumbers).toMatchObject({ count: '1' });
    const sms = await t.master.get(API, `${sub.base}/Usage/Records/ThisMonth.json`, { Category: 'sms' });
    expect(sms.body.usage_records).toHaveLength(1);
    const master = await t.master.get(API, `/2010-04-01/Accounts/${t.master.sid}/Usage/Records/ThisMonth.json`, { Category: 'sms' });
    expect(Number(master.body.usage_records[0].count)).toBeGreaterThanOrEqual(1);
  });
  it('daily usage records give each day and category what the account sent, received and was charged, and nothing for other days', async () => {
    const sub = await tenant();
    await t.master.post(API, `${sub.base}/Messages.json`, { To: '+14155550199', MessagingServiceSid: sub.serviceSid, Body: 'x'.repeat(200) });
    await t.master.post(API, `${sub.base}/Messages.json`, { To: '+15005550011', MessagingServiceSid: sub.serviceSid, Body: 'fails, not charged' });
    const inbound = await fetch(`${t.sandbox.url}/sandbox/inbound`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: '+14155550111', to: sub.phone, body: 'Hi' }) });
    expect(inbound.status).toBe(201);
    await t.sandbox.flushCallbacks();
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const daily = await t.master.get(API, `${sub.base}/Usage/Records/Daily.json`, { StartDate: yesterday, EndDate: today });
    expect(daily.status).toBe(200);
    expectMatchesSpec('api_v2010', 'GET', '/2010-04-01/Accounts/{AccountSid}/Usage/Records/Daily.json', 200, daily.body);
    const of = (day: string, category: string) => daily.body.usage_records.find((r: { start_date: string; category: string }) => r.start_date === day && r.category === category);
    expect(of(today, 'sms-outbound')).toMatchObject({ count: '1', usage: '2', price: 0.0158, price_unit: 'usd', end_date: today });
    expect(of(today, 'sms-inbound')).toMatchObject({ count: '1' });
    expect(of(today, 'phonenumbers')).toMatchObject({ count: '1', price: 1.15 });
    expect(Number(of(today, 'totalprice').price)).toBeCloseTo(0.0158 + Number(of(today, 'sms-inbound').price) + 1.15, 5);
    expect(of(yesterday, 'sms-outbound')).toMatchObject({ count: '0', price: 0 });
    const only = await t.master.get(API, `${sub.base}/Usage/Records/Daily.json`, { StartDate: today, EndDate: today, Category: 'channels-whatsapp' });
    expect(only.body.usage_records).toEqual([expect.objectContaining({ category: 'channels-whatsapp', count: '0' })]);
    const bad = await t.master.get(API, `${sub.base}/Usage/Records/Daily.json`, { StartDate: today, EndDate: yesterday });
    expect(bad.status).toBe(400);
  });
});

