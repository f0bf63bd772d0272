// A scripted run of every Twilio operation the platform calls, in the order an onboarding would make them, each
// through the gateway's call() (so its retries apply). Used under SANDBOX_FAULT_RATE to show the retries carry
// a whole run through 429s and 503s.
import type { Twilio } from 'twilio';
import {
  approvedPrimaryProfile,
  approvedSoleProprietorBundles,
  approvedStandardBundles,
  businessInformation,
  createAddress,
  POLICY,
  registeredBrand,
  settle,
} from './a2p-fixtures.ts';
import type { ContractRig } from './contract-rig.ts';
import { ensureNumberRegistrationSink } from '../../server/a2p-watch/event-sink.ts';

const CAMPAIGN_SID = 'QE2c6890da8086d771620e9b13fadeba0b';

export async function runEveryOperation(rig: ContractRig): Promise<void> {
  const { twilio } = rig;
  const call = twilio.call.bind(twilio);
  const a2p = { a2p: true };

  // Subaccount.
  const sub = await rig.newSubaccount('isv:scripted');
  const c: Twilio = sub.client;
  const account = () => twilio.master.api.v2010.accounts(sub.sid);
  await call('accounts.fetch', () => account().fetch());
  await call('accounts.list', () => twilio.master.api.v2010.accounts.list({ friendlyName: 'isv:scripted', limit: 20 }));
  await call('accounts.update', () => account().update({ status: 'suspended' }));
  await call('accounts.update', () => account().update({ status: 'active' }));

  // Address and number.
  const address = await createAddress(rig, sub.sid);
  await call('addresses.fetch', () => account().addresses(address.sid).fetch());
  await call('addresses.list', () => account().addresses.list({ limit: 20 }));
  const [candidate] = await call('availablePhoneNumbers.local', () => account().availablePhoneNumbers('US').local.list({ areaCode: 415, smsEnabled: true, limit: 1 }));
  const number = await call('incomingPhoneNumbers.create', () => account().incomingPhoneNumbers.create({ phoneNumber: candidate!.phoneNumber }));
  await call('incomingPhoneNumbers.fetch', () => account().incomingPhoneNumbers(number.sid).fetch());
  await call('incomingPhoneNumbers.list', () => account().incomingPhoneNumbers.list({ limit: 20 }));

  // The Event Streams sink and subscription for the number's A2P registration events, as the A2P flow makes them.
  await ensureNumberRegistrationSink(c, (operation, fn) => call(operation, fn), 'https://hooks.example.com');

  // Messaging Service with the number in its pool.
  const service = await call('services.create', () => c.messaging.v1.services.create({ friendlyName: 'isv:scripted', inboundRequestUrl: 'https://hooks.example.com/in' }));
  await call('services.fetch', () => c.messaging.v1.services(service.sid).fetch());
  await call('services.list', () => c.messaging.v1.services.list({ limit: 20 }));
  await call('services.update', () => c.messaging.v1.services(service.sid).update({ statusCallback: 'https://hooks.example.com/status' }));
  await call('services.usecases', () => c.messaging.v1.usecases.fetch());
  await call('services.phoneNumbers.create', () => c.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: number.sid }));
  await call('services.phoneNumbers.list', () => c.messaging.v1.services(service.sid).phoneNumbers.list({ limit: 20 }));

  // Messages and usage.
  const message = await call('messages.create', () => account().messages.create({ to: '+15558675310', messagingServiceSid: service.sid, body: 'Scripted run' }));
  await call('messages.fetch', () => account().messages(message.sid).fetch());
  await call('messages.list', () => account().messages.list({ limit: 20 }));
  await call('usage.thisMonth', () => account().usage.records.thisMonth.list({ limit: 50 }));

  // TrustHub: the ISV's primary profile, then the tenant's bundles, plus the reads the flows make.
  await call('policies.list', () => c.trusthub.v1.policies.list({ limit: 20 }));
  await call('policies.fetch', () => c.trusthub.v1.policies(POLICY.secondaryCustomerProfile).fetch());
  const primary = await approvedPrimaryProfile(rig);
  const bundles = await approvedStandardBundles(rig, sub, primary);
  const endUser = await call('endUsers.create', () =>
    c.trusthub.v1.endUsers.create({ friendlyName: 'spare', type: 'customer_profile_business_information', attributes: businessInformation('Acme Dental LLC') }),
  );
  await call('endUsers.fetch', () => c.trusthub.v1.endUsers(endUser.sid).fetch());
  await call('endUsers.update', () => c.trusthub.v1.endUsers(endUser.sid).update({ friendlyName: 'spare (renamed)' }));
  await call('endUsers.list', () => c.trusthub.v1.endUsers.list({ limit: 50 }));
  const docs = await call('supportingDocuments.list', () => c.trusthub.v1.supportingDocuments.list({ limit: 50 }));
  await call('supportingDocuments.fetch', () => c.trusthub.v1.supportingDocuments(docs[0]!.sid).fetch());
  await call('customerProfiles.list', () => c.trusthub.v1.customerProfiles.list({ limit: 20 }));
  await call('customerProfiles.entityAssignments.list', () => c.trusthub.v1.customerProfiles(bundles.customerProfileSid).customerProfilesEntityAssignments.list({ limit: 20 }));
  await call('trustProducts.list', () => c.trusthub.v1.trustProducts.list({ limit: 20 }));
  await call('trustProducts.entityAssignments.list', () => c.trusthub.v1.trustProducts(bundles.trustProductSid).trustProductsEntityAssignments.list({ limit: 20 }));

  // Brand and campaign.
  const brand = await registeredBrand(rig, sub, bundles);
  if (brand.status !== 'APPROVED') throw new Error(`scripted brand ended ${brand.status}`);
  await call('brandRegistrations.list', () => c.messaging.v1.brandRegistrations.list({ limit: 20 }), a2p);
  await call('usa2p.usecases', () => c.messaging.v1.services(service.sid).usAppToPersonUsecases.fetch({ brandRegistrationSid: brand.sid }), a2p);
  await call(
    'usa2p.create',
    () =>
      c.messaging.v1.services(service.sid).usAppToPerson.create({
        brandRegistrationSid: brand.sid,
        description: 'Appointment reminders and confirmations for patients of Acme Dental clinics.',
        messageFlow: 'Patients opt in by ticking an SMS consent box on the booking form at acme-dental.example.com/book.',
        messageSamples: ['Hi Ada, your cleaning is booked for Tue 10am. Reply STOP to opt out.', 'Reminder: your appointment is tomorrow at 10am. Reply HELP for help.'],
        usAppToPersonUsecase: 'ACCOUNT_NOTIFICATION',
        hasEmbeddedLinks: false,
        hasEmbeddedPhone: false,
      }),
    a2p,
  );
  await settle(
    rig,
    () => call('usa2p.fetch', () => c.messaging.v1.services(service.sid).usAppToPerson(CAMPAIGN_SID).fetch(), a2p),
    (x) => x.campaignStatus === 'VERIFIED' || x.campaignStatus === 'FAILED',
  );
  await call('usa2p.list', () => c.messaging.v1.services(service.sid).usAppToPerson.list({ limit: 20 }), a2p);
  // A campaign that fails review, edited in place.
  const failingService = await call('services.create', () => c.messaging.v1.services.create({ friendlyName: 'isv:scripted-failing' }));
  const campaign = {
    description: 'Appointment reminders and confirmations for patients of Acme Dental clinics.',
    messageFlow: 'Patients opt in by ticking an SMS consent box on the booking form at acme-dental.example.com/book.',
    messageSamples: ['Hi Ada, your cleaning is booked for Tue 10am. Reply STOP to opt out.', 'Reminder: your appointment is tomorrow at 10am. Reply HELP for help.'],
    hasEmbeddedLinks: false,
    hasEmbeddedPhone: false,
  };
  await call(
    'usa2p.create',
    () =>
      c.messaging.v1.services(failingService.sid).usAppToPerson.create({
        ...campaign,
        description: `CAMPAIGNFAIL ${campaign.description}`,
        brandRegistrationSid: brand.sid,
        usAppToPersonUsecase: 'ACCOUNT_NOTIFICATION',
      }),
    a2p,
  );
  await settle(
    rig,
    () => call('usa2p.fetch', () => c.messaging.v1.services(failingService.sid).usAppToPerson(CAMPAIGN_SID).fetch(), a2p),
    (x) => x.campaignStatus === 'FAILED',
  );
  await call('usa2p.update', () => c.messaging.v1.services(failingService.sid).usAppToPerson(CAMPAIGN_SID).update({ ...campaign, ageGated: false, directLending: false }), a2p);

  // A brand that fails review, resubmitted; a sole proprietor's brand and its OTP resend.
  const failingSub = await rig.newSubaccount('isv:scripted-failing');
  const failed = await registeredBrand(rig, failingSub, await approvedStandardBundles(rig, failingSub, primary, 'BRANDFAIL Dental LLC'));
  await call('brandRegistrations.resubmit', () => failingSub.client.messaging.v1.brandRegistrations(failed.sid).update(), a2p);
  const soleSub = await rig.newSubaccount('isv:scripted-sole');
  const soleBrand = await registeredBrand(rig, soleSub, await approvedSoleProprietorBundles(rig, soleSub, primary), 'SOLE_PROPRIETOR');
  await call('brandRegistrations.smsOtp', () => soleSub.client.messaging.v1.brandRegistrations(soleBrand.sid).brandRegistrationOtps.create(), a2p);

  // WhatsApp template and sender.
  const content = await call('contents.create', () =>
    c.content.v1.contents.create({ friendly_name: 'scripted_reminder', language: 'en', variables: { '1': 'Ada' }, types: { 'twilio/text': { body: 'Hi {{1}}, see you soon.' } } } as never),
  );
  await call('contents.update', () =>
    c.content.v1.contents(content.sid).update({ friendly_name: 'scripted_reminder', language: 'en', types: { 'twilio/text': { body: 'Hello {{1}}, see you soon.' } } } as never),
  );
  await call('contents.fetch', () => c.content.v1.contents(content.sid).fetch());
  await call('contents.list', () => c.content.v1.contents.list({ limit: 50 }));
  await call('contents.approvalCreate', () => c.content.v1.contents(content.sid).approvalCreate.create({ name: 'scripted_reminder', category: 'UTILITY' }));
  await settle(
    rig,
    () => call('contents.approvalFetch', () => c.content.v1.contents(content.sid).approvalFetch().fetch()),
    (x) => ['approved', 'rejected'].includes((x.whatsapp as unknown as { status: string }).status),
  );
  const sender = await call('senders.create', () =>
    c.messaging.v2.channelsSenders.create({
      sender_id: `whatsapp:${number.phoneNumber}`,
      configuration: { verification_method: 'sms' },
      profile: { name: 'Acme Dental' },
    } as never),
  );
  await settle(rig, () => call('senders.fetch', () => c.messaging.v2.channelsSenders(sender.sid).fetch()), (x) => x.status === 'PENDING_VERIFICATION');
  await call('senders.update', () => c.messaging.v2.channelsSenders(sender.sid).update({ configuration: { verification_code: '123456' } } as never));
  await call('senders.list', () => c.messaging.v2.channelsSenders.list({ channel: 'whatsapp', limit: 20 }));

  // Tear-down calls the platform makes: campaign, pool entry, service, template, number.
  await call('usa2p.remove', () => c.messaging.v1.services(service.sid).usAppToPerson(CAMPAIGN_SID).remove(), a2p);
  await call('services.phoneNumbers.remove', () => c.messaging.v1.services(service.sid).phoneNumbers(number.sid).remove());
  await call('services.remove', () => c.messaging.v1.services(service.sid).remove());
  await call('contents.remove', () => c.content.v1.contents(content.sid).remove());
  await call('incomingPhoneNumbers.remove', () => account().incomingPhoneNumbers(number.sid).remove());
}
