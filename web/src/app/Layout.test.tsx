// @vitest-environment jsdom
// The page frame for an account whose email is not confirmed yet: a banner on every page, "Send again" mails a
// new link; and the account menu's sign-out buttons revoke the session (or all of them) on the server.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import '@testing-library/jest-dom/vitest';
import type { MeResponse } from '../../../shared/auth.ts';
import { embeddedBackend } from '../auth/session.ts';
import { createApiClient } from '../api/client.ts';
import { renderWithApi } from '../test/render.tsx';
import { Layout } from './Layout.tsx';

const me = (emailVerified: boolean): MeResponse => ({
  user: { id: '00000000-0000-4000-8000-000000000001', email: 'new@example.com', roles: [], emailVerified },
  memberships: [],
  authMode: 'embedded',
});

beforeEach(() => window.localStorage.clear());
afterEach(cleanup);

describe('unconfirmed email banner', () => {
  it('asks you to confirm your email and sends the link again', async () => {
    const { requests } = renderWithApi(
      <Layout me={me(false)}>
        <h1>Some page</h1>
      </Layout>,
      (req) => (req.path === '/api/auth/resend-verification' ? { status: 202, body: { accepted: true } } : undefined),
    );
    const banner = screen.getByRole('region', { name: 'Confirm your email' });
    expect(banner).toHaveTextContent('Confirm your email: we sent a link to new@example.com');
    await userEvent.click(within(banner).getByRole('button', { name: 'Send again' }));
    expect(await within(banner).findByRole('button', { name: 'Sent' })).toBeDisabled();
    expect(within(banner).getByRole('status')).toHaveTextContent('We sent a new link');
    expect(requests).toEqual([{ method: 'POST', path: '/api/auth/resend-verification', body: {} }]);
  });

  it('shows the reason when the link could not be sent again', async () => {
    renderWithApi(<Layout me={me(false)}>page</Layout>, () => ({ status: 429, body: { code: 'rate_limited', detail: 'Too many attempts; try again later' } }));
    await userEvent.click(screen.getByRole('button', { name: 'Send again' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Too many attempts; try again later');
  });

  it('is not shown once the email is confirmed', () => {
    renderWithApi(<Layout me={me(true)}>page</Layout>);
    expect(screen.queryByRole('region', { name: 'Confirm your email' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Sign out everywhere' })).toBeInTheDocument();
  });
});

describe('sign-out (embedded accounts)', () => {
  function backendWith(status: number) {
    const calls: string[] = [];
    const api = createApiClient({
      getToken: () => window.localStorage.getItem('isv.portal.token'),
      fetch: async (input, init) => {
        calls.push(`${init?.method} ${String(input)}`);
        return new Response(status === 204 ? null : JSON.stringify({ code: 'x', detail: 'The server is down' }), { status });
      },
    });
    return { backend: embeddedBackend(api, window.localStorage), calls };
  }

  it('Sign out revokes this session and forgets the token even when the server fails', async () => {
    window.localStorage.setItem('isv.portal.token', 't');
    const { backend, calls } = backendWith(503);
    await backend.signOut('session');
    expect(calls).toEqual(['POST /api/auth/logout']);
    expect(window.localStorage.getItem('isv.portal.token')).toBeNull();
  });

  it('Sign out everywhere revokes every session; a failure keeps you signed in to retry', async () => {
    window.localStorage.setItem('isv.portal.token', 't');
    const failing = backendWith(503);
    await expect(failing.backend.signOut('everywhere')).rejects.toThrow('The server is down');
    expect(window.localStorage.getItem('isv.portal.token')).toBe('t');
    const working = backendWith(204);
    await working.backend.signOut('everywhere');
    expect(working.calls).toEqual(['POST /api/auth/logout-all']);
    await waitFor(() => expect(window.localStorage.getItem('isv.portal.token')).toBeNull());
  });
});
