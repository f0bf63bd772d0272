// One onboarding flow as a card: status, progress, what the platform waits for and when it checks next, the
// plain-language reason and fields to fix when something was rejected, and the timeline of its events.
import type { ReactNode } from 'react';
import type { FlowKind, FlowView } from '../../../shared/onboarding.ts';
import { fieldLabel } from './field-labels.ts';
import { formatDateTime, formatRelative, humanize } from './format.ts';
import { StatusBadge } from './status.tsx';

export const FLOW_TITLE: Record<FlowKind, string> = {
  subaccount: 'Your Twilio subaccount',
  a2p: 'US texting registration (A2P 10DLC brand and campaign)',
  whatsapp_sender: 'WhatsApp sender',
  template: 'WhatsApp template',
};

const STATUS_TEXT: Record<FlowView['status'], string> = {
  in_progress: 'Working on it',
  waiting_on_twilio: 'Waiting on Twilio',
  action_required: 'Your action is needed',
  awaiting_approval: 'Waiting for review by our team',
  needs_attention: 'Our team is on it',
  done: 'Done',
  failed: 'Stopped',
};

/** Known waitingFor codes in words; anything else is shown humanised. */
const WAITING_TEXT: Record<string, string> = {
  customer_fix: 'you to correct the fields below and resubmit',
  customer: 'you',
  operator: 'our team to look into a problem on our side (nothing for you to do)',
  admin_approval: 'our team to review what you submitted (nothing is sent to Twilio, or charged, before that)',
  otp: 'the one-time code sent to your phone',
  new_version: 'a corrected version of the template',
  subaccount: 'your Twilio subaccount to be created',
  twilio_reconnect: 'you to reconnect your Twilio account with its current Auth Token',
  'twilio:primary_profile_review': 'Twilio to review our ISV profile',
  'twilio:customer_profile_review': 'Twilio to review your business profile',
  'twilio:trust_product_review': 'Twilio to review your messaging profile',
  'twilio:brand_review': 'Twilio and The Campaign Registry to review your brand',
  'twilio:brand_otp_reply': 'your reply YES to the text Twilio sent to your mobile',
  otp_resend: 'you to ask for a new verification text',
  'twilio:brand_email_verification': 'your brand contact to open the verification email Twilio sent (Authentication+, for public companies)',
  brand_email_resend: 'you to ask for a new verification email',
  'twilio:number_registration': 'Twilio to register your phone number to your campaign (usually a few minutes)',
  'twilio:campaign_review': 'the carriers to vet your campaign',
  'twilio:sender_verification': 'WhatsApp to verify your number',
  'twilio:sender_setup': 'WhatsApp to set up your sender',
  'twilio:whatsapp_template_review': 'WhatsApp to review the template',
};

export function waitingText(code: string): string {
  if (WAITING_TEXT[code]) return WAITING_TEXT[code];
  const twilio = /^twilio:(.+)$/.exec(code);
  return twilio ? `Twilio: ${humanize(twilio[1]!).toLowerCase()}` : humanize(code).toLowerCase();
}

/** Does this flow wait for a one-time code from the customer? */
export function waitsForOtp(flow: FlowView): boolean {
  return flow.kind === 'whatsapp_sender' && flow.status === 'action_required' && /otp|verification|code/i.test(`${flow.waitingFor ?? ''} ${flow.state}`);
}

/** Does this A2P flow wait for the sole proprietor to answer Twilio's verification text (or to ask for a new one)? */
export function waitsForTextReply(flow: FlowView): boolean {
  return flow.kind === 'a2p' && (flow.waitingFor === 'twilio:brand_otp_reply' || flow.waitingFor === 'otp_resend');
}

/**
 * The step in words. A rejected submission stays in `awaiting_approval` until the customer resubmits; shown as
 * "Awaiting approval" beside "Your action is needed" it would contradict itself.
 */
export function stepText(flow: FlowView): string {
  if (flow.state === 'awaiting_approval' && flow.status === 'action_required') return 'Returned by our team for changes';
  return humanize(flow.state);
}

export function FlowTimeline({
  flow,
  title,
  now = new Date(),
  fieldLabels,
  children,
}: {
  flow: FlowView;
  title?: string;
  now?: Date;
  /** Labels of the form fields by API path, so "Fields to fix" names them as the form does. */
  fieldLabels?: Record<string, string>;
  children?: ReactNode;
}) {
  const headingId = `flow-${flow.id}`;
  const moving = flow.status === 'in_progress' || flow.status === 'waiting_on_twilio';
  return (
    <section className={`card flow flow-${flow.status}`} aria-labelledby={headingId} data-flow-kind={flow.kind} data-flow-status={flow.status}>
      <div className="flow-head">
        <h2 id={headingId}>{title ?? FLOW_TITLE[flow.kind]}</h2>
        <StatusBadge status={flow.status} label={STATUS_TEXT[flow.status]} />
      </div>
      <div className="progress" role="progressbar" aria-valuenow={flow.progress} aria-valuemin={0} aria-valuemax={100} aria-label={`${FLOW_TITLE[flow.kind]} progress`}>
        <div className="progress-bar" style={{ width: `${flow.progress}%` }} />
      </div>
      <p className="flow-state">
        Step: <strong>{stepText(flow)}</strong>
        {flow.attempts > 1 && <span className="muted"> · attempt {flow.attempts}</span>}
      </p>
      {flow.status !== 'done' && flow.waitingFor && (
        <p className="flow-waiting">
          Waiting for {waitingText(flow.waitingFor)}
          {moving && flow.nextCheckAt && (
            <>
              {' '}
              · next check <time dateTime={flow.nextCheckAt} title={formatDateTime(flow.nextCheckAt)}>{formatRelative(flow.nextCheckAt, now)}</time>
            </>
          )}
        </p>
      )}
      {flow.status !== 'done' && !flow.waitingFor && moving && flow.nextCheckAt && (
        <p className="flow-waiting">
          Next check <time dateTime={flow.nextCheckAt}>{formatRelative(flow.nextCheckAt, now)}</time>
        </p>
      )}
      {flow.status === 'needs_attention' && (
        <p className="flow-on-it" role="status">
          {flow.lastError?.message ?? 'Our team is looking into a problem at this step; there is nothing for you to do.'}
        </p>
      )}
      {flow.lastError && flow.status !== 'done' && flow.status !== 'needs_attention' && (
        <div className="flow-error" role={flow.status === 'failed' || flow.status === 'action_required' ? 'alert' : undefined}>
          <p>
            <strong>{flow.status === 'failed' ? 'Why it stopped: ' : /reject/.test(flow.lastError.code) ? 'Why it was rejected: ' : 'What went wrong: '}</strong>
            {flow.lastError.message}
            {flow.lastError.twilioCode !== null && <span className="muted"> (Twilio error {flow.lastError.twilioCode})</span>}
          </p>
          {flow.lastError.fields.length > 0 && (
            <p>
              Fields to fix: {flow.lastError.fields.map((f) => fieldLabel(f, fieldLabels)).join(', ')}
            </p>
          )}
        </div>
      )}
      {children}
      {flow.events.length > 0 && (
        <details className="flow-events" open={flow.status !== 'done'}>
          <summary>Timeline ({flow.events.length})</summary>
          <ol>
            {[...flow.events].reverse().map((e, i) => (
              <li key={`${e.at}-${i}`}>
                <time dateTime={e.at}>{formatDateTime(e.at)}</time> — {e.message}
                {e.from !== e.to && (
                  <span className="muted">
                    {' '}
                    ({e.from ? `${humanize(e.from)} → ` : ''}
                    {humanize(e.to)})
                  </span>
                )}
              </li>
            ))}
          </ol>
        </details>
      )}
    </section>
  );
}
