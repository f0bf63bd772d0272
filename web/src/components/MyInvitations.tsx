// Invitations waiting for the signed-in person, shown at the top of their start pages: who invited them to which
// business and as what; Accept (the business then appears in their navigation) or Decline.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { MyInvitation } from '../../../shared/customers.ts';
import { acceptInvitation, declineInvitation } from '../api/mutations.ts';
import { meQuery, myInvitationsQuery } from '../api/queries.ts';
import { useApi } from '../app/context.tsx';
import { navigate } from '../router.tsx';
import { formatDateTime } from './format.ts';
import { ErrorNotice } from './states.tsx';

export const ROLE_LABEL = { owner: 'an owner', member: 'a member' } as const;

export function MyInvitations() {
  const api = useApi();
  const queryClient = useQueryClient();
  const me = useQuery(meQuery(api));
  // An unconfirmed address gets none (and could not accept them): the banner asks for the confirmation first.
  const verified = me.data?.user.emailVerified === true;
  const query = useQuery({ ...myInvitationsQuery(api), enabled: verified });
  const refresh = () => Promise.all(['me', 'customers', 'invitations'].map((k) => queryClient.invalidateQueries({ queryKey: [k] })));
  const accept = useMutation({
    mutationFn: (inv: MyInvitation) => acceptInvitation(api, inv.id),
    onSuccess: async (res) => {
      await refresh();
      navigate(`/customers/${res.customerId}/progress`);
    },
  });
  const decline = useMutation({
    mutationFn: (inv: MyInvitation) => declineInvitation(api, inv.id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['invitations'] }),
  });

  const items = query.data?.items ?? [];
  if (!verified || !items.length) return null;
  const busy = accept.isPending || decline.isPending;
  return (
    <section className="card invitations" aria-labelledby="invitations-heading">
      <h2 id="invitations-heading">{items.length === 1 ? 'An invitation is waiting for you' : `${items.length} invitations are waiting for you`}</h2>
      {accept.isError && <ErrorNotice error={accept.error} title={`You did not join ${accept.variables.customerName}`} />}
      {decline.isError && <ErrorNotice error={decline.error} title="The invitation was not declined" />}
      <ul className="invitation-list">
        {items.map((inv) => (
          <li key={inv.id}>
            <p>
              {inv.invitedBy ? <strong>{inv.invitedBy}</strong> : 'Someone'} invited you to join <strong>{inv.customerName}</strong> as{' '}
              {ROLE_LABEL[inv.role]}. <span className="muted">Sent {formatDateTime(inv.createdAt)}</span>
            </p>
            <div className="actions">
              <button type="button" disabled={busy} onClick={() => accept.mutate(inv)} aria-label={`Accept the invitation to ${inv.customerName}`}>
                {accept.isPending && accept.variables.id === inv.id ? 'Joining…' : 'Accept'}
              </button>
              <button type="button" className="button-secondary" disabled={busy} onClick={() => decline.mutate(inv)} aria-label={`Decline the invitation to ${inv.customerName}`}>
                Decline
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
