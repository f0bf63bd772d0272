// A2P registration use cases: the customer submits brand + campaign data (it waits for an admin), resubmits after a
// rejection, enters the sole-proprietor OTP, and lists its numbers.
import type { Db } from '../platform/db/db.ts';
import { findConnectionByCustomer } from '../subaccounts/subaccounts.dao.ts';
import { isFreeMailAddress } from '../../shared/free-mail.ts';
import { credentialsInvalid } from '../connections/connections.service.ts';
import { inConnectedAccount } from '../onboarding/flow-definition.ts';
import { AppError, conflict, notFound } from '../platform/errors.ts';
import { a2pSubmissionSchema, LOW_VOLUME_REFUSED_FOR_PUBLIC_SECTOR, type A2pRequest, type A2pSubmission, type BrandView } from '../../shared/a2p.ts';
import { findCustomerData } from '../onboarding/customers-read.dao.ts';
import { insertFlow, insertFlowEvent, listFlowsByCustomerAndKind } from '../onboarding/flows.dao.ts';
import { ensureSubaccountFlow, moveParkedFlow } from '../onboarding/onboarding.service.ts';
import {
  findBrand,
  findCampaignByBrand,
  findLatestBrandByCustomer,
  insertBrand,
  insertCampaign,
  listNumbersByCustomer,
  resubmitBrandData,
  updateCampaignData,
  type BrandRow,
} from './brands.dao.ts';

function view(b: BrandRow, flowId: string): BrandView {
  return {
    id: b.id,
    brandType: b.brand_type,
    status: b.status,
    twilioStatus: b.twilio_status,
    rejectionReason: b.rejection_reason,
    attempts: b.attempts,
    flowId,
  };
}

/**
 * A business on its own Twilio account registers there, as a direct customer, once it chose the messaging
 * service that sends for it and only while that service has no verified campaign.
 */
async function assertConnectedAccountCanRegister(db: Db, customerId: string): Promise<void> {
  const row = await findConnectionByCustomer(db, customerId);
  if (!row) throw conflict('twilio_not_connected', 'Connect your Twilio account first (Twilio account page); the registration runs in it.');
  if (row.connection_status === 'credentials_invalid') throw credentialsInvalid(row);
  if (!row.messaging_service_sid) throw conflict('sender_not_chosen', 'Choose the messaging service of your Twilio account that sends your texts first (Twilio account page); the campaign is registered on it.');
  if (row.sender_campaign_status === 'VERIFIED') throw conflict('campaign_already_verified', 'The messaging service you chose already has a verified A2P 10DLC campaign: nothing to register.');
}

/**
 * Government agencies and non-profits register as what they are (Twilio's government and non-profit mapping):
 * the A2P company type must say so, and they stay on Standard brands, where their throughput and pricing
 * benefits apply (DOCS onboarding-for-government-and-non-profit-agencies).
 */
function assertBrandFitsBusiness(businessType: string, req: A2pRequest): void {
  if (businessType !== 'government' && businessType !== 'non_profit') return;
  const problems: { path: string; message: string }[] = [];
  if (req.lowVolume) problems.push({ path: 'lowVolume', message: LOW_VOLUME_REFUSED_FOR_PUBLIC_SECTOR });
  if (req.companyType !== businessType)
    problems.push({ path: 'companyType', message: `must be ${businessType} for a ${businessType === 'government' ? 'government agency' : 'non-profit organisation'}` });
  if (problems.length) throw new AppError(422, 'validation_failed', 'The request body is invalid', problems);
}

export async function submitA2p(db: Db, customerId: string, req: A2pRequest, now = new Date()): Promise<{ created: boolean; brand: BrandView }> {
  return db.tx(async (tx) => {
    const customer = await findCustomerData(tx, customerId);
    if (!customer) throw notFound('Customer');
    const direct = customer.twilio_mode === 'byoa';
    // Authentication+: Twilio refuses a public company's brand contact on a free e-mail domain (21740).
    if (req.companyType === 'public' && isFreeMailAddress(customer.contact.email)) {
      throw new AppError(422, 'validation_failed', 'The request body is invalid', [
        { path: 'contact.email', message: 'a public company’s brand contact email must be on the company’s own domain (Twilio refuses free e-mail addresses such as gmail.com); change it in your business profile' },
      ]);
    }
    const soleProp = customer.business_type === 'sole_proprietor';
    if (soleProp !== (req.brandType === 'SOLE_PROPRIETOR')) {
      throw new AppError(422, 'validation_failed', 'The request body is invalid', [
        { path: 'brandType', message: soleProp ? 'a sole proprietor registers a SOLE_PROPRIETOR brand' : 'only sole proprietors register SOLE_PROPRIETOR brands' },
      ]);
    }
    assertBrandFitsBusiness(customer.business_type, req);
    // A registration in the other kind of account (before a switch) is not this one's.
    const existing = (await listFlowsByCustomerAndKind(tx, customerId, 'a2p')).filter((f) => inConnectedAccount(f) === direct).at(-1);
    if (direct && existing?.status !== 'done') await assertConnectedAccountCanRegister(tx, customerId);
    if (existing) {
      if (existing.status === 'done') throw conflict('a2p_already_registered', 'This customer already completed A2P registration');
      if (existing.waiting_for === 'otp_resend') throw conflict('otp_expected', 'The brand is waiting for you to confirm it by text: send a new verification text and reply YES to it first');
      if (existing.status !== 'action_required' && existing.status !== 'awaiting_approval')
        throw conflict('a2p_in_progress', 'A2P registration is in progress; new details can be sent only when it asks for a fix');
      // A resubmission (after an admin's or Twilio's rejection, or before the admin decided): the new data waits
      // for an admin again; approval resumes where the flow stopped, at the fix that state needs.
      const brand = await resubmitBrandData(tx, existing.subject_id!, req, req.brandType);
      if (!brand) throw notFound('Brand');
      await updateCampaignData(tx, brand.id, req.campaign);
      const resumeAt =
        existing.state === 'awaiting_approval'
          ? (existing.context.resumeAt as string | undefined)
          : ((existing.context.fixState as string | undefined) ?? existing.state);
      await moveParkedFlow(tx, existing, {
        to: 'awaiting_approval',
        status: 'awaiting_approval',
        waitingFor: 'admin_approval',
        message: 'New brand and campaign details were submitted for approval',
        patch: resumeAt ? { resumeAt } : {},
        drop: ['fixState'],
        run: false,
        now,
      });
      return { created: false, brand: view(brand, existing.id) };
    }
    const sub = direct ? undefined : await ensureSubaccountFlow(tx, customerId);
    const brand = await insertBrand(tx, { customerId, brandType: req.brandType, data: req });
    await insertCampaign(tx, { customerId, brandId: brand.id, data: req.campaign });
    const flow = await insertFlow(tx, {
      kind: 'a2p',
      customerId,
      subjectId: brand.id,
      dependsOn: sub?.id ?? null,
      context: direct ? { twilioAccount: 'connected' } : {},
      state: 'awaiting_approval',
      status: 'awaiting_approval',
      waitingFor: 'admin_approval',
      nextRunAt: null,
    });
    await insertFlowEvent(tx, { flowId: flow.id, at: now, from: null, to: flow.state, message: 'Brand and campaign details submitted for approval' });
    return { created: true, brand: view(brand, flow.id) };
  });
}

/**
 * "Send the text again": a sole proprietor's brand waits for the reply YES to Twilio's verification text; a new
 * text can be asked for while it waits, and must be once the 24 hours are over.
 */
export async function resendBrandOtp(db: Db, customerId: string, now = new Date()): Promise<BrandView> {
  return db.tx(async (tx) => {
    const flow = (await listFlowsByCustomerAndKind(tx, customerId, 'a2p')).at(-1);
    if (!flow) throw notFound('A2P registration');
    const waiting = flow.state === 'brand_otp' || (flow.state === 'wait_brand' && flow.waiting_for === 'twilio:brand_otp_reply');
    if (!waiting) throw conflict('otp_not_expected', 'The brand is not waiting for a reply to a verification text');
    await moveParkedFlow(tx, flow, { to: 'resend_brand_otp', status: 'in_progress', message: 'You asked for a new verification text', now });
    const brand = await findBrand(tx, flow.subject_id!);
    return view(brand!, flow.id);
  });
}

/**
 * "Send the email again": a public company's brand waits for its contact to open Twilio's Authentication+
 * verification email; a new one can be asked for while it waits, and must be once the last one expired.
 */
export async function resendBrandEmail(db: Db, customerId: string, now = new Date()): Promise<BrandView> {
  return db.tx(async (tx) => {
    const flow = (await listFlowsByCustomerAndKind(tx, customerId, 'a2p')).at(-1);
    if (!flow) throw notFound('A2P registration');
    const waiting = flow.state === 'brand_email' || (flow.state === 'wait_brand' && flow.waiting_for === 'twilio:brand_email_verification');
    if (!waiting) throw conflict('brand_email_not_expected', 'Your brand is not waiting for an email verification');
    await moveParkedFlow(tx, flow, { to: 'resend_brand_email', status: 'in_progress', message: 'You asked for a new verification email', now });
    const brand = await findBrand(tx, flow.subject_id!);
    return view(brand!, flow.id);
  });
}

/** The latest brand + campaign data the customer submitted, as it was POSTed, so a resubmission can start from it. */
export async function getA2pSubmission(db: Db, customerId: string): Promise<A2pSubmission> {
  const brand = await findLatestBrandByCustomer(db, customerId);
  if (!brand) throw new AppError(404, 'a2p_not_submitted', 'No A2P brand and campaign details were submitted yet');
  // The campaign row holds the campaign as last submitted (resubmissions update both rows together).
  const campaign = await findCampaignByBrand(db, brand.id);
  return a2pSubmissionSchema.parse({
    brandId: brand.id,
    request: { ...brand.data, brandType: brand.brand_type, campaign: campaign?.data ?? brand.data.campaign },
    status: brand.status,
    rejectionReason: brand.rejection_reason,
  });
}

export async function listNumbers(db: Db, customerId: string) {
  const rows = await listNumbersByCustomer(db, customerId);
  return {
    items: rows.map((n) => ({
      id: n.id,
      phoneNumber: n.phone_number,
      phoneNumberSid: n.phone_number_sid,
      messagingServiceSid: n.messaging_service_sid,
      status: n.status,
      createdAt: new Date(n.created_at).toISOString(),
    })),
  };
}

