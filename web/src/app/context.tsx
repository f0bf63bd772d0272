// React context for the two app-wide objects made once in main.tsx: the API client and the session store.
import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { ApiClient } from '../api/client.ts';
import type { SessionStore } from '../auth/session.ts';

const ApiContext = createContext<ApiClient | null>(null);
const SessionContext = createContext<SessionStore | null>(null);

export function AppContext({ api, session, children }: { api: ApiClient; session: SessionStore; children: ReactNode }) {
  return (
    <ApiContext.Provider value={api}>
      <SessionContext.Provider value={session}>{children}</SessionContext.Provider>
    </ApiContext.Provider>
  );
}

export function useApi(): ApiClient {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside AppContext');
  return api;
}

/** The session store; re-renders the caller whenever the person signs in or out. */
export function useSession(): SessionStore {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside AppContext');
  useSyncExternalStore(session.subscribe, session.getVersion, session.getVersion);
  return session;
}
