// @vitest-environment jsdom
// Operators see the customers' own Twilio accounts beside the subaccounts: credentials, status, last check,
// usage, and Disconnect (never suspend or close).
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import '@testing-library/jest-dom/vitest';
import { renderWithApi, type Handler } from '../../test/render.tsx';
import { ConnectedAccounts } from './ConnectedAccounts.tsx';

afterEach(cleanup);

const sid = (n: number) => `AC${String(n).padStart(32, 'a')}`;
const item = (n: number, over: Record<string, unknown> = {}) => ({
  mode: 'byoa',
  accountSid: sid(n),
  friendlyName: `Own account ${n}`,
  status: 'connected',
  accountStatus: 'active',
  tokenLast4: 'abcd',
  messagingServiceSid: null,
  senderCampaignStatus: null,
  whatsappFrom: null,
  connectedAt: '2026-12-01T10:00:00Z',
  lastCheckedAt: '2026-12-07T04:17:00Z',
  lastError: null,
  customerId: `00000000-0000-4000-8000-00000000000${n}`,
  customerName: `Bakery ${n}`,
  usage: { count: 42, price: 0.33, priceUnit: 'USD' },
  ...over,
});

describe('connected customer accounts for operators', () => {
  it('lists each account with its credentials, usage and a Disconnect that asks first', async () => {
    const user = userEvent.setup({ delay: null });
    let items = [item(1), item(2, { status: 'credentials_invalid', lastError: 'Twilio stopped accepting the saved Auth Token (error 20003)', usage: null })];
    const posted: string[] = [];
    const handler: Handler = (req) => {
      if (req.method === 'GET' && req.path === '/api/isv/operator/twilio-connections') return { body: { items } };
      if (req.method === 'POST' && req.path.endsWith('/disconnect')) {
        posted.push(req.path);
        items = items.filter((i) => !req.path.includes(i.accountSid));
        return { status: 204, body: null };
      }
      return undefined;
    };
    renderWithApi(<ConnectedAccounts />, handler);
    const table = await screen.findByRole('table', { name: 'Connected customer accounts' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(within(rows[0]!).getByText('42 messages')).toBeInTheDocument();
    expect(within(rows[0]!).getByText('working')).toBeInTheDocument();
    expect(within(rows[1]!).getByText('token refused')).toBeInTheDocument();
    expect(within(rows[1]!).getByText(/error 20003/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Suspend|Close/ })).toBeNull();

    await user.click(within(rows[1]!).getByRole('button', { name: new RegExp(`^Disconnect.*${sid(2)}`) }));
    expect(posted).toEqual([]);
    await user.click(within(rows[1]!).getByRole('button', { name: new RegExp(`^Confirm disconnect.*${sid(2)}`) }));
    await waitFor(() => expect(posted).toEqual([`/api/isv/operator/twilio-connections/${sid(2)}/disconnect`]));
    expect(await screen.findByRole('status')).toHaveTextContent(`${sid(2)} is disconnected`);
    await waitFor(() => expect(screen.queryByText('Bakery 2')).toBeNull());
  });
});
