// The API client: bearer token on every call, ApiError with the server's code and field errors on any non-2xx,
// a 401 reported once to the app (which signs the person out), and responses parsed with their schema.
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ApiError, ContractError, createApiClient, withQuery } from './client.ts';

function fakeFetch(status: number, body: unknown) {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    calls.push({ url: String(input), init });
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  };
  return { fetch, calls };
}

describe('api client', () => {
  it('sends the bearer token and parses the answer with the given schema', async () => {
    const { fetch, calls } = fakeFetch(200, { id: 'a', extra: 1 });
    const api = createApiClient({ getToken: async () => 'tok', fetch });
    const out = await api.get('/api/thing', z.object({ id: z.string() }), { query: { q: 'x y', empty: '', none: undefined } });
    expect(out).toEqual({ id: 'a' });
    expect(calls[0]!.url).toBe('/api/thing?q=x+y');
    expect((calls[0]!.init!.headers as Record<string, string>).Authorization).toBe('Bearer tok');
  });

  it('throws ApiError with the code, detail and field errors of a 422', async () => {
    const { fetch } = fakeFetch(422, { code: 'validation_failed', detail: 'The request body is invalid', errors: [{ path: 'ein', message: 'bad' }] });
    const api = createApiClient({ getToken: () => null, fetch });
    const err = await api.post('/api/isv/customers', {}, z.unknown()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 422, code: 'validation_failed', detail: 'The request body is invalid' });
    expect((err as ApiError).fieldErrors()).toEqual({ ein: 'bad' });
  });

  it('reports a 401 to the app and still throws', async () => {
    const { fetch } = fakeFetch(401, { code: 'unauthorized', detail: 'Authentication required' });
    const onUnauthorized = vi.fn();
    const api = createApiClient({ getToken: () => 'expired', fetch, onUnauthorized });
    await expect(api.get('/api/auth/me', z.unknown())).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    expect(onUnauthorized).toHaveBeenCalledWith('/api/auth/me');
  });

  it('turns a non-JSON error page into an ApiError named after the status', async () => {
    const fetch: typeof globalThis.fetch = async () => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' });
    const api = createApiClient({ getToken: () => null, fetch });
    await expect(api.get('/api/x', z.unknown())).rejects.toMatchObject({ status: 502, code: 'http_502', detail: 'Bad Gateway' });
  });

  it('refuses a 2xx answer that does not match the wire contract', async () => {
    const { fetch } = fakeFetch(200, { id: 42 });
    const api = createApiClient({ getToken: () => null, fetch });
    await expect(api.get('/api/thing', z.object({ id: z.string() }))).rejects.toBeInstanceOf(ContractError);
  });

  it('reports an unreachable server as a network error', async () => {
    const fetch: typeof globalThis.fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    const api = createApiClient({ getToken: () => null, fetch });
    await expect(api.get('/api/x', z.unknown())).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });

  it('appends query parameters to a path that already has some', () => {
    expect(withQuery('/a?b=1', { c: 2, d: null })).toBe('/a?b=1&c=2');
    expect(withQuery('/a', {})).toBe('/a');
  });
});
