// @vitest-environment jsdom
// Invitations waiting for you: who invited you to which business as what; Accept joins it (your account and
// customers are read again and you land on its page), Decline drops it.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import '@testing-library/jest-dom/vitest';
import type { MeResponse } from '../../../shared/auth.ts';
import type { MyInvitation } from '../../../shared/customers.ts';
import { renderWithApi, type Handler } from '../test/render.tsx';
import { MyInvitations } from './MyInvitations.tsx';

const CUSTOMER = '00000000-0000-4000-8000-0000000000c1';
const INVITATION: MyInvitation = {
  id: '00000000-0000-4000-8000-0000000000a1',
  customerId: CUSTOMER,
  customerName: 'Acme Widgets LLC',
  role: 'member',
  invitedBy: 'owner@acme.example.com',
  createdAt: '2026-12-01T10:00:00Z',
};
const me = (emailVerified = true, memberships: MeResponse['memberships'] = []): MeResponse => ({
  user: { id: '00000000-0000-4000-8000-000000000001', email: 'ada@example.com', roles: [], emailVerified },
  memberships,
  authMode: 'embedded',
});

afterEach(() => {
  cleanup();
  window.history.replaceState(null, '', '/');
});

describe('invitations waiting for you', () => {
  it('shows who invited you, accepts, refreshes your account and opens the business', async () => {
    let accepted = false;
    const handler: Handler = (req) => {
      if (req.path === '/api/auth/me') return { body: accepted ? me(true, [{ customerId: CUSTOMER, customerName: 'Acme Widgets LLC', role: 'member' }]) : me() };
      if (req.path === '/api/isv/invitations') return { body: { items: accepted ? [] : [INVITATION] } };
      if (req.method === 'POST' && req.path === `/api/isv/invitations/${INVITATION.id}/accept`) {
        accepted = true;
        return { body: { customerId: CUSTOMER, role: 'member' } };
      }
      return undefined;
    };
    const { requests, queryClient } = renderWithApi(<MyInvitations />, handler);
    const region = await screen.findByRole('region', { name: 'An invitation is waiting for you' });
    expect(region).toHaveTextContent('owner@acme.example.com invited you to join Acme Widgets LLC as a member.');
    await userEvent.click(screen.getByRole('button', { name: 'Accept the invitation to Acme Widgets LLC' }));
    await waitFor(() => expect(window.location.pathname).toBe(`/customers/${CUSTOMER}/progress`));
    expect(queryClient.getQueryData<MeResponse>(['me'])?.memberships).toHaveLength(1);
    expect(requests.filter((r) => r.path === '/api/auth/me')).toHaveLength(2);
    await waitFor(() => expect(screen.queryByRole('region')).toBeNull());
  });

  it('declines an invitation', async () => {
    let declined = false;
    const { requests } = renderWithApi(<MyInvitations />, (req) => {
      if (req.path === '/api/auth/me') return { body: me() };
      if (req.path === '/api/isv/invitations') return { body: { items: declined ? [] : [INVITATION] } };
      if (req.path.endsWith('/decline')) {
        declined = true;
        return { status: 204, body: null };
      }
      return undefined;
    });
    await userEvent.click(await screen.findByRole('button', { name: 'Decline the invitation to Acme Widgets LLC' }));
    await waitFor(() => expect(screen.queryByRole('region')).toBeNull());
    expect(requests.some((r) => r.method === 'POST' && r.path === `/api/isv/invitations/${INVITATION.id}/decline`)).toBe(true);
  });

  it('asks for none while your email is not confirmed', async () => {
    const { requests } = renderWithApi(<MyInvitations />, (req) => (req.path === '/api/auth/me' ? { body: me(false) } : { body: { items: [INVITATION] } }));
    await waitFor(() => expect(requests.map((r) => r.path)).toEqual(['/api/auth/me']));
    expect(screen.queryByRole('region')).toBeNull();
  });
});
