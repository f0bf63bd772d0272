// TrustHub in the sandbox: catalogue, end users, documents, bundles with assignments and evaluations, the review
// lifecycle and its forced rejection, ownership rules. Every body is checked against trusthub_v1's schemas.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  assign,
  businessInformation,
  createAddress,
  createAddressDocument,
  createBundle,
  createEndUser,
  draftSecondaryProfile,
  expectSpec,
  expectTwilioError,
  openHarness,
  POLICY,
  primaryProfile,
  representative,
  settleBundle,
  submit,
  TH,
  type Harness,
} from './review-fixtures.ts';

const SPEC = 'trusthub_v1';
let h: Harness;

beforeEach(async () => {
  h = await openHarness();
});
afterEach(async () => {
  await h.close();
});

describe('TrustHub catalogue', () => {
  it('lists the four A2P policies with their requirements, and 404s an unknown policy', async () => {
    const list = expectSpec(SPEC, 'GET', '/v1/Policies', await h.master.form('GET', TH, '/v1/Policies'), 200);
    expect(list.meta.key).toBe('results');
    expect(list.results.map((p: { sid: string }) => p.sid).sort()).toEqual(Object.values(POLICY).sort());
    const secondary = expectSpec(SPEC, 'GET', '/v1/Policies/{Sid}', await h.master.form('GET', TH, `/v1/Policies/${POLICY.secondaryCustomerProfile}`), 200);
    expect(secondary.requirements.end_user.map((e: { type: string }) => e.type)).toEqual([
      'customer_profile_business_information',
      'authorized_representative_1',
      'authorized_representative_2',
    ]);
    expect(secondary.requirements.supporting_document[0][0].accepted_documents[0].type).toBe('customer_profile_address');
    expect(secondary.requirements.supporting_customer_profiles[0].requirement_name).toBe('primary_customer_profile');
    const sole = expectSpec(SPEC, 'GET', '/v1/Policies/{Sid}', await h.master.form('GET', TH, `/v1/Policies/${POLICY.soleProprietorTrustProduct}`), 200);
    expect(sole.friendly_name).toBe('Sole Proprietor TrustProduct');
    expectTwilioError(await h.master.form('GET', TH, `/v1/Policies/RN${'0'.repeat(32)}`), 404, 20404);
  });

  it('lists end-user and supporting-document types, fetchable by SID or machine name', async () => {
    const types = expectSpec(SPEC, 'GET', '/v1/EndUserTypes', await h.master.form('GET', TH, '/v1/EndUserTypes'), 200);
    const names = types.end_user_types.map((t: { machine_name: string }) => t.machine_name);
    expect(names).toEqual(expect.arrayContaining(['customer_profile_business_information', 'authorized_representative_1', 'us_a2p_messaging_profile_information', 'sole_proprietor_information']));
    const rep = types.end_user_types.find((t: { machine_name: string }) => t.machine_name === 'authorized_representative_1');
    expectSpec(SPEC, 'GET', '/v1/EndUserTypes/{Sid}', await h.master.form('GET', TH, `/v1/EndUserTypes/${rep.sid}`), 200);
    const byName = expectSpec(SPEC, 'GET', '/v1/EndUserTypes/{Sid}', await h.master.form('GET', TH, '/v1/EndUserTypes/authorized_representative_1'), 200);
    expect(byName.sid).toBe(rep.sid);
    const docs = expectSpec(SPEC, 'GET', '/v1/SupportingDocumentTypes', await h.master.form('GET', TH, '/v1/SupportingDocumentTypes'), 200);
    expect(docs.supporting_document_types[0].fields[0].machine_name).toBe('address_sids');
    expectSpec(SPEC, 'GET', '/v1/SupportingDocumentTypes/{Sid}', await h.master.form('GET', TH, '/v1/SupportingDocumentTypes/customer_profile_address'), 200);
  });
});

describe('TrustHub end users and supporting documents', () => {
  it('creates, fetches, updates and lists an end user whose Attributes travel as a JSON string', async () => {
    const sub = await h.newSubaccount();
    const created = expectSpec(
      SPEC,
      'POST',
      '/v1/EndUsers',
      await sub.form('POST', TH, '/v1/EndUsers', { FriendlyName: 'rep', Type: 'authorized_representative_1', Attributes: representative }),
      201,
    );
    expect(created.sid).toMatch(/^IT[0-9a-f]{32}$/);
    expect(created.account_sid).toBe(sub.sid);
    expect(created.attributes).toEqual(representative);
    expect(created.date_created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expectSpec(SPEC, 'GET', '/v1/EndUsers/{Sid}', await sub.form('GET', TH, `/v1/EndUsers/${created.sid}`), 200);
    const updated = expectSpec(
      SPEC,
      'POST',
      '/v1/EndUsers/{Sid}',
      await sub.form('POST', TH, `/v1/EndUsers/${created.sid}`, { Attributes: { ...representative, first_name: 'Grace' } }),
      200,
    );
    expect(updated.attributes.first_name).toBe('Grace');
    const list = expectSpec(SPEC, 'GET', '/v1/EndUsers', await sub.form('GET', TH, '/v1/EndUsers'), 200);
    expect(list.results.map((e: { sid: string }) => e.sid)).toEqual([created.sid]);
    expect((await sub.form('DELETE', TH, `/v1/EndUsers/${created.sid}`)).status).toBe(204);
    expectTwilioError(await sub.form('GET', TH, `/v1/EndUsers/${created.sid}`), 404, 20404);
  });

  it('refuses missing FriendlyName or Type, unknown types, non-JSON Attributes and unknown attribute fields', async () => {
    const sub = await h.newSubaccount();
    expectTwilioError(await sub.form('POST', TH, '/v1/EndUsers', { Type: 'authorized_representative_1' }), 400, 20001, /FriendlyName/);
    expectTwilioError(await sub.form('POST', TH, '/v1/EndUsers', { FriendlyName: 'x' }), 400, 20001, /Type/);
    expectTwilioError(await sub.form('POST', TH, '/v1/EndUsers', { FriendlyName: 'x', Type: 'individual_person' }), 400, 20001, /Type/);
    expectTwilioError(await sub.form('POST', TH, '/v1/EndUsers', { FriendlyName: 'x', Type: 'authorized_representative_1', Attributes: 'first_name=Ada' }), 400, 20001, /Attributes/);
    expectTwilioError(
      await sub.form('POST', TH, '/v1/EndUsers', { FriendlyName: 'x', Type: 'authorized_representative_1', Attributes: { firstname: 'Ada' } }),
      400,
      20001,
      /firstname/,
    );
  });

  it('accepts an address document only for an Address of the same account', async () => {
    const sub = await h.newSubaccount('a');
    const sibling = await h.newSubaccount('b');
    const foreign = await createAddress(h, sibling.sid);
    expectTwilioError(
      await sub.form('POST', TH, '/v1/SupportingDocuments', { FriendlyName: 'address', Type: 'customer_profile_address', Attributes: { address_sids: foreign } }),
      400,
      20001,
      /address_sids/,
    );
    const own = await createAddress(h, sub.sid);
    const doc = expectSpec(
      SPEC,
      'POST',
      '/v1/SupportingDocuments',
      await sub.form('POST', TH, '/v1/SupportingDocuments', { FriendlyName: 'address', Type: 'customer_profile_address', Attributes: { address_sids: own } }),
      201,
    );
    expect(doc).toMatchObject({ status: 'DRAFT', type: 'customer_profile_address', attributes: { address_sids: own } });
    expectSpec(SPEC, 'GET', '/v1/SupportingDocuments/{Sid}', await sub.form('GET', TH, `/v1/SupportingDocuments/${doc.sid}`), 200);
    expectSpec(SPEC, 'POST', '/v1/SupportingDocuments/{Sid}', await sub.form('POST', TH, `/v1/SupportingDocuments/${doc.sid}`, { FriendlyName: 'hq' }), 200);
    expectSpec(SPEC, 'GET', '/v1/SupportingDocuments', await sub.form('GET', TH, '/v1/SupportingDocuments'), 200);
    expectTwilioError(await sub.form('POST', TH, `/v1/SupportingDocuments/${doc.sid}`, { Attributes: { address_sids: foreign } }), 400, 20001, /address_sids/);
    expect((await sub.form('DELETE', TH, `/v1/SupportingDocuments/${doc.sid}`)).status).toBe(204);
    expectTwilioError(await sub.form('GET', TH, `/v1/SupportingDocuments/${doc.sid}`), 404, 20404);
  });
});

describe('TrustHub bundles', () => {
  it('evaluates a profile as noncompliant listing what each requirement misses, then compliant once complete', async () => {
    const primary = await primaryProfile(h);
    const sub = await h.newSubaccount();
    const cp = await createBundle(sub, 'CustomerProfiles', POLICY.secondaryCustomerProfile);
    const first = expectSpec(
      SPEC,
      'POST',
      '/v1/CustomerProfiles/{CustomerProfileSid}/Evaluations',
      await sub.form('POST', TH, `/v1/CustomerProfiles/${cp}/Evaluations`, { PolicySid: POLICY.secondaryCustomerProfile }),
      201,
    );
    expect(first.status).toBe('noncompliant');
    expect(first.results.filter((r: { passed: boolean }) => !r.passed).map((r: { requirement_name: string }) => r.requirement_name)).toEqual([
      'customer_profile_business_information',
      'authorized_representative_1',
      'customer_profile_address',
      'primary_customer_profile',
    ]);

    const business = await createEndUser(sub, 'customer_profile_business_information', { ...businessInformation('Acme'), website_url: 'acme' });
    for (const o of [business, await createEndUser(sub, 'authorized_representative_1', representative), await createAddressDocument(h, sub), primary]) {
      expectSpec(SPEC, 'POST', '/v1/CustomerProfiles/{CustomerProfileSid}/EntityAssignments', await assign(sub, 'CustomerProfiles', cp, o), 201);
    }
    const second = (await sub.form('POST', TH, `/v1/CustomerProfiles/${cp}/Evaluations`, { PolicySid: POLICY.secondaryCustomerProfile })).body;
    expect(second.status).toBe('noncompliant');
    const businessResult = second.results.find((r: { requirement_name: string }) => r.requirement_name === 'customer_profile_business_information');
    expect(businessResult.invalid).toEqual([expect.objectContaining({ object_field: 'website_url', error_code: 22215 })]);

    await sub.form('POST', TH, `/v1/EndUsers/${business}`, { Attributes: businessInformation('Acme') });
    const third = (await sub.form('POST', TH, `/v1/CustomerProfiles/${cp}/Evaluations`, { PolicySid: POLICY.secondaryCustomerProfile })).body;
    expect(third.status).toBe('compliant');

    const evaluations = expectSpec(SPEC, 'GET', '/v1/CustomerProfiles/{CustomerProfileSid}/Evaluations', await sub.form('GET', TH, `/v1/CustomerProfiles/${cp}/Evaluations`), 200);
    expect(evaluations.results).toHaveLength(3);
    expectSpec(SPEC, 'GET', '/v1/CustomerProfiles/{CustomerProfileSid}/Evaluations/{Sid}', await sub.form('GET', TH, `/v1/CustomerProfiles/${cp}/Evaluations/${third.sid}`), 200);
    const assignments = expectSpec(SPEC, 'GET', '/v1/CustomerProfiles/{CustomerProfileSid}/EntityAssignments', await sub.form('GET', TH, `/v1/CustomerProfiles/${cp}/EntityAssignments`), 200);
    expect(assignments.results).toHaveLength(4);
    const filtered = (await sub.form('GET', TH, `/v1/CustomerProfiles/${cp}/EntityAssignments`, { ObjectType: 'authorized_representative_1' })).body;
    expect(filtered.results).toHaveLength(1);
  });

  it('submits only with a compliant evaluation, then moves pending-review → in-review → twilio-approved and locks while in review', async () => {
    const primary = await primaryProfile(h);
    const sub = await h.newSubaccount();
    const { sid, businessSid } = await draftSecondaryProfile(h, sub, primary);
    const tooEarly = await sub.form('POST', TH, `/v1/CustomerProfiles/${sid}`, { Status: 'pending-review' });
    expectTwilioError(tooEarly, 400, 20001, /not compliant/);
    expectTwilioError(await sub.form('POST', TH, `/v1/CustomerProfiles/${sid}`, { Status: 'twilio-approved' }), 400, 20001, /pending-review/);

    await sub.form('POST', TH, `/v1/CustomerProfiles/${sid}/Evaluations`, { PolicySid: POLICY.secondaryCustomerProfile });
    const submitted = expectSpec(SPEC, 'POST', '/v1/CustomerProfiles/{Sid}', await sub.form('POST', TH, `/v1/CustomerProfiles/${sid}`, { Status: 'pending-review' }), 200);
    expect(submitted.status).toBe('pending-review');

    expectTwilioError(await sub.form('POST', TH, `/v1/EndUsers/${businessSid}`, { Attributes: businessInformation('Other') }), 400, 60711);
    expectTwilioError(await assign(sub, 'CustomerProfiles', sid, await createEndUser(sub, 'authorized_representative_2', representative)), 400, 60711);

    await h.step();
    expect((await sub.form('GET', TH, `/v1/CustomerProfiles/${sid}`)).body.status).toBe('in-review');
    await h.step();
    const approved = expectSpec(SPEC, 'GET', '/v1/CustomerProfiles/{Sid}', await sub.form('GET', TH, `/v1/CustomerProfiles/${sid}`), 200);
    expect(approved).toMatchObject({ status: 'twilio-approved', errors: null });
    expect(approved.valid_until).not.toBeNull();
    expectTwilioError(await sub.form('POST', TH, `/v1/CustomerProfiles/${sid}`, { FriendlyName: 'renamed' }), 400, 60711);
    const list = expectSpec(SPEC, 'GET', '/v1/CustomerProfiles', await sub.form('GET', TH, '/v1/CustomerProfiles', { Status: 'twilio-approved' }), 200);
    expect(list.results.map((b: { sid: string }) => b.sid)).toEqual([sid]);
  });

  it('with a zero review delay, one advanceReviews() takes a submitted profile to its decision', async () => {
    await h.close();
    h = await openHarness({ reviewDelayMs: 0 });
    const primary = await primaryProfile(h);
    const sub = await h.newSubaccount();
    const { sid } = await draftSecondaryProfile(h, sub, primary);
    await submit(sub, 'CustomerProfiles', sid, POLICY.secondaryCustomerProfile);
    await h.sandbox.advanceReviews();
    expect((await sub.form('GET', TH, `/v1/CustomerProfiles/${sid}`)).body.status).toBe('twilio-approved');
  });

  it('keeps a bundle in review across a sandbox restart and decides it afterwards', async () => {
    await h.close();
    const dir = await mkdtemp(path.join(tmpdir(), 'sandbox-trusthub-'));
    const stateFile = path.join(dir, 'state.json');
    try {
      h = await openHarness({ stateFile });
      const primary = await primaryProfile(h);
      const sub = await h.newSubaccount();
      const { sid } = await draftSecondaryProfile(h, sub, primary);
      await submit(sub, 'CustomerProfiles', sid, POLICY.secondaryCustomerProfile);
      await h.step();
      expect((await sub.form('GET', TH, `/v1/CustomerProfiles/${sid}`)).body.status).toBe('in-review');
      const master = { sid: h.master.sid, token: h.master.token };
      const startAt = h.now();
      await h.close();

      h = await openHarness({ stateFile, master, startAt });
      const again = h.clientFor(sub.sid, sub.token);
      expect((await again.form('GET', TH, `/v1/CustomerProfiles/${sid}`)).body.status).toBe('in-review');
      await h.step();
      expect((await again.form('GET', TH, `/v1/CustomerProfiles/${sid}`)).body.status).toBe('twilio-approved');
    } finally {
      // Close the file-backed sandbox (it flushes its state) before removing its directory.
      await h.close();
      h = await openHarness();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects a business name containing REJECT with errors, and approves the corrected resubmission', async () => {
    const primary = await primaryProfile(h);
    const sub = await h.newSubaccount();
    const { sid, businessSid } = await draftSecondaryProfile(h, sub, primary, 'REJECT Dental');
    await submit(sub, 'CustomerProfiles', sid, POLICY.secondaryCustomerProfile);
    const rejected = await settleBundle(h, sub, 'CustomerProfiles', sid);
    expectSpec(SPEC, 'GET', '/v1/CustomerProfiles/{Sid}', await sub.form('GET', TH, `/v1/CustomerProfiles/${sid}`), 200);
    expect(rejected.status).toBe('twilio-rejected');
    expect(rejected.errors).toEqual([expect.objectContaining({ code: 18601, fields: ['customer_profile_business_information.business_name'] })]);

    expect((await sub.form('POST', TH, `/v1/EndUsers/${businessSid}`, { Attributes: businessInformation('Acme Dental') })).status).toBe(200);
    await submit(sub, 'CustomerProfiles', sid, POLICY.secondaryCustomerProfile);
    const approved = await settleBundle(h, sub, 'CustomerProfiles', sid);
    expect(approved).toMatchObject({ status: 'twilio-approved', errors: null });
  });

  it('fails the evaluation of a business registration number that does not fit its identifier type, naming business_registration_number', async () => {
    const sub = await h.newSubaccount();
    const cp = await createBundle(sub, 'CustomerProfiles', POLICY.secondaryCustomerProfile);
    const business = await createEndUser(sub, 'customer_profile_business_information', { ...businessInformation('Érable Ltée'), business_registration_identifier: 'CBN', business_registration_number: '12-3456789' });
    await assign(sub, 'CustomerProfiles', cp, business);
    const evaluate = async () => (await sub.form('POST', TH, `/v1/CustomerProfiles/${cp}/Evaluations`, { PolicySid: POLICY.secondaryCustomerProfile })).body;
    const bad = (await evaluate()).results.find((r: { requirement_name: string }) => r.requirement_name === 'customer_profile_business_information');
    expect(bad.invalid).toEqual([expect.objectContaining({ object_field: 'business_registration_number', failure_reason: expect.stringContaining('Canadian Business Number of 9 digits'), error_code: 22215 })]);
    await sub.form('POST', TH, `/v1/EndUsers/${business}`, { Attributes: { ...businessInformation('Érable Ltée'), business_registration_identifier: 'CBN', business_registration_number: '123456789' } });
    const good = (await evaluate()).results.find((r: { requirement_name: string }) => r.requirement_name === 'customer_profile_business_information');
    expect(good.passed).toBe(true);
  });

  it('fails a government A2P profile whose customer profile is not a Non-profit Corporation in GOVERNMENT, naming company_type', async () => {
    const primary = await primaryProfile(h);
    const sub = await h.newSubaccount();
    const cp = await draftSecondaryProfile(h, sub, primary, 'City of Springfield');
    await submit(sub, 'CustomerProfiles', cp.sid, POLICY.secondaryCustomerProfile);
    const tp = await createBundle(sub, 'TrustProducts', POLICY.a2pMessagingProfile);
    const a2p = await createEndUser(sub, 'us_a2p_messaging_profile_information', { company_type: 'government' });
    for (const o of [a2p, cp.sid]) await assign(sub, 'TrustProducts', tp, o);
    const evaluation = (await sub.form('POST', TH, `/v1/TrustProducts/${tp}/Evaluations`, { PolicySid: POLICY.a2pMessagingProfile })).body;
    expect(evaluation.status).toBe('noncompliant');
    expect(evaluation.results[0].invalid).toEqual([
      expect.objectContaining({ object_field: 'company_type', failure_reason: expect.stringContaining('"Non-profit Corporation" and Business Industry GOVERNMENT'), error_code: 22215 }),
    ]);
  });

  it('decides a trust product after its customer profile, and rejects it when the profile is rejected', async () => {
    const primary = await primaryProfile(h);
    const sub = await h.newSubaccount();
    const cp = await draftSecondaryProfile(h, sub, primary, 'REJECT Co');
    await submit(sub, 'CustomerProfiles', cp.sid, POLICY.secondaryCustomerProfile);
    const tp = await createBundle(sub, 'TrustProducts', POLICY.a2pMessagingProfile);
    const a2p = await createEndUser(sub, 'us_a2p_messaging_profile_information', { company_type: 'public' });
    for (const o of [a2p, cp.sid]) {
      expectSpec(SPEC, 'POST', '/v1/TrustProducts/{TrustProductSid}/EntityAssignments', await assign(sub, 'TrustProducts', tp, o), 201);
    }
    const evaluation = expectSpec(
      SPEC,
      'POST',
      '/v1/TrustProducts/{TrustProductSid}/Evaluations',
      await sub.form('POST', TH, `/v1/TrustProducts/${tp}/Evaluations`, { PolicySid: POLICY.a2pMessagingProfile }),
      201,
    );
    // A public company must name its stock exchange, ticker and brand contact email.
    expect(evaluation.status).toBe('noncompliant');
    expect(evaluation.results[0].invalid.map((i: { object_field: string }) => i.object_field)).toEqual(['stock_exchange', 'stock_ticker', 'brand_contact_email']);
    await sub.form('POST', TH, `/v1/EndUsers/${a2p}`, { Attributes: { company_type: 'public', stock_exchange: 'NASDAQ', stock_ticker: 'ACME', brand_contact_email: 'ir@acme.example.com' } });
    await submit(sub, 'TrustProducts', tp, POLICY.a2pMessagingProfile);
    const decided = await settleBundle(h, sub, 'TrustProducts', tp);
    expect((await sub.form('GET', TH, `/v1/CustomerProfiles/${cp.sid}`)).body.status).toBe('twilio-rejected');
    expect(decided.status).toBe('twilio-rejected');
    expect(decided.errors[0].message).toMatch(cp.sid);
    expectSpec(SPEC, 'GET', '/v1/TrustProducts/{Sid}', await sub.form('GET', TH, `/v1/TrustProducts/${tp}`), 200);
    expectSpec(SPEC, 'GET', '/v1/TrustProducts', await sub.form('GET', TH, '/v1/TrustProducts'), 200);
    expectSpec(SPEC, 'GET', '/v1/TrustProducts/{TrustProductSid}/Evaluations', await sub.form('GET', TH, `/v1/TrustProducts/${tp}/Evaluations`), 200);
    expectSpec(
      SPEC,
      'GET',
      '/v1/TrustProducts/{TrustProductSid}/Evaluations/{Sid}',
      await sub.form('GET', TH, `/v1/TrustProducts/${tp}/Evaluations/${evaluation.sid}`),
      200,
    );
    expectTwilioError(await sub.form('GET', TH, `/v1/CustomerProfiles/${cp.sid}/Evaluations/${evaluation.sid}`), 404, 20404);
    const assignments = expectSpec(SPEC, 'GET', '/v1/TrustProducts/{TrustProductSid}/EntityAssignments', await sub.form('GET', TH, `/v1/TrustProducts/${tp}/EntityAssignments`), 200);
    const bv = assignments.results[0].sid;
    expectSpec(SPEC, 'GET', '/v1/TrustProducts/{TrustProductSid}/EntityAssignments/{Sid}', await sub.form('GET', TH, `/v1/TrustProducts/${tp}/EntityAssignments/${bv}`), 200);
    expect((await sub.form('DELETE', TH, `/v1/TrustProducts/${tp}/EntityAssignments/${bv}`)).status).toBe(204);
    expect((await sub.form('DELETE', TH, `/v1/TrustProducts/${tp}`)).status).toBe(204);
    expectTwilioError(await sub.form('GET', TH, `/v1/TrustProducts/${tp}`), 404, 20404);
  });

  it('lets a subaccount assign the master account’s primary profile, but not a sibling’s profile', async () => {
    const primary = await primaryProfile(h);
    const sub = await h.newSubaccount('a');
    const sibling = await h.newSubaccount('b');
    const siblingProfile = await createBundle(sibling, 'CustomerProfiles', POLICY.secondaryCustomerProfile);
    const cp = await createBundle(sub, 'CustomerProfiles', POLICY.secondaryCustomerProfile);
    expectSpec(SPEC, 'POST', '/v1/CustomerProfiles/{CustomerProfileSid}/EntityAssignments', await assign(sub, 'CustomerProfiles', cp, primary), 201);
    expectTwilioError(await assign(sub, 'CustomerProfiles', cp, siblingProfile), 400, 20001, /ObjectSid/);
    expectTwilioError(await assign(sub, 'CustomerProfiles', cp, primary), 400, 20001, /already assigned/);
    expectTwilioError(await sub.form('POST', TH, `/v1/CustomerProfiles/${cp}/EntityAssignments`, {}), 400, 20001, /ObjectSid/);
  });
});

describe('TrustHub status callbacks', () => {
  it('posts each status change to the StatusCallback, signed with the owning subaccount’s token', async () => {
    const received: { url: string; signature: string; params: Record<string, string> }[] = [];
    const server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        received.push({ url: req.url ?? '', signature: String(req.headers['x-twilio-signature'] ?? ''), params: Object.fromEntries(new URLSearchParams(raw)) });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const primary = await primaryProfile(h);
      const sub = await h.newSubaccount();
      const { sid } = await draftSecondaryProfile(h, sub, primary);
      expect((await sub.form('POST', TH, `/v1/CustomerProfiles/${sid}`, { StatusCallback: `${base}/trusthub?tenant=acme` })).status).toBe(200);
      await submit(sub, 'CustomerProfiles', sid, POLICY.secondaryCustomerProfile);
      await settleBundle(h, sub, 'CustomerProfiles', sid);
      await h.sandbox.flushCallbacks();
      expect(received.map((r) => r.params.Status)).toEqual(['pending-review', 'in-review', 'twilio-approved']);
      for (const r of received) {
        expect(r.params).toMatchObject({ AccountSid: sub.sid, BundleSid: sid });
        expect(twilio.validateRequest(sub.token, r.signature, `${base}${r.url}`, r.params)).toBe(true);
        expect(twilio.validateRequest(h.master.token, r.signature, `${base}${r.url}`, r.params)).toBe(false);
      }
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('TrustHub ownership and auth', () => {
  it('creates bundles in the account whose credentials are used: master credentials never create one for a subaccount', async () => {
    const sub = await h.newSubaccount();
    const made = await h.master.form('POST', TH, '/v1/CustomerProfiles', { FriendlyName: 'for the tenant?', Email: 'a@b.example.com', PolicySid: POLICY.secondaryCustomerProfile });
    expect(made.status).toBe(201);
    expect(made.body.account_sid).toBe(h.master.sid);
    // The subaccount cannot see it, and the master cannot see the subaccount's own bundles either.
    expectTwilioError(await sub.form('GET', TH, `/v1/CustomerProfiles/${made.body.sid}`), 404, 20404);
    expect((await sub.form('GET', TH, '/v1/CustomerProfiles')).body.results).toEqual([]);
    const own = await createBundle(sub, 'CustomerProfiles', POLICY.secondaryCustomerProfile);
    expectTwilioError(await h.master.form('GET', TH, `/v1/CustomerProfiles/${own}`), 404, 20404);
    expectTwilioError(await h.master.form('POST', TH, `/v1/CustomerProfiles/${own}/EntityAssignments`, { ObjectSid: `IT${'1'.repeat(32)}` }), 404, 20404);
  });

  it('answers wrong credentials with 401 20003 and checks create parameters', async () => {
    const sub = await h.newSubaccount();
    expectTwilioError(await h.clientFor(sub.sid, 'wrong-token').form('GET', TH, '/v1/CustomerProfiles'), 401, 20003);
    expectTwilioError(await sub.form('POST', TH, '/v1/CustomerProfiles', { FriendlyName: 'x', PolicySid: POLICY.secondaryCustomerProfile }), 400, 20001, /Email/);
    expectTwilioError(await sub.form('POST', TH, '/v1/CustomerProfiles', { FriendlyName: 'x', Email: 'a@b.example.com', PolicySid: POLICY.a2pMessagingProfile }), 400, 20001, /PolicySid/);
    expectTwilioError(await sub.form('POST', TH, '/v1/TrustProducts', { FriendlyName: 'x', Email: 'a@b.example.com' }), 400, 20001, /PolicySid/);
    const tp = expectSpec(
      SPEC,
      'POST',
      '/v1/TrustProducts',
      await sub.form('POST', TH, '/v1/TrustProducts', { FriendlyName: 'x', Email: 'a@b.example.com', PolicySid: POLICY.a2pMessagingProfile }),
      201,
    );
    expectSpec(SPEC, 'POST', '/v1/TrustProducts/{Sid}', await sub.form('POST', TH, `/v1/TrustProducts/${tp.sid}`, { FriendlyName: 'y' }), 200);
    const cp = expectSpec(
      SPEC,
      'POST',
      '/v1/CustomerProfiles',
      await sub.form('POST', TH, '/v1/CustomerProfiles', { FriendlyName: 'x', Email: 'a@b.example.com', PolicySid: POLICY.secondaryCustomerProfile }),
      201,
    );
    const bv = (await assign(sub, 'CustomerProfiles', cp.sid, await createEndUser(sub, 'authorized_representative_1', representative))).body.sid;
    expectSpec(SPEC, 'GET', '/v1/CustomerProfiles/{CustomerProfileSid}/EntityAssignments/{Sid}', await sub.form('GET', TH, `/v1/CustomerProfiles/${cp.sid}/EntityAssignments/${bv}`), 200);
    expect((await sub.form('DELETE', TH, `/v1/CustomerProfiles/${cp.sid}/EntityAssignments/${bv}`)).status).toBe(204);
    expect((await sub.form('DELETE', TH, `/v1/CustomerProfiles/${cp.sid}`)).status).toBe(204);
  });
});
