// Contract: messaging.twilio.com v2 Channels/Senders (FACTS §8): a WhatsApp sender's create (202), fetch, list
// (Channel=whatsapp) and update with the OTP in configuration.verification_code, through CREATING →
// PENDING_VERIFICATION → VERIFYING → ONLINE, with the subaccount's own credentials, checked against messaging_v2.
// The SDK sends these JSON bodies verbatim, so they carry Twilio's snake_case names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settle } from './a2p-fixtures.ts';
import { createContractRig, type ContractRig, type Subaccount } from './contract-rig.ts';

describe('contract: WhatsApp senders (Channels/Senders)', () => {
  let rig: ContractRig;
  let sub: Subaccount;
  beforeAll(async () => {
    rig = await createContractRig();
    sub = await rig.newSubaccount();
  });
  afterAll(async () => {
    await rig?.close();
  });

  const senders = () => sub.client.messaging.v2.channelsSenders;
  let n = 0;
  const createSender = (name = 'Acme Dental') =>
    rig.twilio.call('senders.create', () =>
      senders().create({
        sender_id: `whatsapp:+1415555${String(1000 + n++).padStart(4, '0')}`,
        configuration: { waba_id: '123456789012345', verification_method: 'sms' },
        webhook: { callback_url: 'https://hooks.example.com/inbound', callback_method: 'POST', status_callback_url: 'https://hooks.example.com/status' },
        profile: { name, about: 'Dental care', vertical: 'Medical and Health' },
      } as never),
    );

  it('CreateChannelsSender registers a WhatsApp sender (202, CREATING)', async () => {
    const sender = await createSender();
    const body = rig.expectContract('messaging_v2', 'POST', '/v2/Channels/Senders', 202);
    expect(sender.sid).toMatch(/^XE[0-9a-f]{32}$/);
    expect(body.status).toBe('CREATING');
  });

  it('FetchChannelsSender and ListChannelsSender (Channel=whatsapp) return it', async () => {
    const sender = await createSender();
    const fetched = await rig.twilio.call('senders.fetch', () => senders()(sender.sid).fetch());
    rig.expectContract('messaging_v2', 'GET', '/v2/Channels/Senders/{Sid}', 200);
    expect(fetched.senderId).toBe(sender.senderId);
    const listed = await rig.twilio.call('senders.list', () => senders().list({ channel: 'whatsapp', limit: 50 }));
    rig.expectContract('messaging_v2', 'GET', '/v2/Channels/Senders', 200);
    expect(listed.map((s) => s.sid)).toContain(sender.sid);
  });

  it('UpdateChannelsSender submits the OTP and the sender comes ONLINE', async () => {
    const sender = await createSender();
    await settle(rig, () => senders()(sender.sid).fetch(), (s) => s.status === 'PENDING_VERIFICATION');
    const updated = await rig.twilio.call('senders.update', () => senders()(sender.sid).update({ configuration: { verification_code: '123456' } } as never));
    const body = rig.expectContract('messaging_v2', 'POST', '/v2/Channels/Senders/{Sid}', 202);
    expect(updated.status).toBe('VERIFYING');
    expect(body.sid).toBe(sender.sid);
    const online = await settle(rig, () => senders()(sender.sid).fetch(), (s) => s.status === 'ONLINE' || s.status === 'OFFLINE');
    rig.expectContract('messaging_v2', 'GET', '/v2/Channels/Senders/{Sid}', 200);
    expect(online.status).toBe('ONLINE');
  });

  it('a sender Meta refuses goes OFFLINE with its reasons', async () => {
    const sender = await createSender('OFFLINE Dental');
    await settle(rig, () => senders()(sender.sid).fetch(), (s) => s.status === 'PENDING_VERIFICATION');
    await senders()(sender.sid).update({ configuration: { verification_code: '123456' } } as never);
    const offline = await settle(rig, () => senders()(sender.sid).fetch(), (s) => s.status === 'ONLINE' || s.status === 'OFFLINE');
    rig.expectContract('messaging_v2', 'GET', '/v2/Channels/Senders/{Sid}', 200);
    expect(offline.status).toBe('OFFLINE');
    expect(offline.offlineReasons?.length).toBeGreaterThan(0);
  });
});
