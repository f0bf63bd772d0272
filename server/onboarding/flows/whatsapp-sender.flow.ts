// The WhatsApp sender flow (Senders v2, FACTS §8): register `whatsapp:+E164` under the customer's subaccount,
// park for the OTP the customer receives, submit it, wait for ONLINE. OFFLINE parks with Twilio's offline_reasons.
import type { FlowDefinition, StepContext, StepResult } from '../flow-definition.ts';
import type { FlowError } from '../../../shared/onboarding.ts';
import { findSender, updateSenderTwilio, type SenderRow } from '../../whatsapp/whatsapp.dao.ts';
import { plainReasons } from './customer-wording.ts';
import { str, waitForSubaccount } from './flow-helpers.ts';
import { asSender, sendersApi, type SenderResource } from '../../twilio/senders.ts';

async function sender(s: StepContext): Promise<SenderRow> {
  const row = await findSender(s.db, s.flow.subject_id!);
  if (!row) throw new Error(`whatsapp flow ${s.flow.id}: sender row missing`);
  return row;
}

async function apis(s: StepContext) {
  return sendersApi(await s.subaccountClient());
}

function profileBody(row: SenderRow): Record<string, unknown> {
  const p = row.profile as Record<string, unknown>;
  return {
    name: p.name,
    ...(p.about ? { about: p.about } : {}),
    ...(p.address ? { address: p.address } : {}),
    ...(p.description ? { description: p.description } : {}),
    ...(p.vertical ? { vertical: p.vertical } : {}),
    ...(p.logoUrl ? { logo_url: p.logoUrl } : {}),
    ...(p.emails ? { emails: p.emails } : {}),
    ...(p.websites ? { websites: p.websites } : {}),
  };
}

async function register(s: StepContext): Promise<StepResult> {
  const row = await sender(s);
  const senders = await apis(s);
  const senderId = `whatsapp:${row.phone_number}`;
  if (str(s.context.senderSid)) return { type: 'goto', to: 'wait_sender', message: 'Sender already registered' };
  const found = s.freshEntry
    ? undefined
    : (await s.call('senders.list', () => senders.list({ channel: 'whatsapp', limit: 200 }))).map(asSender).find((r) => r.sender_id === senderId);
  let r = found;
  if (!r) {
    const base = s.config.publicBaseUrl;
    r = asSender(
      await s.call('senders.create', () =>
        senders.create({
          sender_id: senderId,
          configuration: { ...(row.waba_id ? { waba_id: row.waba_id } : {}), verification_method: 'sms' },
          webhook: { callback_url: `${base}/api/isv/webhooks/twilio/inbound`, callback_method: 'POST', status_callback_url: `${base}/api/isv/webhooks/twilio/status`, status_callback_method: 'POST' },
          profile: profileBody(row),
        }),
        { once: true },
      ),
    );
    await s.created('messaging.sender', r.sid);
  }
  const created = r;
  return {
    type: 'goto',
    to: 'wait_sender',
    message: `${found ? 'Adopted the existing' : 'Registered'} WhatsApp sender ${created.sid}`,
    patch: { senderSid: created.sid },
    record: (tx) => updateSenderTwilio(tx, row.id, { senderSid: created.sid, status: 'creating' }),
  };
}

function offlineError(reasons: SenderResource['offline_reasons']): FlowError {
  const list = reasons ?? [];
  const code = Number(list[0]?.code);
  return {
    code: 'sender_offline',
    message: `WhatsApp put your sender offline: ${plainReasons(list.map((r) => r.message))}. Fix the profile and resubmit.`,
    twilioCode: Number.isFinite(code) ? code : null,
    fields: ['profile'],
  };
}

async function waitSender(s: StepContext): Promise<StepResult> {
  const row = await sender(s);
  const senders = await apis(s);
  const sid = str(s.context.senderSid)!;
  const r = asSender(await s.call('senders.fetch', () => senders(sid).fetch()));
  const record = (status: SenderRow['status'], reasons?: unknown) => (tx: Parameters<typeof updateSenderTwilio>[0]) =>
    updateSenderTwilio(tx, row.id, { status, offlineReasons: reasons });
  switch (r.status) {
    case 'ONLINE':
    case 'ONLINE:UPDATING':
      return { type: 'goto', to: 'done', message: 'The WhatsApp sender is online', record: record('online', null) };
    case 'OFFLINE': {
      const error = offlineError(r.offline_reasons);
      return { type: 'park', status: 'action_required', waitingFor: 'customer_fix', message: error.message, error, patch: { fixState: 'update_sender' }, record: record('offline', r.offline_reasons ?? []) };
    }
    case 'PENDING_VERIFICATION': {
      // Back in PENDING_VERIFICATION after a code was submitted means the code was wrong or expired.
      const wrong = (r.offline_reasons ?? []).length > 0;
      return {
        type: 'park',
        status: 'action_required',
        waitingFor: 'otp',
        to: 'await_otp',
        message: wrong ? 'The verification code was not accepted; enter the current one' : `Enter the code sent to ${row.phone_number} to verify the sender`,
        ...(wrong
          ? { error: { code: 'otp_invalid', message: (r.offline_reasons ?? [])[0]?.message ?? 'The verification code was not accepted.', twilioCode: null, fields: ['code'] } }
          : {}),
        record: record('pending_verification', wrong ? r.offline_reasons : undefined),
      };
    }
    case 'VERIFYING':
      return { type: 'poll', waitingFor: 'twilio:sender_verification', message: 'Twilio is verifying the sender', waitingOnSid: sid, record: record('verifying') };
    default:
      return { type: 'poll', waitingFor: 'twilio:sender_setup', message: `Twilio is setting the sender up (${r.status})`, waitingOnSid: sid, record: record('creating') };
  }
}

async function submitOtp(s: StepContext): Promise<StepResult> {
  const senders = await apis(s);
  const sid = str(s.context.senderSid)!;
  const code = str(s.context.otp);
  if (!code) return { type: 'park', status: 'action_required', waitingFor: 'otp', to: 'await_otp', message: 'Enter the verification code' };
  await s.call('senders.verify', () => senders(sid).update({ configuration: { verification_code: code } }));
  return { type: 'goto', to: 'wait_sender', message: 'Submitted the verification code', patch: { otp: null } };
}

async function updateSender(s: StepContext): Promise<StepResult> {
  const row = await sender(s);
  const senders = await apis(s);
  const sid = str(s.context.senderSid)!;
  await s.call('senders.update', () => senders(sid).update({ profile: profileBody(row) }));
  return { type: 'goto', to: 'wait_sender', message: 'Resubmitted the sender with the corrected profile', countAttempt: true };
}

export const whatsappSenderFlow: FlowDefinition = {
  kind: 'whatsapp_sender',
  initial: 'wait_for_subaccount',
  terminal: ['done'],
  order: ['wait_for_subaccount', 'register', 'wait_sender', 'await_otp', 'submit_otp', 'done'],
  states: {
    wait_for_subaccount: { label: 'Waiting for the subaccount', step: (s) => waitForSubaccount(s, 'register'), to: ['register'] },
    register: { label: 'Registering the WhatsApp sender', step: register, to: ['wait_sender'], records: 'senderSid' },
    wait_sender: { label: 'Twilio is setting up the sender', step: waitSender, to: ['done', 'await_otp', 'update_sender'] },
    await_otp: { label: 'Waiting for the verification code', to: ['submit_otp'] },
    submit_otp: { label: 'Submitting the verification code', step: submitOtp, to: ['wait_sender', 'await_otp'] },
    update_sender: { label: 'Resubmitting the sender', step: updateSender, to: ['wait_sender'] },
    done: { label: 'WhatsApp sender online', to: [] },
  },
};
