// A business's own Twilio account in the sandbox (#17): an independent account made with the sandbox's control
// route, holding what such an account already has (a messaging service with its own webhooks, a number, and
// optionally an ONLINE WhatsApp sender or an approved primary customer profile).
import { expect } from 'vitest';
import type { TestContext } from '../helpers/context.ts';
import { signUp, type SignedUp } from '../helpers/auth.ts';
import { customerBody } from '../customers/fixtures.ts';
import { sendersApi, asSender } from '../../server/twilio/senders.ts';
import { POLICY_SECONDARY_PROFILE } from '../../server/onboarding/flows/a2p-constants.ts';

export interface OwnAccount {
  sid: string;
  token: string;
  serviceSid: string;
  phoneNumber: string;
}

export async function control(ctx: TestContext, path: string, body: Record<string, unknown>): Promise<Record<string, string>> {
  const res = await fetch(`${ctx.sandbox.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, string>;
}

/** A business's existing Twilio account: a messaging service with its own webhooks and a number in its pool. */
export async function ownAccount(ctx: TestContext, opts: { trial?: boolean } = {}): Promise<OwnAccount> {
  const created = await control(ctx, '/sandbox/accounts', { friendlyName: 'Acme Bakery (own)', trial: opts.trial ?? false });
  const client = ctx.twilio.withCredentials(created.account_sid!, created.auth_token!);
  const service = await client.messaging.v1.services.create({
    friendlyName: 'Acme notifications',
    inboundRequestUrl: 'https://crm.acme.example/twilio/inbound',
    statusCallback: 'https://crm.acme.example/twilio/status',
  });
  const number = await client.incomingPhoneNumbers.create({ areaCode: '415' });
  await client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: number.sid });
  return { sid: created.account_sid!, token: created.auth_token!, serviceSid: service.sid, phoneNumber: number.phoneNumber };
}

/** An ONLINE WhatsApp sender of the account, its inbound webhook pointing at the business's own system. */
export async function ownWhatsappSender(ctx: TestContext, own: OwnAccount, phone: string): Promise<{ sid: string; senderId: string }> {
  const senders = sendersApi(ctx.twilio.withCredentials(own.sid, own.token));
  const created = asSender(
    await senders.create({
      sender_id: `whatsapp:${phone}`,
      configuration: { verification_method: 'sms' },
      webhook: { callback_url: 'https://crm.acme.example/whatsapp/inbound', callback_method: 'POST' },
      profile: { name: 'Acme Bakery' },
    }),
  );
  await ctx.sandbox.advanceReviews();
  await senders(created.sid).update({ configuration: { verification_code: '123456' } });
  await ctx.sandbox.advanceReviews();
  expect(asSender(await senders(created.sid).fetch()).status).toBe('ONLINE');
  return { sid: created.sid, senderId: created.sender_id };
}

/** The account's own primary customer profile, approved by Twilio (a business that registered in its Console before). */
export async function ownApprovedPrimaryProfile(ctx: TestContext, own: OwnAccount): Promise<string> {
  const client = ctx.twilio.withCredentials(own.sid, own.token);
  const th = client.trusthub.v1;
  const profile = await th.customerProfiles.create({ friendlyName: 'Acme Bakery primary', email: 'owner@acme.example', policySid: POLICY_SECONDARY_PROFILE });
  const address = await client.addresses.create({ customerName: 'Acme Bakery LLC', street: '1 Market St', city: 'San Francisco', region: 'CA', postalCode: '94105', isoCountry: 'US' });
  const business = await th.endUsers.create({
    friendlyName: 'Acme business',
    type: 'customer_profile_business_information',
    attributes: {
      business_name: 'Acme Bakery LLC', business_identity: 'direct_customer', business_type: 'Limited Liability Corporation', business_industry: 'RETAIL',
      business_registration_identifier: 'EIN', business_registration_number: '12-3456789', business_regions_of_operation: 'USA_AND_CANADA', website_url: 'https://acme.example',
    },
  });
  const rep = await th.endUsers.create({
    friendlyName: 'Acme representative',
    type: 'authorized_representative_1',
    attributes: { first_name: 'Ada', last_name: 'Baker', email: 'ada@acme.example', phone_number: '+14155550123', business_title: 'Owner', job_position: 'Director' },
  });
  const doc = await th.supportingDocuments.create({ friendlyName: 'Acme address', type: 'customer_profile_address', attributes: { address_sids: address.sid } });
  for (const objectSid of [business.sid, rep.sid, doc.sid]) await th.customerProfiles(profile.sid).customerProfilesEntityAssignments.create({ objectSid });
  const ev = await th.customerProfiles(profile.sid).customerProfilesEvaluations.create({ policySid: POLICY_SECONDARY_PROFILE });
  expect(ev.status).toBe('compliant');
  await th.customerProfiles(profile.sid).update({ status: 'pending-review' });
  for (let i = 0; i < 5 && (await th.customerProfiles(profile.sid).fetch()).status !== 'twilio-approved'; i++) await ctx.sandbox.advanceReviews();
  expect((await th.customerProfiles(profile.sid).fetch()).status).toBe('twilio-approved');
  return profile.sid;
}

export async function byoaCustomer(ctx: TestContext, owner?: SignedUp): Promise<{ owner: SignedUp; customerId: string }> {
  const o = owner ?? (await signUp(ctx));
  const res = await ctx.request.post('/api/isv/customers').set(o.auth).send(customerBody({ twilioMode: 'byoa' }));
  expect(res.status).toBe(201);
  expect(res.body.twilioMode).toBe('byoa');
  return { owner: o, customerId: res.body.id as string };
}

export const connectionPath = (id: string) => `/api/isv/customers/${id}/twilio-connection`;
