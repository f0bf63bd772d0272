// Verifies X-Twilio-Signature before anything else looks at a webhook (FACTS §9.1). The only way to obtain a
// VerifiedTwilioWebhook is through verifyTwilioSignature, so handlers cannot act on an unverified request.
import twilio from 'twilio';

/** Where a request's token comes from: the gateway's cache of decrypted subaccount tokens (and the master's). */
export interface WebhookTokenSource {
  authTokenFor(accountSid: string): Promise<string | undefined>;
}

export type RejectionReason = 'missing_signature' | 'unknown_account' | 'bad_signature';

declare const verified: unique symbol;

/** A webhook whose signature matched the token of the account it names. */
export interface VerifiedTwilioWebhook {
  readonly [verified]: true;
  readonly accountSid: string;
  /** Every parameter Twilio sent (form fields, or the JSON body's top-level fields), as strings. */
  readonly params: Readonly<Record<string, string>>;
  /** Twilio's retry dedupe header (FACTS §9.4), when present. */
  readonly idempotencyToken: string | undefined;
}

export type VerificationResult =
  | { ok: true; webhook: VerifiedTwilioWebhook }
  | { ok: false; reason: RejectionReason; accountSid?: string };

export interface IncomingWebhook {
  /** PUBLIC_BASE_URL without a trailing slash. */
  publicBaseUrl: string;
  /** The request's original path and query exactly as received (express req.originalUrl). */
  originalUrl: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed body: form fields (string or repeated string[]) or the JSON object. */
  body: unknown;
  rawBody: Buffer | undefined;
  contentType: string | undefined;
  /**
   * The account a body names somewhere other than a top-level AccountSid (an Event Streams delivery, a JSON array
   * whose events carry `data.accountsid`); its token must have signed the request, like AccountSid's.
   */
  accountSid?: string;
}

/**
 * The URL Twilio signed: the public base URL plus the original path and query, never the Host or
 * X-Forwarded-* headers (a proxy or an attacker controls those). Connection-override fragments (`#rc=…`) are
 * not part of the signed URL; browsers and Twilio never send them, but a proxy that forwards one must not
 * break verification.
 */
export function signedUrlOf(publicBaseUrl: string, originalUrl: string): string {
  const hash = originalUrl.indexOf('#');
  return publicBaseUrl + (hash === -1 ? originalUrl : originalUrl.slice(0, hash));
}

function header(headers: IncomingWebhook['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function flatten(params: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v)) out[k] = v.map(String).join(',');
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else if (v !== null && v !== undefined) out[k] = JSON.stringify(v);
  }
  return out;
}

export async function verifyTwilioSignature(req: IncomingWebhook, tokens: WebhookTokenSource): Promise<VerificationResult> {
  const signature = header(req.headers, 'x-twilio-signature');
  if (!signature) return { ok: false, reason: 'missing_signature' };

  const isJson = (req.contentType ?? '').toLowerCase().startsWith('application/json');
  const body = req.body !== null && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
  const accountSid = req.accountSid ?? (typeof body.AccountSid === 'string' ? body.AccountSid : undefined);
  if (!accountSid || !/^AC[0-9a-f]{32}$/.test(accountSid)) return { ok: false, reason: 'unknown_account' };

  const token = await tokens.authTokenFor(accountSid);
  if (!token) return { ok: false, reason: 'unknown_account', accountSid };

  const url = signedUrlOf(req.publicBaseUrl, req.originalUrl);
  // The SDK compares in constant time (scmp). JSON bodies are signed over the URL, whose bodySHA256 query
  // parameter must match the hash of the raw bytes; form bodies append their sorted parameters instead.
  const valid = isJson
    ? req.rawBody !== undefined && url.includes('bodySHA256=') && twilio.validateRequestWithBody(token, signature, url, req.rawBody.toString('utf8'))
    : twilio.validateRequest(token, signature, url, body);
  if (!valid) return { ok: false, reason: 'bad_signature', accountSid };

  return {
    ok: true,
    webhook: {
      accountSid,
      params: flatten(body),
      idempotencyToken: header(req.headers, 'i-twilio-idempotency-token'),
    } as VerifiedTwilioWebhook,
  };
}
