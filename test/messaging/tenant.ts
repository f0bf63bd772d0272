// Builds a customer that has finished onboarding, without the onboarding engine: a customer row, a subaccount
// made in the sandbox with the master client and stored through the DAO, a Messaging Service pointing at the
// platform's webhooks, a bought number in its pool, and the rows sendingReadiness() looks for. Also signs
// webhooks the way Twilio does, with the SDK's own getExpectedTwilioSignature.
import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import type { Twilio } from 'twilio';
import type { TestContext } from '../helpers/context.ts';
import { signUp, type SignedUp } from '../helpers/auth.ts';
import { insertSubaccount } from '../../server/subaccounts/subaccounts.dao.ts';
import type { Db } from '../../server/platform/db/db.ts';

export interface Tenant {
  customerId: string;
  accountSid: string;
  authToken: string;
  client: Twilio;
  messagingServiceSid: string;
  phoneNumber: string;
  owner: SignedUp;
}

export async function insertCustomer(db: Db, name = `Acme ${randomBytes(3).toString('hex')}`): Promise<string> {
  const rows = await db.query<{ id: string }>(
    `INSERT INTO isv.customers (legal_name, business_type, ein, industry, website, address, contact)
     VALUES ($1, 'llc', '12-3456789', 'TECHNOLOGY', 'https://acme.example', $2, $3) RETURNING id`,
    [name, JSON.stringify({ street: '1 Main St', city: 'San Francisco', region: 'CA', postalCode: '94105', country: 'US' }), JSON.stringify({ email: 'ops@acme.example' })],
  );
  return rows[0]!.id;
}

export async function addMember(db: Db, userId: string, customerId: string, role: 'owner' | 'member' = 'owner'): Promise<void> {
  await db.query(`INSERT INTO isv.memberships (user_id, customer_id, role) VALUES ($1, $2, $3)`, [userId, customerId, role]);
}

/** A customer with a subaccount only (onboarding not complete). */
export async function createSubaccountTenant(ctx: TestContext): Promise<Omit<Tenant, 'messagingServiceSid' | 'phoneNumber'>> {
  const customerId = await insertCustomer(ctx.db);
  const account = await ctx.twilio.master.api.v2010.accounts.create({ friendlyName: `isv:${customerId}` });
  const authToken = account.authToken;
  await insertSubaccount(ctx.db, ctx.keyRing, { customerId, accountSid: account.sid, friendlyName: account.friendlyName, authToken });
  const owner = await signUp(ctx);
  await addMember(ctx.db, owner.userId, customerId);
  return { customerId, accountSid: account.sid, authToken, client: await ctx.twilio.subaccount(account.sid), owner };
}

/** A customer whose SMS onboarding is complete ("onboarding complete" as sendingReadiness() defines it). */
export async function createTenant(ctx: TestContext): Promise<Tenant> {
  const base = await createSubaccountTenant(ctx);
  const publicBase = ctx.config.publicBaseUrl;
  const service = await base.client.messaging.v1.services.create({
    friendlyName: `isv:${base.customerId}`,
    inboundRequestUrl: `${publicBase}/api/isv/webhooks/twilio/inbound`,
    statusCallback: `${publicBase}/api/isv/webhooks/twilio/status`,
  });
  const number = await base.client.incomingPhoneNumbers.create({ areaCode: '415' });
  await base.client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: number.sid });
  const brand = await ctx.db.query<{ id: string }>(
    `INSERT INTO isv.brands (customer_id, brand_type, data, status) VALUES ($1, 'STANDARD', '{}', 'registered') RETURNING id`,
    [base.customerId],
  );
  await ctx.db.query(
    `INSERT INTO isv.campaigns (customer_id, brand_id, data, status, messaging_service_sid) VALUES ($1, $2, '{}', 'verified', $3)`,
    [base.customerId, brand[0]!.id, service.sid],
  );
  await ctx.db.query(
    `INSERT INTO isv.numbers (customer_id, phone_number_sid, phone_number, messaging_service_sid) VALUES ($1, $2, $3, $4)`,
    [base.customerId, number.sid, number.phoneNumber, service.sid],
  );
  return { ...base, messagingServiceSid: service.sid, phoneNumber: number.phoneNumber };
}

export const newSid = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;

/** Headers Twilio would send for a form POST to `path` (path and query, as configured in Twilio). */
export function signForm(ctx: TestContext, token: string, path: string, params: Record<string, string>): Record<string, string> {
  return { 'X-Twilio-Signature': twilio.getExpectedTwilioSignature(token, ctx.config.publicBaseUrl + path, params) };
}

/** Posts a signed form webhook through the app, as Twilio would. */
export function postSigned(ctx: TestContext, token: string, path: string, params: Record<string, string>, headers: Record<string, string> = {}) {
  return ctx.request.post(path).type('form').set(signForm(ctx, token, path, params)).set(headers).send(params);
}

export function statusParams(t: { accountSid: string }, sid: string, status: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    AccountSid: t.accountSid,
    ApiVersion: '2010-04-01',
    From: '+14155550100',
    MessageSid: sid,
    MessageStatus: status,
    SmsSid: sid,
    SmsStatus: status,
    To: '+14155550199',
    ...extra,
  };
}

export function inboundParams(t: { accountSid: string }, sid: string, body: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    AccountSid: t.accountSid,
    ApiVersion: '2010-04-01',
    Body: body,
    From: '+14155550199',
    MessageSid: sid,
    NumMedia: '0',
    NumSegments: '1',
    SmsMessageSid: sid,
    SmsSid: sid,
    SmsStatus: 'received',
    To: '+14155550100',
    ...extra,
  };
}

export const STATUS_PATH = '/api/isv/webhooks/twilio/status';
export const INBOUND_PATH = '/api/isv/webhooks/twilio/inbound';
export const OPT_OUT_PATH = '/api/isv/webhooks/twilio/opt-out';
