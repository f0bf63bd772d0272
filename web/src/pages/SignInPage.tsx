// Sign in and sign up (embedded accounts, or Supabase Auth when the server runs in Supabase mode).
import { useRef, useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { credentialsSchema, loginSchema } from '../../../shared/auth.ts';
import { ApiError } from '../api/client.ts';
import { forgetPersonalData } from '../api/queries.ts';
import { useSession } from '../app/context.tsx';
import { TextField, validateWith, type FieldErrors } from '../components/form.tsx';
import { ErrorNotice } from '../components/states.tsx';
import { focusFirstInvalid } from '../components/focus.ts';
import { PASSWORD_HELP } from './account/password-help.ts';
import { Link, navigate, useLocation } from '../router.tsx';

/** Only same-site paths are followed after sign-in. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/signin') && !next.startsWith('/signup') && !next.startsWith('/reset-password') && !next.startsWith('/verify-email') ? next : '/';
}

export function SignInPage({ mode }: { mode: 'signin' | 'signup' }) {
  const session = useSession();
  const queryClient = useQueryClient();
  const { search } = useLocation();
  const next = safeNext(search.get('next'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const signup = mode === 'signup';
  const form = useRef<HTMLFormElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFailure(null);
    const checked = validateWith(signup ? credentialsSchema : loginSchema, { email, password });
    if (!checked.ok) {
      setErrors(checked.errors);
      focusFirstInvalid(form.current);
      return;
    }
    setErrors({});
    setBusy(true);
    forgetPersonalData(queryClient);
    try {
      if (signup) {
        const { needsConfirmation } = await session.signUp(email, password);
        if (needsConfirmation) {
          setConfirm(true);
          return;
        }
      } else {
        await session.signIn(email, password);
      }
      navigate(next, { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.errors.length) {
        setErrors(err.fieldErrors());
        focusFirstInvalid(form.current);
      }
      setFailure(err);
    } finally {
      setBusy(false);
    }
  };

  const otherHref = `${signup ? '/signin' : '/signup'}${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`;
  return (
    <div className="auth-page">
      <h1>{signup ? 'Create your account' : 'Sign in'}</h1>
      <p className="lede">
        {signup
          ? 'Register your business for US texting (A2P 10DLC) and WhatsApp, then send and track messages.'
          : 'Sign in to follow your onboarding, send messages and read your logs.'}
      </p>
      {session.mode === 'supabase' && <p className="muted">Accounts are managed by Supabase Auth.</p>}
      {confirm ? (
        <div className="state state-empty" role="status">
          Check your inbox: we sent a confirmation link to <strong>{email}</strong>. Follow it, then sign in.
        </div>
      ) : (
        <form onSubmit={submit} noValidate className="card" ref={form}>
          {failure !== null && (
            <ErrorNotice
              error={failure}
              title={signup ? 'Could not create the account' : 'Could not sign in'}
            />
          )}
          <TextField label="Email" type="email" name="email" autoComplete="email" value={email} onChange={setEmail} error={errors.email} required />
          <TextField
            label="Password"
            type="password"
            name="password"
            autoComplete={signup ? 'new-password' : 'current-password'}
            value={password}
            onChange={setPassword}
            error={errors.password}
            help={signup ? PASSWORD_HELP : undefined}
            required
          />
          <button type="submit" disabled={busy}>
            {busy ? 'Please wait…' : signup ? 'Create account' : 'Sign in'}
          </button>
          {!signup && session.mode !== 'supabase' && (
            <p>
              <Link to="/forgot-password">Forgot password?</Link>
            </p>
          )}
        </form>
      )}
      <p>
        {signup ? 'Already have an account? ' : 'New here? '}
        <Link to={otherHref}>{signup ? 'Sign in' : 'Create an account'}</Link>
      </p>
    </div>
  );
}
