// The one API client of the portal: adds the bearer token, throws ApiError on any non-2xx answer (401 also
// signs the person out) and parses every response body with its shared/ zod schema.
import type { z } from 'zod';
import { errorBodySchema, type ErrorBody } from '../../../shared/common.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors: NonNullable<ErrorBody['errors']> = [],
  ) {
    super(detail);
    this.name = 'ApiError';
  }

  /** Field errors keyed by their dotted path, for forms (the server words them plainly: shared/zod-messages.ts). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.errors) out[e.path] ??= e.message;
    return out;
  }
}

/** The server answered 2xx but the body does not match the wire contract: a bug to report, not a user error. */
export class ContractError extends Error {
  constructor(
    readonly path: string,
    readonly issues: z.core.$ZodIssue[],
  ) {
    super(`The server's answer to ${path} did not match the expected shape`);
    this.name = 'ContractError';
  }
}

export interface ApiClientOptions {
  /** The current bearer token (embedded JWT or Supabase access token), or null when signed out. */
  getToken: () => Promise<string | null> | string | null;
  /** Called once for every 401 answer; the app signs the person out and sends them to sign-in. */
  onUnauthorized?: (path: string) => void;
  fetch?: typeof fetch;
  baseUrl?: string;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined | null>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface ApiClient {
  get<S extends z.ZodType>(path: string, schema: S, opts?: RequestOptions): Promise<z.output<S>>;
  post<S extends z.ZodType>(path: string, body: unknown, schema: S, opts?: RequestOptions): Promise<z.output<S>>;
  put<S extends z.ZodType>(path: string, body: unknown, schema: S, opts?: RequestOptions): Promise<z.output<S>>;
  patch<S extends z.ZodType>(path: string, body: unknown, schema: S, opts?: RequestOptions): Promise<z.output<S>>;
  delete<S extends z.ZodType>(path: string, schema: S, opts?: RequestOptions): Promise<z.output<S>>;
}

export function withQuery(path: string, query: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path;
}

async function errorFrom(res: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const parsed = errorBodySchema.safeParse(body);
  if (parsed.success) return new ApiError(res.status, parsed.data.code, parsed.data.detail, parsed.data.errors);
  return new ApiError(res.status, `http_${res.status}`, res.statusText || `The server answered ${res.status}`);
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const base = options.baseUrl ?? '';

  async function request<S extends z.ZodType>(
    method: string,
    path: string,
    body: unknown,
    schema: S,
    opts: RequestOptions = {},
  ): Promise<z.output<S>> {
    const token = await options.getToken();
    const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const url = base + withQuery(path, opts.query);
    let res: Response;
    try {
      res = await doFetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: opts.signal,
      });
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') throw err;
      throw new ApiError(0, 'network_error', 'The server could not be reached. Check your connection and try again.');
    }
    if (!res.ok) {
      const err = await errorFrom(res);
      if (res.status === 401) options.onUnauthorized?.(path);
      throw err;
    }
    const json: unknown = res.status === 204 ? null : await res.json();
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new ContractError(`${method} ${path}`, parsed.error.issues);
    return parsed.data;
  }

  return {
    get: (path, schema, opts) => request('GET', path, undefined, schema, opts),
    post: (path, body, schema, opts) => request('POST', path, body ?? {}, schema, opts),
    put: (path, body, schema, opts) => request('PUT', path, body, schema, opts),
    patch: (path, body, schema, opts) => request('PATCH', path, body, schema, opts),
    delete: (path, schema, opts) => request('DELETE', path, undefined, schema, opts),
  };
}
