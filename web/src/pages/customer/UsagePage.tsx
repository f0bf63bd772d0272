// A customer's usage: messages per day by status (a plain-SVG chart), spend against the monthly budget,
// limits (owners may lower them; staff set the ceilings), alerts, and Twilio's usage by category, exportable as CSV.
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { LIMIT_FIELDS, putLimitsSchema, type LimitField, type Limits, type UsageReport } from '../../../../shared/usage.ts';
import { useApi } from '../../app/context.tsx';
import { customerQuery } from '../../api/queries.ts';
import { alertsQuery, limitsQuery, markAlertRead, putLimits, refreshUsage, usageQuery } from '../../api/usage-queries.ts';
import { downloadCsv, toCsv } from '../../components/csv.ts';
import { TextField, validateWith, type FieldErrors } from '../../components/form.tsx';
import { formatDateTime, humanize } from '../../components/format.ts';
import { ErrorNotice, QueryStates } from '../../components/states.tsx';
import { DataTable } from '../../components/table.tsx';
import { BudgetBar, MessagesChart } from '../../components/usage-charts.tsx';

const LIMIT_LABEL: Record<LimitField, string> = {
  messagesPerDay: 'Messages per day',
  messagesPerMonth: 'Messages per month',
  monthlyBudgetUsd: 'Monthly budget (USD)',
  sendsPerSecond: 'Sends per second',
};

const CATEGORY_LABEL: Record<string, string> = {
  'sms-outbound': 'SMS sent',
  'sms-inbound': 'SMS received',
  'channels-whatsapp-outbound': 'WhatsApp sent',
  'channels-whatsapp-inbound': 'WhatsApp received',
  phonenumbers: 'Phone numbers',
  'a2p-registration-fees': 'A2P registration fees',
};

export default function UsagePage({ customerId }: { customerId: string }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const usage = useQuery(usageQuery(api, customerId));
  const limits = useQuery(limitsQuery(api, customerId));
  const customer = useQuery(customerQuery(api, customerId));
  const refresh = useMutation({
    mutationFn: () => refreshUsage(api, customerId),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['customers', customerId] }),
  });

  return (
    <>
      <h1>Usage</h1>
      <p className="lede">What you sent over the last 30 days, what it cost, and the limits and alerts that keep it in check.</p>

      <section className="card" aria-labelledby="spend-heading">
        <h2 id="spend-heading">This month's spend</h2>
        <QueryStates query={limits} loading="Loading your limits…" isEmpty={() => false} empty={null}>
          {(l) => <BudgetBar spend={l.current.spendThisMonthUsd} budget={l.monthlyBudgetUsd} />}
        </QueryStates>
        <p className="muted">
          Twilio reports usage once a day; messages sent since then are estimated from their segments.{' '}
          {usage.data?.ingestedAt ? `Last read from Twilio ${formatDateTime(usage.data.ingestedAt)}.` : 'Not read from Twilio yet.'}{' '}
          <button type="button" className="button-link" onClick={() => refresh.mutate()} disabled={refresh.isPending}>
            {refresh.isPending ? 'Reading…' : 'Read it now'}
          </button>
        </p>
        {refresh.isError && <ErrorNotice error={refresh.error} title="Your usage could not be read from Twilio" />}
      </section>

      <section className="card" aria-labelledby="messages-heading">
        <h2 id="messages-heading">Messages per day</h2>
        <QueryStates query={usage} loading="Loading your usage…" isEmpty={() => false} empty={null}>
          {(u) => (
            <>
              <MessagesChart counts={u.messages} from={u.from} to={u.to} />
              <p>
                {u.totals.messages.total} messages ({u.totals.messages.segments} segments): {u.totals.messages.delivered} delivered, {u.totals.messages.failed} not delivered or failed.
              </p>
            </>
          )}
        </QueryStates>
      </section>

      <section className="card" aria-labelledby="limits-heading">
        <h2 id="limits-heading">Limits</h2>
        <QueryStates query={limits} loading="Loading your limits…" isEmpty={() => false} empty={null}>
          {(l) => <LimitsSection customerId={customerId} limits={l} canEdit={customer.data?.myRole === 'owner' || customer.data?.myRole === 'staff'} staff={customer.data?.myRole === 'staff'} />}
        </QueryStates>
      </section>

      <section className="card" aria-labelledby="alerts-heading">
        <h2 id="alerts-heading">Alerts</h2>
        <AlertsList customerId={customerId} />
      </section>

      <section className="card" aria-labelledby="twilio-usage-heading">
        <h2 id="twilio-usage-heading">Usage by category</h2>
        <QueryStates query={usage} loading="Loading your usage…" isEmpty={(u) => u.items.length === 0} empty="Twilio has reported no usage for these 30 days yet.">
          {(u) => <UsageTable report={u} />}
        </QueryStates>
      </section>
    </>
  );
}

function UsageTable({ report }: { report: UsageReport }) {
  const rows = report.items.map((i) => [i.date, i.category, i.count, i.usage, i.price, i.priceUnit] as const);
  return (
    <>
      <DataTable caption="Usage by day and category" columns={['Date', 'Category', 'Count', 'Usage', 'Price']}>
        {report.items.map((i) => (
          <tr key={`${i.date} ${i.category}`}>
            <td>{i.date}</td>
            <td>{CATEGORY_LABEL[i.category] ?? i.category}</td>
            <td>{i.count}</td>
            <td>{i.usage}</td>
            <td>
              {i.price.toFixed(4)} {i.priceUnit}
            </td>
          </tr>
        ))}
      </DataTable>
      <p>
        Total: <strong>{report.totals.price.toFixed(2)} {report.totals.priceUnit}</strong>{' '}
        <button type="button" className="button-secondary" onClick={() => downloadCsv(`usage-${report.from}-${report.to}.csv`, toCsv(['date', 'category', 'count', 'usage', 'price', 'priceUnit'], rows))}>
          Export CSV
        </button>
      </p>
    </>
  );
}

function LimitsSection({ customerId, limits, canEdit, staff }: { customerId: string; limits: Limits; canEdit: boolean; staff: boolean }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const mine = staff ? limits.ceilings : limits.own;
  const [draft, setDraft] = useState<Record<LimitField, string>>(() => Object.fromEntries(LIMIT_FIELDS.map((f) => [f, mine[f] === null ? '' : String(mine[f])])) as Record<LimitField, string>);
  const [errors, setErrors] = useState<FieldErrors>({});
  const save = useMutation({
    mutationFn: (body: Record<string, number | null>) => putLimits(api, customerId, body),
    onSuccess: (l) => queryClient.setQueryData(['customers', customerId, 'limits'], l),
  });
  const current: Record<LimitField, string> = {
    messagesPerDay: `${limits.current.messagesToday} today`,
    messagesPerMonth: `${limits.current.messagesThisMonth} this month`,
    monthlyBudgetUsd: `$${limits.current.spendThisMonthUsd.toFixed(2)} this month`,
    sendsPerSecond: '—',
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = Object.fromEntries(LIMIT_FIELDS.map((f) => [f, draft[f].trim() === '' ? null : Number(draft[f])]));
    const checked = validateWith(putLimitsSchema, body);
    if (!checked.ok) return setErrors(checked.errors);
    setErrors({});
    save.mutate(body);
  };
  return (
    <>
      <DataTable caption="Your limits" columns={['Limit', 'Applies', 'Ceiling', 'Now']}>
        {LIMIT_FIELDS.map((f) => (
          <tr key={f}>
            <td>{LIMIT_LABEL[f]}</td>
            <td>{limits[f] ?? 'No limit'}</td>
            <td>{limits.ceilings[f] ?? 'None'}</td>
            <td>{current[f]}</td>
          </tr>
        ))}
      </DataTable>
      {canEdit && (
        <form onSubmit={submit} aria-label={staff ? 'Set the ceilings' : 'Set your own limits'}>
          <p className="muted">{staff ? 'As staff you set the ceilings; the business may only go lower.' : 'You can set lower limits than your ceilings. Leave a field empty for no limit of your own.'}</p>
          <div className="grid">
            {LIMIT_FIELDS.map((f) => (
              <TextField key={f} label={LIMIT_LABEL[f]} inputMode="numeric" value={draft[f]} onChange={(v) => setDraft((d) => ({ ...d, [f]: v }))} error={errors[f]} />
            ))}
          </div>
          {save.isError && <ErrorNotice error={save.error} title="Your limits were not saved" labels={LIMIT_LABEL} />}
          {save.isSuccess && <p className="state state-success" role="status">Limits saved.</p>}
          <button type="submit" disabled={save.isPending}>
            Save limits
          </button>
        </form>
      )}
    </>
  );
}

export function AlertsList({ customerId, compact = false }: { customerId: string; compact?: boolean }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const alerts = useQuery(alertsQuery(api, customerId));
  const read = useMutation({
    mutationFn: (alertId: string) => markAlertRead(api, customerId, alertId),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['customers', customerId, 'alerts'] }),
  });
  return (
    <QueryStates query={alerts} loading="Loading alerts…" isEmpty={(a) => a.items.length === 0} empty="No alerts: nothing has crossed a threshold.">
      {(a) => (
        <ul className="alert-list">
          {a.items.slice(0, compact ? 5 : 50).map((al) => (
            <li key={al.id} className={al.readAt ? 'alert-read' : 'alert-unread'}>
              <strong>{humanize(al.kind)}</strong> · {formatDateTime(al.createdAt)}
              <div>{al.message}</div>
              {!al.readAt && (
                <button type="button" className="button-link" onClick={() => read.mutate(al.id)} disabled={read.isPending}>
                  Mark as read
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </QueryStates>
  );
}
