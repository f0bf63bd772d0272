// @vitest-environment jsdom
// The pages behind the links in account emails: verify-email posts its token once and shows the result (or a way
// to get a new link), and reset-password shows the server's reason for a weak password on the field.
import { StrictMode } from 'react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import '@testing-library/jest-dom/vitest';
import { renderWithApi } from '../../test/render.tsx';
import { ResetPasswordPage } from './ResetPasswordPage.tsx';
import { VerifyEmailPage } from './VerifyEmailPage.tsx';

const TOKEN = 'A'.repeat(20) + '-_' + 'b'.repeat(21);
const USER = { id: '00000000-0000-4000-8000-000000000001', email: 'ada@example.com', roles: [], emailVerified: true };

beforeEach(() => window.localStorage.clear());
afterEach(() => {
  cleanup();
  window.history.replaceState(null, '', '/');
});

describe('verify-email page', () => {
  it('posts the token once (even under strict mode) and confirms the address with a way to continue', async () => {
    window.history.replaceState(null, '', `/verify-email?token=${TOKEN}`);
    const { requests } = renderWithApi(
      <StrictMode>
        <VerifyEmailPage />
      </StrictMode>,
      (req) => (req.method === 'POST' && req.path === '/api/auth/verify-email' ? { body: { user: USER } } : undefined),
    );
    expect(await screen.findByText(/is confirmed/)).toHaveTextContent('ada@example.com is confirmed');
    expect(screen.getByRole('link', { name: 'Sign in to continue' })).toHaveAttribute('href', '/signin');
    expect(requests.filter((r) => r.path === '/api/auth/verify-email')).toEqual([{ method: 'POST', path: '/api/auth/verify-email', body: { token: TOKEN } }]);
  });

  it('explains an invalid link and, when you are signed in, sends a new one', async () => {
    window.localStorage.setItem('isv.portal.token', 'signed-in');
    window.history.replaceState(null, '', `/verify-email?token=${TOKEN}`);
    const { requests } = renderWithApi(<VerifyEmailPage />, (req) => {
      if (req.path === '/api/auth/verify-email') return { status: 400, body: { code: 'link_invalid', detail: 'This link is invalid, already used or expired; ask for a new one' } };
      if (req.path === '/api/auth/resend-verification') return { status: 202, body: { accepted: true } };
      return undefined;
    });
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('This link does not work. It is invalid, already used or expired.');
    expect(alert).not.toHaveTextContent('link_invalid');
    await userEvent.click(screen.getByRole('button', { name: 'Send a new link' }));
    expect(await screen.findByRole('button', { name: 'Sent' })).toBeDisabled();
    expect(screen.getByText(/We sent a new link/)).toBeInTheDocument();
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /api/auth/verify-email', 'POST /api/auth/resend-verification']);
  });

  it('does not post a malformed token and tells a signed-out visitor how to get a new link', async () => {
    window.history.replaceState(null, '', '/verify-email?token=short');
    const { requests } = renderWithApi(<VerifyEmailPage />);
    expect(await screen.findByRole('alert')).toHaveTextContent('This link does not work');
    expect(screen.getByRole('link', { name: 'Sign in' })).toBeInTheDocument();
    expect(requests).toEqual([]);
  });
});

describe('reset-password page', () => {
  it('shows the server’s reason for a weak password on the field and focuses it', async () => {
    window.history.replaceState(null, '', `/reset-password?token=${TOKEN}`);
    const reason = 'is too easy to guess: This is a very common password. Add more words that are less common.';
    const { requests } = renderWithApi(<ResetPasswordPage />, (req) =>
      req.path === '/api/auth/password-reset/confirm'
        ? { status: 422, body: { code: 'validation_failed', detail: 'The request body is invalid', errors: [{ path: 'password', message: reason }] } }
        : undefined,
    );
    const user = userEvent.setup();
    await user.type(screen.getByLabelText(/^New password/), 'password1234');
    await user.type(screen.getByLabelText(/^Confirm the new password/), 'password1234');
    await user.click(screen.getByRole('button', { name: 'Set the new password' }));
    const field = screen.getByLabelText(/^New password/);
    await waitFor(() => expect(field).toHaveAttribute('aria-invalid', 'true'));
    expect(field).toHaveAccessibleDescription(expect.stringContaining(reason));
    await waitFor(() => expect(field).toHaveFocus());
    expect(requests[0]).toMatchObject({ method: 'POST', body: { token: TOKEN, password: 'password1234' } });
  });

  it('checks the length and the confirmation before sending anything', async () => {
    window.history.replaceState(null, '', `/reset-password?token=${TOKEN}`);
    const { requests } = renderWithApi(<ResetPasswordPage />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText(/^New password/), 'short');
    await user.type(screen.getByLabelText(/^Confirm the new password/), 'other');
    await user.click(screen.getByRole('button', { name: 'Set the new password' }));
    expect(await screen.findByText('must be at least 12 characters')).toBeInTheDocument();
    expect(screen.getByText('does not match the new password')).toBeInTheDocument();
    expect(requests).toEqual([]);
  });
});
