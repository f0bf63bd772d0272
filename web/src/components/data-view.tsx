// Shows submitted data (nested objects and arrays) as a readable list of fields (by their form labels) and values.
import { fieldLabel } from './field-labels.ts';

export function flatten(value: unknown, prefix = ''): [string, string][] {
  if (value === null || value === undefined) return prefix ? [[prefix, '—']] : [];
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object' || v === null)) return [[prefix, value.map(String).join('\n')]];
    return value.flatMap((v, i) => flatten(v, `${prefix}.${i}`));
  }
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
  }
  if (typeof value === 'boolean') return [[prefix, value ? 'yes' : 'no']];
  return [[prefix, String(value)]];
}

export function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function DataList({ data, highlight = [], labels }: { data: unknown; highlight?: string[]; labels?: Record<string, string> }) {
  const rows = flatten(data);
  if (!rows.length) return <p className="muted">No data.</p>;
  return (
    <dl className="data-list">
      {rows.map(([k, v]) => {
        const changed = highlight.some((h) => k === h || k.startsWith(`${h}.`));
        return (
          <div key={k} className={changed ? 'changed' : undefined}>
            <dt>
              {fieldLabel(k, labels)}
              {changed && <span className="visually-hidden"> (changed)</span>}
            </dt>
            <dd>{v}</dd>
          </div>
        );
      })}
    </dl>
  );
}
