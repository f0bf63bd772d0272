// Operator: every subaccount reconciled against Twilio (drift highlighted), this month's usage, and suspend /
// reactivate / close. Closing is irreversible on Twilio, so it asks for the SID to be typed.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ReconciledSubaccount, SubaccountDrift } from '../../../../shared/operator.ts';
import { useApi } from '../../app/context.tsx';
import { changeSubaccount, type SubaccountAction } from '../../api/mutations.ts';
import { subaccountsQuery } from '../../api/queries.ts';
import { TextField } from '../../components/form.tsx';
import { formatDateTime } from '../../components/format.ts';
import { ErrorNotice, QueryStates } from '../../components/states.tsx';
import { StatusBadge } from '../../components/status.tsx';
import { DataTable } from '../../components/table.tsx';
import { MonthUsage } from '../../components/usage.tsx';
import { ConnectedAccounts } from './ConnectedAccounts.tsx';

const DRIFT_TEXT: Record<SubaccountDrift, string> = {
  missing_in_twilio: 'In our database but not in Twilio',
  orphan_in_twilio: 'In Twilio (isv:*) with no customer here',
  status_mismatch: 'Status differs between our database and Twilio',
};

export default function SubaccountsPage() {
  const api = useApi();
  const queryClient = useQueryClient();
  const query = useQuery(subaccountsQuery(api));
  const [closing, setClosing] = useState<ReconciledSubaccount | null>(null);
  const [last, setLast] = useState<string | null>(null);
  const act = useMutation({
    mutationFn: (v: { sid: string; action: SubaccountAction; confirm?: string }) => changeSubaccount(api, v.sid, v.action, v.confirm),
    onSuccess: (res) => {
      setClosing(null);
      setLast(`${res.accountSid} is now ${res.status} (was ${res.previousStatus}).`);
      void queryClient.invalidateQueries({ queryKey: ['operator'] });
    },
  });

  return (
    <>
      <h1>Subaccounts</h1>
      <p className="lede">Our records compared with Twilio’s list of subaccounts under the master account. Rows that disagree are highlighted.</p>
      {last && (
        <p className="state state-success" role="status">
          {last}
        </p>
      )}
      {act.isError && <ErrorNotice error={act.error} title="The change was not made" />}
      {closing && <CloseForm account={closing} busy={act.isPending} onCancel={() => setClosing(null)} onConfirm={(confirm) => act.mutate({ sid: closing.accountSid, action: 'close', confirm })} />}
      <QueryStates query={query} loading="Reading subaccounts from Twilio…" isEmpty={(data) => data.items.length === 0} empty="No subaccounts yet.">
        {(data) => (
          <>
            <p className="muted">
              {data.summary.total} subaccount{data.summary.total === 1 ? '' : 's'}, {data.summary.drifted} with drift · checked{' '}
              {formatDateTime(data.checkedAt)}{' '}
              <button type="button" className="button-link" onClick={() => void query.refetch()} disabled={query.isFetching}>
                {query.isFetching ? 'Checking…' : 'Check again'}
              </button>
            </p>
            <DataTable caption="Subaccounts" columns={['Customer', 'Account SID', 'Our status', 'Twilio status', 'Usage this month', 'Drift', 'Actions']}>
              {data.items.map((a) => {
                const status = a.twilioStatus ?? a.dbStatus;
                const busy = act.isPending && act.variables?.sid === a.accountSid;
                return (
                  <tr key={a.accountSid} className={a.drift.length ? 'row-drift' : undefined} data-sid={a.accountSid}>
                    <td>
                      {a.customerName ?? <span className="muted">none</span>}
                      <div className="muted">{a.friendlyName}</div>
                    </td>
                    <td>
                      <code>{a.accountSid}</code>
                    </td>
                    <td>{a.dbStatus ? <StatusBadge status={a.dbStatus} /> : <span className="muted">—</span>}</td>
                    <td>
                      {a.deleted ? (
                        <span className="badge badge-muted">deleted</span>
                      ) : a.twilioStatus ? (
                        <StatusBadge status={a.twilioStatus} />
                      ) : (
                        <span className="muted">—</span>
                      )}
                      {a.deleted ? (
                        <div className="muted">Twilio deletes closed subaccounts 30 days after closing</div>
                      ) : (
                        a.deletionDueAt && <div className="muted">deletion due {formatDateTime(a.deletionDueAt)}</div>
                      )}
                    </td>
                    <td>
                      <MonthUsage usage={a.usage} />
                    </td>
                    <td>
                      {a.drift.length === 0 ? (
                        <span className="muted">none</span>
                      ) : (
                        <ul className="drift-list">
                          {a.drift.map((d) => (
                            <li key={d}>
                              <span className="badge badge-bad">drift</span> {DRIFT_TEXT[d]}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td className="row-actions">
                      {status === 'active' && (
                        <button type="button" className="button-secondary" disabled={busy} onClick={() => act.mutate({ sid: a.accountSid, action: 'suspend' })}>
                          Suspend<span className="visually-hidden"> {a.accountSid}</span>
                        </button>
                      )}
                      {status === 'suspended' && (
                        <button type="button" className="button-secondary" disabled={busy} onClick={() => act.mutate({ sid: a.accountSid, action: 'reactivate' })}>
                          Reactivate<span className="visually-hidden"> {a.accountSid}</span>
                        </button>
                      )}
                      {status !== 'closed' && a.twilioStatus && (
                        <button type="button" className="button-danger" disabled={busy} onClick={() => setClosing(a)}>
                          Close…<span className="visually-hidden"> {a.accountSid}</span>
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </DataTable>
          </>
        )}
      </QueryStates>
      <ConnectedAccounts />
    </>
  );
}

function CloseForm({ account, busy, onCancel, onConfirm }: { account: ReconciledSubaccount; busy: boolean; onCancel: () => void; onConfirm: (sid: string) => void }) {
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | undefined>();
  const ref = useRef<HTMLElement>(null);
  useEffect(() => ref.current?.focus(), [account.accountSid]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (typed.trim() !== account.accountSid) {
      setError('type the account SID exactly as shown');
      return;
    }
    onConfirm(typed.trim());
  };
  return (
    <section className="card danger-zone" aria-labelledby="close-heading" ref={ref} tabIndex={-1}>
      <h2 id="close-heading">Close {account.customerName ?? account.friendlyName}?</h2>
      <p>
        Closing is permanent: Twilio releases the subaccount’s numbers and it can never be reopened. Type <code>{account.accountSid}</code> to confirm.
      </p>
      <form onSubmit={submit} noValidate>
        <TextField label="Account SID" value={typed} onChange={setTyped} error={error} required />
        <div className="actions">
          <button type="submit" className="button-danger" disabled={busy}>
            {busy ? 'Closing…' : 'Close the subaccount'}
          </button>
          <button type="button" className="button-secondary" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
