// @vitest-environment jsdom
// Bring your own Twilio account in the portal: the connect form checks the SID and token with the shared schema
// before anything is sent, shows Twilio's refusal in plain words and the server's field errors at their fields,
// and once connected offers the account's messaging services as the sender. A refused token brings a banner.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import '@testing-library/jest-dom/vitest';
import type { MeResponse } from '../../../../../shared/auth.ts';
import type { Customer } from '../../../../../shared/customers.ts';
import type { ConnectionResources, TwilioConnection } from '../../../../../shared/twilio-connection.ts';
import { Layout } from '../../../app/Layout.tsx';
import { renderWithApi, type Handler } from '../../../test/render.tsx';
import { OnboardingWizard } from '../onboarding/OnboardingWizard.tsx';
import { TwilioAccountPage } from './TwilioAccountPage.tsx';

afterEach(() => {
  cleanup();
  window.history.replaceState(null, '', '/');
});

const CUSTOMER_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const BASE = `/api/isv/customers/${CUSTOMER_ID}`;
const SID = `AC${'a1'.repeat(16)}`;
const TOKEN = 'f0'.repeat(16);
const MG_REGISTERED = `MG${'1'.repeat(32)}`;
const MG_PLAIN = `MG${'2'.repeat(32)}`;
const now = '2026-12-07T06:00:00.000Z';

const customer = (over: Partial<Customer> = {}): Customer => ({
  id: CUSTOMER_ID,
  legalName: 'Acme Widgets LLC',
  displayName: null,
  businessType: 'llc',
  ein: '12-3456789',
  industry: 'TECHNOLOGY',
  website: 'https://acme.example.com',
  regionsOfOperation: ['USA_AND_CANADA'],
  address: { street: '1 Market St', city: 'San Francisco', region: 'CA', postalCode: '94105', country: 'US' },
  contact: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@acme.example.com', phone: '+14155550123', jobTitle: 'CEO' },
  status: 'onboarding',
  twilioMode: 'byoa',
  myRole: 'owner',
  createdAt: now,
  updatedAt: now,
  ...over,
});

const connection = (over: Partial<TwilioConnection> = {}): TwilioConnection => ({
  mode: 'byoa',
  accountSid: SID,
  friendlyName: 'Acme production',
  status: 'connected',
  accountStatus: 'active',
  tokenLast4: TOKEN.slice(-4),
  messagingServiceSid: null,
  senderCampaignStatus: null,
  whatsappFrom: null,
  connectedAt: now,
  lastCheckedAt: now,
  lastError: null,
  ...over,
});

const resources: ConnectionResources = {
  messagingServices: [
    { sid: MG_REGISTERED, friendlyName: 'Order updates', campaignStatus: 'VERIFIED', phoneNumbers: ['+14155550100'], inboundRequestUrl: null, statusCallback: null },
    { sid: MG_PLAIN, friendlyName: 'Marketing', campaignStatus: null, phoneNumbers: ['+14155550101', '+14155550102'], inboundRequestUrl: null, statusCallback: null },
  ],
  phoneNumbers: [],
  whatsappSenders: [],
};

/** A byoa customer with no connection until a PUT succeeds; `connect` decides the PUT's answer. */
function byoaServer(
  connect: (body: unknown) => { status?: number; body: unknown } = () => ({ body: connection() }),
  initial: TwilioConnection | null = null,
  found: ConnectionResources = resources,
): Handler {
  let current: TwilioConnection | null = initial;
  return (req) => {
    if (req.method === 'GET' && req.path === BASE) return { body: customer() };
    if (req.method === 'GET' && req.path === `${BASE}/onboarding`) return { body: { overall: 'not_started', flows: [] } };
    if (req.method === 'GET' && req.path === `${BASE}/twilio-connection`) return current ? { body: current } : { status: 404, body: { code: 'twilio_connection_not_found', detail: 'No Twilio account is connected' } };
    if (req.method === 'PUT' && req.path === `${BASE}/twilio-connection`) {
      const answer = connect(req.body);
      if ((answer.status ?? 200) === 200) current = answer.body as TwilioConnection;
      return answer;
    }
    if (req.method === 'GET' && req.path === `${BASE}/twilio-connection/resources`) return { body: found };
    if (req.method === 'PUT' && req.path === `${BASE}/twilio-connection/sender`) {
      current = { ...current!, messagingServiceSid: (req.body as { messagingServiceSid: string }).messagingServiceSid };
      return { body: current };
    }
    return undefined;
  };
}

const errorOf = (label: RegExp) => {
  const input = screen.getByLabelText(label);
  const ids = (input.getAttribute('aria-describedby') ?? '').split(' ');
  return ids.map((id) => document.getElementById(id)).find((el) => el?.classList.contains('field-error'))?.textContent ?? null;
};

async function fillCredentials(user: ReturnType<typeof userEvent.setup>, sid = SID, token = TOKEN) {
  await user.type(await screen.findByLabelText(/^Account SID/), sid);
  await user.type(screen.getByLabelText(/^Auth Token/), token);
  await user.click(screen.getByRole('button', { name: 'Connect account' }));
}

describe('connecting your own Twilio account', () => {
  it('asks for the Auth Token in a password field that browsers do not fill in', async () => {
    renderWithApi(<TwilioAccountPage customerId={CUSTOMER_ID} />, byoaServer());
    const token = await screen.findByLabelText(/^Auth Token/);
    expect(token).toHaveAttribute('type', 'password');
    expect(token).toHaveAttribute('autocomplete', 'off');
    expect(screen.getByLabelText(/^Account SID/)).toHaveAttribute('autocomplete', 'off');
  });

  it('explains a malformed Account SID and Auth Token at their fields and sends nothing to the server', async () => {
    const user = userEvent.setup({ delay: null });
    const { requests } = renderWithApi(<TwilioAccountPage customerId={CUSTOMER_ID} />, byoaServer());
    await fillCredentials(user, 'SK123', 'not-a-token');
    expect(errorOf(/^Account SID/)).toMatch(/must be an Account SID: AC followed by 32 lower-case hex characters/);
    expect(errorOf(/^Auth Token/)).toMatch(/must be the 32-character Auth Token/);
    expect(screen.getByRole('alert')).toHaveTextContent('Please fix these 2 fields');
    expect(requests.filter((r) => r.method !== 'GET')).toHaveLength(0);
  });

  it('shows Twilio’s reason in plain words when the credentials are rejected, and no sender choice', async () => {
    const user = userEvent.setup({ delay: null });
    const detail = 'Twilio did not accept this Account SID and Auth Token. Copy both again from the Twilio Console.';
    renderWithApi(
      <TwilioAccountPage customerId={CUSTOMER_ID} />,
      byoaServer(() => ({ status: 422, body: { code: 'twilio_credentials_rejected', detail, errors: [{ path: 'authToken', message: 'was not accepted by Twilio for this Account SID' }] } })),
    );
    await fillCredentials(user);
    const alert = (await screen.findAllByRole('alert')).find((a) => a.textContent?.includes('was not connected'));
    expect(alert).toHaveTextContent(`Your Twilio account was not connected. ${detail}`);
    // The field Twilio refused is marked too.
    expect(errorOf(/^Auth Token/)).toBe('was not accepted by Twilio for this Account SID');
    expect(screen.queryByRole('heading', { name: 'Choose your sender' })).toBeNull();
  });

  it('says why a trial account cannot be used', async () => {
    const user = userEvent.setup({ delay: null });
    const detail = 'This is a Twilio trial account: it can only text verified numbers. Upgrade it in the Twilio Console, then connect it.';
    renderWithApi(<TwilioAccountPage customerId={CUSTOMER_ID} />, byoaServer(() => ({ status: 422, body: { code: 'twilio_trial_account', detail } })));
    await fillCredentials(user);
    expect(await screen.findByRole('alert')).toHaveTextContent(detail);
  });

  it('shows the server’s field errors next to their fields', async () => {
    const user = userEvent.setup({ delay: null });
    renderWithApi(
      <TwilioAccountPage customerId={CUSTOMER_ID} />,
      byoaServer(() => ({ status: 422, body: { code: 'validation_failed', detail: 'The request is invalid', errors: [{ path: 'authToken', message: 'is not the token of this account' }] } })),
    );
    await fillCredentials(user);
    await waitFor(() => expect(errorOf(/^Auth Token/)).toBe('is not the token of this account'));
  });

  it('once connected, shows the masked account and lets you choose the messaging service that sends', async () => {
    const user = userEvent.setup({ delay: null });
    const { requests } = renderWithApi(<TwilioAccountPage customerId={CUSTOMER_ID} />, byoaServer());
    await fillCredentials(user);

    expect(await screen.findByRole('heading', { name: 'Choose your sender' })).toBeInTheDocument();
    expect(requests.find((r) => r.method === 'PUT')!.body).toEqual({ accountSid: SID, authToken: TOKEN });
    // The token is never shown, only its last four characters.
    expect(screen.getByText(`••••${TOKEN.slice(-4)}`)).toBeInTheDocument();
    expect(screen.queryByText(TOKEN)).toBeNull();
    expect(screen.getByText('Connected')).toBeInTheDocument();

    const services = await screen.findByRole('group', { name: 'Messaging service' });
    const registered = within(services).getByRole('radio', { name: 'Order updates' });
    expect(registered).toHaveAccessibleDescription(/\+14155550100.*registered and verified/);
    const plain = within(services).getByRole('radio', { name: 'Marketing' });
    expect(plain).toHaveAccessibleDescription(/No US texting campaign.*US carriers block texts .* unless the service has a registered and verified A2P campaign/);

    await user.click(registered);
    await user.click(screen.getByRole('button', { name: 'Use this sender' }));
    await waitFor(() => expect(requests.some((r) => r.method === 'PUT' && r.path.endsWith('/sender'))).toBe(true));
    expect(requests.find((r) => r.path.endsWith('/sender'))!.body).toEqual({ messagingServiceSid: MG_REGISTERED, whatsappSenderSid: null });
    expect(await screen.findByText(MG_REGISTERED)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Change sender' })).toBeInTheDocument();
  });

  it('lets you pick one of your WhatsApp senders beside the messaging service', async () => {
    const user = userEvent.setup({ delay: null });
    const XE = `XE${'c'.repeat(32)}`;
    const withWhatsapp = { ...resources, whatsappSenders: [{ sid: XE, senderId: 'whatsapp:+14155559001', status: 'ONLINE' }] };
    const { requests } = renderWithApi(<TwilioAccountPage customerId={CUSTOMER_ID} />, byoaServer(undefined, connection(), withWhatsapp));
    const senders = await screen.findByRole('group', { name: 'WhatsApp sender (optional)' });
    expect(within(senders).getByRole('radio', { name: 'No WhatsApp' })).toBeChecked();
    const online = within(senders).getByRole('radio', { name: '+14155559001' });
    expect(online).toHaveAccessibleDescription(/Online: sends your WhatsApp messages/);
    await user.click(within(screen.getByRole('group', { name: 'Messaging service' })).getByRole('radio', { name: 'Order updates' }));
    await user.click(online);
    await user.click(screen.getByRole('button', { name: 'Use this sender' }));
    await waitFor(() => expect(requests.find((r) => r.method === 'PUT' && r.path.endsWith('/sender'))?.body).toEqual({ messagingServiceSid: MG_REGISTERED, whatsappSenderSid: XE }));
  });

  it('tests the connection and lists what the account can do', async () => {
    const user = userEvent.setup({ delay: null });
    const base = byoaServer();
    renderWithApi(<TwilioAccountPage customerId={CUSTOMER_ID} />, (req) =>
      req.method === 'POST' && req.path === `${BASE}/twilio-connection/test`
        ? { body: { connection: connection({ messagingServiceSid: MG_REGISTERED }), capabilities: { phoneNumbers: 3, messagingServices: 2, a2pVerifiedServices: 1, whatsappSenders: 0 } } }
        : base(req),
    );
    await fillCredentials(user);
    await user.click(await screen.findByRole('button', { name: 'Test connection' }));
    expect(await screen.findByRole('status')).toHaveTextContent('The connection works. Your account has 3 phone numbers, 2 messaging services (1 with a verified US texting campaign) and 0 WhatsApp senders.');
  });
});

describe('the wizard for a business on its own Twilio account', () => {
  it('offers the choice of Twilio account on the business profile, a platform account by default', async () => {
    renderWithApi(<OnboardingWizard />);
    const choice = screen.getByRole('group', { name: 'How will you use Twilio?' });
    expect(within(choice).getByRole('radio', { name: 'Create a Twilio account for me' })).toBeChecked();
    expect(within(choice).getByRole('radio', { name: 'Connect my own Twilio account' })).not.toBeChecked();
  });

  it('has the connect step after the business profile, and the A2P registration in the account after it', async () => {
    window.history.replaceState(null, '', `/customers/${CUSTOMER_ID}/onboarding?step=2`);
    renderWithApi(<OnboardingWizard customerId={CUSTOMER_ID} />, byoaServer());
    expect(await screen.findByRole('heading', { name: 'Step 2 of 3: Connect your Twilio account' })).toBeInTheDocument();
    expect(screen.getByLabelText(/^Account SID/)).toBeInTheDocument();
    expect(within(screen.getByRole('list', { name: 'Onboarding steps' })).getByText('A2P brand and campaign')).toBeInTheDocument();
  });

  it('offers the A2P registration in your own account when the chosen service has no verified campaign', async () => {
    window.history.replaceState(null, '', `/customers/${CUSTOMER_ID}/onboarding`);
    renderWithApi(<OnboardingWizard customerId={CUSTOMER_ID} />, byoaServer(undefined, connection({ messagingServiceSid: MG_REGISTERED, senderCampaignStatus: null })));
    expect(await screen.findByRole('heading', { name: 'Step 3 of 3: A2P brand and campaign' })).toBeInTheDocument();
    expect(screen.getByText(/your own Twilio account/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Submit for review' })).toBeInTheDocument();
  });

  it('has nothing left to register when the chosen service’s campaign is verified', async () => {
    window.history.replaceState(null, '', `/customers/${CUSTOMER_ID}/onboarding`);
    renderWithApi(<OnboardingWizard customerId={CUSTOMER_ID} />, byoaServer(undefined, connection({ messagingServiceSid: MG_REGISTERED, senderCampaignStatus: 'VERIFIED' })));
    expect(await screen.findByRole('heading', { name: 'Your Twilio account is connected' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Submit for review' })).toBeNull();
  });
});

describe('a refused token', () => {
  const me: MeResponse = {
    user: { id: '00000000-0000-4000-8000-000000000001', email: 'ada@acme.example.com', roles: [], emailVerified: true },
    memberships: [{ customerId: CUSTOMER_ID, customerName: 'Acme Widgets LLC', role: 'owner' }],
    authMode: 'embedded',
  };

  it('brings a banner with a reconnect form to every page of the business, and a Twilio account link', async () => {
    const user = userEvent.setup({ delay: null });
    let current = connection({ status: 'credentials_invalid', messagingServiceSid: MG_REGISTERED, lastError: 'Twilio answered 20003: authentication failed.' });
    const { requests } = renderWithApi(<Layout me={me} customerId={CUSTOMER_ID}>page</Layout>, (req) => {
      if (req.path === BASE) return { body: customer() };
      if (req.method === 'GET' && req.path === `${BASE}/twilio-connection`) return { body: current };
      if (req.method === 'PUT' && req.path === `${BASE}/twilio-connection`) {
        current = connection({ messagingServiceSid: MG_REGISTERED, tokenLast4: 'beef' });
        return { body: current };
      }
      return undefined;
    });
    const banner = await screen.findByRole('region', { name: 'Reconnect your Twilio account' });
    expect(banner).toHaveTextContent(`Twilio refuses the credentials of your account ${SID}`);
    expect(screen.getByRole('link', { name: 'Twilio account' })).toHaveAttribute('href', `/customers/${CUSTOMER_ID}/twilio`);

    await user.type(within(banner).getByLabelText(/^Auth Token/), `${'be'.repeat(14)}beef`);
    await user.click(within(banner).getByRole('button', { name: 'Reconnect' }));
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Reconnect your Twilio account' })).toBeNull());
    expect(requests.find((r) => r.method === 'PUT')!.body).toEqual({ accountSid: SID, authToken: `${'be'.repeat(14)}beef` });
  });
});
