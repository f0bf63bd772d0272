// Operator: the customers' own Twilio accounts beside the platform's subaccounts: whether their credentials
// still work, the account's status at the last check, this month's usage (read with the account's own token), and
// Disconnect. There is no suspend or close: those accounts are the customers', not the master's.
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../app/context.tsx';
import { disconnectConnectedAccount } from '../../api/mutations.ts';
import { operatorConnectionsQuery } from '../../api/queries.ts';
import { formatDateTime } from '../../components/format.ts';
import { ErrorNotice, QueryStates } from '../../components/states.tsx';
import { StatusBadge } from '../../components/status.tsx';
import { DataTable } from '../../components/table.tsx';
import { MonthUsage } from '../../components/usage.tsx';

export function ConnectedAccounts() {
  const api = useApi();
  const queryClient = useQueryClient();
  const query = useQuery(operatorConnectionsQuery(api));
  const [confirming, setConfirming] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const disconnect = useMutation({
    mutationFn: (sid: string) => disconnectConnectedAccount(api, sid),
    onSuccess: (_res, sid) => {
      setConfirming(null);
      setDone(`${sid} is disconnected; its customer is back on a platform subaccount.`);
      void queryClient.invalidateQueries({ queryKey: ['operator'] });
    },
  });
  return (
    <section aria-labelledby="connected-heading">
      <h2 id="connected-heading">Customers’ own Twilio accounts</h2>
      <p className="muted">Accounts customers connected instead of a platform subaccount. They are not under the master account: they can be disconnected, never suspended or closed.</p>
      {done && (
        <p className="state state-success" role="status">
          {done}
        </p>
      )}
      {disconnect.isError && <ErrorNotice error={disconnect.error} title="The account was not disconnected" />}
      <QueryStates query={query} loading="Reading connected accounts…" isEmpty={(d) => d.items.length === 0} empty="No customer has connected its own Twilio account.">
        {(d) => (
          <DataTable caption="Connected customer accounts" columns={['Customer', 'Account SID', 'Credentials', 'Account status', 'Last check', 'Usage this month', 'Actions']}>
            {d.items.map((c) => (
              <tr key={c.accountSid} className={c.status === 'credentials_invalid' ? 'row-drift' : undefined}>
                <td>
                  {c.customerName}
                  <div className="muted">{c.friendlyName}</div>
                </td>
                <td>
                  <code>{c.accountSid}</code>
                </td>
                <td>{c.status === 'connected' ? <span className="badge badge-ok">working</span> : <span className="badge badge-bad">token refused</span>}</td>
                <td>
                  <StatusBadge status={c.accountStatus} />
                </td>
                <td>
                  {formatDateTime(c.lastCheckedAt)}
                  {c.lastError && <div className="muted">{c.lastError}</div>}
                </td>
                <td>
                  <MonthUsage usage={c.usage} />
                </td>
                <td className="row-actions">
                  {confirming === c.accountSid ? (
                    <>
                      <button type="button" className="button-danger" disabled={disconnect.isPending} onClick={() => disconnect.mutate(c.accountSid)}>
                        {disconnect.isPending ? 'Disconnecting…' : 'Confirm disconnect'}
                        <span className="visually-hidden"> {c.accountSid}</span>
                      </button>
                      <button type="button" className="button-secondary" onClick={() => setConfirming(null)}>
                        Cancel
                      </button>
                    </>
                  ) : (
                    <button type="button" className="button-secondary" onClick={() => setConfirming(c.accountSid)}>
                      Disconnect…<span className="visually-hidden"> {c.accountSid}</span>
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </QueryStates>
    </section>
  );
}
