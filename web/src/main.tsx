// Entry point: makes the session store, the API client (a 401 signs out and sends the person to sign-in) and
// the query client once, then renders the app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ApiError, createApiClient } from './api/client.ts';
import { SessionStore } from './auth/session.ts';
import { forgetPersonalData } from './api/queries.ts';
import { AppContext } from './app/context.tsx';
import { App } from './app/App.tsx';
import { navigate } from './router.tsx';
import './styles.css';

const session = new SessionStore(window.localStorage);

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Client errors (4xx) are answers, not hiccups: show them at once instead of retrying.
      retry: (failures, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failures < 2,
      refetchOnWindowFocus: true,
    },
  },
});

const api = createApiClient({
  getToken: session.getToken,
  onUnauthorized: (path) => {
    // A wrong password is a 401 too; that is the sign-in form's business, not a session that ended.
    // Signing out with a token the server already dropped is a 401 too, and it is being forgotten anyway.
    if (['/api/auth/login', '/api/auth/signup', '/api/auth/logout', '/api/auth/password-reset'].some((p) => path.startsWith(p))) return;
    const here = window.location.pathname + window.location.search;
    if (!here.startsWith('/signin')) navigate(`/signin?next=${encodeURIComponent(here)}`, { replace: true });
    session.forget();
    // After the pages that used the data have gone (navigation and sign-out re-render first).
    setTimeout(() => forgetPersonalData(queryClient), 0);
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <AppContext api={api} session={session}>
        <App />
      </AppContext>
    </QueryClientProvider>
  </StrictMode>,
);
