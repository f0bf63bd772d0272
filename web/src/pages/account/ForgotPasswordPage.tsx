// /forgot-password: asks for a reset link. The answer is the same whether or not an account exists (so the page
// cannot be used to find out who has one).
import { useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { passwordResetRequestSchema } from '../../../../shared/auth.ts';
import { ApiError } from '../../api/client.ts';
import { requestPasswordReset } from '../../api/mutations.ts';
import { useApi } from '../../app/context.tsx';
import { useFocusWhen } from '../../components/focus.ts';
import { TextField, validateWith } from '../../components/form.tsx';
import { ErrorNotice } from '../../components/states.tsx';
import { Link } from '../../router.tsx';

export function ForgotPasswordPage() {
  const api = useApi();
  const [email, setEmail] = useState('');
  const [error, setError] = useState<string | undefined>();
  const send = useMutation({
    mutationFn: (address: string) => requestPasswordReset(api, address),
    onError: (err) => {
      if (err instanceof ApiError) setError(err.fieldErrors().email);
    },
  });
  const done = useFocusWhen<HTMLDivElement>(send.isSuccess);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const checked = validateWith(passwordResetRequestSchema, { email });
    if (!checked.ok) {
      setError(checked.errors.email);
      (e.currentTarget as HTMLFormElement).querySelector<HTMLElement>('input')?.focus();
      return;
    }
    setError(undefined);
    send.mutate(checked.data.email);
  };
  return (
    <div className="auth-page">
      <h1>Reset your password</h1>
      {send.isSuccess ? (
        <div className="state state-success" role="status" ref={done} tabIndex={-1}>
          <p>
            If an account exists for <strong>{email.trim()}</strong>, we sent a link to choose a new password. It works once, for one hour. Nothing
            arrived? Check your spam folder, or ask again in a few minutes.
          </p>
        </div>
      ) : (
        <>
          <p className="lede">Tell us the email address you sign in with and we will send you a link to choose a new password.</p>
          <form onSubmit={submit} noValidate className="card">
            {send.isError && !error && <ErrorNotice error={send.error} title="The link was not sent" />}
            <TextField label="Email" type="email" name="email" autoComplete="email" value={email} onChange={setEmail} error={error} required />
            <button type="submit" disabled={send.isPending}>
              {send.isPending ? 'Sending…' : 'Send me a link'}
            </button>
          </form>
        </>
      )}
      <p>
        Remembered it? <Link to="/signin">Sign in</Link>
      </p>
    </div>
  );
}
