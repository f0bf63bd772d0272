// Contract: content.twilio.com v1 (FACTS §7): templates create/fetch/list/delete, the WhatsApp approval request
// and the approval fetch, with the subaccount's own credentials, checked against content_v1. Content's JSON bodies
// are sent by the SDK verbatim, so they carry Twilio's snake_case names (e.g. friendly_name).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settle } from './a2p-fixtures.ts';
import { createContractRig, type ContractRig, type Subaccount } from './contract-rig.ts';

describe('contract: Content and WhatsApp approvals', () => {
  let rig: ContractRig;
  let sub: Subaccount;
  beforeAll(async () => {
    rig = await createContractRig();
    sub = await rig.newSubaccount();
  });
  afterAll(async () => {
    await rig?.close();
  });

  const content = () => sub.client.content.v1.contents;
  const createTemplate = (friendlyName: string, body = 'Hi {{1}}, your appointment is on {{2}}.') =>
    rig.twilio.call('contents.create', () =>
      content().create({
        friendly_name: friendlyName,
        language: 'en',
        variables: { '1': 'Ada', '2': 'Tuesday' },
        types: { 'twilio/text': { body } },
      } as never),
    );

  it('CreateContent stores a text template with variables', async () => {
    const created = await createTemplate('appointment_reminder');
    const body = rig.expectContract('content_v1', 'POST', '/v1/Content', 201);
    expect(created.sid).toMatch(/^HX[0-9a-f]{32}$/);
    expect(body).toMatchObject({ account_sid: sub.sid, friendly_name: 'appointment_reminder', language: 'en' });
  });

  it('FetchContent and ListContent return it', async () => {
    const created = await createTemplate('appointment_fetch');
    const fetched = await rig.twilio.call('contents.fetch', () => content()(created.sid).fetch());
    rig.expectContract('content_v1', 'GET', '/v1/Content/{Sid}', 200);
    expect(fetched.friendlyName).toBe('appointment_fetch');
    const listed = await rig.twilio.call('contents.list', () => content().list({ limit: 500 }));
    rig.expectContract('content_v1', 'GET', '/v1/Content', 200);
    expect(listed.map((c) => c.sid)).toContain(created.sid);
  });

  it('UpdateContent (PUT) replaces an unsubmitted template\'s types', async () => {
    const created = await createTemplate('appointment_update');
    const updated = await rig.twilio.call('contents.update', () =>
      content()(created.sid).update({ friendly_name: 'appointment_update', language: 'en', types: { 'twilio/text': { body: 'Hello {{1}}, see you on {{2}}.' } } } as never),
    );
    const body = rig.expectContract('content_v1', 'PUT', '/v1/Content/{Sid}', 200);
    expect(updated.sid).toBe(created.sid);
    expect(JSON.stringify(body.types)).toContain('Hello {{1}}');
  });

  it('DeleteContent removes it', async () => {
    const created = await createTemplate('appointment_delete');
    const removed = await rig.twilio.call('contents.remove', () => content()(created.sid).remove());
    rig.expectContract('content_v1', 'DELETE', '/v1/Content/{Sid}', 204);
    expect(removed).toBe(true);
    await expect(rig.twilio.call('contents.fetch', () => content()(created.sid).fetch())).rejects.toMatchObject({ httpStatus: 404, twilioCode: 20404 });
  });

  it('CreateApprovalCreate submits to WhatsApp; FetchApprovalFetch follows it to approved', async () => {
    const created = await createTemplate('appointment_approval');
    const submitted = await rig.twilio.call('contents.approvalCreate', () =>
      content()(created.sid).approvalCreate.create({ name: 'appointment_approval', category: 'UTILITY' }),
    );
    const body = rig.expectContract('content_v1', 'POST', '/v1/Content/{ContentSid}/ApprovalRequests/whatsapp', 201);
    expect(submitted.status).toBe('received');
    expect(body).toMatchObject({ name: 'appointment_approval', category: 'UTILITY' });

    const final = await settle(
      rig,
      () => rig.twilio.call('contents.approvalFetch', () => content()(created.sid).approvalFetch().fetch()),
      (a) => ['approved', 'rejected'].includes((a.whatsapp as unknown as { status: string }).status),
    );
    const fetched = rig.expectContract('content_v1', 'GET', '/v1/Content/{Sid}/ApprovalRequests', 200);
    expect(fetched.sid).toBe(created.sid);
    expect(final.whatsapp).toMatchObject({ status: 'approved', name: 'appointment_approval' });
  });

  it('a template the reviewers reject carries its rejection_reason', async () => {
    const created = await createTemplate('appointment_rejected', 'REJECT this {{1}} please on {{2}}.');
    await content()(created.sid).approvalCreate.create({ name: 'appointment_rejected', category: 'MARKETING' });
    const final = await settle(
      rig,
      () => content()(created.sid).approvalFetch().fetch(),
      (a) => ['approved', 'rejected'].includes((a.whatsapp as unknown as { status: string }).status),
    );
    rig.expectContract('content_v1', 'GET', '/v1/Content/{Sid}/ApprovalRequests', 200);
    expect(final.whatsapp).toMatchObject({ status: 'rejected' });
    expect((final.whatsapp as unknown as { rejection_reason: string }).rejection_reason).not.toBe('');
  });
});
