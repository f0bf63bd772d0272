// @vitest-environment jsdom
// The progress page for what #14 added to the A2P registration: a public company's brand waiting for its
// contact's email verification (with "Send the email again"), and a number Twilio is still registering.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import '@testing-library/jest-dom/vitest';
import type { FlowView, OnboardingResponse } from '../../../../shared/onboarding.ts';
import { explainMessageError } from '../../../../shared/message-errors.ts';
import { ProgressPage } from './ProgressPage.tsx';
import { renderWithApi } from '../../test/render.tsx';

afterEach(cleanup);

const customerId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const flow = (over: Partial<FlowView>): FlowView => ({
  id: '3f1d2c4b-5a69-4788-9a0b-1c2d3e4f5a6b', kind: 'a2p', subjectId: null, state: 'wait_brand', status: 'waiting_on_twilio', progress: 70,
  waitingFor: null, nextCheckAt: null, attempts: 1, lastError: null, events: [], ...over,
});
const response = (flows: FlowView[]): OnboardingResponse => ({ overall: 'in_progress', flows });
const brandView = { id: '00000000-0000-4000-8000-0000000000bb', brandType: 'STANDARD', status: 'submitted', twilioStatus: 'APPROVED', rejectionReason: null, attempts: 1, flowId: '3f1d2c4b-5a69-4788-9a0b-1c2d3e4f5a6b' };

describe('the progress page of a registration going live', () => {
  it('tells a public company to open Twilio’s verification email and sends it again when asked', async () => {
    const user = userEvent.setup({ delay: null });
    const { requests } = renderWithApi(<ProgressPage customerId={customerId} />, (req) => {
      if (req.path === `/api/isv/customers/${customerId}/onboarding`) return { body: response([flow({ waitingFor: 'twilio:brand_email_verification' })]) };
      if (req.method === 'POST' && req.path === `/api/isv/customers/${customerId}/a2p/brand-email/resend`) return { body: brandView };
      return undefined;
    });
    const card = await screen.findByRole('region', { name: /US texting/ });
    expect(within(card).getByText(/Twilio emailed your brand contact a verification link/)).toBeInTheDocument();
    expect(within(card).getByText(/Waiting for your brand contact to open the verification email Twilio sent/)).toBeInTheDocument();
    await user.click(within(card).getByRole('button', { name: 'Send the email again' }));
    await waitFor(() => expect(requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual([`/api/isv/customers/${customerId}/a2p/brand-email/resend`]));
    expect(await screen.findByText(/A new email is on its way/)).toBeInTheDocument();
  });

  it('asks for a new email once the last one expired', async () => {
    renderWithApi(<ProgressPage customerId={customerId} />, (req) =>
      req.path === `/api/isv/customers/${customerId}/onboarding`
        ? { body: response([flow({ state: 'brand_email', status: 'action_required', waitingFor: 'brand_email_resend', lastError: { code: 'brand_email_expired', message: 'The email Twilio sent to ir@acme.example.com to verify your brand was not opened in time. Send it again, then open the link in it.', twilioCode: 21737, fields: [] } })]) }
        : undefined,
    );
    const card = await screen.findByRole('region', { name: /US texting/ });
    expect(within(card).getByText(/The verification email was not opened in time/)).toBeInTheDocument();
    expect(within(card).getByRole('button', { name: 'Send the email again' })).toBeInTheDocument();
  });

  it('says the number is being registered to the campaign while Twilio does it', async () => {
    renderWithApi(<ProgressPage customerId={customerId} />, (req) =>
      req.path === `/api/isv/customers/${customerId}/onboarding`
        ? { body: response([flow({ state: 'wait_number_registration', waitingFor: 'twilio:number_registration', progress: 95 })]) }
        : undefined,
    );
    const card = await screen.findByRole('region', { name: /US texting/ });
    expect(within(card).getByText(/Waiting for Twilio to register your phone number to your campaign/)).toBeInTheDocument();
  });

  it('explains a 30034 delivery failure in plain words', () => {
    expect(explainMessageError(30034)).toMatch(/number it was sent from is not registered to your US texting campaign yet/);
    expect(explainMessageError(12345)).toBeUndefined();
  });
});
