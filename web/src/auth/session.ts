// Who is signed in: a bearer token from the embedded accounts (POST /api/auth/login|signup) or from Supabase
// Auth when the server says it runs in Supabase mode (then @supabase/supabase-js is loaded on demand only).
import { authTokenResponseSchema, credentialsSchema, loginSchema } from '../../../shared/auth.ts';
import type { PortalConfig } from '../../../shared/portal.ts';
import { ApiError, type ApiClient } from '../api/client.ts';

export interface AuthBackend {
  mode: PortalConfig['authMode'];
  getToken(): Promise<string | null>;
  signIn(email: string, password: string): Promise<void>;
  /** needsConfirmation: Supabase projects that confirm emails give no session until the link is followed. */
  signUp(email: string, password: string): Promise<{ needsConfirmation: boolean }>;
  signOut(): Promise<void>;
}

const TOKEN_KEY = 'isv.portal.token';

/** Holds the active backend and tells subscribers when the person signs in or out. */
export class SessionStore {
  private backend: AuthBackend | null = null;
  private listeners = new Set<() => void>();
  private version = 0;

  constructor(private readonly storage: Storage) {}

  use(backend: AuthBackend): void {
    this.backend = backend;
    this.changed();
  }

  get mode(): PortalConfig['authMode'] | null {
    return this.backend?.mode ?? null;
  }

  /** Cheap synchronous hint for routing; the token itself is read with getToken(). */
  hasSession(): boolean {
    if (this.backend?.mode === 'supabase') return Object.keys(this.storage).some((k) => k.startsWith('sb-') && k.endsWith('-auth-token'));
    return Boolean(this.storage.getItem(TOKEN_KEY));
  }

  getToken = async (): Promise<string | null> => (this.backend ? this.backend.getToken() : this.storage.getItem(TOKEN_KEY));

  async signIn(email: string, password: string): Promise<void> {
    await this.required().signIn(email, password);
    this.changed();
  }

  async signUp(email: string, password: string): Promise<{ needsConfirmation: boolean }> {
    const result = await this.required().signUp(email, password);
    this.changed();
    return result;
  }

  async signOut(): Promise<void> {
    this.storage.removeItem(TOKEN_KEY);
    await this.backend?.signOut();
    this.changed();
  }

  /** For a 401: forget the token without a network round trip. */
  forget(): void {
    this.storage.removeItem(TOKEN_KEY);
    void this.backend?.signOut().catch(() => undefined);
    this.changed();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getVersion = (): number => this.version;

  private changed(): void {
    this.version++;
    for (const l of this.listeners) l();
  }

  private required(): AuthBackend {
    if (!this.backend) throw new ApiError(0, 'not_ready', 'The portal is still starting; try again in a moment.');
    return this.backend;
  }
}

export function embeddedBackend(api: ApiClient, storage: Storage): AuthBackend {
  return {
    mode: 'embedded',
    getToken: async () => storage.getItem(TOKEN_KEY),
    async signIn(email, password) {
      const res = await api.post('/api/auth/login', loginSchema.parse({ email, password }), authTokenResponseSchema);
      storage.setItem(TOKEN_KEY, res.token);
    },
    async signUp(email, password) {
      const res = await api.post('/api/auth/signup', credentialsSchema.parse({ email, password }), authTokenResponseSchema);
      storage.setItem(TOKEN_KEY, res.token);
      return { needsConfirmation: false };
    },
    async signOut() {
      storage.removeItem(TOKEN_KEY);
    },
  };
}

export async function supabaseBackend(settings: { url: string; anonKey: string }): Promise<AuthBackend> {
  // Loaded only in Supabase mode so the embedded default never ships supabase-js in its initial bundle.
  const { createClient } = await import('@supabase/supabase-js');
  const client = createClient(settings.url, settings.anonKey, { auth: { persistSession: true, autoRefreshToken: true } });
  const fail = (message: string, status = 401) => new ApiError(status, 'auth_failed', message);
  return {
    mode: 'supabase',
    async getToken() {
      const { data } = await client.auth.getSession();
      return data.session?.access_token ?? null;
    },
    async signIn(email, password) {
      const { error } = await client.auth.signInWithPassword({ email, password });
      if (error) throw fail(error.message);
    },
    async signUp(email, password) {
      const { data, error } = await client.auth.signUp({ email, password });
      if (error) throw fail(error.message, 422);
      return { needsConfirmation: !data.session };
    },
    async signOut() {
      await client.auth.signOut();
    },
  };
}
