// One message and every status Twilio reported for it, in order; refreshes until the status settles.
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../app/context.tsx';
import { messageQuery } from '../../api/queries.ts';
import { formatDateTime, humanize } from '../../components/format.ts';
import { ErrorNotice, Loading } from '../../components/states.tsx';
import { StatusBadge } from '../../components/status.tsx';
import { Link } from '../../router.tsx';

const SOURCE: Record<string, string> = { api: 'Twilio accepted the send', callback: 'Status callback from Twilio', inbound: 'Received by your number' };

export function MessageDetailPage({ customerId, messageId }: { customerId: string; messageId: string }) {
  const api = useApi();
  const query = useQuery(messageQuery(api, customerId, messageId));
  return (
    <>
      <p>
        <Link to={`/customers/${customerId}/messages`}>← All messages</Link>
      </p>
      <h1>Message</h1>
      {query.isPending ? (
        <Loading label="Loading the message…" />
      ) : query.isError ? (
        <ErrorNotice error={query.error} retry={() => void query.refetch()} />
      ) : (
        <>
          <dl className="card details">
            <dt>Status</dt>
            <dd>
              <StatusBadge status={query.data.status} />
              {query.data.errorCode !== null && (
                <span>
                  {' '}
                  Twilio error {query.data.errorCode}
                  {query.data.errorMessage ? `: ${query.data.errorMessage}` : ''}
                </span>
              )}
            </dd>
            <dt>Direction</dt>
            <dd>{humanize(query.data.direction)}</dd>
            <dt>Channel</dt>
            <dd>{query.data.channel === 'sms' ? 'SMS' : 'WhatsApp'}</dd>
            <dt>From</dt>
            <dd>{query.data.from ?? '—'}</dd>
            <dt>To</dt>
            <dd>{query.data.to}</dd>
            <dt>Message SID</dt>
            <dd>
              <code>{query.data.sid ?? 'not assigned yet'}</code>
            </dd>
            {query.data.contentSid && (
              <>
                <dt>Template</dt>
                <dd>
                  <code>{query.data.contentSid}</code>
                </dd>
              </>
            )}
            <dt>Segments</dt>
            <dd>{query.data.numSegments ?? '—'}</dd>
            <dt>Price</dt>
            <dd>{query.data.price ? `${query.data.price} ${query.data.priceUnit ?? ''}` : '—'}</dd>
            <dt>Created</dt>
            <dd>{formatDateTime(query.data.createdAt)}</dd>
          </dl>
          <h2>Status history</h2>
          {query.data.history.length === 0 ? (
            <p className="muted">No status reported yet.</p>
          ) : (
            <ol className="history" aria-label="Status history">
              {query.data.history.map((h, i) => (
                <li key={`${h.at}-${h.status}-${i}`} className={h.applied ? '' : 'history-ignored'}>
                  <StatusBadge status={h.status} /> <time dateTime={h.at}>{formatDateTime(h.at)}</time> · {SOURCE[h.source] ?? h.source}
                  {h.errorCode !== null && <> · error {h.errorCode}</>}
                  {!h.applied && <span className="muted"> (kept for the record; it did not move the status forward)</span>}
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </>
  );
}
