// Loading, error and empty states used by every page, so each one looks and reads the same.
import type { ReactNode } from 'react';
import { ApiError, ContractError } from '../api/client.ts';
import { fieldLabel } from './field-labels.ts';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label}
    </p>
  );
}

/** 403 answers whose message tells the person what to do next (confirm their email, ask for a higher limit). */
const ACTIONABLE_403 = new Set(['email_unverified', 'customer_limit_reached']);

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    // A refusal the person can act on says what to do; any other 403 is simply "not yours".
    if (error.status === 403 && !ACTIONABLE_403.has(error.code)) return 'You do not have access to this.';
    if (error.status === 404) return 'This was not found, or you do not have access to it.';
    return error.detail;
  }
  if (error instanceof ContractError) return `${error.message}. Please report this.`;
  return 'Something went wrong. Please try again.';
}

/** `message` replaces the server's detail where the page can say it better (in the second person, with what to do). */
export function ErrorNotice({ error, retry, title = 'Could not load this', labels, message }: { error: unknown; retry?: () => void; title?: string; labels?: Record<string, string>; message?: ReactNode }) {
  const fields = error instanceof ApiError ? error.errors : [];
  return (
    <div className="state state-error" role="alert">
      <strong>{title}.</strong> {message ?? errorMessage(error)}
      {fields.length > 0 && (
        <ul>
          {fields.map((f) => (
            <li key={f.path}>
              {fieldLabel(f.path, labels)}: {f.message}
            </li>
          ))}
        </ul>
      )}
      {retry && (
        <button type="button" className="button-secondary" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state state-empty">{children}</div>;
}

interface QueryLike<T> {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  data: T | undefined;
  refetch: () => unknown;
}

/** A query's loading, error and empty states in the usual order; `children` renders the loaded data. */
export function QueryStates<T>({ query, loading, isEmpty, empty, children }: { query: QueryLike<T>; loading: string; isEmpty: (data: T) => boolean; empty: ReactNode; children: (data: T) => ReactNode }) {
  if (query.isPending) return <Loading label={loading} />;
  if (query.isError || query.data === undefined) return <ErrorNotice error={query.error} retry={() => void query.refetch()} />;
  if (isEmpty(query.data)) return <Empty>{empty}</Empty>;
  return <>{children(query.data)}</>;
}
