// Opt-outs: recipients who replied STOP (or were reported by Twilio as unsubscribed) and those who came back.
import { useInfiniteQuery } from '@tanstack/react-query';
import { messageChannelSchema } from '../../../../shared/messages.ts';
import { optOutStatusSchema } from '../../../../shared/opt-outs.ts';
import { useApi } from '../../app/context.tsx';
import { optOutsQuery, type OptOutFilters } from '../../api/queries.ts';
import { SelectField } from '../../components/form.tsx';
import { formatDateTime, humanize } from '../../components/format.ts';
import { QueryStates } from '../../components/states.tsx';
import { StatusBadge } from '../../components/status.tsx';
import { DataTable, LoadMoreButton } from '../../components/table.tsx';
import { setSearch, useLocation } from '../../router.tsx';

const SOURCE: Record<string, string> = {
  inbound: 'Replied with a keyword',
  opt_out_webhook: 'Opt-out webhook',
  error_21610: 'Twilio refused a send (21610: unsubscribed)',
  api: 'Recorded through the API',
};

export function OptOutsPage({ customerId }: { customerId: string }) {
  const api = useApi();
  const { search } = useLocation();
  const filters: OptOutFilters = {};
  const status = optOutStatusSchema.safeParse(search.get('status'));
  if (status.success) filters.status = status.data;
  const channel = messageChannelSchema.safeParse(search.get('channel'));
  if (channel.success) filters.channel = channel.data;
  const query = useInfiniteQuery(optOutsQuery(api, customerId, filters));
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  const update = (k: 'status' | 'channel') => (v: string) => setSearch({ ...filters, [k]: v || undefined }, { replace: true });

  return (
    <>
      <h1>Opt-outs</h1>
      <p className="lede">
        A recipient who texts STOP (or STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT) is opted out and every later send to them is refused; START or
        UNSTOP opts them back in. Carriers require you to honour these.
      </p>
      <div className="card filters grid" role="group" aria-label="Filter opt-outs">
        <SelectField plain label="Status" value={filters.status ?? ''} onChange={update('status')} options={[{ value: '', label: 'Any' }, ...optOutStatusSchema.options.map((v) => ({ value: v, label: humanize(v) }))]} />
        <SelectField plain label="Channel" value={filters.channel ?? ''} onChange={update('channel')} options={[{ value: '', label: 'Any' }, { value: 'sms', label: 'SMS' }, { value: 'whatsapp', label: 'WhatsApp' }]} />
      </div>
      <QueryStates query={query} loading="Loading opt-outs…" isEmpty={() => items.length === 0} empty={<>Nobody has opted out{filters.status || filters.channel ? ' with these filters' : ''}.</>}>
        {() => (
          <>
            <DataTable caption="Opt-outs" columns={['Number', 'Channel', 'Status', 'Keyword', 'How', 'Since']}>
              {items.map((o) => (
                <tr key={`${o.phoneNumber}-${o.channel}`}>
                  <td>{o.phoneNumber}</td>
                  <td>{o.channel === 'sms' ? 'SMS' : 'WhatsApp'}</td>
                  <td>
                    <StatusBadge status={o.status} />
                  </td>
                  <td>{o.keyword ?? '—'}</td>
                  <td>{SOURCE[o.source] ?? humanize(o.source)}</td>
                  <td>{formatDateTime(o.updatedAt)}</td>
                </tr>
              ))}
            </DataTable>
            <LoadMoreButton query={query} />
          </>
        )}
      </QueryStates>
    </>
  );
}
