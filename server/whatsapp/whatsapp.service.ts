// WhatsApp sender use cases: register a number (starts its flow), enter the OTP, and resubmit a corrected profile
// after WhatsApp put the sender OFFLINE.
import { UUID_PATTERN } from '../../shared/common.ts';
import type { Db } from '../platform/db/db.ts';
import { assertPlatformSubaccountMode } from '../customers/twilio-mode.ts';
import { conflict, notFound } from '../platform/errors.ts';
import type { SenderCreate, SenderView } from '../../shared/whatsapp.ts';
import { findFlowBySubject, insertFlow, insertFlowEvent } from '../onboarding/flows.dao.ts';
import { ensureSubaccountFlow, moveParkedFlow } from '../onboarding/onboarding.service.ts';
import { findSender, findSenderByPhone, insertSender, listSendersByCustomer, updateSenderProfile, type SenderRow } from './whatsapp.dao.ts';

function view(s: SenderRow, flowId: string): SenderView {
  return {
    id: s.id,
    phoneNumber: s.phone_number,
    status: s.status,
    senderSid: s.sender_sid,
    offlineReasons: (s.offline_reasons as SenderView['offlineReasons']) ?? null,
    flowId,
    profile: s.profile,
    wabaId: s.waba_id,
  };
}

export async function registerSender(db: Db, customerId: string, input: SenderCreate, now = new Date()): Promise<{ created: boolean; sender: SenderView }> {
  await assertPlatformSubaccountMode(db, customerId, 'WhatsApp sender registration');
  return db.tx(async (tx) => {
    const existing = await findSenderByPhone(tx, customerId, input.phoneNumber);
    if (existing) {
      const flow = await findFlowBySubject(tx, 'whatsapp_sender', existing.id);
      // The fix for an OFFLINE sender: the same number with a corrected profile is resubmitted.
      if (flow && flow.status === 'action_required' && flow.waiting_for === 'customer_fix') {
        await updateSenderProfile(tx, existing.id, input.profile, input.wabaId ?? null);
        const to = typeof flow.context.fixState === 'string' ? flow.context.fixState : flow.state;
        await moveParkedFlow(tx, flow, { to, status: 'in_progress', message: 'The customer corrected the sender profile; resubmitting', drop: ['fixState'], now });
        return { created: false, sender: view((await findSender(tx, existing.id))!, flow.id) };
      }
      throw conflict('sender_exists', 'This number is already registered as a WhatsApp sender');
    }
    const sub = await ensureSubaccountFlow(tx, customerId);
    const sender = (await insertSender(tx, { customerId, phoneNumber: input.phoneNumber, profile: input.profile, wabaId: input.wabaId ?? null }))!;
    const flow = await insertFlow(tx, {
      kind: 'whatsapp_sender',
      customerId,
      subjectId: sender.id,
      dependsOn: sub.id,
      state: 'wait_for_subaccount',
      status: 'in_progress',
      nextRunAt: now,
    });
    await insertFlowEvent(tx, { flowId: flow.id, at: now, from: null, to: flow.state, message: 'WhatsApp sender registration started' });
    return { created: true, sender: view(sender, flow.id) };
  });
}

export async function verifySender(db: Db, customerId: string, senderId: string, code: string, now = new Date()): Promise<SenderView> {
  return db.tx(async (tx) => {
    const sender = UUID_PATTERN.test(senderId) ? await findSender(tx, senderId) : undefined;
    if (!sender || sender.customer_id !== customerId) throw notFound('Sender');
    const flow = await findFlowBySubject(tx, 'whatsapp_sender', sender.id);
    if (!flow || flow.state !== 'await_otp') throw conflict('otp_not_expected', 'The sender is not waiting for a verification code');
    await moveParkedFlow(tx, flow, { to: 'submit_otp', status: 'in_progress', message: 'The customer entered the verification code', patch: { otp: code }, now });
    return view(sender, flow.id);
  });
}

export async function listSenders(db: Db, customerId: string): Promise<{ items: SenderView[] }> {
  const items: SenderView[] = [];
  for (const s of await listSendersByCustomer(db, customerId)) {
    const flow = await findFlowBySubject(db, 'whatsapp_sender', s.id);
    if (flow) items.push(view(s, flow.id));
  }
  return { items };
}
