// The list pages' table frame (scrolling wrapper, hidden caption, column headers) and their keyset "Show more" button.
import type { ReactNode } from 'react';

export function DataTable({ caption, columns, children }: { caption: string; columns: readonly string[]; children: ReactNode }) {
  return (
    // A table wider than a phone scrolls inside its frame; a focusable, named region lets keyboard users scroll it too.
    <div className="table-wrap" role="region" aria-label={caption} tabIndex={0}>
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** Fetches the next keyset page of an infinite query; absent once there is none. */
export function LoadMoreButton({ query, label = 'Show more' }: { query: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown }; label?: string }) {
  if (!query.hasNextPage) return null;
  return (
    <button type="button" className="button-secondary" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
      {query.isFetchingNextPage ? 'Loading…' : label}
    </button>
  );
}
