// The header's notifications menu: the business's alerts (budget, monthly cap, delivery rate, error bursts),
// unread ones counted on the button, and a way to the usage page.
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../app/context.tsx';
import { alertsQuery } from '../api/usage-queries.ts';
import { formatDateTime } from './format.ts';
import { Link } from '../router.tsx';

export function NotificationsMenu({ customerId }: { customerId: string }) {
  const api = useApi();
  const alerts = useQuery(alertsQuery(api, customerId));
  const unread = alerts.data?.unread ?? 0;
  return (
    <details className="notifications">
      <summary>
        Alerts{' '}
        {unread > 0 && (
          <span className="badge badge-warn">
            {unread}
            <span className="visually-hidden"> unread</span>
          </span>
        )}
      </summary>
      <div className="notifications-panel">
        {alerts.isError && <p>Your alerts could not be loaded.</p>}
        {alerts.data && alerts.data.items.length === 0 && <p>No alerts.</p>}
        <ul>
          {alerts.data?.items.slice(0, 5).map((a) => (
            <li key={a.id} className={a.readAt ? 'alert-read' : 'alert-unread'}>
              {a.message}
              <div className="muted">{formatDateTime(a.createdAt)}</div>
            </li>
          ))}
        </ul>
        <Link to={`/customers/${customerId}/usage`}>See usage, limits and all alerts</Link>
      </div>
    </details>
  );
}
