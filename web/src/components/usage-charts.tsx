// Plain-SVG charts of the usage page (no chart library): messages per day stacked by status, and spend
// against the monthly budget as a bar. Both carry a text alternative.
import type { MessageCount } from '../../../shared/usage.ts';

const STATUS_GROUPS: { key: string; label: string; color: string; statuses: string[] }[] = [
  { key: 'delivered', label: 'Delivered', color: '#1a7f37', statuses: ['delivered', 'read', 'received'] },
  { key: 'pending', label: 'On the way', color: '#0969da', statuses: ['accepted', 'queued', 'sending', 'sent', 'scheduled', 'receiving'] },
  { key: 'undelivered', label: 'Not delivered', color: '#bf8700', statuses: ['undelivered', 'partially_delivered'] },
  { key: 'failed', label: 'Failed', color: '#cf222e', statuses: ['failed', 'canceled'] },
];

export function MessagesChart({ counts, from, to }: { counts: readonly MessageCount[]; from: string; to: string }) {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  const per = days.map((d) => STATUS_GROUPS.map((g) => counts.filter((c) => c.date === d && g.statuses.includes(c.status)).reduce((s, c) => s + c.count, 0)));
  const max = Math.max(1, ...per.map((p) => p.reduce((s, n) => s + n, 0)));
  const width = 600;
  const height = 180;
  const barW = width / Math.max(1, days.length);
  const total = per.flat().reduce((s, n) => s + n, 0);
  const summary = STATUS_GROUPS.map((g, i) => `${per.reduce((s, p) => s + p[i]!, 0)} ${g.label.toLowerCase()}`).join(', ');
  return (
    <figure className="usage-chart">
      <svg viewBox={`0 0 ${width} ${height + 20}`} role="img" aria-label={`Messages per day from ${from} to ${to}: ${total} in all (${summary})`} data-testid="messages-chart">
        <line x1="0" y1={height} x2={width} y2={height} stroke="#8c959f" strokeWidth="1" />
        {per.map((p, i) => {
          let y = height;
          return (
            <g key={days[i]}>
              <title>{`${days[i]}: ${STATUS_GROUPS.map((g, j) => `${p[j]} ${g.label.toLowerCase()}`).join(', ')}`}</title>
              {p.map((n, j) => {
                if (!n) return null;
                const h = (n / max) * (height - 10);
                y -= h;
                return <rect key={STATUS_GROUPS[j]!.key} className={`bar-${STATUS_GROUPS[j]!.key}`} x={i * barW + barW * 0.15} y={y} width={barW * 0.7} height={h} fill={STATUS_GROUPS[j]!.color} />;
              })}
            </g>
          );
        })}
        <text x="0" y={height + 15} fontSize="11" fill="#57606a">{days[0]}</text>
        <text x={width} y={height + 15} fontSize="11" fill="#57606a" textAnchor="end">{days[days.length - 1]}</text>
        <text x="2" y="10" fontSize="11" fill="#57606a">{max}</text>
      </svg>
      <figcaption>
        <ul className="chart-legend">
          {STATUS_GROUPS.map((g) => (
            <li key={g.key}>
              <span className="swatch" style={{ background: g.color }} aria-hidden="true" /> {g.label}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}

export function BudgetBar({ spend, budget, unit = 'USD' }: { spend: number; budget: number | null; unit?: string }) {
  if (budget === null) {
    return (
      <p data-testid="budget-bar">
        You have spent <strong>${spend.toFixed(2)}</strong> this month. No monthly budget is set.
      </p>
    );
  }
  const pct = budget > 0 ? Math.min(100, (spend / budget) * 100) : 100;
  const level = pct >= 100 ? 'over' : pct >= 80 ? 'high' : 'ok';
  return (
    <div className={`budget budget-${level}`} data-testid="budget-bar">
      <p>
        You have spent <strong>${spend.toFixed(2)}</strong> of your <strong>${budget.toFixed(2)}</strong> monthly budget ({Math.round(pct)}%).
        {pct >= 100 && ' New messages are refused until next month.'}
      </p>
      <div className="budget-track" role="meter" aria-label="Spend against your monthly budget" aria-valuemin={0} aria-valuemax={budget} aria-valuenow={Math.min(spend, budget)} aria-valuetext={`$${spend.toFixed(2)} of $${budget.toFixed(2)} ${unit}`}>
        <div className="budget-fill" style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}
