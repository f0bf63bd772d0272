// @vitest-environment jsdom
// The timeline of one flow in each of its states, and the progress page around it: what it waits for and when
// it checks next while in flight, the reason and fields to fix on rejection, the OTP form, polling only while moving.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import '@testing-library/jest-dom/vitest';
import type { FlowView, OnboardingResponse } from '../../../shared/onboarding.ts';
import { onboardingInFlight } from '../api/queries.ts';
import { ProgressPage } from '../pages/customer/ProgressPage.tsx';
import { renderWithApi } from '../test/render.tsx';
import { FlowTimeline, waitsForOtp } from './FlowTimeline.tsx';

afterEach(cleanup);

const NOW = new Date('2026-11-23T12:00:00Z');

function flow(over: Partial<FlowView>): FlowView {
  return {
    id: '3f1d2c4b-5a69-4788-9a0b-1c2d3e4f5a6b',
    kind: 'a2p',
    subjectId: null,
    state: 'brand_registration_wait',
    status: 'in_progress',
    progress: 40,
    waitingFor: null,
    nextCheckAt: null,
    attempts: 1,
    lastError: null,
    events: [],
    ...over,
  };
}

describe('flow timeline', () => {
  it('while Twilio reviews, says what it waits for and when it checks next', () => {
    render(
      <FlowTimeline
        now={NOW}
        flow={flow({
          status: 'waiting_on_twilio',
          waitingFor: 'brand_review',
          nextCheckAt: '2026-11-23T12:00:30Z',
          events: [{ at: '2026-11-23T11:59:00Z', from: 'brand_create', to: 'brand_registration_wait', message: 'Brand submitted to The Campaign Registry' }],
        })}
      />,
    );
    const card = screen.getByRole('region', { name: /US texting registration/ });
    expect(within(card).getByText('Waiting on Twilio')).toBeInTheDocument();
    expect(within(card).getByText(/Waiting for brand review/)).toBeInTheDocument();
    expect(within(card).getByText('in 30 s')).toHaveAttribute('datetime', '2026-11-23T12:00:30Z');
    expect(within(card).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '40');
    expect(within(card).getByText(/Brand submitted to The Campaign Registry/)).toBeInTheDocument();
    expect(within(card).queryByRole('alert')).toBeNull();
  });

  it('waiting for an admin, says our team reviews before anything is charged', () => {
    render(<FlowTimeline now={NOW} flow={flow({ status: 'awaiting_approval', state: 'awaiting_approval', waitingFor: 'admin_approval', nextCheckAt: '2026-11-23T12:00:05Z' })} />);
    expect(screen.getByText('Waiting for review by our team')).toBeInTheDocument();
    expect(screen.getByText(/nothing is sent to Twilio, or charged, before that/)).toBeInTheDocument();
    // Nobody polls a person: no "next check" while awaiting approval.
    expect(screen.queryByText(/next check/)).toBeNull();
  });

  it('on rejection, shows the plain-language reason, the Twilio code, the fields to fix and the attempt', () => {
    render(
      <FlowTimeline
        now={NOW}
        flow={flow({
          status: 'action_required',
          state: 'campaign_failed',
          waitingFor: 'customer_fix',
          attempts: 2,
          lastError: { code: 'campaign_rejected', message: 'The message flow does not say how people opt in.', twilioCode: 30897, fields: ['campaign.messageFlow', 'campaign.optInKeywords.1', 'code'] },
        })}
        fieldLabels={{ 'campaign.messageFlow': 'How people opt in (message flow)', 'campaign.optInKeywords': 'Opt-in keywords' }}
      />,
    );
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('Why it was rejected: The message flow does not say how people opt in.');
    expect(alert).toHaveTextContent('(Twilio error 30897)');
    // Fields by the names the form gives them, never their API paths.
    expect(alert).toHaveTextContent('Fields to fix: How people opt in (message flow), Opt-in keywords (item 2), Verification code');
    expect(alert).not.toHaveTextContent(/campaign\.|optInKeywords/);
    expect(screen.getByText('Your action is needed')).toBeInTheDocument();
    expect(screen.getByText(/you to correct the fields below and resubmit/)).toBeInTheDocument();
    expect(screen.getByText(/attempt 2/)).toBeInTheDocument();
  });

  it('after an admin rejection, says the submission came back for changes rather than that it awaits approval', () => {
    render(
      <FlowTimeline
        now={NOW}
        flow={flow({ kind: 'template', status: 'action_required', state: 'awaiting_approval', waitingFor: 'new_version', lastError: { code: 'rejected_by_admin', message: 'Say which shop.', twilioCode: null, fields: ['body'] } })}
      />,
    );
    expect(screen.getByText('Your action is needed')).toBeInTheDocument();
    expect(screen.getByText('Returned by our team for changes')).toBeInTheDocument();
    expect(screen.queryByText(/Awaiting approval/)).toBeNull();
  });

  it('when our team is on a fault, says so and asks nothing of the customer', () => {
    const message = 'We ran into a problem on our side at this step. Our team has been told and is on it; there is nothing for you to do.';
    render(<FlowTimeline now={NOW} flow={flow({ status: 'needs_attention', waitingFor: 'operator', lastError: { code: 'platform_fault', message, twilioCode: 20001, fields: [] } })} />);
    expect(screen.getByText('Our team is on it')).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent(message);
    expect(screen.getByText(/Waiting for our team to look into a problem on our side \(nothing for you to do\)/)).toBeInTheDocument();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.queryByText(/Fields to fix|What went wrong|Twilio error/)).toBeNull();
  });

  it('when failed for good, says why it stopped', () => {
    render(<FlowTimeline now={NOW} flow={flow({ status: 'failed', lastError: { code: 'x', message: 'The subaccount was closed.', twilioCode: null, fields: [] } })} />);
    expect(screen.getByRole('alert')).toHaveTextContent('Why it stopped: The subaccount was closed.');
    expect(screen.queryByText(/Fields to fix/)).toBeNull();
  });

  it('when done, shows done and neither a wait nor an old error', () => {
    render(
      <FlowTimeline
        now={NOW}
        flow={flow({ status: 'done', state: 'done', progress: 100, waitingFor: null, lastError: { code: 'old', message: 'old problem', twilioCode: null, fields: [] } })}
      />,
    );
    expect(screen.getByText('Done', { selector: '.badge' })).toBeInTheDocument();
    expect(screen.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.queryByText(/Waiting for/)).toBeNull();
  });

  it('recognises a flow that waits for a one-time code', () => {
    // A sole proprietor's brand waits for a YES by text, not for a code typed here.
    expect(waitsForOtp(flow({ kind: 'a2p', status: 'action_required', state: 'brand_otp', waitingFor: 'otp_resend' }))).toBe(false);
    expect(waitsForOtp(flow({ kind: 'whatsapp_sender', status: 'action_required', state: 'awaiting_verification_code', waitingFor: 'customer' }))).toBe(true);
    expect(waitsForOtp(flow({ status: 'action_required', waitingFor: 'customer_fix' }))).toBe(false);
    expect(waitsForOtp(flow({ status: 'waiting_on_twilio', waitingFor: 'otp_sent' }))).toBe(false);
  });
});

describe('progress page', () => {
  const response = (flows: FlowView[], overall: OnboardingResponse['overall'] = 'in_progress'): OnboardingResponse => ({ overall, flows });

  it('keeps polling only while some flow is moving', () => {
    expect(onboardingInFlight(response([flow({ status: 'in_progress' })]))).toBe(true);
    expect(onboardingInFlight(response([flow({ status: 'done' }), flow({ status: 'waiting_on_twilio' })]))).toBe(true);
    expect(onboardingInFlight(response([flow({ status: 'awaiting_approval' }), flow({ status: 'action_required' })]))).toBe(false);
    expect(onboardingInFlight(response([flow({ status: 'done' })], 'complete'))).toBe(false);
    expect(onboardingInFlight(undefined)).toBe(false);
  });

  it('shows one timeline per flow and an OTP form where a flow waits for a code', async () => {
    const customerId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
    renderWithApi(<ProgressPage customerId={customerId} />, (req) =>
      req.path === `/api/isv/customers/${customerId}/onboarding`
        ? {
            body: response(
              [
                flow({ id: '00000000-0000-4000-8000-000000000001', kind: 'subaccount', status: 'done', state: 'done', progress: 100 }),
                flow({ id: '00000000-0000-4000-8000-000000000002', kind: 'a2p', status: 'awaiting_approval', waitingFor: 'admin_approval' }),
                flow({ id: '00000000-0000-4000-8000-000000000003', kind: 'whatsapp_sender', status: 'action_required', state: 'awaiting_otp', waitingFor: 'sender_otp', subjectId: '00000000-0000-4000-8000-0000000000aa' }),
              ],
              'action_required',
            ),
          }
        : undefined,
    );
    expect(await screen.findByText('Your action is needed', { selector: '.overall .badge' })).toBeInTheDocument();
    expect(screen.getAllByRole('region')).toHaveLength(3);
    const sender = screen.getByRole('region', { name: 'WhatsApp sender' });
    expect(within(sender).getByLabelText(/WhatsApp verification code/)).toBeInTheDocument();
    expect(within(screen.getByRole('region', { name: /US texting/ })).queryByRole('textbox')).toBeNull();
  });

  it('asks a business on its own Twilio account to reconnect it when Twilio refused its token mid-registration', async () => {
    const customerId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
    const message = 'Twilio no longer accepts the Auth Token saved for your Twilio account. Reconnect the account with its current token on the Twilio account page; the registration then continues where it stopped.';
    renderWithApi(<ProgressPage customerId={customerId} />, (req) =>
      req.path === `/api/isv/customers/${customerId}/onboarding`
        ? {
            body: response(
              [flow({ kind: 'a2p', status: 'action_required', state: 'brand', waitingFor: 'twilio_reconnect', lastError: { code: 'twilio_credentials_invalid', message, twilioCode: 20003, fields: [] } })],
              'action_required',
            ),
          }
        : undefined,
    );
    const card = await screen.findByRole('region', { name: /US texting/ });
    expect(within(card).getByText(/Waiting for you to reconnect your Twilio account/)).toBeInTheDocument();
    expect(within(card).getByRole('link', { name: 'Reconnect your Twilio account' })).toHaveAttribute('href', `/customers/${customerId}/twilio`);
    expect(within(card).queryByRole('button', { name: /resubmit/i })).toBeNull();
  });

  it('asks a sole proprietor to reply YES to Twilio’s text by the deadline, with no code form, and sends a new text when asked', async () => {
    const customerId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
    const user = userEvent.setup({ delay: null });
    const deadline = '2026-12-08T10:00:00.000Z';
    const { requests } = renderWithApi(<ProgressPage customerId={customerId} />, (req) => {
      if (req.path === `/api/isv/customers/${customerId}/onboarding`)
        return { body: response([flow({ kind: 'a2p', status: 'waiting_on_twilio', state: 'wait_brand', waitingFor: 'twilio:brand_otp_reply', deadline })]) };
      if (req.method === 'POST' && req.path === `/api/isv/customers/${customerId}/a2p/otp/resend`)
        return { body: { id: '00000000-0000-4000-8000-0000000000bb', brandType: 'SOLE_PROPRIETOR', status: 'submitted', twilioStatus: 'APPROVED', rejectionReason: null, attempts: 1, flowId: '3f1d2c4b-5a69-4788-9a0b-1c2d3e4f5a6b' } };
      return undefined;
    });
    const card = await screen.findByRole('region', { name: /US texting/ });
    expect(within(card).getByText(/Nothing needs to be typed here/)).toHaveTextContent('Twilio sent a text to your mobile: reply YES to it by');
    expect(within(card).getByText(/Waiting for your reply YES to the text Twilio sent to your mobile/)).toBeInTheDocument();
    expect(card.querySelector(`time[datetime="${deadline}"]`)).not.toBeNull();
    expect(within(card).queryByRole('textbox')).toBeNull();
    await user.click(within(card).getByRole('button', { name: 'Send the text again' }));
    await waitFor(() => expect(requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual([`/api/isv/customers/${customerId}/a2p/otp/resend`]));
    expect(await screen.findByText(/A new text is on its way/)).toBeInTheDocument();
  });

  it('shows a template replaced by a newer version as no card of its own, and a suspended account as paused, not complete', async () => {
    const customerId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
    renderWithApi(<ProgressPage customerId={customerId} />, (req) =>
      req.path === `/api/isv/customers/${customerId}/onboarding`
        ? {
            body: response(
              [
                flow({ id: '00000000-0000-4000-8000-000000000001', kind: 'subaccount', status: 'done', state: 'done', progress: 100 }),
                flow({ id: '00000000-0000-4000-8000-000000000004', kind: 'template', status: 'done', state: 'superseded', progress: 100 }),
                flow({ id: '00000000-0000-4000-8000-000000000005', kind: 'template', status: 'done', state: 'done', progress: 100 }),
              ],
              'suspended',
            ),
          }
        : undefined,
    );
    expect(await screen.findByText('Sending is paused: your Twilio account is suspended', { selector: '.overall .badge' })).toBeInTheDocument();
    expect(screen.queryByText(/Complete: you can send messages/)).toBeNull();
    expect(screen.getAllByRole('region', { name: 'WhatsApp template' })).toHaveLength(1);
  });

  it('shows the error state with a retry when the progress cannot be loaded', async () => {
    renderWithApi(<ProgressPage customerId="7c9e6679-7425-40de-944b-e07fc1f90ae7" />, () => ({ status: 500, body: { code: 'internal_error', detail: 'Something went wrong on our side.' } }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Something went wrong on our side.');
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });
});
