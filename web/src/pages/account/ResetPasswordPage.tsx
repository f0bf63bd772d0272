// /reset-password?token=…: the link from the reset email. Sets a new password (the server refuses weak ones and
// says why), then signs the person in; every other session of theirs has been signed out by the server.
import { useRef, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { newPasswordSchema, verifyEmailSchema } from '../../../../shared/auth.ts';
import { ApiError } from '../../api/client.ts';
import { confirmPasswordReset } from '../../api/mutations.ts';
import { forgetPersonalData } from '../../api/queries.ts';
import { useApi, useSession } from '../../app/context.tsx';
import { focusFirstInvalid } from '../../components/focus.ts';
import { TextField, type FieldErrors } from '../../components/form.tsx';
import { ErrorNotice } from '../../components/states.tsx';
import { Link, navigate, useLocation } from '../../router.tsx';
import { PASSWORD_HELP } from './password-help.ts';

export function ResetPasswordPage() {
  const api = useApi();
  const session = useSession();
  const queryClient = useQueryClient();
  const token = useLocation().search.get('token') ?? '';
  const wellFormed = verifyEmailSchema.safeParse({ token }).success;
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const form = useRef<HTMLFormElement>(null);
  const reset = useMutation({
    mutationFn: () => confirmPasswordReset(api, token, password),
    onSuccess: (res) => {
      forgetPersonalData(queryClient);
      session.adoptToken(res.token);
      navigate('/', { replace: true });
    },
    onError: (err) => {
      if (err instanceof ApiError && err.errors.length) {
        setErrors(err.fieldErrors());
        focusFirstInvalid(form.current);
      }
    },
  });
  const invalidLink = !wellFormed || (reset.error instanceof ApiError && reset.error.code === 'link_invalid');

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next: FieldErrors = {};
    const checked = newPasswordSchema.safeParse(password);
    if (!checked.success) next.password = checked.error.issues[0]!.message;
    if (again !== password) next.again = 'does not match the new password';
    setErrors(next);
    if (Object.keys(next).length) {
      focusFirstInvalid(form.current);
      return;
    }
    reset.mutate();
  };

  if (invalidLink) {
    return (
      <div className="auth-page">
        <h1>Choose a new password</h1>
        <div className="state state-error" role="alert">
          <p>
            <strong>This link does not work.</strong> It is invalid, already used or expired. Each link works once, for one hour.
          </p>
          <p>
            <Link to="/forgot-password">Ask for a new link</Link>
          </p>
        </div>
      </div>
    );
  }
  return (
    <div className="auth-page">
      <h1>Choose a new password</h1>
      <p className="lede">After this you are signed in here, and signed out on every other device.</p>
      <form onSubmit={submit} noValidate className="card" ref={form}>
        {reset.isError && !(reset.error instanceof ApiError && reset.error.errors.length) && <ErrorNotice error={reset.error} title="Your password was not changed" />}
        <TextField
          label="New password"
          type="password"
          name="password"
          autoComplete="new-password"
          value={password}
          onChange={setPassword}
          error={errors.password}
          help={PASSWORD_HELP}
          required
        />
        <TextField label="Confirm the new password" type="password" name="again" autoComplete="new-password" value={again} onChange={setAgain} error={errors.again} required />
        <button type="submit" disabled={reset.isPending}>
          {reset.isPending ? 'Saving…' : 'Set the new password'}
        </button>
      </form>
    </div>
  );
}
