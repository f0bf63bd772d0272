// A customer's team: members and pending invitations. Owners invite by email (the invitation waits until the
// invitee accepts it), resend or revoke pending invitations and remove members (after a confirmation); members
// see the list only.
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { MeResponse } from '../../../../shared/auth.ts';
import { inviteMemberSchema, type Member } from '../../../../shared/customers.ts';
import { ApiError } from '../../api/client.ts';
import { inviteMember, removeMember, resendInvitation, revokeInvitation } from '../../api/mutations.ts';
import { membersQuery } from '../../api/queries.ts';
import { useApi } from '../../app/context.tsx';
import { focusFirstInvalid, useFocusWhen } from '../../components/focus.ts';
import { SelectField, TextField, validateWith, type FieldErrors } from '../../components/form.tsx';
import { formatDateTime } from '../../components/format.ts';
import { ErrorNotice, QueryStates } from '../../components/states.tsx';
import { DataTable } from '../../components/table.tsx';
import { navigate } from '../../router.tsx';

const ROLE_OPTIONS = [
  { value: 'member', label: 'Member: uses the portal for this business' },
  { value: 'owner', label: 'Owner: also manages the team' },
] as const;

type Action = { kind: 'revoke' | 'resend'; member: Member } | { kind: 'remove'; member: Member };

export function TeamPage({ customerId, me }: { customerId: string; me: MeResponse }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const query = useQuery(membersQuery(api, customerId));
  const isOwner = me.memberships.some((m) => m.customerId === customerId && m.role === 'owner');
  const [confirming, setConfirming] = useState<Member | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const act = useMutation({
    mutationFn: async (a: Action) => {
      if (a.kind === 'revoke') await revokeInvitation(api, customerId, a.member.invitationId!);
      else if (a.kind === 'resend') await resendInvitation(api, customerId, a.member.invitationId!);
      else await removeMember(api, customerId, a.member.userId!);
    },
    onMutate: () => setDone(null),
    // The confirmation closes either way; a refusal (such as the last owner) shows above the table instead.
    onError: () => setConfirming(null),
    onSuccess: async (_r, a) => {
      setConfirming(null);
      const who = a.member.email;
      setDone(a.kind === 'revoke' ? `The invitation to ${who} is revoked.` : a.kind === 'resend' ? `We emailed the invitation to ${who} again.` : `${who} is no longer on the team.`);
      if (a.kind === 'remove' && a.member.userId === me.user.id) {
        // You left: this business is no longer yours.
        await queryClient.invalidateQueries({ queryKey: ['me'] });
        navigate('/');
        return;
      }
      await queryClient.invalidateQueries({ queryKey: ['customers', customerId, 'members'] });
    },
  });
  const failure = useFocusWhen<HTMLDivElement>(act.isError ? act.failureCount || 1 : 0);

  const failedTitle = (a: Action | undefined) =>
    !a ? 'That did not work' : a.kind === 'remove' ? `${a.member.email} was not removed` : a.kind === 'revoke' ? 'The invitation was not revoked' : 'The invitation was not sent again';

  return (
    <>
      <h1>Team</h1>
      <p className="lede">
        {isOwner
          ? 'The people who can use the portal for this business. Invite someone by email: they join once they accept.'
          : 'The people who can use the portal for this business. Only an owner can invite or remove people.'}
      </p>
      {done && (
        <p className="state state-success" role="status">
          {done}
        </p>
      )}
      {act.isError && (
        <div ref={failure} tabIndex={-1}>
          <ErrorNotice error={act.error} title={failedTitle(act.variables)} />
        </div>
      )}
      {confirming && (
        <ConfirmRemove
          member={confirming}
          self={confirming.userId === me.user.id}
          busy={act.isPending}
          onCancel={() => setConfirming(null)}
          onConfirm={() => act.mutate({ kind: 'remove', member: confirming })}
        />
      )}
      <QueryStates query={query} loading="Loading the team…" isEmpty={(d) => d.items.length === 0} empty="Nobody is on this team yet.">
        {(data) => (
          <DataTable caption="Members and pending invitations" columns={isOwner ? ['Person', 'Role', 'Status', 'Since', 'Actions'] : ['Person', 'Role', 'Status', 'Since']}>
            {data.items.map((m) => {
              const busy = act.isPending && act.variables?.member === m;
              return (
                <tr key={m.invitationId ?? m.userId ?? m.email}>
                  <td>
                    {m.email}
                    {m.userId === me.user.id && <span className="muted"> (you)</span>}
                  </td>
                  <td>{m.role === 'owner' ? 'Owner' : 'Member'}</td>
                  <td>{m.status === 'active' ? <span className="badge badge-ok">Member</span> : <span className="badge badge-warn">Invitation pending</span>}</td>
                  <td>{formatDateTime(m.since)}</td>
                  {isOwner && (
                    <td className="row-actions">
                      {m.status === 'invited' && m.invitationId && (
                        <>
                          <button type="button" className="button-secondary" disabled={busy} onClick={() => act.mutate({ kind: 'resend', member: m })} aria-label={`Resend the invitation to ${m.email}`}>
                            Resend
                          </button>
                          <button type="button" className="button-secondary" disabled={busy} onClick={() => act.mutate({ kind: 'revoke', member: m })} aria-label={`Revoke the invitation to ${m.email}`}>
                            Revoke
                          </button>
                        </>
                      )}
                      {m.status === 'active' && m.userId && (
                        <button
                          type="button"
                          className="button-danger"
                          disabled={busy}
                          aria-label={`Remove ${m.email}…`}
                          onClick={() => {
                            act.reset();
                            setConfirming(m);
                          }}
                        >
                          Remove…
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              );
            })}
          </DataTable>
        )}
      </QueryStates>
      {isOwner && <InviteForm customerId={customerId} />}
    </>
  );
}

function ConfirmRemove({ member, self, busy, onCancel, onConfirm }: { member: Member; self: boolean; busy: boolean; onCancel: () => void; onConfirm: () => void }) {
  const ref = useFocusWhen<HTMLElement>(member.email);
  return (
    <section className="card danger-zone" aria-labelledby="remove-heading" ref={ref} tabIndex={-1}>
      <h2 id="remove-heading">{self ? 'Leave this team?' : `Remove ${member.email}?`}</h2>
      <p>
        {self
          ? 'You lose access to this business at once. An owner can invite you again.'
          : `${member.email} loses access to this business at once. You can invite them again later.`}
      </p>
      <div className="actions">
        <button type="button" className="button-danger" disabled={busy} onClick={onConfirm}>
          {busy ? 'Removing…' : self ? 'Leave the team' : 'Remove from the team'}
        </button>
        <button type="button" className="button-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </section>
  );
}

function InviteForm({ customerId }: { customerId: string }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<string>('member');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [sent, setSent] = useState<string | null>(null);
  const invite = useMutation({
    mutationFn: (body: unknown) => inviteMember(api, customerId, body),
    onMutate: () => setSent(null),
    onSuccess: async (res) => {
      setSent(
        res.delivery === 'invitation_emailed'
          ? `We emailed an invitation to ${res.member.email}. They join once they accept it.`
          : `The invitation to ${res.member.email} is waiting for them: ask them to sign in to the portal, where they can accept it.`,
      );
      setEmail('');
      await queryClient.invalidateQueries({ queryKey: ['customers', customerId, 'members'] });
    },
    onError: (err) => {
      if (err instanceof ApiError && err.errors.length) setErrors(err.fieldErrors());
    },
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const checked = validateWith(inviteMemberSchema, { email, role });
    if (!checked.ok) {
      setErrors(checked.errors);
      focusFirstInvalid(e.currentTarget);
      return;
    }
    setErrors({});
    invite.mutate(checked.data);
  };
  return (
    <section className="card" aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite someone</h2>
      {sent && (
        <p className="state state-success" role="status">
          {sent}
        </p>
      )}
      {invite.isError && !(invite.error instanceof ApiError && invite.error.errors.length) && <ErrorNotice error={invite.error} title="Nobody was invited" />}
      <form onSubmit={submit} noValidate>
        <TextField label="Email" type="email" name="email" autoComplete="off" value={email} onChange={setEmail} error={errors.email} required />
        <SelectField label="Role" name="role" value={role} onChange={setRole} options={ROLE_OPTIONS} error={errors.role} required />
        <button type="submit" disabled={invite.isPending}>
          {invite.isPending ? 'Inviting…' : 'Send the invitation'}
        </button>
      </form>
    </section>
  );
}
