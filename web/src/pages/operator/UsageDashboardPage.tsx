// Operators: spend, budget and delivery rate of every customer (sortable by spend) and the top Twilio error
// codes across them, both exportable as CSV.
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../app/context.tsx';
import { operatorUsageQuery, refreshAllUsage } from '../../api/usage-queries.ts';
import { downloadCsv, toCsv } from '../../components/csv.ts';
import { SelectField } from '../../components/form.tsx';
import { ErrorNotice, QueryStates } from '../../components/states.tsx';
import { DataTable } from '../../components/table.tsx';
import { Link } from '../../router.tsx';

type Sort = 'spend' | '-spend' | 'name';

export default function UsageDashboardPage() {
  const api = useApi();
  const queryClient = useQueryClient();
  const [sort, setSort] = useState<Sort>('-spend');
  const query = useQuery(operatorUsageQuery(api, sort));
  const refresh = useMutation({ mutationFn: () => refreshAllUsage(api), onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['operator', 'usage'] }) });
  const pct = (r: number | null) => (r === null ? '—' : `${Math.round(r * 100)}%`);

  return (
    <>
      <h1>Usage dashboard</h1>
      <p className="lede">Spend and delivery rate of every customer this month, and the Twilio error codes seen most.</p>
      <p>
        <button type="button" className="button-secondary" onClick={() => refresh.mutate()} disabled={refresh.isPending}>
          {refresh.isPending ? 'Reading usage from Twilio…' : 'Read usage from Twilio now'}
        </button>
      </p>
      {refresh.isError && <ErrorNotice error={refresh.error} title="Usage could not be read from Twilio" />}
      <QueryStates query={query} loading="Loading usage…" isEmpty={() => false} empty={null}>
        {(u) => (
          <>
            <section className="card" aria-labelledby="customers-usage-heading">
              <h2 id="customers-usage-heading">Customers</h2>
              <SelectField
                label="Sort by"
                value={sort}
                onChange={(v) => setSort(v as Sort)}
                options={[
                  { value: '-spend', label: 'Highest spend first' },
                  { value: 'spend', label: 'Lowest spend first' },
                  { value: 'name', label: 'Name' },
                ]}
              />
              <DataTable caption="Spend and delivery rate per customer" columns={['Customer', 'Spend', 'Budget', 'Messages', 'Delivered', 'Failed', 'Delivery rate']}>
                {u.customers.map((c) => (
                  <tr key={c.customerId}>
                    <td>
                      <Link to={`/customers/${c.customerId}/usage`}>{c.customerName}</Link>
                    </td>
                    <td>
                      {c.spend.toFixed(2)} {c.priceUnit}
                    </td>
                    <td>{c.monthlyBudgetUsd === null ? '—' : c.monthlyBudgetUsd.toFixed(2)}</td>
                    <td>{c.messages}</td>
                    <td>{c.delivered}</td>
                    <td>{c.failed}</td>
                    <td>{pct(c.deliveryRate)}</td>
                  </tr>
                ))}
              </DataTable>
              <p>
                Total: <strong>{u.totals.price.toFixed(2)} USD</strong>, {u.totals.messages} messages.{' '}
                <button
                  type="button"
                  className="button-secondary"
                  onClick={() =>
                    downloadCsv(
                      `customers-usage-${u.from}-${u.to}.csv`,
                      toCsv(['customerId', 'customerName', 'spend', 'priceUnit', 'messages', 'delivered', 'failed', 'deliveryRate', 'monthlyBudgetUsd'], u.customers.map((c) => [c.customerId, c.customerName, c.spend, c.priceUnit, c.messages, c.delivered, c.failed, c.deliveryRate, c.monthlyBudgetUsd])),
                    )
                  }
                >
                  Export CSV
                </button>
              </p>
            </section>
            <section className="card" aria-labelledby="error-codes-heading">
              <h2 id="error-codes-heading">Top error codes</h2>
              {u.topErrorCodes.length === 0 ? (
                <p>No message failed with a Twilio error code in this period.</p>
              ) : (
                <>
                  <DataTable caption="Top Twilio error codes" columns={['Error code', 'Messages', 'Customers']}>
                    {u.topErrorCodes.map((e) => (
                      <tr key={e.code}>
                        <td>
                          <a href={`https://www.twilio.com/docs/api/errors/${e.code}`} target="_blank" rel="noreferrer">
                            {e.code}
                          </a>
                        </td>
                        <td>{e.count}</td>
                        <td>{e.customers}</td>
                      </tr>
                    ))}
                  </DataTable>
                  <button type="button" className="button-secondary" onClick={() => downloadCsv(`error-codes-${u.from}-${u.to}.csv`, toCsv(['code', 'count', 'customers'], u.topErrorCodes.map((e) => [e.code, e.count, e.customers])))}>
                    Export CSV
                  </button>
                </>
              )}
            </section>
          </>
        )}
      </QueryStates>
    </>
  );
}
