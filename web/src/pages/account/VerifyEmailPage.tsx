// /verify-email?token=…: the link from the verification email. Posts the token once on load; shows the result,
// and for a link that does not work (used, expired, mistyped) offers a new one to a signed-in person.
import { useEffect, useRef } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { verifyEmailSchema } from '../../../../shared/auth.ts';
import { ApiError } from '../../api/client.ts';
import { verifyEmail } from '../../api/mutations.ts';
import { useApi, useSession } from '../../app/context.tsx';
import { useFocusWhen } from '../../components/focus.ts';
import { ErrorNotice, Loading } from '../../components/states.tsx';
import { Link, useLocation } from '../../router.tsx';
import { ResendVerificationButton } from './ResendVerification.tsx';

export function VerifyEmailPage() {
  const api = useApi();
  const session = useSession();
  const queryClient = useQueryClient();
  const token = useLocation().search.get('token') ?? '';
  const wellFormed = verifyEmailSchema.safeParse({ token }).success;
  const verify = useMutation({
    mutationFn: (t: string) => verifyEmail(api, t),
    // The account now has its roles and may accept invitations: read it again.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['me'] }),
  });
  const sentFor = useRef<string | null>(null);
  const { mutate } = verify;
  useEffect(() => {
    // Once per token: the link works once, so a second post (React's strict mode, a re-render) would fail it.
    if (!wellFormed || sentFor.current === token) return;
    sentFor.current = token;
    mutate(token);
  }, [token, wellFormed, mutate]);

  const invalid = !wellFormed || (verify.error instanceof ApiError && verify.error.code === 'link_invalid');
  const result = useFocusWhen<HTMLDivElement>(verify.isSuccess ? 'ok' : invalid ? 'invalid' : verify.isError ? 'error' : null);
  const signedIn = session.hasSession();

  return (
    <div className="auth-page">
      <h1>Confirm your email address</h1>
      {verify.isSuccess ? (
        <div className="state state-success" role="status" ref={result} tabIndex={-1}>
          <p>
            Thank you: <strong>{verify.data.user.email}</strong> is confirmed. You can now set up your business and accept invitations.
          </p>
          <p>
            <Link to={signedIn ? '/' : '/signin'}>{signedIn ? 'Continue to your account' : 'Sign in to continue'}</Link>
          </p>
        </div>
      ) : invalid ? (
        <div className="state state-error" role="alert" ref={result} tabIndex={-1}>
          <p>
            <strong>This link does not work.</strong> It is invalid, already used or expired. Each link works once, for 48 hours, and only the newest
            one you asked for.
          </p>
          {signedIn ? (
            <p>
              <ResendVerificationButton label="Send a new link" />
            </p>
          ) : (
            <p>
              <Link to="/signin">Sign in</Link> and choose “Send again” at the top of the page to get a new link.
            </p>
          )}
        </div>
      ) : verify.isError ? (
        <div ref={result} tabIndex={-1}>
          <ErrorNotice error={verify.error} title="Your email address could not be confirmed" retry={() => verify.mutate(token)} />
        </div>
      ) : (
        <Loading label="Confirming your email address…" />
      )}
    </div>
  );
}
