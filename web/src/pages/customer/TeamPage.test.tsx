// @vitest-environment jsdom
// A customer's team: owners revoke and resend pending invitations and remove members after confirming; the last
// owner cannot be removed and the page says why; members see the list without actions.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import '@testing-library/jest-dom/vitest';
import type { MeResponse } from '../../../../shared/auth.ts';
import type { Member } from '../../../../shared/customers.ts';
import { renderWithApi, type Handler } from '../../test/render.tsx';
import { TeamPage } from './TeamPage.tsx';

const CUSTOMER = '00000000-0000-4000-8000-0000000000c1';
const ME = '00000000-0000-4000-8000-000000000001';
const BOB = '00000000-0000-4000-8000-000000000002';
const INVITE = '00000000-0000-4000-8000-0000000000a1';
const base = `/api/isv/customers/${CUSTOMER}`;

const me = (role: 'owner' | 'member'): MeResponse => ({
  user: { id: ME, email: 'ada@example.com', roles: [], emailVerified: true },
  memberships: [{ customerId: CUSTOMER, customerName: 'Acme Widgets LLC', role }],
  authMode: 'embedded',
});

function team(): Member[] {
  return [
    { userId: ME, email: 'ada@example.com', role: 'owner', status: 'active', invitationId: null, since: '2026-11-01T10:00:00Z' },
    { userId: BOB, email: 'bob@example.com', role: 'member', status: 'active', invitationId: null, since: '2026-11-02T10:00:00Z' },
    { userId: null, email: 'carol@example.com', role: 'member', status: 'invited', invitationId: INVITE, since: '2026-12-01T10:00:00Z' },
  ];
}

function server(): { handler: Handler; members: Member[] } {
  const members = team();
  const handler: Handler = (req) => {
    if (req.method === 'GET' && req.path === `${base}/members`) return { body: { items: members } };
    if (req.method === 'DELETE' && req.path === `${base}/invitations/${INVITE}`) {
      members.splice(members.findIndex((m) => m.invitationId === INVITE), 1);
      return { status: 204, body: null };
    }
    if (req.method === 'POST' && req.path === `${base}/invitations/${INVITE}/resend`) return { status: 202, body: { accepted: true } };
    if (req.method === 'DELETE' && req.path === `${base}/members/${BOB}`) {
      members.splice(members.findIndex((m) => m.userId === BOB), 1);
      return { status: 204, body: null };
    }
    if (req.method === 'DELETE' && req.path === `${base}/members/${ME}`) {
      return { status: 409, body: { code: 'last_owner', detail: 'A customer needs at least one owner: make someone else an owner first' } };
    }
    return undefined;
  };
  return { handler, members };
}

afterEach(cleanup);

describe('team page', () => {
  it('lets an owner resend and revoke a pending invitation', async () => {
    const { handler } = server();
    const { requests } = renderWithApi(<TeamPage customerId={CUSTOMER} me={me('owner')} />, handler);
    const row = (await screen.findByText('carol@example.com')).closest('tr')!;
    expect(row).toHaveTextContent('Invitation pending');
    await userEvent.click(within(row).getByRole('button', { name: 'Resend the invitation to carol@example.com' }));
    expect(await screen.findByText('We emailed the invitation to carol@example.com again.')).toBeInTheDocument();
    await userEvent.click(within(row).getByRole('button', { name: 'Revoke the invitation to carol@example.com' }));
    expect(await screen.findByText('The invitation to carol@example.com is revoked.')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByText('carol@example.com')).toBeNull());
    expect(requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST ${base}/invitations/${INVITE}/resend`,
      `DELETE ${base}/invitations/${INVITE}`,
    ]);
  });

  it('asks before removing a member, and removes them once confirmed', async () => {
    const { handler } = server();
    const { requests } = renderWithApi(<TeamPage customerId={CUSTOMER} me={me('owner')} />, handler);
    await userEvent.click(await screen.findByRole('button', { name: 'Remove bob@example.com…' }));
    const confirm = screen.getByRole('region', { name: 'Remove bob@example.com?' });
    expect(confirm).toHaveFocus();
    expect(requests.some((r) => r.method === 'DELETE')).toBe(false);
    await userEvent.click(within(confirm).getByRole('button', { name: 'Remove from the team' }));
    expect(await screen.findByText('bob@example.com is no longer on the team.')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole('cell', { name: 'bob@example.com' })).toBeNull());
    expect(requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([`${base}/members/${BOB}`]);
  });

  it('explains why the last owner cannot be removed', async () => {
    const { handler } = server();
    renderWithApi(<TeamPage customerId={CUSTOMER} me={me('owner')} />, handler);
    await userEvent.click(await screen.findByRole('button', { name: 'Remove ada@example.com…' }));
    const confirm = screen.getByRole('region', { name: 'Leave this team?' });
    await userEvent.click(within(confirm).getByRole('button', { name: 'Leave the team' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('ada@example.com was not removed. A customer needs at least one owner: make someone else an owner first');
    expect(alert).not.toHaveTextContent('last_owner');
    expect(alert.parentElement).toHaveFocus();
    expect(screen.getByText('ada@example.com')).toBeInTheDocument();
  });

  it('shows members the list without invite form or actions', async () => {
    const { handler } = server();
    renderWithApi(<TeamPage customerId={CUSTOMER} me={me('member')} />, handler);
    await screen.findByText('bob@example.com');
    expect(screen.queryByRole('button')).toBeNull();
    expect(screen.queryByRole('heading', { name: 'Invite someone' })).toBeNull();
    expect(screen.getByText(/Only an owner can invite or remove people/)).toBeInTheDocument();
  });

  it('invites someone by email and role; the invitation waits for them', async () => {
    const { handler, members } = server();
    const { requests } = renderWithApi(<TeamPage customerId={CUSTOMER} me={me('owner')} />, (req) => {
      if (req.method === 'POST' && req.path === `${base}/members`) {
        const member: Member = { userId: null, email: 'dan@example.com', role: 'owner', status: 'invited', invitationId: '00000000-0000-4000-8000-0000000000a2', since: '2026-12-06T10:00:00Z' };
        members.push(member);
        return { status: 201, body: { member, delivery: 'invitation_emailed' } };
      }
      return handler(req);
    });
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText(/^Email/), 'Dan@Example.com');
    await user.selectOptions(screen.getByLabelText(/^Role/), 'owner');
    await user.click(screen.getByRole('button', { name: 'Send the invitation' }));
    expect(await screen.findByText(/We emailed an invitation to dan@example.com/)).toBeInTheDocument();
    expect(requests.find((r) => r.method === 'POST')?.body).toEqual({ email: 'dan@example.com', role: 'owner' });
    expect((await screen.findByText('dan@example.com')).closest('tr')).toHaveTextContent('Invitation pending');
  });
});
