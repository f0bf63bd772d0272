// Shared set-up for the sandbox's review-resource tests (TrustHub, brands, campaigns, content, senders): an in-memory
// sandbox with a hand-moved clock, raw HTTP clients per account (so error envelopes and exact bodies are visible),
// and the TrustHub/A2P steps the later resources need.
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { startSandbox, type Sandbox } from '../../server/sandbox/sandbox.ts';
import { expectMatchesSpec } from '../helpers/openapi.ts';

export const POLICY = {
  secondaryCustomerProfile: 'RNdfbf3fae0e1107f8aded0e7cead80bf5',
  a2pMessagingProfile: 'RNb0d4771c2c98518d916a3d4cd70a8f8b',
  starterCustomerProfile: 'RN806dd6cd175f314e1f96a9727ee271f4',
  soleProprietorTrustProduct: 'RN670d5d2e282a6130ae063b234b6019c8',
} as const;

export const REVIEW_DELAY_MS = 1000;

export type FormValue = string | number | boolean | string[] | Record<string, unknown> | undefined;

export interface Reply {
  status: number;
  body: Record<string, any>;
}

export interface Client {
  sid: string;
  token: string;
  /** Form-encoded request (GET/DELETE params go to the query string); arrays become repeated keys. */
  form(method: string, host: string, path: string, params?: Record<string, FormValue>): Promise<Reply>;
  /** JSON request (Content v1, Messaging v2). */
  json(method: string, host: string, path: string, body: unknown): Promise<Reply>;
}

export interface Harness {
  sandbox: Sandbox;
  /** The hand-moved clock (ms since epoch). */
  now(): number;
  master: Client;
  /** Moves the clock by `ms` without applying anything. */
  advance(ms: number): void;
  /** Moves the clock past one review delay and applies every step then due. */
  step(): Promise<void>;
  /** Steps until `done(read())` holds (at most `rounds` steps). */
  settle(read: () => Promise<Reply>, done: (body: Record<string, any>) => boolean, rounds?: number): Promise<Record<string, any>>;
  newSubaccount(name?: string): Promise<Client>;
  clientFor(sid: string, token: string): Client;
  close(): Promise<void>;
}

function encode(params: Record<string, FormValue>): URLSearchParams {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) v.forEach((x) => q.append(k, x));
    else if (typeof v === 'object') q.append(k, JSON.stringify(v)); // TrustHub Attributes: a JSON string field
    else q.append(k, String(v));
  }
  return q;
}

export interface HarnessOptions {
  reviewDelayMs?: number;
  /** Persist to this file; reopening with the same file, master and start time continues where it stopped. */
  stateFile?: string;
  master?: { sid: string; token: string };
  startAt?: number;
}

export async function openHarness(opts: HarnessOptions = {}): Promise<Harness> {
  let clock = opts.startAt ?? Date.parse('2026-11-23T12:00:00Z');
  const masterSid = opts.master?.sid ?? `AC${randomBytes(16).toString('hex')}`;
  const masterToken = opts.master?.token ?? randomBytes(16).toString('hex');
  const delay = opts.reviewDelayMs ?? REVIEW_DELAY_MS;
  const sandbox = await startSandbox({
    port: 0,
    masterAccountSid: masterSid,
    masterAuthToken: masterToken,
    reviewDelayMs: delay,
    callbackChaos: false,
    faultRate: 0,
    latencyMs: 0,
    autoAdvance: false,
    stateFile: opts.stateFile,
    now: () => new Date(clock),
  });

  const clientFor = (sid: string, token: string): Client => {
    const auth = `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}`;
    const send = async (method: string, url: string, headers: Record<string, string>, body?: string): Promise<Reply> => {
      const res = await fetch(url, { method, headers: { Authorization: auth, ...headers }, body });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
    };
    return {
      sid,
      token,
      form(method, host, path, params = {}) {
        const q = encode(params);
        if (method === 'GET' || method === 'DELETE') {
          const qs = q.toString();
          return send(method, `${sandbox.url}/${host}${path}${qs ? `?${qs}` : ''}`, {});
        }
        return send(method, `${sandbox.url}/${host}${path}`, { 'Content-Type': 'application/x-www-form-urlencoded' }, q.toString());
      },
      json(method, host, path, body) {
        return send(method, `${sandbox.url}/${host}${path}`, { 'Content-Type': 'application/json' }, JSON.stringify(body));
      },
    };
  };

  const master = clientFor(masterSid, masterToken);
  const step = async () => {
    clock += delay;
    await sandbox.advanceReviews();
  };

  return {
    sandbox,
    now: () => clock,
    advance: (ms: number) => {
      clock += ms;
    },
    master,
    step,
    async settle(read, done, rounds = 10) {
      let r = await read();
      for (let i = 0; i < rounds && !done(r.body); i++) {
        await step();
        r = await read();
      }
      if (!done(r.body)) throw new Error(`not settled after ${rounds} steps: ${JSON.stringify(r.body)}`);
      return r.body;
    },
    async newSubaccount(name = 'tenant') {
      const r = await master.form('POST', 'api.twilio.com', '/2010-04-01/Accounts.json', { FriendlyName: name });
      expect(r.status).toBe(201);
      return clientFor(r.body.sid, r.body.auth_token);
    },
    clientFor,
    close: () => sandbox.close(),
  };
}

/** Asserts the status and that the body is what the spec documents for that operation and status. */
export function expectSpec(spec: string, method: string, template: string, r: Reply, status: number): Record<string, any> {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expectMatchesSpec(spec, method, template, status, status === 204 ? undefined : r.body);
  return r.body;
}

/** Asserts Twilio's error envelope with the given status and code. */
export function expectTwilioError(r: Reply, status: number, code: number, message?: RegExp): void {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body).toMatchObject({ code, status, more_info: expect.stringContaining(String(code)) });
  expect(typeof r.body.message).toBe('string');
  if (message) expect(r.body.message).toMatch(message);
}

export const TH = 'trusthub.twilio.com';
export const MSG = 'messaging.twilio.com';

export const businessInformation = (businessName: string) => ({
  business_name: businessName,
  business_identity: 'direct_customer',
  business_type: 'Limited Liability Corporation',
  business_industry: 'HEALTHCARE',
  business_registration_identifier: 'EIN',
  business_registration_number: '12-3456789',
  business_regions_of_operation: 'USA_AND_CANADA',
  website_url: 'https://acme-dental.example.com',
});

export const representative = {
  first_name: 'Ada',
  last_name: 'Lovelace',
  email: 'ada@acme-dental.example.com',
  phone_number: '+14155550100',
  business_title: 'CEO',
  job_position: 'CEO',
};

/** An Address in `accountSid`, created with the master credentials on that account's path (FACTS §0). */
export async function createAddress(h: Harness, accountSid: string, street = '1 Market St'): Promise<string> {
  const r = await h.master.form('POST', 'api.twilio.com', `/2010-04-01/Accounts/${accountSid}/Addresses.json`, {
    CustomerName: 'Acme Dental LLC',
    Street: street,
    City: 'San Francisco',
    Region: 'CA',
    PostalCode: '94105',
    IsoCountry: 'US',
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.sid as string;
}

export async function createEndUser(c: Client, type: string, attributes: Record<string, unknown>): Promise<string> {
  const r = await c.form('POST', TH, '/v1/EndUsers', { FriendlyName: type, Type: type, Attributes: attributes });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.sid as string;
}

export async function createAddressDocument(h: Harness, c: Client): Promise<string> {
  const addressSid = await createAddress(h, c.sid);
  const r = await c.form('POST', TH, '/v1/SupportingDocuments', { FriendlyName: 'address', Type: 'customer_profile_address', Attributes: { address_sids: addressSid } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.sid as string;
}

type BundlePath = 'CustomerProfiles' | 'TrustProducts';

export async function createBundle(c: Client, path: BundlePath, policySid: string, name = 'isv:test'): Promise<string> {
  const r = await c.form('POST', TH, `/v1/${path}`, { FriendlyName: name, Email: 'compliance@acme-dental.example.com', PolicySid: policySid });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.sid as string;
}

export async function assign(c: Client, path: BundlePath, bundleSid: string, objectSid: string): Promise<Reply> {
  return c.form('POST', TH, `/v1/${path}/${bundleSid}/EntityAssignments`, { ObjectSid: objectSid });
}

/** Evaluates (must be compliant) and requests review. */
export async function submit(c: Client, path: BundlePath, bundleSid: string, policySid: string): Promise<void> {
  const e = await c.form('POST', TH, `/v1/${path}/${bundleSid}/Evaluations`, { PolicySid: policySid });
  expect(e.body.status, JSON.stringify(e.body.results)).toBe('compliant');
  const u = await c.form('POST', TH, `/v1/${path}/${bundleSid}`, { Status: 'pending-review' });
  expect(u.status, JSON.stringify(u.body)).toBe(200);
}

const decided = (b: Record<string, any>) => b.status === 'twilio-approved' || b.status === 'twilio-rejected';

export async function settleBundle(h: Harness, c: Client, path: BundlePath, sid: string): Promise<Record<string, any>> {
  return h.settle(() => c.form('GET', TH, `/v1/${path}/${sid}`), decided);
}

/** The ISV's approved primary customer profile in the master account. */
export async function primaryProfile(h: Harness): Promise<string> {
  const m = h.master;
  const sid = await createBundle(m, 'CustomerProfiles', POLICY.secondaryCustomerProfile, 'isv:primary');
  const objects = [
    await createEndUser(m, 'customer_profile_business_information', businessInformation('Example ISV Inc')),
    await createEndUser(m, 'authorized_representative_1', representative),
    await createAddressDocument(h, m),
  ];
  for (const o of objects) expect((await assign(m, 'CustomerProfiles', sid, o)).status).toBe(201);
  await submit(m, 'CustomerProfiles', sid, POLICY.secondaryCustomerProfile);
  expect((await settleBundle(h, m, 'CustomerProfiles', sid)).status).toBe('twilio-approved');
  return sid;
}

export interface SecondaryProfile {
  sid: string;
  businessSid: string;
}

/** A subaccount's complete (not yet submitted) secondary customer profile. */
export async function draftSecondaryProfile(h: Harness, c: Client, primarySid: string, businessName = 'Acme Dental LLC'): Promise<SecondaryProfile> {
  const sid = await createBundle(c, 'CustomerProfiles', POLICY.secondaryCustomerProfile, `isv:${businessName}`);
  const businessSid = await createEndUser(c, 'customer_profile_business_information', businessInformation(businessName));
  const objects = [businessSid, await createEndUser(c, 'authorized_representative_1', representative), await createAddressDocument(h, c), primarySid];
  for (const o of objects) {
    const r = await assign(c, 'CustomerProfiles', sid, o);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
  return { sid, businessSid };
}

export interface StandardBundles {
  customerProfileSid: string;
  trustProductSid: string;
  businessSid: string;
}

/** Approved secondary customer profile + A2P trust product of a subaccount. */
export async function approvedStandardBundles(
  h: Harness,
  c: Client,
  primarySid: string,
  businessName = 'Acme Dental LLC',
  messagingProfile: Record<string, unknown> = { company_type: 'private' },
): Promise<StandardBundles> {
  const cp = await draftSecondaryProfile(h, c, primarySid, businessName);
  await submit(c, 'CustomerProfiles', cp.sid, POLICY.secondaryCustomerProfile);
  const tp = await createBundle(c, 'TrustProducts', POLICY.a2pMessagingProfile, `isv:a2p:${businessName}`);
  for (const o of [await createEndUser(c, 'us_a2p_messaging_profile_information', messagingProfile), cp.sid]) {
    expect((await assign(c, 'TrustProducts', tp, o)).status).toBe(201);
  }
  await submit(c, 'TrustProducts', tp, POLICY.a2pMessagingProfile);
  expect((await settleBundle(h, c, 'CustomerProfiles', cp.sid)).status).toBe('twilio-approved');
  expect((await settleBundle(h, c, 'TrustProducts', tp)).status).toBe('twilio-approved');
  return { customerProfileSid: cp.sid, trustProductSid: tp, businessSid: cp.businessSid };
}

/** Approved starter customer profile + sole-proprietor trust product of a subaccount. */
export async function approvedSoleProprietorBundles(h: Harness, c: Client, primarySid: string, brandName = 'Ada Tutoring'): Promise<StandardBundles> {
  const cp = await createBundle(c, 'CustomerProfiles', POLICY.starterCustomerProfile, `isv:starter:${brandName}`);
  const info = await createEndUser(c, 'starter_customer_profile_information', {
    first_name: 'Ada',
    last_name: 'Lovelace',
    email: 'ada@example.com',
    phone_number: '+14155550101',
  });
  for (const o of [info, await createAddressDocument(h, c), primarySid]) expect((await assign(c, 'CustomerProfiles', cp, o)).status).toBe(201);
  await submit(c, 'CustomerProfiles', cp, POLICY.starterCustomerProfile);
  const tp = await createBundle(c, 'TrustProducts', POLICY.soleProprietorTrustProduct, `isv:sole:${brandName}`);
  const sole = await createEndUser(c, 'sole_proprietor_information', { brand_name: brandName, mobile_phone_number: '+14155550101', vertical: 'EDUCATION' });
  for (const o of [sole, cp]) expect((await assign(c, 'TrustProducts', tp, o)).status).toBe(201);
  await submit(c, 'TrustProducts', tp, POLICY.soleProprietorTrustProduct);
  expect((await settleBundle(h, c, 'CustomerProfiles', cp)).status).toBe('twilio-approved');
  expect((await settleBundle(h, c, 'TrustProducts', tp)).status).toBe('twilio-approved');
  return { customerProfileSid: cp, trustProductSid: tp, businessSid: sole };
}

const brandDecided = (b: Record<string, any>) => b.status === 'APPROVED' || b.status === 'FAILED';

export async function registerBrand(h: Harness, c: Client, bundles: StandardBundles, brandType = 'STANDARD'): Promise<Record<string, any>> {
  const r = await c.form('POST', MSG, '/v1/a2p/BrandRegistrations', {
    CustomerProfileBundleSid: bundles.customerProfileSid,
    A2PProfileBundleSid: bundles.trustProductSid,
    BrandType: brandType,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return h.settle(() => c.form('GET', MSG, `/v1/a2p/BrandRegistrations/${r.body.sid}`), brandDecided);
}

export async function createService(c: Client, name = 'isv:service'): Promise<string> {
  const r = await c.form('POST', MSG, '/v1/Services', { FriendlyName: name });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.sid as string;
}
