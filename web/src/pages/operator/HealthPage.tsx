// Operator: how Twilio has been answering (requests, error rate and p95 latency per operation), the circuit
// breaker that pauses new Twilio work during an outage, and the latest errors. Refreshes every 10 s.
import { useQuery } from '@tanstack/react-query';
import type { TwilioHealthResponse } from '../../../../shared/twilio-health.ts';
import { useApi } from '../../app/context.tsx';
import { twilioHealthQuery } from '../../api/queries.ts';
import { formatDateTime } from '../../components/format.ts';
import { Empty, QueryStates } from '../../components/states.tsx';
import { DataTable } from '../../components/table.tsx';

type Breaker = TwilioHealthResponse['breaker'];

const OUTCOME_TEXT: Record<string, string> = {
  ok: 'OK',
  client_error: 'Refused (4xx)',
  throttled: 'Throttled (429)',
  server_error: 'Twilio error (5xx)',
  timeout: 'Timed out',
  network_error: 'No answer',
};

const BREAKER_LABEL: Record<Breaker['state'], string> = { closed: 'Closed', open: 'Open', half_open: 'Half-open' };

const percent = (x: number) => `${(x * 100).toFixed(x > 0 && x < 0.01 ? 1 : 0)} %`;
const minutes = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`);

function BreakerPanel({ breaker }: { breaker: Breaker }) {
  const { state } = breaker;
  const tone = state === 'closed' ? 'ok' : state === 'open' ? 'bad' : 'warn';
  const label = BREAKER_LABEL[state];
  return (
    <section aria-labelledby="breaker-heading" className="card" data-breaker-state={state}>
      <h2 id="breaker-heading">
        Circuit breaker <span className={`badge badge-${tone}`}>{label}</span>
      </h2>
      {state === 'closed' && <p>Requests go to Twilio as usual.</p>}
      {state === 'open' && (
        <p className="state state-error" role="status">
          <strong>Twilio is failing, so new Twilio work is paused.</strong> Sends are answered 503 with a retry time and onboarding steps wait; nothing is marked failed.
          A probe runs {breaker.retryAt ? `after ${formatDateTime(breaker.retryAt)}` : 'shortly'}
          {breaker.retryAfterSeconds !== null ? ` (in about ${breaker.retryAfterSeconds} s)` : ''} and closes the breaker once Twilio answers.
        </p>
      )}
      {state === 'half_open' && <p role="status">Checking whether Twilio answers again; new work waits for the result.</p>}
      <dl className="facts">
        <dt>Since</dt>
        <dd>{formatDateTime(breaker.since)}</dd>
        <dt>Last {minutes(breaker.window.ms)}</dt>
        <dd>
          {breaker.window.failures} failed of {breaker.window.requests} requests ({percent(breaker.window.failureRate)})
        </dd>
        <dt>Opens at</dt>
        <dd>
          {percent(breaker.thresholds.failureRate)} failed, with at least {breaker.thresholds.minRequests} requests; stays open {minutes(breaker.thresholds.openMs)} before a probe
        </dd>
        <dt>Opened</dt>
        <dd>
          {breaker.opened} time{breaker.opened === 1 ? '' : 's'} since this server started; {breaker.refused} request{breaker.refused === 1 ? '' : 's'} held back
        </dd>
        {breaker.lastProbe && (
          <>
            <dt>Last probe</dt>
            <dd>
              {formatDateTime(breaker.lastProbe.at)}: {breaker.lastProbe.ok ? 'Twilio answered' : `failed${breaker.lastProbe.message ? ` (${breaker.lastProbe.message})` : ''}`}
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}

export default function HealthPage() {
  const api = useApi();
  const query = useQuery(twilioHealthQuery(api));
  return (
    <>
      <h1>Twilio health</h1>
      <p className="lede">
        How Twilio has answered this platform, over every server process (each worker and instance reports every few seconds). Each process keeps its own figures and
        circuit breaker in memory; they start again when it restarts.
      </p>
      <QueryStates query={query} loading="Reading Twilio health…" isEmpty={() => false} empty={null}>
        {(data) => (
          <>
            <p className="muted">
              Checked {formatDateTime(data.checkedAt)} (process {data.pid}){' '}
              <button type="button" className="button-link" onClick={() => void query.refetch()} disabled={query.isFetching}>
                {query.isFetching ? 'Checking…' : 'Check again'}
              </button>
            </p>
            <BreakerPanel breaker={data.breaker} />
            {data.instances.length > 1 && (
              <DataTable caption="Server processes" columns={['Process', 'Circuit breaker', 'Last 30 s', 'Opened', 'Held back', 'Reported']}>
                {data.instances.map((i) => (
                  <tr key={i.instance} data-instance={i.instance} className={i.breaker === 'closed' ? undefined : 'row-drift'}>
                    <td>
                      <code>{i.instance}</code>
                      {i.self ? ' (this page)' : ''}
                    </td>
                    <td>
                      <span className={`badge badge-${i.breaker === 'closed' ? 'ok' : i.breaker === 'open' ? 'bad' : 'warn'}`}>{BREAKER_LABEL[i.breaker]}</span>
                    </td>
                    <td>
                      {i.failures} failed of {i.requests}
                    </td>
                    <td>{i.opened}</td>
                    <td>{i.refused}</td>
                    <td>{formatDateTime(i.reportedAt)}</td>
                  </tr>
                ))}
              </DataTable>
            )}
            <h2>Operations, last {minutes(data.windowMs)}</h2>
            {data.operations.length === 0 ? (
              <Empty>No requests to Twilio in this window.</Empty>
            ) : (
              <DataTable caption="Twilio operations" columns={['Operation', 'Requests', 'Failed', 'Refused (4xx)', 'Error rate', 'p95 latency', 'Last request']}>
                {data.operations.map((o) => (
                  <tr key={o.operation} data-operation={o.operation} className={o.failures > 0 ? 'row-drift' : undefined}>
                    <td>
                      <code>{o.operation}</code>
                    </td>
                    <td>{o.requests}</td>
                    <td>{o.failures}</td>
                    <td>{o.clientErrors}</td>
                    <td>{percent(o.errorRate)}</td>
                    <td>{o.p95LatencyMs === null ? '—' : `${o.p95LatencyMs} ms`}</td>
                    <td>{formatDateTime(o.lastAt)}</td>
                  </tr>
                ))}
              </DataTable>
            )}
            <h2>Recent errors</h2>
            {data.recentErrors.length === 0 ? (
              <Empty>No errors from Twilio since this server started.</Empty>
            ) : (
              <DataTable caption="Recent Twilio errors" columns={['Time', 'Operation', 'What happened', 'HTTP', 'Twilio code', 'Message']}>
                {data.recentErrors.map((e, i) => (
                  <tr key={`${e.at}-${i}`}>
                    <td>{formatDateTime(e.at)}</td>
                    <td>
                      <code>{e.operation}</code>
                    </td>
                    <td>
                      <span className={`badge badge-${e.countsAsFailure ? 'bad' : 'warn'}`}>{OUTCOME_TEXT[e.outcome] ?? e.outcome}</span>
                    </td>
                    <td>{e.httpStatus ?? '—'}</td>
                    <td>{e.twilioCode ?? '—'}</td>
                    <td>{e.message ?? '—'}</td>
                  </tr>
                ))}
              </DataTable>
            )}
          </>
        )}
      </QueryStates>
    </>
  );
}
