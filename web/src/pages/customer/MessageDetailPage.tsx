// One message and every status Twilio reported for it, in order; refreshes until the status settles.
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../app/context.tsx';
import { messageQuery } from '../../api/queries.ts';
import { formatDateTime, humanize } from '../../components/format.ts';
import { ErrorNotice, Loading } from '../../components/states.tsx';
import { StatusBadge } from '../../components/status.tsx';
import { explainMessageError, twilioErrorUrl } from '../../../../shared/message-errors.ts';
import { Link } from '../../router.tsx';

/** Outbound statuses after which Twilio counts segments and sets the price. */
const FINISHED = new Set(['delivered', 'undelivered', 'failed', 'read']);

/** The server asks Twilio again for about half an hour after a message finished (server/messaging/message-settlement.ts). */
const REPORT_WINDOW_MS = 60 * 60_000;

/**
 * Segments and price as far as Twilio has told us: it answers a send with 0 segments and no price and reports
 * both later, so a missing value is "pending" while that may still happen and "not reported" after.
 */
function notYet(m: { direction: string; status: string; updatedAt: string }, now = Date.now()): string {
  if (m.direction !== 'outbound') return '—';
  if (!FINISHED.has(m.status)) return 'pending until the message is sent';
  return now - new Date(m.updatedAt).getTime() < REPORT_WINDOW_MS ? 'pending: Twilio has not reported it yet' : '— (Twilio did not report it)';
}

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
              {query.data.errorCode !== null && (
                <div className="muted">
                  {explainMessageError(query.data.errorCode)}{' '}
                  <a href={twilioErrorUrl(query.data.errorCode)} target="_blank" rel="noreferrer">
                    Twilio’s page on error {query.data.errorCode}
                  </a>
                </div>
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
            <dd>{query.data.numSegments ?? <span className="muted">{notYet(query.data)}</span>}</dd>
            <dt>Price</dt>
            <dd>{query.data.price ? `${query.data.price} ${query.data.priceUnit ?? ''}`.trim() : <span className="muted">{notYet(query.data)}</span>}</dd>
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
