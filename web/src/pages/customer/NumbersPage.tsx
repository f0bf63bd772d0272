// The phone numbers bought for the customer and the messaging service each one sends through.
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../app/context.tsx';
import { numbersQuery } from '../../api/queries.ts';
import { formatDateTime } from '../../components/format.ts';
import { QueryStates } from '../../components/states.tsx';
import { StatusBadge } from '../../components/status.tsx';
import { DataTable } from '../../components/table.tsx';
import { Link } from '../../router.tsx';

export function NumbersPage({ customerId }: { customerId: string }) {
  const api = useApi();
  const query = useQuery(numbersQuery(api, customerId));
  return (
    <>
      <h1>Numbers</h1>
      <p className="lede">A number is bought and attached to your messaging service once your campaign is approved.</p>
      <QueryStates
        query={query}
        loading="Loading numbers…"
        isEmpty={(data) => data.items.length === 0}
        empty={
          <>
            No number yet. It arrives at the end of your US texting registration; <Link to={`/customers/${customerId}/progress`}>follow its progress</Link>.
          </>
        }
      >
        {(data) => (
          <DataTable caption="Phone numbers" columns={['Number', 'Status', 'Messaging service', 'Number SID', 'Since']}>
          {data.items.map((n) => (
            <tr key={n.id}>
              <td>
                <strong>{n.phoneNumber}</strong>
              </td>
              <td>
                <StatusBadge status={n.status} />
              </td>
              <td>
                <code>{n.messagingServiceSid ?? '—'}</code>
              </td>
              <td>
                <code>{n.phoneNumberSid}</code>
              </td>
              <td>{formatDateTime(n.createdAt)}</td>
            </tr>
          ))}
          </DataTable>
        )}
      </QueryStates>
    </>
  );
}
