// The onboarding wizard: business profile → A2P brand and campaign → WhatsApp sender → first template. A business
// that connects its own Twilio account (twilioMode "byoa") has its own numbers: its wizard is business profile →
// connect the account and choose the sender → A2P brand and campaign, registered in that account (done already
// when the chosen service has a verified campaign).
// Each step validates with the shared schemas before it submits; the wizard resumes at the first step not yet
// submitted (worked out from the customer and its onboarding flows), and ?step=N opens a given step.
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Customer } from '../../../../../shared/customers.ts';
import type { OnboardingResponse } from '../../../../../shared/onboarding.ts';
import type { TwilioConnection } from '../../../../../shared/twilio-connection.ts';
import { ApiError } from '../../../api/client.ts';
import { useApi } from '../../../app/context.tsx';
import { createCustomer, createTemplate, registerSender, submitA2p, updateCustomer } from '../../../api/mutations.ts';
import { customerQuery, meQuery, onboardingQuery, twilioConnectionQuery } from '../../../api/queries.ts';
import { MyInvitations } from '../../../components/MyInvitations.tsx';
import { ResendVerificationButton } from '../../account/ResendVerification.tsx';
import { ErrorNotice, Loading } from '../../../components/states.tsx';
import { useFocusWhen } from '../../../components/focus.ts';
import { TemplateForm } from '../../../components/TemplateForm.tsx';
import { Link, navigate, useLocation } from '../../../router.tsx';
import { A2pStep } from './A2pStep.tsx';
import { BusinessProfileStep } from './BusinessProfileStep.tsx';
import { WhatsappStep } from './WhatsappStep.tsx';
import { TwilioConnectionPanel } from '../twilio/TwilioConnection.tsx';

export const STEPS = ['Business profile', 'A2P brand and campaign', 'WhatsApp sender', 'First template'] as const;
export const BYOA_STEPS = ['Business profile', 'Connect your Twilio account', 'A2P brand and campaign'] as const;

const isByoa = (customer: Customer | undefined) => customer?.twilioMode === 'byoa';

export function stepsFor(customer: Customer | undefined): readonly string[] {
  return isByoa(customer) ? BYOA_STEPS : STEPS;
}

/** Which steps are already submitted, from what the server holds (for byoa: a connection with a chosen sender). */
export function submittedSteps(customer: Customer | undefined, onboarding: OnboardingResponse | undefined, connection?: TwilioConnection | null): boolean[] {
  const kinds = new Set(onboarding?.flows.map((f) => f.kind));
  if (isByoa(customer)) return [true, Boolean(connection?.messagingServiceSid), kinds.has('a2p') || connection?.senderCampaignStatus === 'VERIFIED'];
  return [Boolean(customer), kinds.has('a2p'), kinds.has('whatsapp_sender'), kinds.has('template')];
}

export function OnboardingWizard({ customerId }: { customerId?: string }) {
  const api = useApi();
  const { search } = useLocation();
  const customer = useQuery({ ...customerQuery(api, customerId ?? ''), enabled: Boolean(customerId) });
  const onboarding = useQuery({ ...onboardingQuery(api, customerId ?? ''), enabled: Boolean(customerId) });
  const byoa = isByoa(customer.data);
  const connection = useQuery({ ...twilioConnectionQuery(api, customerId ?? ''), enabled: Boolean(customerId) && byoa });

  if (customerId && (customer.isPending || onboarding.isPending || (byoa && connection.isPending))) return <Loading label="Loading your onboarding…" />;
  if (customerId && (customer.isError || onboarding.isError || connection.isError)) {
    return (
      <>
        <h1>Onboarding</h1>
        <ErrorNotice
          error={customer.error ?? onboarding.error ?? connection.error}
          retry={() => void Promise.all([customer.refetch(), onboarding.refetch(), byoa ? connection.refetch() : undefined])}
        />
      </>
    );
  }

  const STEP_LABELS = stepsFor(customer.data);
  const done = submittedSteps(customer.data, onboarding.data, connection.data);
  const firstOpen = done.findIndex((d) => !d);
  const asked = Number(search.get('step'));
  const step = asked >= 1 && asked <= STEP_LABELS.length && (asked === 1 || done[0]) ? asked - 1 : firstOpen;

  return (
    <>
      <h1>Onboarding</h1>
      {!customerId && <MyInvitations />}
      <ol className="stepper" aria-label="Onboarding steps">
        {STEP_LABELS.map((label, i) => {
          const state = i === step ? 'current' : done[i] ? 'done' : 'todo';
          const text = (
            <>
              <span className="step-number" aria-hidden="true">
                {done[i] && i !== step ? '✓' : i + 1}
              </span>
              {label}
              <span className="visually-hidden">{state === 'done' ? ' (submitted)' : state === 'current' ? ' (current step)' : ''}</span>
            </>
          );
          return (
            <li key={label} className={`step step-${state}`} aria-current={i === step ? 'step' : undefined}>
              {customerId && i !== step && (done[i] || i <= firstOpen) ? <Link to={`/customers/${customerId}/onboarding?step=${i + 1}`}>{text}</Link> : text}
            </li>
          );
        })}
      </ol>
      {step === -1 && byoa ? (
        <div className="card">
          <h2 id="step-heading">Your Twilio account is connected</h2>
          <p>
            Your messages go out through your own account and the sender you chose. <Link to={`/customers/${customerId}/send`}>Send a test message</Link>{' '}
            or manage the connection on the <Link to={`/customers/${customerId}/twilio`}>Twilio account</Link> page.
          </p>
        </div>
      ) : step === -1 ? (
        <div className="card">
          <h2 id="step-heading">Everything is submitted</h2>
          <p>
            Your registrations are on their way. <Link to={`/customers/${customerId}/progress`}>Follow their progress</Link>; we will ask you here if
            anything needs a fix or a code.
          </p>
        </div>
      ) : (
        <section className="card">
          <h2 id="step-heading">
            Step {step + 1} of {STEP_LABELS.length}: {STEP_LABELS[step]}
          </h2>
          {step === 0 && <ProfileStep customer={customer.data} />}
          {byoa && step === 1 && customerId && (
            <TwilioConnectionPanel
              customerId={customerId}
              connection={connection.data ?? null}
              canManage={customer.data!.myRole === 'owner'}
              onSenderChosen={() => navigate(`/customers/${customerId}/onboarding`)}
            />
          )}
          {byoa && step === 2 && customerId && <A2pStepContainer customerId={customerId} customer={customer.data!} submitted={done[2]!} ownAccount />}
          {!byoa && step === 1 && customerId && <A2pStepContainer customerId={customerId} customer={customer.data!} submitted={done[1]!} />}
          {!byoa && step === 2 && customerId && <WhatsappStepContainer customerId={customerId} submitted={done[2]!} />}
          {!byoa && step === 3 && customerId && <TemplateStepContainer customerId={customerId} submitted={done[3]!} />}
        </section>
      )}
    </>
  );
}

function SubmittedNote({ customerId, what }: { customerId: string; what: string }) {
  return (
    <p className="state state-success" role="status">
      {what} is submitted. <Link to={`/customers/${customerId}/progress`}>See its progress</Link>; if it is rejected you can fix it there.
    </p>
  );
}

function ProfileStep({ customer }: { customer?: Customer }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const me = useQuery(meQuery(api));
  // A new business needs a confirmed email: say so up front and on submit, instead of a refusal from the server.
  const [needsConfirmation, setNeedsConfirmation] = useState(0);
  const unverified = !customer && me.data?.user.emailVerified === false;
  const save = useMutation({
    mutationFn: (payload: Record<string, unknown>) => (customer ? updateCustomer(api, customer.id, changedFields(customer, payload)) : createCustomer(api, payload)),
    onSuccess: async (saved) => {
      // A new customer adds a membership to "me"; both families refresh.
      await queryClient.invalidateQueries({ queryKey: ['me'] });
      await queryClient.invalidateQueries({ queryKey: ['customers', saved.id] });
      navigate(`/customers/${saved.id}/onboarding?step=2`);
    },
    onError: (err) => {
      if (err instanceof ApiError && err.code === 'email_unverified') void queryClient.invalidateQueries({ queryKey: ['me'] });
    },
  });
  const submit = async (payload: Record<string, unknown>) => {
    if (unverified) {
      // Confirmed in another tab meanwhile? Ask once more before saying no.
      const fresh = await me.refetch();
      if (fresh.data?.user.emailVerified === false) {
        setNeedsConfirmation((n) => n + 1);
        return;
      }
    }
    save.mutate(payload);
  };
  const notice = useFocusWhen<HTMLDivElement>(needsConfirmation);
  return (
    <>
      <p className="lede">Who you are, as registered. We use it for your Twilio account and your US texting registration.</p>
      {unverified && (
        <div className={`state ${needsConfirmation ? 'state-error' : 'state-empty'}`} role={needsConfirmation ? 'alert' : 'status'} ref={notice} tabIndex={-1}>
          <p>
            <strong>Confirm your email address first.</strong> You can fill in this form now, but your business is only created once you have
            opened the link we sent to <strong>{me.data?.user.email}</strong>.
          </p>
          <p>
            <ResendVerificationButton label="Send the link again" />
          </p>
        </div>
      )}
      {save.isError && !(save.error instanceof ApiError && save.error.errors.length) && <ErrorNotice error={save.error} title="Your profile was not saved" />}
      <BusinessProfileStep customer={customer} busy={save.isPending} submitLabel={customer ? 'Save and continue' : 'Continue'} onSubmit={(p) => void submit(p)} serverError={save.error} />
    </>
  );
}

/** PATCH only what changed, so an unchanged profile is not rewritten (and audited) for nothing. */
export function changedFields(customer: Customer, payload: Record<string, unknown>): Record<string, unknown> {
  const current: Record<string, unknown> = { ...customer };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(payload)) if (JSON.stringify(current[k]) !== JSON.stringify(v)) out[k] = v;
  if (customer.ein && !('ein' in payload) && payload.businessType === 'sole_proprietor') out.ein = null;
  return Object.keys(out).length ? out : { legalName: customer.legalName };
}

function A2pStepContainer({ customerId, customer, submitted, ownAccount = false }: { customerId: string; customer: Customer; submitted: boolean; ownAccount?: boolean }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const submit = useMutation({
    mutationFn: (payload: Record<string, unknown>) => submitA2p(api, customerId, payload),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['customers', customerId] });
      navigate(ownAccount ? `/customers/${customerId}/progress` : `/customers/${customerId}/onboarding?step=3`);
    },
  });
  if (submitted) return <SubmittedNote customerId={customerId} what="Your brand and campaign" />;
  return (
    <>
      <p className="lede">US carriers only deliver business texts from registered brands and campaigns (A2P 10DLC). Tell them who sends, what, and how people agreed to it.</p>
      {ownAccount && (
        <p>
          The messaging service you chose has no verified campaign yet. We register your brand and campaign in <strong>your own Twilio account</strong>, as
          its direct customer: it uses the business profile your account already has (or creates it), and the campaign goes on the service you chose.
        </p>
      )}
      {submit.isError && !(submit.error instanceof ApiError && submit.error.errors.length) && <ErrorNotice error={submit.error} title="The registration was not submitted" />}
      <A2pStep businessType={customer.businessType} busy={submit.isPending} submitLabel="Submit for review" onSubmit={(p) => submit.mutate(p)} serverError={submit.error} />
    </>
  );
}

function WhatsappStepContainer({ customerId, submitted }: { customerId: string; submitted: boolean }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const submit = useMutation({
    mutationFn: (payload: Record<string, unknown>) => registerSender(api, customerId, payload),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['customers', customerId] });
      navigate(`/customers/${customerId}/onboarding?step=4`);
    },
  });
  if (submitted) return <SubmittedNote customerId={customerId} what="Your WhatsApp sender" />;
  return (
    <>
      <p className="lede">Send and receive WhatsApp messages from a number of yours.</p>
      {submit.isError && !(submit.error instanceof ApiError && submit.error.errors.length) && <ErrorNotice error={submit.error} title="The sender was not registered" />}
      <WhatsappStep busy={submit.isPending} onSubmit={(p) => submit.mutate(p)} serverError={submit.error} />
      <p>
        <Link to={`/customers/${customerId}/onboarding?step=4`}>Skip WhatsApp for now</Link>
      </p>
    </>
  );
}

function TemplateStepContainer({ customerId, submitted }: { customerId: string; submitted: boolean }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const submit = useMutation({
    mutationFn: (payload: unknown) => createTemplate(api, customerId, payload),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['customers', customerId] });
      navigate(`/customers/${customerId}/progress`);
    },
  });
  if (submitted) return <SubmittedNote customerId={customerId} what="Your first template" />;
  return (
    <>
      <p className="lede">WhatsApp messages you start (rather than replies) must use an approved template.</p>
      {submit.isError && <ErrorNotice error={submit.error} title="The template was not submitted" />}
      <TemplateForm mode="create" submitLabel="Submit template" busy={submit.isPending} serverErrors={submit.error instanceof ApiError ? submit.error.fieldErrors() : undefined} onSubmit={(p) => submit.mutate(p)} />
      <p>
        <Link to={`/customers/${customerId}/progress`}>Skip and see my progress</Link>
      </p>
    </>
  );
}
