// Admin: every customer, searchable, in keyset pages, with its onboarding status read from the progress model.
import { useState, type FormEvent } from 'react';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useApi } from '../../app/context.tsx';
import { customersQuery, onboardingQuery } from '../../api/queries.ts';
import { TextField } from '../../components/form.tsx';
import { BUSINESS_TYPE_LABEL, FLOW_SHORT_LABEL, formatDateTime, humanize } from '../../components/format.ts';
import { QueryStates } from '../../components/states.tsx';
import { StatusBadge } from '../../components/status.tsx';
import { DataTable, LoadMoreButton } from '../../components/table.tsx';
import { Link, setSearch, useLocation } from '../../router.tsx';

function OnboardingCell({ customerId }: { customerId: string }) {
  const api = useApi();
  // One request per visible row; the progress model is small and cached for a minute.
  const q = useQuery({ ...onboardingQuery(api, customerId), refetchInterval: false, staleTime: 60_000 });
  if (q.isPending) return <span className="muted">…</span>;
  if (q.isError) return <span className="muted">unavailable</span>;
  return (
    <>
      <StatusBadge status={q.data.overall} />
      <span className="visually-hidden">:</span>
      <ul className="inline-list">
        {q.data.flows.map((f) => (
          <li key={f.id}>
            {FLOW_SHORT_LABEL[f.kind] ?? humanize(f.kind)} <span className="muted">{humanize(f.status).toLowerCase()}</span>
          </li>
        ))}
      </ul>
    </>
  );
}

export default function CustomersPage() {
  const api = useApi();
  const { search } = useLocation();
  const q = search.get('q') ?? '';
  const [draft, setDraft] = useState(q);
  const query = useInfiniteQuery(customersQuery(api, q));
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSearch({ q: draft.trim() });
  };
  return (
    <>
      <h1>Customers</h1>
      <form className="card filters search-form" onSubmit={submit} role="search">
        <TextField plain label="Search by name, EIN or email" type="search" value={draft} onChange={setDraft} />
        <button type="submit">Search</button>
      </form>
      <QueryStates query={query} loading="Loading customers…" isEmpty={() => items.length === 0} empty={q ? 'No customer matches this search.' : 'No customers yet.'}>
        {() => (
          <>
            <DataTable caption="Customers" columns={['Customer', 'Account', 'Onboarding', 'Contact', 'Since']}>
              {items.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/customers/${c.id}/progress`}>{c.displayName ?? c.legalName}</Link>
                    <div className="muted">
                      {c.legalName} · {BUSINESS_TYPE_LABEL[c.businessType] ?? humanize(c.businessType)}
                    </div>
                  </td>
                  <td>
                    <StatusBadge status={c.status} />
                  </td>
                  <td>
                    <OnboardingCell customerId={c.id} />
                  </td>
                  <td>
                    {c.contact.firstName} {c.contact.lastName}
                    <div className="muted">{c.contact.email}</div>
                  </td>
                  <td>{formatDateTime(c.createdAt)}</td>
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
