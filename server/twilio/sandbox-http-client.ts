// The twilio SDK's `httpClient` hook (FACTS §12) pointed at the local sandbox: `https://<host>/<path>` becomes
// `${sandboxUrl}/<host>/<path>`. Serialisation follows the SDK's own RequestClient: form bodies with repeated
// keys for arrays (qs arrayFormat "repeat"), JSON bodies as JSON, query params the same way, Basic auth.
import type RequestClient from 'twilio/lib/base/RequestClient';

type RequestOptions = RequestClient.RequestOptions<Record<string, unknown>, Record<string, unknown>>;

export interface HttpResponse {
  statusCode: number;
  body: unknown;
  headers: Record<string, string>;
}

export interface TwilioHttpClient {
  request(opts: RequestOptions): Promise<HttpResponse>;
}

/** A network-level failure (connection refused, reset, timeout): no HTTP answer was received. */
export class SandboxNetworkError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'SandboxNetworkError';
  }
}

/** Appends each value the way qs.stringify(…, {arrayFormat: 'repeat'}) would; undefined/null are skipped. */
export function appendParams(target: URLSearchParams, data: Record<string, unknown> | undefined): URLSearchParams {
  for (const [key, value] of Object.entries(data ?? {})) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (v === undefined || v === null) continue;
      target.append(key, v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v));
    }
  }
  return target;
}

/** Maps an absolute Twilio URL onto the sandbox: https://api.twilio.com/2010-04-01/… → <sandbox>/api.twilio.com/2010-04-01/… */
export function sandboxUrlFor(sandboxUrl: string, twilioUri: string): URL {
  const original = new URL(twilioUri);
  const target = new URL(`${sandboxUrl.replace(/\/+$/, '')}/${original.host}${original.pathname}`);
  target.search = original.search;
  return target;
}

export function createSandboxHttpClient(opts: { sandboxUrl: string; timeoutMs?: number }): TwilioHttpClient {
  const defaultTimeout = opts.timeoutMs ?? 30_000;
  return {
    async request(req) {
      const url = sandboxUrlFor(opts.sandboxUrl, req.uri);
      appendParams(url.searchParams, req.params);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers ?? {})) if (typeof v === 'string') headers[k] = v;
      if (req.username && req.password) {
        headers.Authorization = `Basic ${Buffer.from(`${req.username}:${req.password}`).toString('base64')}`;
      }
      const contentType = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
      let body: string | undefined;
      if (req.data && req.method !== 'get') {
        body = contentType.startsWith('application/json')
          ? JSON.stringify(req.data)
          : appendParams(new URLSearchParams(), req.data).toString();
      }
      let res: Response;
      try {
        res = await fetch(url, {
          method: req.method.toUpperCase(),
          headers,
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(req.timeout ?? defaultTimeout),
        });
      } catch (err) {
        throw toNetworkError(err, url);
      }
      let text: string;
      try {
        text = await res.text();
      } catch (err) {
        throw toNetworkError(err, url);
      }
      const responseHeaders: Record<string, string> = {};
      res.headers.forEach((value, key) => {
        responseHeaders[key] = value;
      });
      // The SDK JSON.parses string bodies itself; keep the raw text so a 204's empty body stays empty.
      return { statusCode: res.status, body: text, headers: responseHeaders };
    },
  };
}

function toNetworkError(err: unknown, url: URL): SandboxNetworkError {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return new SandboxNetworkError(`request to ${url.origin} timed out`, 'ETIMEDOUT');
  }
  const code = e?.cause?.code ?? 'ECONNERROR';
  return new SandboxNetworkError(`request to ${url.origin} failed: ${e?.cause?.message ?? e?.message ?? 'network error'}`, code);
}
