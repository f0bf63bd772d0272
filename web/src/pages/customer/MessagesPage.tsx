// Message log: filters kept in the address bar (shareable, back-button friendly), keyset pages ("Show more")
// and a link to each message's status history. Refreshes while a listed message is still on its way.
import { useState, type FormEvent } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { messageErrorTitle } from '../../../../shared/message-errors.ts';
import { isSettledStatus, messageChannelSchema, messageDirectionSchema, messageListQuerySchema, messageStatusSchema } from '../../../../shared/messages.ts';
import { useApi } from '../../app/context.tsx';
import { messagesQuery, type MessageFilters } from '../../api/queries.ts';
import { SelectField, TextField, validateWith, type FieldErrors } from '../../components/form.tsx';
import { formatDateTime, humanize } from '../../components/format.ts';
import { QueryStates } from '../../components/states.tsx';
import { StatusBadge } from '../../components/status.tsx';
import { DataTable, LoadMoreButton } from '../../components/table.tsx';
import { Link, setSearch, useLocation } from '../../router.tsx';

const FILTER_KEYS = ['status', 'direction', 'channel', 'to', 'from', 'since', 'until'] as const;
type FilterKey = (typeof FILTER_KEYS)[number];

const options = (values: readonly string[]) => [{ value: '', label: 'Any' }, ...values.map((v) => ({ value: v, label: humanize(v) }))];

/** datetime-local (local time, no zone) ↔ ISO 8601 with offset, as the API wants. */
const toIso = (local: string) => (local ? new Date(local).toISOString() : undefined);
const toLocal = (iso: string | null) => {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

export function filtersFromSearch(search: URLSearchParams): MessageFilters {
  const raw: Record<string, string> = {};
  for (const k of FILTER_KEYS) {
    const v = search.get(k);
    if (v) raw[k] = v;
  }
  const parsed = messageListQuerySchema.safeParse(raw);
  if (!parsed.success) return {};
  const { cursor: _c, limit: _l, ...filters } = parsed.data;
  return filters;
}

export function MessagesPage({ customerId }: { customerId: string }) {
  const api = useApi();
  const { search } = useLocation();
  const filters = filtersFromSearch(search);
  const [draft, setDraft] = useState<Record<FilterKey, string>>(() => ({
    status: filters.status ?? '',
    direction: filters.direction ?? '',
    channel: filters.channel ?? '',
    to: filters.to ?? '',
    from: filters.from ?? '',
    since: toLocal(filters.since ?? null),
    until: toLocal(filters.until ?? null),
  }));
  const [errors, setErrors] = useState<FieldErrors>({});
  const query = useInfiniteQuery({
    ...messagesQuery(api, customerId, filters),
    refetchInterval: (q) => (q.state.data?.pages[0]?.items.some((m) => !isSettledStatus(m.status)) ? 3_000 : false),
  });

  const set = (k: FilterKey) => (v: string) => setDraft((d) => ({ ...d, [k]: v }));
  const apply = (e: FormEvent) => {
    e.preventDefault();
    const values = { ...draft, since: toIso(draft.since), until: toIso(draft.until) };
    const compact = Object.fromEntries(Object.entries(values).filter(([, v]) => v));
    const checked = validateWith(messageListQuerySchema, compact);
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    setSearch(compact);
  };
  const clear = () => {
    setDraft({ status: '', direction: '', channel: '', to: '', from: '', since: '', until: '' });
    setErrors({});
    setSearch({});
  };

  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <h1>Messages</h1>
      <p className="lede">Every message sent or received on your numbers, newest first. Message text is not stored here; open a message to see how its delivery went.</p>
      <form className="card filters" onSubmit={apply} aria-label="Filter messages">
        <div className="grid">
          <SelectField plain label="Status" value={draft.status} onChange={set('status')} options={options(messageStatusSchema.options)} error={errors.status} />
          <SelectField plain label="Direction" value={draft.direction} onChange={set('direction')} options={options(messageDirectionSchema.options)} error={errors.direction} />
          <SelectField plain label="Channel" value={draft.channel} onChange={set('channel')} options={options(messageChannelSchema.options)} error={errors.channel} />
          <TextField plain label="To" type="tel" value={draft.to} onChange={set('to')} error={errors.to} placeholder="+14155550123" />
          <TextField plain label="From" type="tel" value={draft.from} onChange={set('from')} error={errors.from} placeholder="+14155550123" />
          <TextField plain label="Since" type="datetime-local" value={draft.since} onChange={set('since')} error={errors.since} />
          <TextField plain label="Until" type="datetime-local" value={draft.until} onChange={set('until')} error={errors.until} />
        </div>
        <div className="actions">
          <button type="submit">Apply filters</button>
          <button type="button" className="button-secondary" onClick={clear}>
            Clear
          </button>
        </div>
      </form>

      <QueryStates
        query={query}
        loading="Loading messages…"
        isEmpty={() => items.length === 0}
        empty={
          <>
            {Object.keys(filters).length ? 'No message matches these filters.' : 'No messages yet. '}
            {!Object.keys(filters).length && <Link to={`/customers/${customerId}/send`}>Send a test message</Link>}
          </>
        }
      >
        {() => (
          <>
            <DataTable caption="Messages" columns={['When', 'Direction', 'Channel', 'From', 'To', 'Status', 'Details']}>
              {items.map((m) => (
                <tr key={m.id}>
                  <td>{formatDateTime(m.createdAt)}</td>
                  <td>{humanize(m.direction)}</td>
                  <td>{m.channel === 'sms' ? 'SMS' : 'WhatsApp'}</td>
                  <td>{m.from ?? '—'}</td>
                  <td>{m.to}</td>
                  <td>
                    <StatusBadge status={m.status} />
                    {m.errorCode !== null && (
                      <span className="muted">
                        {' '}
                        error {m.errorCode}
                        {messageErrorTitle(m.errorCode) ? `: ${messageErrorTitle(m.errorCode)}` : ''}
                      </span>
                    )}
                  </td>
                  <td>
                    <Link to={`/customers/${customerId}/messages/${m.id}`} aria-label={`Status history of the message to ${m.to} at ${formatDateTime(m.createdAt)}`}>
                      History
                    </Link>
                  </td>
                </tr>
              ))}
            </DataTable>
            <p className="muted" aria-live="polite">
              Showing {items.length} message{items.length === 1 ? '' : 's'}
              {query.hasNextPage ? '' : ' (all of them)'}.
            </p>
            <LoadMoreButton query={query} label="Show older messages" />
          </>
        )}
      </QueryStates>
    </>
  );
}
