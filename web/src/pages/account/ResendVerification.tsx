// "Send again": mails a new verification link to the signed-in person. Shared by the banner on every page and
// the verify page's invalid-link state.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../../api/client.ts';
import { resendVerification } from '../../api/mutations.ts';
import { useApi } from '../../app/context.tsx';
import { errorMessage } from '../../components/states.tsx';

export function ResendVerificationButton({ label = 'Send again' }: { label?: string }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const send = useMutation({
    mutationFn: () => resendVerification(api),
    onError: (err) => {
      // Confirmed meanwhile (another tab, another device): the banner goes away with the fresh account.
      if (err instanceof ApiError && err.code === 'already_verified') void queryClient.invalidateQueries({ queryKey: ['me'] });
    },
  });
  const already = send.error instanceof ApiError && send.error.code === 'already_verified';
  return (
    <>
      <button type="button" className="button-secondary" onClick={() => send.mutate()} disabled={send.isPending || send.isSuccess}>
        {send.isPending ? 'Sending…' : send.isSuccess ? 'Sent' : label}
      </button>
      <span role="status" className="resend-result">
        {send.isSuccess && 'We sent a new link. Check your inbox (and spam folder); older links no longer work.'}
        {already && 'Your email address is already confirmed.'}
      </span>
      {send.isError && !already && (
        <span role="alert" className="field-error">
          {errorMessage(send.error)}
        </span>
      )}
    </>
  );
}
