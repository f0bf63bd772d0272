// Shared set-up for the sandbox's own tests: an ephemeral sandbox driven by hand (no background timers),
// a raw HTTP client that speaks Twilio's wire format, and a local webhook receiver.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../server/sandbox/sandbox.ts';

export const MASTER_SID = `AC${'0'.repeat(31)}1`;

export interface TestSandbox {
  sandbox: Sandbox;
  master: TwilioClient;
  masterToken: string;
  close(): Promise<void>;
}

export async function startTestSandbox(opts: Partial<SandboxOptions> = {}): Promise<TestSandbox> {
  const masterToken = opts.masterAuthToken ?? randomBytes(16).toString('hex');
  const sandbox = await startSandbox({
    port: 0,
    masterAccountSid: MASTER_SID,
    masterAuthToken: masterToken,
    reviewDelayMs: 0,
    callbackChaos: false,
    faultRate: 0,
    latencyMs: 0,
    autoAdvance: false,
    ...opts,
  });
  return { sandbox, masterToken, master: client(sandbox.url, MASTER_SID, masterToken), close: () => sandbox.close() };
}

export interface Reply<T = Record<string, any>> {
  status: number;
  body: T;
}

export interface TwilioClient {
  sid: string;
  token: string;
  get(host: string, path: string, query?: Record<string, string>): Promise<Reply>;
  post(host: string, path: string, form?: Record<string, string | string[]>): Promise<Reply>;
  postJson(host: string, path: string, json: unknown): Promise<Reply>;
  delete(host: string, path: string): Promise<Reply>;
}

/** Twilio's wire format: Basic auth, PascalCase form bodies with repeated keys for arrays. */
export function client(baseUrl: string, sid: string, token: string): TwilioClient {
  const auth = `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}`;
  const send = async (method: string, host: string, path: string, body?: string, type?: string): Promise<Reply> => {
    const res = await fetch(`${baseUrl}/${host}${path}`, {
      method,
      headers: { authorization: auth, ...(type ? { 'content-type': type } : {}) },
      body,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    sid,
    token,
    get: (host, path, query) => send('GET', host, query ? `${path}?${new URLSearchParams(query)}` : path),
    post: (host, path, form = {}) => {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(form)) for (const one of Array.isArray(v) ? v : [v]) q.append(k, one);
      return send('POST', host, path, q.toString(), 'application/x-www-form-urlencoded');
    },
    postJson: (host, path, json) => send('POST', host, path, JSON.stringify(json), 'application/json'),
    delete: (host, path) => send('DELETE', host, path),
  };
}

export interface Subaccount {
  sid: string;
  token: string;
  api: TwilioClient;
  /** `/2010-04-01/Accounts/<sid>` */
  base: string;
}

export async function createSubaccount(t: TestSandbox, friendlyName = 'Tenant'): Promise<Subaccount> {
  const res = await t.master.post('api.twilio.com', '/2010-04-01/Accounts.json', { FriendlyName: friendlyName });
  if (res.status !== 201) throw new Error(`subaccount create failed: ${JSON.stringify(res.body)}`);
  const sid = res.body.sid as string;
  const token = res.body.auth_token as string;
  return { sid, token, api: client(t.sandbox.url, sid, token), base: `/2010-04-01/Accounts/${sid}` };
}

/** Buys a number for the subaccount with the master credentials, as the platform does. */
export async function buyNumber(t: TestSandbox, sub: Subaccount, areaCode = '415'): Promise<{ sid: string; phone: string }> {
  const res = await t.master.post('api.twilio.com', `${sub.base}/IncomingPhoneNumbers.json`, { AreaCode: areaCode });
  if (res.status !== 201) throw new Error(`number purchase failed: ${JSON.stringify(res.body)}`);
  return { sid: res.body.sid, phone: res.body.phone_number };
}

/** A Messaging Service in the subaccount (its own credentials) with one number in its pool. */
export async function createServiceWithNumber(
  t: TestSandbox,
  sub: Subaccount,
  fields: Record<string, string> = {},
): Promise<{ serviceSid: string; phone: string; numberSid: string }> {
  const svc = await sub.api.post('messaging.twilio.com', '/v1/Services', { FriendlyName: 'Tenant service', ...fields });
  if (svc.status !== 201) throw new Error(`service create failed: ${JSON.stringify(svc.body)}`);
  const number = await buyNumber(t, sub);
  const link = await sub.api.post('messaging.twilio.com', `/v1/Services/${svc.body.sid}/PhoneNumbers`, { PhoneNumberSid: number.sid });
  if (link.status !== 201) throw new Error(`pool add failed: ${JSON.stringify(link.body)}`);
  return { serviceSid: svc.body.sid, phone: number.phone, numberSid: number.sid };
}

export interface ReceivedWebhook {
  path: string; // path + query as requested
  url: string; // the full URL the sandbox called
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  params: Record<string, string>;
}

/** A tiny HTTP server that records every webhook it receives and answers 200 (or a chosen status). */
export async function startReceiver(): Promise<{ url: string; received: ReceivedWebhook[]; respondWith(status: number): void; close(): Promise<void> }> {
  const received: ReceivedWebhook[] = [];
  let status = 200;
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      received.push({
        path: req.url ?? '/',
        url: `${base}${req.url ?? '/'}`,
        headers: req.headers,
        rawBody: raw,
        params: Object.fromEntries(new URLSearchParams(raw)),
      });
      res.writeHead(status, { 'content-type': 'text/xml' });
      res.end('<Response/>');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    received,
    respondWith: (s) => (status = s),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A small deterministic PRNG so the chaos order is reproducible. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
