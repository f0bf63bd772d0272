// @vitest-environment jsdom
// The wizard validates with the shared schemas before submitting: field errors appear inline (on leaving a field
// and on submit), nothing invalid reaches the API, and valid data is submitted as the schema parses it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import '@testing-library/jest-dom/vitest';
import { a2pRequestSchema } from '../../../../../shared/a2p.ts';
import { createCustomerSchema } from '../../../../../shared/customers.ts';
import { renderWithApi } from '../../../test/render.tsx';
import { A2pStep, a2pFormValues } from './A2pStep.tsx';
import { BusinessProfileStep } from './BusinessProfileStep.tsx';
import { OnboardingWizard } from './OnboardingWizard.tsx';

afterEach(() => {
  cleanup();
  window.history.replaceState(null, '', '/');
});

const errorOf = (label: RegExp) => {
  const input = screen.getByLabelText(label);
  const ids = (input.getAttribute('aria-describedby') ?? '').split(' ');
  return ids.map((id) => document.getElementById(id)).find((el) => el?.classList.contains('field-error'))?.textContent ?? null;
};

async function fillProfile(user: ReturnType<typeof userEvent.setup>) {
  await user.type(screen.getByLabelText(/^Legal business name/), 'Acme Widgets LLC');
  await user.type(screen.getByLabelText(/^EIN/), '12-3456789');
  await user.type(screen.getByLabelText(/^Website/), 'https://acme.example.com');
  await user.type(screen.getByLabelText(/^Street address/), '1 Market St');
  await user.type(screen.getByLabelText(/^City/), 'San Francisco');
  await user.type(screen.getByLabelText(/^State or region/), 'CA');
  await user.type(screen.getByLabelText(/^ZIP or postal code/), '94105');
  await user.type(screen.getByLabelText(/^First name/), 'Ada');
  await user.type(screen.getByLabelText(/^Last name/), 'Lovelace');
  await user.type(screen.getByLabelText(/^Email/), 'ada@acme.example.com');
  await user.type(screen.getByLabelText(/^Mobile phone/), '+14155550123');
  await user.type(screen.getByLabelText(/^Job title/), 'CEO');
}

describe('business profile step', () => {
  it('shows every missing required field inline when submitted empty, and submits nothing', async () => {
    const user = userEvent.setup({ delay: null });
    const onSubmit = vi.fn();
    render(<BusinessProfileStep submitLabel="Continue" onSubmit={onSubmit} />);
    await user.click(screen.getByRole('button', { name: 'Continue' }));

    expect(onSubmit).not.toHaveBeenCalled();
    expect(errorOf(/^Legal business name/)).toMatch(/is required/);
    expect(errorOf(/^Website/)).toMatch(/http\(s\) URL/);
    expect(errorOf(/^Mobile phone/)).toMatch(/E\.164/);
    expect(screen.getByRole('alert')).toHaveTextContent(/Please fix these \d+ fields/);
    // The summary takes focus, so a keyboard or screen-reader user lands on it from the submit button.
    expect(screen.getByRole('alert')).toHaveFocus();
  });

  it('explains a malformed EIN as soon as the field is left, before any submit', async () => {
    const user = userEvent.setup({ delay: null });
    render(<BusinessProfileStep submitLabel="Continue" onSubmit={vi.fn()} />);
    expect(errorOf(/^EIN/)).toBeNull();
    await user.type(screen.getByLabelText(/^EIN/), '123');
    await user.tab();
    expect(errorOf(/^EIN/)).toBe('must be an EIN in the form NN-NNNNNNN');
    // Other fields were not visited, so they stay quiet.
    expect(errorOf(/^Legal business name/)).toBeNull();
  });

  it('asks a Canadian business for its Business Number (CBN) instead of an EIN, and explains a malformed one', async () => {
    const user = userEvent.setup({ delay: null });
    render(<BusinessProfileStep submitLabel="Continue" onSubmit={vi.fn()} />);
    const country = screen.getByLabelText(/^Country/);
    await user.clear(country);
    await user.type(country, 'CA');
    expect(screen.queryByLabelText(/^EIN/)).toBeNull();
    await user.type(screen.getByLabelText(/^Business Number \(Canada, CBN\)/), '12-3456789');
    await user.tab();
    expect(errorOf(/^Business Number/)).toBe('must be a Canadian Business Number of 9 digits');
  });

  it('checks US states and ZIP codes, and needs no EIN for a sole proprietor', async () => {
    const user = userEvent.setup({ delay: null });
    const onSubmit = vi.fn();
    render(<BusinessProfileStep submitLabel="Continue" onSubmit={onSubmit} />);
    await fillProfile(user);
    await user.clear(screen.getByLabelText(/^State or region/));
    await user.type(screen.getByLabelText(/^State or region/), 'ZZ');
    await user.clear(screen.getByLabelText(/^ZIP or postal code/));
    await user.type(screen.getByLabelText(/^ZIP or postal code/), 'ABC');
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(errorOf(/^State or region/)).toBe('must be a US state code such as CA');
    expect(errorOf(/^ZIP or postal code/)).toBe('must be a US ZIP code such as 94105');

    await user.clear(screen.getByLabelText(/^State or region/));
    await user.type(screen.getByLabelText(/^State or region/), 'ca');
    await user.clear(screen.getByLabelText(/^ZIP or postal code/));
    await user.type(screen.getByLabelText(/^ZIP or postal code/), '94105');
    // The EIN rule crosses fields (business type + EIN): it speaks once the rest of the profile is valid.
    await user.clear(screen.getByLabelText(/^EIN/));
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(errorOf(/^EIN/)).toBe('is required unless the business is a sole proprietor');
    await user.selectOptions(screen.getByLabelText(/^Business type/), 'sole_proprietor');
    expect(screen.queryByLabelText(/^EIN/)).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Continue' }));

    expect(onSubmit).toHaveBeenCalledTimes(1);
    const payload = onSubmit.mock.calls[0]![0];
    expect(payload).not.toHaveProperty('ein');
    expect(createCustomerSchema.parse(payload)).toMatchObject({ businessType: 'sole_proprietor', address: { region: 'CA' } });
  });

  it('sends the choice to connect your own Twilio account with the new business, a platform account otherwise', async () => {
    const user = userEvent.setup({ delay: null });
    const onSubmit = vi.fn();
    render(<BusinessProfileStep submitLabel="Continue" onSubmit={onSubmit} />);
    await fillProfile(user);
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    expect(onSubmit.mock.calls[0]![0]).toMatchObject({ twilioMode: 'subaccount' });
    await user.click(screen.getByRole('radio', { name: 'Connect my own Twilio account' }));
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    expect(createCustomerSchema.parse(onSubmit.mock.calls[1]![0])).toMatchObject({ twilioMode: 'byoa', legalName: 'Acme Widgets LLC' });
  });
});

const longText = (n: number) => 'We send appointment reminders to our clinic patients. '.repeat(5).slice(0, n);

describe('A2P brand and campaign step', () => {
  it('enforces Twilio’s campaign limits inline: description 40+, message flow 40+, samples 20+', async () => {
    const user = userEvent.setup({ delay: null });
    const onSubmit = vi.fn();
    render(<A2pStep businessType="llc" submitLabel="Submit for review" onSubmit={onSubmit} />);
    await user.type(screen.getByLabelText(/^Campaign description/), 'Too short');
    await user.type(screen.getByLabelText(/^How people opt in/), 'Web form');
    await user.type(screen.getByLabelText(/^Sample message 1/), 'Hi!');
    await user.click(screen.getByRole('button', { name: 'Submit for review' }));

    expect(onSubmit).not.toHaveBeenCalled();
    expect(errorOf(/^Campaign description/)).toBe('must be at least 40 characters');
    expect(errorOf(/^How people opt in/)).toBe('must be at least 40 characters');
    expect(errorOf(/^Sample message 1/)).toBe('must be at least 20 characters');
    expect(errorOf(/^Sample message 2/)).toBe('must be at least 20 characters');
    // The counter tells how far off the text is.
    expect(screen.getByText('9 characters (between 40 and 4096)')).toBeInTheDocument();
  });

  it('allows between two and five sample messages', async () => {
    const user = userEvent.setup({ delay: null });
    render(<A2pStep businessType="llc" submitLabel="Submit for review" onSubmit={vi.fn()} />);
    expect(screen.queryByRole('button', { name: /Remove sample/ })).toBeNull();
    for (let i = 0; i < 3; i++) await user.click(screen.getByRole('button', { name: 'Add a sample' }));
    expect(screen.getByLabelText(/^Sample message 5/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Add a sample' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Remove sample 5' }));
    expect(screen.queryByLabelText(/^Sample message 5/)).toBeNull();
    expect(screen.getByRole('button', { name: 'Add a sample' })).toBeInTheDocument();
  });

  it('asks a public company for its exchange and ticker, and explains the use case and the fees', async () => {
    const user = userEvent.setup({ delay: null });
    const onSubmit = vi.fn();
    render(<A2pStep businessType="corporation" submitLabel="Submit for review" onSubmit={onSubmit} />);
    expect(screen.getByText(/Updates for account holders/)).toBeInTheDocument();
    const fees = screen.getByRole('region', { name: 'What a submission costs' });
    expect(within(fees).getByText('$15 per submission')).toBeInTheDocument();
    expect(within(fees).getByText(/charged again if a rejected campaign is resubmitted/)).toBeInTheDocument();

    await user.selectOptions(screen.getByLabelText(/^Company type/), 'public');
    await user.type(screen.getByLabelText(/^Campaign description/), longText(60));
    await user.type(screen.getByLabelText(/^How people opt in/), longText(80));
    await user.type(screen.getByLabelText(/^Sample message 1/), 'Acme Clinic: your appointment is tomorrow at [time]. Reply STOP to opt out.');
    await user.type(screen.getByLabelText(/^Sample message 2/), 'Acme Clinic: please confirm your visit on [date] by replying YES.');
    await user.click(screen.getByRole('button', { name: 'Submit for review' }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(errorOf(/^Stock exchange/)).toBe('is required for a public company');
    expect(errorOf(/^Stock ticker/)).toBe('is required for a public company');

    await user.selectOptions(screen.getByLabelText(/^Stock exchange/), 'NASDAQ');
    await user.type(screen.getByLabelText(/^Stock ticker/), 'ACME');
    await user.click(screen.getByRole('button', { name: 'Submit for review' }));
    expect(onSubmit).toHaveBeenCalledTimes(1);
    const parsed = a2pRequestSchema.parse(onSubmit.mock.calls[0]![0]);
    expect(parsed).toMatchObject({ brandType: 'STANDARD', companyType: 'public', stockExchange: 'NASDAQ', stockTicker: 'ACME' });
    expect(parsed.campaign.sampleMessages).toHaveLength(2);
  });

  it('starts from a previous submission and resubmits it unchanged when nothing is edited', async () => {
    const user = userEvent.setup({ delay: null });
    const onSubmit = vi.fn();
    const previous = a2pRequestSchema.parse({
      brandType: 'STANDARD',
      companyType: 'public',
      stockExchange: 'NYSE',
      stockTicker: 'ACME',
      areaCode: '415',
      campaign: {
        useCase: 'CUSTOMER_CARE',
        description: longText(50),
        messageFlow: longText(70),
        sampleMessages: ['Acme: your ticket 12 was answered. Reply STOP to opt out.', 'Acme: we replied to your question, reply HELP for help.', 'Acme: your ticket 12 is closed. Reply STOP to opt out.'],
        hasEmbeddedLinks: true,
        hasEmbeddedPhone: false,
        optOutMessage: 'Acme: you will get no more messages from us.',
        optInKeywords: ['START', 'JOIN'],
        termsUrl: 'https://acme.example.com/terms',
      },
    });
    render(<A2pStep businessType="corporation" initial={a2pFormValues(previous)} submitLabel="Resubmit for review" onSubmit={onSubmit} />);
    expect(screen.getByLabelText(/^Stock ticker/)).toHaveValue('ACME');
    expect(screen.getByLabelText(/^Sample message 3/)).toHaveValue(previous.campaign.sampleMessages[2]);
    await user.click(screen.getByRole('button', { name: 'Resubmit for review' }));
    expect(onSubmit).toHaveBeenCalledTimes(1);
    expect(a2pRequestSchema.parse(onSubmit.mock.calls[0]![0])).toEqual(previous);
  });

  it('offers a sole-proprietor brand only the SOLE_PROPRIETOR use case and skips secondary vetting fees', () => {
    render(<A2pStep businessType="sole_proprietor" submitLabel="Submit for review" onSubmit={vi.fn()} />);
    const useCase = screen.getByLabelText(/^Use case/) as HTMLSelectElement;
    expect([...useCase.options].map((o) => o.value)).toEqual(['SOLE_PROPRIETOR']);
    expect(screen.queryByText(/Secondary vetting/)).toBeNull();
  });

  it('offers Low-Volume Standard to a company, shows its fees without secondary vetting, and sends lowVolume', async () => {
    const user = userEvent.setup({ delay: null });
    const onSubmit = vi.fn();
    render(<A2pStep businessType="llc" submitLabel="Submit for review" onSubmit={onSubmit} />);
    const fees = screen.getByRole('region', { name: 'What a submission costs' });
    expect(within(fees).getByText('$40 one-time')).toBeInTheDocument();
    await user.click(screen.getByLabelText(/^Low-Volume Standard/));
    expect(within(fees).getByText(/Low-Volume Standard/)).toBeInTheDocument();
    expect(within(fees).queryByText('$40 one-time')).toBeNull();
    expect(within(fees).getByText(/skipped \(SkipAutomaticSecVet\)/)).toBeInTheDocument();
    await user.type(screen.getByLabelText(/^Campaign description/), longText(60));
    await user.type(screen.getByLabelText(/^How people opt in/), longText(80));
    await user.type(screen.getByLabelText(/^Sample message 1/), 'Acme Clinic: your appointment is tomorrow at [time]. Reply STOP to opt out.');
    await user.type(screen.getByLabelText(/^Sample message 2/), 'Acme Clinic: please confirm your visit on [date] by replying YES.');
    await user.click(screen.getByRole('button', { name: 'Submit for review' }));
    expect(onSubmit).toHaveBeenCalledTimes(1);
    expect(onSubmit.mock.calls[0]![0]).toMatchObject({ brandType: 'STANDARD', lowVolume: true });
  });

  it('keeps government agencies on Standard: no Low-Volume Standard choice, and says why', () => {
    render(<A2pStep businessType="government" submitLabel="Submit for review" onSubmit={vi.fn()} />);
    expect(screen.queryByLabelText(/^Low-Volume Standard/)).toBeNull();
    expect(screen.getByText(/Government agencies and non-profits register Standard brands/)).toBeInTheDocument();
  });
});

describe('the wizard page', () => {
  it('does not call the API while the business profile is invalid, then creates the customer once it is valid', async () => {
    const user = userEvent.setup({ delay: null });
    const { requests } = renderWithApi(<OnboardingWizard />, (req) => {
      if (req.method === 'POST' && req.path === '/api/isv/customers') {
        const b = req.body as Record<string, unknown>;
        const now = new Date().toISOString();
        return {
          status: 201,
          body: { id: '7c9e6679-7425-40de-944b-e07fc1f90ae7', displayName: null, ein: null, status: 'onboarding', myRole: 'owner', createdAt: now, updatedAt: now, ...b },
        };
      }
      return undefined;
    });
    expect(screen.getByRole('heading', { name: /Step 1 of 4: Business profile/ })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    // Reads (the signed-in account, which the app has cached anyway) are fine; nothing is written.
    expect(requests.filter((r) => r.method !== 'GET')).toHaveLength(0);

    await fillProfile(user);
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    await waitFor(() => expect(window.location.pathname + window.location.search).toBe('/customers/7c9e6679-7425-40de-944b-e07fc1f90ae7/onboarding?step=2'));
    const posts = requests.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body).toMatchObject({ legalName: 'Acme Widgets LLC', ein: '12-3456789', address: { country: 'US', region: 'CA' } });
  });

  it('explains that a new business needs a confirmed email instead of sending a request the server refuses', async () => {
    const user = userEvent.setup({ delay: null });
    const me = { user: { id: '00000000-0000-4000-8000-000000000001', email: 'new@example.com', roles: [], emailVerified: false }, memberships: [], authMode: 'embedded' };
    const { requests } = renderWithApi(<OnboardingWizard />, (req) => (req.path === '/api/auth/me' ? { body: me } : undefined));
    expect(await screen.findByText(/Confirm your email address first/)).toBeInTheDocument();
    await fillProfile(user);
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Confirm your email address first');
    expect(alert).toHaveTextContent('new@example.com');
    await waitFor(() => expect(alert).toHaveFocus());
    expect(requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });
});
