// Onboarding progress: one timeline per flow, refreshed every few seconds while anything is in flight; an OTP
// form where a flow waits for a code; on a rejection, the reason, the fields to fix and a form to fix and resubmit.
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { otpSchema } from '../../../../shared/a2p.ts';
import type { FlowView } from '../../../../shared/onboarding.ts';
import { ApiError } from '../../api/client.ts';
import { useApi } from '../../app/context.tsx';
import { registerSender, resendBrandEmail, resendBrandText, submitA2p, updateCustomer, updateTemplate, verifySender } from '../../api/mutations.ts';
import { a2pSubmissionQuery, customerQuery, onboardingInFlight, onboardingQuery, sendersQuery, templatesQuery } from '../../api/queries.ts';
import { FlowTimeline, waitsForOtp, waitsForTextReply } from '../../components/FlowTimeline.tsx';
import { MyInvitations } from '../../components/MyInvitations.tsx';
import { TextField, validateWith, type FieldErrors } from '../../components/form.tsx';
import { formatDateTime, humanize } from '../../components/format.ts';
import { Empty, ErrorNotice, Loading } from '../../components/states.tsx';
import { StatusBadge } from '../../components/status.tsx';
import { TemplateForm } from '../../components/TemplateForm.tsx';
import { Link } from '../../router.tsx';
import { A2pStep, a2pFormValues } from './onboarding/A2pStep.tsx';
import { BusinessProfileStep, PROFILE_PATHS } from './onboarding/BusinessProfileStep.tsx';
import { changedFields } from './onboarding/OnboardingWizard.tsx';
import { ONBOARDING_LABELS } from './onboarding/onboarding-labels.ts';
import { WhatsappStep, senderFormValues } from './onboarding/WhatsappStep.tsx';

const OVERALL_TEXT: Record<string, string> = {
  not_started: 'Not started yet',
  in_progress: 'In progress',
  awaiting_approval: 'Waiting for our review',
  action_required: 'Your action is needed',
  needs_attention: 'In progress: our team is on a problem at one step',
  failed: 'Stopped',
  complete: 'Complete: you can send messages',
  suspended: 'Sending is paused: your Twilio account is suspended',
  closed: 'Closed: your Twilio account is closed and sends nothing',
};

/** What a paused account means for you, under the overall status. */
const PAUSED_TEXT: Record<string, string> = {
  suspended: 'Messages you send are refused until the account is reactivated. Ask us why it was suspended and what reactivates it.',
  closed: 'A closed Twilio account cannot be reopened. Contact us if you need to send messages again.',
};

/** A template replaced by a newer version is history, not a second card that says "Done". */
const current = (flows: FlowView[]) => flows.filter((f) => !(f.kind === 'template' && f.state === 'superseded'));

/** Fields of the business profile (fixed with PATCH) as opposed to brand/campaign data (fixed by resubmitting). */
export function isProfileField(field: string): boolean {
  const top = field.split('.')[0]!;
  return (PROFILE_PATHS as readonly string[]).some((p) => p === field || p.split('.')[0] === top);
}

export function ProgressPage({ customerId }: { customerId: string }) {
  const api = useApi();
  const query = useQuery(onboardingQuery(api, customerId));
  const refreshing = onboardingInFlight(query.data);
  // A business on its own Twilio account has its own numbers and registrations: the connection is its progress.
  const customer = useQuery(customerQuery(api, customerId));
  const flows = query.data ? current(query.data.flows) : [];

  return (
    <>
      <h1>Onboarding progress</h1>
      <MyInvitations />
      {customer.data?.twilioMode === 'byoa' && (
        <p className="card">
          Your business sends through its own Twilio account, with the numbers and US texting registrations it already has there. See the connection
          and your sender on the <Link to={`/customers/${customerId}/twilio`}>Twilio account</Link> page.
        </p>
      )}
      {query.isPending ? (
        <Loading label="Loading your progress…" />
      ) : query.isError ? (
        <ErrorNotice error={query.error} retry={() => void query.refetch()} />
      ) : (
        <>
          <p className="overall">
            Overall: <StatusBadge status={query.data.overall} label={OVERALL_TEXT[query.data.overall] ?? humanize(query.data.overall)} />
            <span className="muted" aria-live="polite">
              {refreshing ? ' · updating every few seconds' : ''}
            </span>
          </p>
          {PAUSED_TEXT[query.data.overall] && (
            <p className="state state-error" role="status">
              {PAUSED_TEXT[query.data.overall]}
            </p>
          )}
          {flows.length === 0 ? (
            <Empty>
              Nothing submitted yet. <Link to={`/customers/${customerId}/onboarding`}>Start the onboarding</Link>.
            </Empty>
          ) : (
            <>
              {flows.map((flow) => (
                <FlowTimeline key={flow.id} flow={flow} fieldLabels={ONBOARDING_LABELS}>
                  <FlowActions customerId={customerId} flow={flow} />
                </FlowTimeline>
              ))}
              {flows.length < 4 && (
                <p>
                  <Link to={`/customers/${customerId}/onboarding`}>Continue the onboarding</Link> to add what is missing.
                </p>
              )}
            </>
          )}
        </>
      )}
    </>
  );
}

function FlowActions({ customerId, flow }: { customerId: string; flow: FlowView }) {
  if (waitsForOtp(flow)) return <OtpForm customerId={customerId} flow={flow} />;
  if (waitsForTextReply(flow)) return <TextReply customerId={customerId} flow={flow} />;
  if (flow.kind === 'a2p' && (flow.waitingFor === 'twilio:brand_email_verification' || flow.waitingFor === 'brand_email_resend')) return <EmailVerification customerId={customerId} flow={flow} />;
  if (flow.status !== 'action_required' && flow.status !== 'failed') return null;
  // A registration in the customer's own Twilio account: a refused token is fixed by reconnecting it; one
  // stopped by a disconnect has nothing to fix.
  if (flow.waitingFor === 'twilio_reconnect')
    return (
      <p>
        <Link to={`/customers/${customerId}/twilio`}>Reconnect your Twilio account</Link> with its current Auth Token; this registration then continues.
      </p>
    );
  if (flow.lastError?.code === 'twilio_account_disconnected') return null;
  if (flow.kind === 'template' && flow.subjectId) return <TemplateFix customerId={customerId} templateId={flow.subjectId} />;
  if (flow.kind === 'a2p') return <A2pFix customerId={customerId} flow={flow} />;
  if (flow.kind === 'whatsapp_sender') return <SenderFix customerId={customerId} senderId={flow.subjectId} />;
  return null;
}

function SenderFix({ customerId, senderId }: { customerId: string; senderId: string | null }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const senders = useQuery(sendersQuery(api, customerId));
  const resubmit = useMutation({
    mutationFn: (p: Record<string, unknown>) => registerSender(api, customerId, p),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['customers', customerId] }),
  });
  if (senders.isPending) return <Loading label="Loading the sender…" />;
  if (senders.isError) return <ErrorNotice error={senders.error} retry={() => void senders.refetch()} />;
  const sender = senders.data.items.find((x) => x.id === senderId);
  return (
    <details className="fix" open>
      {/* WhatsApp's reasons are in the card's "What went wrong", in plain words (Meta's texts name API fields). */}
      <summary>Correct the sender’s profile and resubmit</summary>
      {resubmit.isError && <ErrorNotice error={resubmit.error} title="The sender was not resubmitted" labels={ONBOARDING_LABELS} />}
      <WhatsappStep initial={sender ? senderFormValues(sender) : undefined} busy={resubmit.isPending} onSubmit={(p) => resubmit.mutate(p)} serverError={resubmit.error} />
    </details>
  );
}

function OtpForm({ customerId, flow }: { customerId: string; flow: FlowView }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [code, setCode] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const send = useMutation({
    mutationFn: (c: string) => verifySender(api, customerId, flow.subjectId ?? '', c),
    onSuccess: () => {
      setCode('');
      void queryClient.invalidateQueries({ queryKey: ['customers', customerId] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const checked = validateWith(otpSchema, { code });
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    send.mutate(checked.data.code);
  };
  return (
    <form className="otp-form" onSubmit={submit} noValidate>
      {send.isError && <ErrorNotice error={send.error} title="The code was not accepted" labels={ONBOARDING_LABELS} />}
      <TextField
        label="WhatsApp verification code"
        name="otp"
        value={code}
        onChange={setCode}
        error={errors.code ?? (send.error instanceof ApiError ? send.error.fieldErrors().code : undefined)}
        inputMode="numeric"
        autoComplete="one-time-code"
        required
        help="4 to 8 digits."
      />
      <button type="submit" disabled={send.isPending}>
        {send.isPending ? 'Checking…' : 'Submit code'}
      </button>
    </form>
  );
}

/**
 * A sole proprietor confirms the brand by answering Twilio's text with YES (there is no code to type here); it
 * must come by the deadline, and a new text can be asked for at any time.
 */
function TextReply({ customerId, flow }: { customerId: string; flow: FlowView }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const resend = useMutation({
    mutationFn: () => resendBrandText(api, customerId),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['customers', customerId] }),
  });
  const expired = flow.waitingFor === 'otp_resend';
  return (
    <div className="otp-form">
      {expired ? (
        <p>The text was not answered in time. Ask for a new one, then reply YES to it within 24 hours.</p>
      ) : (
        <p>
          Twilio sent a text to your mobile: <strong>reply YES</strong> to it
          {flow.deadline ? (
            <>
              {' '}
              by <time dateTime={flow.deadline}>{formatDateTime(flow.deadline)}</time>
            </>
          ) : null}
          . Nothing needs to be typed here.
        </p>
      )}
      {resend.isError && <ErrorNotice error={resend.error} title="No new text was sent" />}
      {resend.isSuccess && !expired && (
        <p className="state state-success" role="status">
          A new text is on its way; reply YES to the newest one.
        </p>
      )}
      <button type="button" className={expired ? undefined : 'button-secondary'} disabled={resend.isPending} onClick={() => resend.mutate()}>
        {resend.isPending ? 'Sending…' : 'Send the text again'}
      </button>
    </div>
  );
}

/**
 * A public company's brand waits for its contact to open Twilio's Authentication+ verification email; a new
 * email can be asked for at any time, and must be once the last one expired.
 */
function EmailVerification({ customerId, flow }: { customerId: string; flow: FlowView }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const resend = useMutation({
    mutationFn: () => resendBrandEmail(api, customerId),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['customers', customerId] }),
  });
  const expired = flow.waitingFor === 'brand_email_resend';
  return (
    <div className="otp-form">
      <p>
        {expired
          ? 'The verification email was not opened in time. Ask for a new one, then open the link in it.'
          : 'Twilio emailed your brand contact a verification link (required for public companies): open it to continue. Check the spam folder too.'}
      </p>
      {resend.isError && <ErrorNotice error={resend.error} title="No new email was sent" />}
      {resend.isSuccess && !expired && (
        <p className="state state-success" role="status">
          A new email is on its way; open the link in the newest one.
        </p>
      )}
      <button type="button" className={expired ? undefined : 'button-secondary'} disabled={resend.isPending} onClick={() => resend.mutate()}>
        {resend.isPending ? 'Sending…' : 'Send the email again'}
      </button>
    </div>
  );
}

function TemplateFix({ customerId, templateId }: { customerId: string; templateId: string }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const templates = useQuery(templatesQuery(api, customerId));
  const update = useMutation({
    mutationFn: (body: unknown) => updateTemplate(api, customerId, templateId, body),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['customers', customerId] }),
  });
  const t = templates.data?.items.find((x) => x.id === templateId);
  if (templates.isPending) return <Loading label="Loading the template…" />;
  if (templates.isError) return <ErrorNotice error={templates.error} retry={() => void templates.refetch()} />;
  if (!t) return null;
  return (
    <details className="fix" open>
      <summary>Fix and resubmit the template</summary>
      {update.isError && <ErrorNotice error={update.error} title="The new version was not submitted" labels={ONBOARDING_LABELS} />}
      <TemplateForm
        mode="update"
        submitLabel="Submit new version"
        initial={{ name: t.name, language: t.language, category: t.category, body: t.body, variables: t.variables }}
        busy={update.isPending}
        serverErrors={update.error instanceof ApiError ? update.error.fieldErrors() : undefined}
        onSubmit={(body) => update.mutate(body)}
      />
    </details>
  );
}

function A2pFix({ customerId, flow }: { customerId: string; flow: FlowView }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const customer = useQuery(customerQuery(api, customerId));
  const fields = flow.lastError?.fields ?? [];
  const profileFix = fields.length > 0 && fields.every(isProfileField);
  // The brand/campaign form starts from the data submitted last, so only what was rejected needs changing.
  const submission = useQuery({ ...a2pSubmissionQuery(api, customerId), enabled: !profileFix });
  const done = () => void queryClient.invalidateQueries({ queryKey: ['customers', customerId] });
  const patch = useMutation({ mutationFn: (p: Record<string, unknown>) => updateCustomer(api, customerId, changedFields(customer.data!, p)), onSuccess: done });
  const resubmit = useMutation({ mutationFn: (p: Record<string, unknown>) => submitA2p(api, customerId, p), onSuccess: done });

  if (customer.isPending || (!profileFix && submission.isPending)) return <Loading label="Loading your details…" />;
  if (customer.isError) return <ErrorNotice error={customer.error} retry={() => void customer.refetch()} />;
  if (!profileFix && submission.isError) return <ErrorNotice error={submission.error} retry={() => void submission.refetch()} />;
  return (
    <details className="fix" open>
      <summary>{profileFix ? 'Correct your business details and resubmit' : 'Correct the brand and campaign and resubmit'}</summary>
      {profileFix ? (
        <>
          {patch.isError && <ErrorNotice error={patch.error} title="The correction was not saved" labels={ONBOARDING_LABELS} />}
          {patch.isSuccess && <p className="state state-success" role="status">Saved. The registration resumes with the corrected details.</p>}
          <BusinessProfileStep customer={customer.data} busy={patch.isPending} submitLabel="Save and resubmit" onSubmit={(p) => patch.mutate(p)} serverError={patch.error} />
        </>
      ) : (
        <>
          {resubmit.isError && <ErrorNotice error={resubmit.error} title="The registration was not resubmitted" labels={ONBOARDING_LABELS} />}
          <A2pStep
            businessType={customer.data.businessType}
            initial={submission.data ? a2pFormValues(submission.data.request) : undefined}
            busy={resubmit.isPending}
            submitLabel="Resubmit for review"
            onSubmit={(p) => resubmit.mutate(p)}
            serverError={resubmit.error}
          />
        </>
      )}
    </details>
  );
}
