// Contract: messaging.twilio.com Services/{sid}/Compliance/Usa2p (FACTS §6): the brand's allowed use cases, the
// campaign create (an A2P call: rate limited), fetch, list and delete, with the subaccount's own credentials,
// checked against messaging_v1. The campaign SID is Twilio's constant QE2c6890da8086d771620e9b13fadeba0b.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvedPrimaryProfile, approvedStandardBundles, registeredBrand, settle } from './a2p-fixtures.ts';
import { createContractRig, type ContractRig, type Subaccount } from './contract-rig.ts';

const CAMPAIGN_SID = 'QE2c6890da8086d771620e9b13fadeba0b';

describe('contract: A2P campaigns (UsAppToPerson)', () => {
  let rig: ContractRig;
  let sub: Subaccount;
  let brandSid: string;
  beforeAll(async () => {
    rig = await createContractRig();
    const primary = await approvedPrimaryProfile(rig);
    sub = await rig.newSubaccount();
    const brand = await registeredBrand(rig, sub, await approvedStandardBundles(rig, sub, primary));
    if (brand.status !== 'APPROVED') throw new Error(`brand ${brand.sid} is ${brand.status}`);
    brandSid = brand.sid;
  });
  afterAll(async () => {
    await rig?.close();
  });

  const newService = (name: string) => sub.client.messaging.v1.services.create({ friendlyName: name, inboundRequestUrl: 'https://hooks.example.com/inbound' });

  const campaignInput = (brandRegistrationSid: string, description = 'Appointment reminders and confirmations for patients of Acme Dental clinics.') => ({
    brandRegistrationSid,
    description,
    messageFlow: 'Patients opt in by ticking an SMS consent box on the appointment booking form at acme-dental.example.com/book.',
    messageSamples: ['Hi Ada, your cleaning is booked for Tue 10am. Reply STOP to opt out.', 'Reminder: your appointment is tomorrow at 10am. Reply HELP for help.'],
    usAppToPersonUsecase: 'ACCOUNT_NOTIFICATION',
    hasEmbeddedLinks: false,
    hasEmbeddedPhone: false,
    optInKeywords: ['START'],
    optOutKeywords: ['STOP'],
    helpKeywords: ['HELP'],
    optInMessage: 'You are subscribed to Acme Dental reminders. Reply STOP to stop.',
    optOutMessage: 'You will no longer receive messages from Acme Dental.',
    helpMessage: 'Acme Dental reminders. Call 415-555-0100 for help.',
  });

  it('FetchUsAppToPersonUsecase lists the use cases the brand may register', async () => {
    const service = await newService('isv:usecases');
    const usecases = await rig.twilio.call('usa2p.usecases', () => sub.client.messaging.v1.services(service.sid).usAppToPersonUsecases.fetch({ brandRegistrationSid: brandSid }), {
      a2p: true,
    });
    const body = rig.expectContract('messaging_v1', 'GET', '/v1/Services/{MessagingServiceSid}/Compliance/Usa2p/Usecases', 200);
    expect(body).toHaveProperty('us_app_to_person_usecases');
    expect((usecases.usAppToPersonUsecases as { code: string }[]).map((u) => u.code)).toContain('ACCOUNT_NOTIFICATION');
  });

  it('CreateUsAppToPerson registers the campaign; fetch and list follow until it is VERIFIED', async () => {
    const service = await newService('isv:campaign');
    const campaign = await rig.twilio.call('usa2p.create', () => sub.client.messaging.v1.services(service.sid).usAppToPerson.create(campaignInput(brandSid)), {
      a2p: true,
    });
    const created = rig.expectContract('messaging_v1', 'POST', '/v1/Services/{MessagingServiceSid}/Compliance/Usa2p', 201);
    expect(campaign.sid).toBe(CAMPAIGN_SID);
    expect(created).toMatchObject({ brand_registration_sid: brandSid, messaging_service_sid: service.sid, campaign_status: 'IN_PROGRESS' });

    const final = await settle(
      rig,
      () => rig.twilio.call('usa2p.fetch', () => sub.client.messaging.v1.services(service.sid).usAppToPerson(CAMPAIGN_SID).fetch(), { a2p: true }),
      (c) => c.campaignStatus === 'VERIFIED' || c.campaignStatus === 'FAILED',
    );
    rig.expectContract('messaging_v1', 'GET', '/v1/Services/{MessagingServiceSid}/Compliance/Usa2p/{Sid}', 200);
    expect(final.campaignStatus).toBe('VERIFIED');

    const listed = await rig.twilio.call('usa2p.list', () => sub.client.messaging.v1.services(service.sid).usAppToPerson.list({ limit: 20 }), { a2p: true });
    rig.expectContract('messaging_v1', 'GET', '/v1/Services/{MessagingServiceSid}/Compliance/Usa2p', 200);
    expect(listed.map((c) => c.brandRegistrationSid)).toEqual([brandSid]);
    expect((await sub.client.messaging.v1.services(service.sid).fetch()).usAppToPersonRegistered).toBe(true);
  });

  it('a campaign whose content carries the failure trigger ends FAILED with 30897', async () => {
    const service = await newService('isv:campaign-fail');
    await sub.client.messaging.v1.services(service.sid).usAppToPerson.create(campaignInput(brandSid, 'CAMPAIGNFAIL appointment reminders for patients of Acme Dental clinics.'));
    const final = await settle(
      rig,
      () => sub.client.messaging.v1.services(service.sid).usAppToPerson(CAMPAIGN_SID).fetch(),
      (c) => c.campaignStatus === 'VERIFIED' || c.campaignStatus === 'FAILED',
    );
    expect(final.campaignStatus).toBe('FAILED');
    expect(JSON.stringify(final.errors)).toContain('30897');
  });

  it('UpdateUsAppToPerson edits a FAILED campaign in place and the review runs again', async () => {
    const service = await newService('isv:campaign-edit');
    await sub.client.messaging.v1.services(service.sid).usAppToPerson.create(campaignInput(brandSid, 'CAMPAIGNFAIL appointment reminders for patients of Acme Dental clinics.'));
    await settle(rig, () => sub.client.messaging.v1.services(service.sid).usAppToPerson(CAMPAIGN_SID).fetch(), (c) => c.campaignStatus === 'FAILED');
    const fixed = campaignInput(brandSid);
    const updated = await rig.twilio.call(
      'usa2p.update',
      () =>
        sub.client.messaging.v1.services(service.sid).usAppToPerson(CAMPAIGN_SID).update({
          description: fixed.description,
          messageFlow: fixed.messageFlow,
          messageSamples: fixed.messageSamples,
          hasEmbeddedLinks: false,
          hasEmbeddedPhone: false,
          ageGated: false,
          directLending: false,
        }),
      { a2p: true },
    );
    rig.expectContract('messaging_v1', 'POST', '/v1/Services/{MessagingServiceSid}/Compliance/Usa2p/{Sid}', 200);
    expect(updated.campaignStatus).toBe('IN_PROGRESS');
    const final = await settle(
      rig,
      () => sub.client.messaging.v1.services(service.sid).usAppToPerson(CAMPAIGN_SID).fetch(),
      (c) => c.campaignStatus === 'VERIFIED' || c.campaignStatus === 'FAILED',
    );
    expect(final.campaignStatus).toBe('VERIFIED');
  });

  it('DeleteUsAppToPerson removes the campaign from its service', async () => {
    const service = await newService('isv:campaign-delete');
    await sub.client.messaging.v1.services(service.sid).usAppToPerson.create(campaignInput(brandSid));
    const removed = await rig.twilio.call('usa2p.remove', () => sub.client.messaging.v1.services(service.sid).usAppToPerson(CAMPAIGN_SID).remove(), { a2p: true });
    rig.expectContract('messaging_v1', 'DELETE', '/v1/Services/{MessagingServiceSid}/Compliance/Usa2p/{Sid}', 204);
    expect(removed).toBe(true);
    expect(await sub.client.messaging.v1.services(service.sid).usAppToPerson.list()).toEqual([]);
  });
});
