// Unit tests of the sandbox framework pieces: route templates, paging envelopes, dates, SIDs, callback
// signing (form, JSON and GET) and the sandbox credentials file.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { signCallback } from '../../server/sandbox/callbacks.ts';
import { compileTemplate, iso, newSid, pageV1, pageV2010, rfc2822 } from '../../server/sandbox/framework.ts';
import { segmentCount } from '../../server/sandbox/resources/messages.ts';
import { loadOrCreateSandboxCredentials } from '../../server/sandbox/credentials.ts';

const query = (q: Record<string, string>) => ({ query: new Map(Object.entries(q).map(([k, v]) => [k, [v]])) });

describe('sandbox framework', () => {
  it('route templates capture path parameters and know how literal they are', () => {
    const t = compileTemplate('/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json');
    expect(t.names).toEqual(['AccountSid', 'Sid']);
    expect(t.regex.exec('/2010-04-01/Accounts/AC1/Messages/SM2.json')?.slice(1)).toEqual(['AC1', 'SM2']);
    expect(t.regex.test('/2010-04-01/Accounts/AC1/Messages/SM2')).toBe(false);
    expect(compileTemplate('/v1/Services/Usecases').literalWeight).toBeGreaterThan(compileTemplate('/v1/Services/{Sid}').literalWeight);
  });

  it('pageV2010 writes the 2010-04-01 envelope with relative URIs and keeps filters', () => {
    const ctx = { ...query({ Status: 'active', PageSize: '2', Page: '1' }), pathname: '/2010-04-01/Accounts.json' };
    const page = pageV2010(ctx, 'accounts', ['a', 'b', 'c', 'd', 'e']);
    expect(page).toEqual({
      accounts: ['c', 'd'],
      page: 1,
      page_size: 2,
      start: 2,
      end: 3,
      uri: '/2010-04-01/Accounts.json?Status=active&PageSize=2&Page=1&PageToken=PT1',
      first_page_uri: '/2010-04-01/Accounts.json?Status=active&PageSize=2&Page=0',
      next_page_uri: '/2010-04-01/Accounts.json?Status=active&PageSize=2&Page=2&PageToken=PT2',
      previous_page_uri: '/2010-04-01/Accounts.json?Status=active&PageSize=2&Page=0',
    });
  });

  it('pageV1 writes meta with absolute URLs on the Twilio host and honours PageToken', () => {
    const ctx = { ...query({ PageSize: '2', PageToken: 'PT2' }), host: 'messaging.twilio.com', pathname: '/v1/Services' };
    const page = pageV1(ctx, 'services', [1, 2, 3, 4, 5]);
    expect(page).toEqual({
      services: [5],
      meta: {
        page: 2,
        page_size: 2,
        first_page_url: 'https://messaging.twilio.com/v1/Services?PageSize=2&Page=0',
        previous_page_url: 'https://messaging.twilio.com/v1/Services?PageSize=2&Page=1&PageToken=PT1',
        next_page_url: null,
        url: 'https://messaging.twilio.com/v1/Services?PageSize=2&Page=2&PageToken=PT2',
        key: 'services',
      },
    });
    expect(() => pageV1({ ...query({ PageSize: '1001' }), host: 'h', pathname: '/p' }, 'x', [])).toThrow(/PageSize/);
  });

  it('formats dates the way each API version does and makes Twilio-shaped SIDs', () => {
    expect(rfc2822('2015-07-30T20:00:00.123Z')).toBe('Thu, 30 Jul 2015 20:00:00 +0000');
    expect(iso('2015-07-30T20:00:00.123Z')).toBe('2015-07-30T20:00:00Z');
    expect(newSid('BN')).toMatch(/^BN[0-9a-f]{32}$/);
    expect(() => newSid('bn')).toThrow();
  });

  it('counts SMS segments like carriers: GSM-7 160/153, UCS-2 70/67', () => {
    expect(segmentCount('a'.repeat(160))).toBe(1);
    expect(segmentCount('a'.repeat(161))).toBe(2);
    expect(segmentCount('é'.repeat(160))).toBe(1);
    expect(segmentCount('😀'.repeat(70))).toBe(1);
    expect(segmentCount('😀'.repeat(71))).toBe(2);
  });

  it('signs a form callback exactly as Twilio documents it (FACTS §9.1 worked example A)', () => {
    const params = { Digits: '1234', To: '+18005551212', From: '+14158675310', Caller: '+14158675310', CallSid: 'CA1234567890ABCDE' };
    const req = signCallback({ accountSid: 'AC1', url: 'https://example.com/myapp.php?foo=1&bar=2', params, kind: 'test' }, '12345', 'tok');
    expect(req.headers['X-Twilio-Signature']).toBe('L/OH5YylLD5NRKLltdqwSvS0BnU=');
    expect(req.headers['I-Twilio-Idempotency-Token']).toBe('tok');
    expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual(params);
  });

  it('signs a JSON callback over the URL with bodySHA256 and drops the fragment and URL credentials', () => {
    const json = { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030' };
    // FACTS §9.1 worked example C (token of example B).
    const token = 'test_subaccount_auth_token_0001';
    const req = signCallback({ accountSid: 'AC1', url: 'https://u:p@hooks.example.com/twilio/events#rc=2', json, kind: 'test' }, token, 't');
    expect(req.url).toBe('https://hooks.example.com/twilio/events?bodySHA256=5ccde7145dfb8f56479710896586cb9d5911809d83afbe34627818790db0aec9');
    expect(req.headers['X-Twilio-Signature']).toBe('nTAXSir3rNJwnRTu6RohfY1iaRI=');
    expect(twilio.validateRequestWithBody(token, req.headers['X-Twilio-Signature']!, req.url, req.body)).toBe(true);
    expect(req.headers.Authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
  });

  it('signs a GET callback over the URL carrying the parameters', () => {
    const req = signCallback({ accountSid: 'AC1', url: 'https://example.com/in?x=1', method: 'GET', params: { Body: 'hi' }, kind: 'test' }, 'tk', 't');
    expect(req.url).toBe('https://example.com/in?x=1&Body=hi');
    expect(twilio.validateRequest('tk', req.headers['X-Twilio-Signature']!, req.url, {})).toBe(true);
  });

  it('sandbox master credentials are generated once and then reused', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sandbox-creds-'));
    try {
      const first = await loadOrCreateSandboxCredentials(dir);
      expect(first.accountSid).toMatch(/^AC[0-9a-f]{32}$/);
      expect(first.authToken).toMatch(/^[0-9a-f]{32}$/);
      expect(await loadOrCreateSandboxCredentials(dir)).toEqual(first);
      expect(JSON.parse(readFileSync(path.join(dir, 'sandbox-credentials.json'), 'utf8'))).toEqual(first);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
