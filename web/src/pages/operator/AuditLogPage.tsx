// Operator: the append-only audit log with filters (in the address bar) and keyset pages.
import { useState, type FormEvent } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { auditLogQuerySchema } from '../../../../shared/operator.ts';
import { useApi } from '../../app/context.tsx';
import { auditLogQuery, type AuditFilters } from '../../api/queries.ts';
import { flatten } from '../../components/data-view.tsx';
import { TextField, validateWith, type FieldErrors } from '../../components/form.tsx';
import { formatDateTime } from '../../components/format.ts';
import { QueryStates } from '../../components/states.tsx';
import { DataTable, LoadMoreButton } from '../../components/table.tsx';
import { setSearch, useLocation } from '../../router.tsx';

const KEYS = ['actor', 'action', 'targetType', 'targetId', 'customerId'] as const;
const LABELS: Record<(typeof KEYS)[number], string> = {
  actor: 'Actor email',
  action: 'Action',
  targetType: 'Target type',
  targetId: 'Target id',
  customerId: 'Customer id',
};

function filtersFrom(search: URLSearchParams): AuditFilters {
  const raw = Object.fromEntries(KEYS.map((k) => [k, search.get(k) ?? undefined]).filter(([, v]) => v));
  const parsed = auditLogQuerySchema.safeParse(raw);
  if (!parsed.success) return {};
  const { cursor: _c, limit: _l, ...f } = parsed.data;
  return f;
}

export default function AuditLogPage() {
  const api = useApi();
  const { search } = useLocation();
  const filters = filtersFrom(search);
  const [draft, setDraft] = useState<Record<string, string>>(() => Object.fromEntries(KEYS.map((k) => [k, filters[k] ?? ''])));
  const [errors, setErrors] = useState<FieldErrors>({});
  const query = useInfiniteQuery(auditLogQuery(api, filters));
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];

  const apply = (e: FormEvent) => {
    e.preventDefault();
    const compact = Object.fromEntries(Object.entries(draft).filter(([, v]) => v.trim()));
    const checked = validateWith(auditLogQuerySchema, compact);
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    setSearch(compact);
  };

  return (
    <>
      <h1>Audit log</h1>
      <p className="lede">Every admin and operator action and every change to customer data, newest first. Entries are never edited or deleted.</p>
      <form className="card filters" onSubmit={apply} aria-label="Filter the audit log">
        <div className="grid">
          {KEYS.map((k) => (
            <TextField key={k} plain label={LABELS[k]} value={draft[k] ?? ''} onChange={(v) => setDraft((d) => ({ ...d, [k]: v }))} error={errors[k]} />
          ))}
        </div>
        <div className="actions">
          <button type="submit">Apply filters</button>
          <button
            type="button"
            className="button-secondary"
            onClick={() => {
              setDraft({});
              setSearch({});
            }}
          >
            Clear
          </button>
        </div>
      </form>
      <QueryStates query={query} loading="Loading the audit log…" isEmpty={() => items.length === 0} empty={<>No entries{Object.keys(filters).length ? ' match these filters' : ' yet'}.</>}>
        {() => (
          <>
            <DataTable caption="Audit log" columns={['When', 'Actor', 'Action', 'Target', 'Change']}>
              {items.map((e) => (
                <tr key={e.id}>
                  <td>{formatDateTime(e.at)}</td>
                  <td>{e.actorEmail ?? <span className="muted">system</span>}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>
                    {e.targetType} <code className="wrap">{e.targetId}</code>
                  </td>
                  <td>
                    <ChangeSummary before={e.before} after={e.after} />
                  </td>
                </tr>
              ))}
            </DataTable>
            <LoadMoreButton query={query} label="Show older entries" />
          </>
        )}
      </QueryStates>
    </>
  );
}

/** Before → after per field that differs; long records fold into a details element. */
export function ChangeSummary({ before, after }: { before: unknown; after: unknown }) {
  const b = new Map(flatten(before));
  const a = new Map(flatten(after));
  const keys = [...new Set([...b.keys(), ...a.keys()])].filter((k) => b.get(k) !== a.get(k));
  if (keys.length === 0) return <span className="muted">—</span>;
  const rows = keys.map((k) => (
    <li key={k}>
      <code>{k || 'value'}</code>: {b.has(k) && <del>{b.get(k)}</del>}
      {b.has(k) && a.has(k) && ' → '}
      {a.has(k) && <ins>{a.get(k)}</ins>}
    </li>
  ));
  if (rows.length <= 3) return <ul className="change-list">{rows}</ul>;
  return (
    <details>
      <summary>{rows.length} fields</summary>
      <ul className="change-list">{rows}</ul>
    </details>
  );
}
