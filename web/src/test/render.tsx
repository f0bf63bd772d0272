// Test harness for component tests: the real API client over a fake fetch that answers by method and path,
// a fresh QueryClient without retries, and the app context. Records every request for assertions.
import type { ReactNode } from 'react';
import { render } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createApiClient } from '../api/client.ts';
import { SessionStore } from '../auth/session.ts';
import { AppContext } from '../app/context.tsx';

export type Handler = (req: { method: string; path: string; body: unknown }) => { status?: number; body: unknown } | undefined;

export interface Recorded {
  method: string;
  path: string;
  body: unknown;
}

export function renderWithApi(ui: ReactNode, handler: Handler = () => undefined) {
  const requests: Recorded[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(String(input), 'http://portal.test');
    const method = init?.method ?? 'GET';
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    const req = { method, path: url.pathname + url.search, body };
    requests.push(req);
    const answer = handler(req) ?? { status: 404, body: { code: 'route_not_found', detail: `No route for ${method} ${url.pathname}` } };
    const status = answer.status ?? 200;
    // A 204 has no body (the Response constructor refuses one).
    return new Response(status === 204 ? null : JSON.stringify(answer.body), { status, headers: { 'Content-Type': 'application/json' } });
  };
  const api = createApiClient({ getToken: () => 'test-token', fetch });
  const session = new SessionStore(window.localStorage);
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const utils = render(
    <QueryClientProvider client={queryClient}>
      <AppContext api={api} session={session}>
        {ui}
      </AppContext>
    </QueryClientProvider>,
  );
  return { ...utils, requests, queryClient };
}
