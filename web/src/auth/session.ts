// Who is signed in: a bearer token from the embedded accounts (POST /api/auth/login|signup) or from Supabase
// Auth when the server says it runs in Supabase mode (then @supabase/supabase-js is loaded on demand only).
import { authTokenResponseSchema, credentialsSchema, loginSchema } from '../../../shared/auth.ts';
import type { PortalConfig } from '../../../shared/portal.ts';
import { z } from 'zod';
import { ApiError, type ApiClient } from '../api/client.ts';

export interface AuthBackend {
  mode: PortalConfig['authMode'];
  getToken(): Promise<string | null>;
  signIn(email: string, password: string): Promise<void>;
  /** needsConfirmation: Supabase projects that confirm emails give no session until the link is followed. */
  signUp(email: string, password: string): Promise<{ needsConfirmation: boolean }>;
  /**
   * `local` forgets the token on this device only (after a 401: the server already refused it); `session` also
   * revokes it on the server, ignoring failures; `everywhere` revokes every session of the person and throws when
   * the server did not confirm it (the person must know their other devices may still be signed in).
   */
  signOut(scope?: SignOutScope): Promise<void>;
  /** Embedded mode: keep a token the server handed out elsewhere (the password-reset answer signs the person in). */
  adoptToken?(token: string): void;
}

export type SignOutScope = 'local' | 'session' | 'everywhere';

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

  /** Signs out of this session (the server revokes its token; a failure there still signs out here). */
  async signOut(): Promise<void> {
    try {
      await this.backend?.signOut('session');
    } catch {
      // Signing out locally must never fail.
    } finally {
      this.storage.removeItem(TOKEN_KEY);
      this.changed();
    }
  }

  /** Revokes every session of the person; throws (and stays signed in) when the server did not confirm it. */
  async signOutEverywhere(): Promise<void> {
    await this.required().signOut('everywhere');
    this.storage.removeItem(TOKEN_KEY);
    this.changed();
  }

  /** Embedded mode: sign in with a token from another answer (a password reset). */
  adoptToken(token: string): void {
    const backend = this.required();
    if (!backend.adoptToken) throw new ApiError(0, 'not_supported', 'Sign in with your new password.');
    backend.adoptToken(token);
    this.changed();
  }

  /** For a 401: forget the token without a network round trip. */
  forget(): void {
    this.storage.removeItem(TOKEN_KEY);
    void this.backend?.signOut('local').catch(() => undefined);
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
    async signOut(scope = 'session') {
      if (scope === 'everywhere') {
        // A 401 means this token is no longer accepted anyway; any other failure leaves the person signed in.
        await api.post('/api/auth/logout-all', {}, z.null()).catch((e: unknown) => {
          if (!(e instanceof ApiError && e.status === 401)) throw e;
        });
      } else if (scope === 'session' && storage.getItem(TOKEN_KEY)) {
        await api.post('/api/auth/logout', {}, z.null()).catch(() => undefined);
      }
      storage.removeItem(TOKEN_KEY);
    },
    adoptToken(token) {
      storage.setItem(TOKEN_KEY, token);
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
    async signOut(scope = 'session') {
      const { error } = await client.auth.signOut({ scope: scope === 'everywhere' ? 'global' : 'local' });
      if (error && scope === 'everywhere') throw fail(error.message, 0);
    },
  };
}
