// The lean path for Twilio's signed webhooks: mounted at /api/isv/webhooks/twilio BEFORE the general
// middleware (no helmet, no request logging, no JSON parser, no router walk), because status callbacks are most
// of the platform's traffic. It reads the form body itself with the same limits and refusals as the general
// parsers (100 kB, 200 parameters, valid UTF-8, no NUL, query string checks), then hands the parsed fields to the
// same WebhooksService the general routes use: the signature is verified with the owning account's token
// before anything is stored, and the answer goes out only after the group commit holding the event is durable.
//
// Only the common shape takes this path: POST, `application/x-www-form-urlencoded` in UTF-8, no
// Content-Encoding, to /status, /inbound or /opt-out. Anything else (JSON bodies signed with bodySHA256,
// compressed or Latin-1 bodies, the TrustHub callback, unknown paths) is passed on untouched to the general
// stack, whose routes (webhooks.routes.ts, onboarding-webhooks.routes.ts) handle it as before.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError } from '../platform/errors.ts';
import { InvalidTextError, MAX_PARAMETERS, refuseUnstorableInput } from '../platform/http/body-checks.ts';
import type { Logger } from '../platform/logger.ts';
import type { WebhookKind } from './webhooks.dao.ts';
import type { WebhooksService } from './webhooks.service.ts';
import type { RawBodyRequest } from '../app.ts';
import { labelRoute } from '../metrics/http-metrics.ts';
import { EMPTY_TWIML, incomingWebhookOf } from './webhooks.routes.ts';

/** Where the lean path is mounted (under /api). */
export const WEBHOOK_INGEST_PATH = '/isv/webhooks/twilio';

/** The same body limit as the general parsers (app.ts). */
const LIMIT_BYTES = 100 * 1024;

const KINDS: Record<string, WebhookKind> = { '/status': 'status', '/inbound': 'inbound', '/opt-out': 'opt_out' };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Field names fit to echo back in an error: printable, short. */
function safeName(name: string): string {
  const printable = name.replace(/[^\x20-\x7e]/g, '?').slice(0, 64);
  return printable === '' ? '(body)' : printable;
}

function hasHighByte(buf: Buffer): boolean {
  for (let i = 0; i < buf.length; i++) if (buf[i]! >= 0x80) return true;
  return false;
}

function decodeComponent(s: string): string {
  // `+` is a space in forms; decodeURIComponent only where an escape is present (most Twilio fields have none).
  const spaced = s.includes('+') ? s.replace(/\+/g, ' ') : s;
  return spaced.includes('%') ? decodeURIComponent(spaced) : spaced;
}

/**
 * A form body as `express.urlencoded({ extended: false })` would parse it (a name given twice becomes a list,
 * which verification then refuses), with checkRawBody's refusals: invalid UTF-8 (raw or percent-encoded) and
 * NUL → 422 naming the field; more than MAX_PARAMETERS fields → 413.
 */
export function parseTwilioForm(buf: Buffer): Record<string, string | string[]> {
  if (hasHighByte(buf)) {
    try {
      utf8.decode(buf);
    } catch {
      throw new InvalidTextError('(body)', 'is not valid UTF-8');
    }
  }
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  const text = buf.toString('utf8');
  let count = 0;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    if (++count > MAX_PARAMETERS) throw Object.assign(new Error('too many parameters'), { type: 'parameters.too.many' });
    const eq = pair.indexOf('=');
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    let name: string;
    let value: string;
    try {
      name = decodeComponent(rawName);
      value = eq === -1 ? '' : decodeComponent(pair.slice(eq + 1));
    } catch {
      throw new InvalidTextError(safeName(rawName), 'is not valid percent-encoded UTF-8');
    }
    if (name.includes('\u0000') || value.includes('\u0000')) throw new InvalidTextError(safeName(name), 'must not contain NUL characters');
    const seen = out[name];
    if (seen === undefined) out[name] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else out[name] = [seen, value];
  }
  // A plain object again (verification and the event payload iterate it like the parser's output).
  return { ...out };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > LIMIT_BYTES) {
      req.resume();
      reject(Object.assign(new Error('request entity too large'), { type: 'entity.too.large' }));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > LIMIT_BYTES) {
        done = true;
        reject(Object.assign(new Error('request entity too large'), { type: 'entity.too.large' }));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.on('aborted', () => {
      if (done) return;
      done = true;
      reject(Object.assign(new Error('request aborted'), { type: 'request.aborted' }));
    });
    req.on('error', (err) => {
      if (done) return;
      done = true;
      reject(err);
    });
  });
}

/** True when this request is the common shape the lean path takes (see the top of the file). */
function isLeanShape(req: IncomingMessage): boolean {
  if (req.method !== 'POST') return false;
  const enc = req.headers['content-encoding'];
  if (enc !== undefined && enc.toLowerCase() !== 'identity') return false;
  const type = req.headers['content-type'];
  if (type === undefined) return false;
  const semi = type.indexOf(';');
  if ((semi === -1 ? type : type.slice(0, semi)).trim().toLowerCase() !== 'application/x-www-form-urlencoded') return false;
  if (semi === -1) return true;
  const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(type.slice(semi))?.[1]?.toLowerCase();
  return charset === undefined || charset === 'utf-8' || charset === 'utf8';
}

function checkQuery(req: Request, res: Response): Promise<void> {
  if (!req.originalUrl.includes('?')) return Promise.resolve();
  return new Promise((resolve, reject) => refuseUnstorableInput(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
}

export function webhookIngest(deps: { webhooks: WebhooksService; publicBaseUrl: string; logger: Logger }): RequestHandler {
  const log = deps.logger.child({ component: 'webhooks' });
  return (req: Request, res: Response, next: NextFunction) => {
    const q = req.url.indexOf('?');
    const path = q === -1 ? req.url : req.url.slice(0, q);
    const kind = KINDS[path];
    if (kind === undefined || !isLeanShape(req)) {
      next();
      return;
    }
    labelRoute(req, `${req.baseUrl}${path}`);
    void (async () => {
      const rawBody = await readBody(req);
      const body = parseTwilioForm(rawBody);
      req.body = body;
      await checkQuery(req, res);
      (req as RawBodyRequest).rawBody = rawBody;
      const webhook = await deps.webhooks.verify(incomingWebhookOf(req, deps.publicBaseUrl), kind);
      await deps.webhooks.receive(kind, webhook);
      answer(res, kind);
    })().catch((err: unknown) => {
      if (!(err instanceof AppError) && !(typeof err === 'object' && err !== null && 'type' in err)) {
        // The general stack's request logger is not on this path: an unexpected failure is logged here.
        log.error({ err, url: req.originalUrl.split('?')[0] }, 'webhook.failed');
      }
      next(err);
    });
  };
}

function answer(res: ServerResponse, kind: WebhookKind): void {
  if (kind === 'status') {
    res.writeHead(200, { 'Content-Length': '0' });
    res.end();
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': String(Buffer.byteLength(EMPTY_TWIML)) });
  res.end(EMPTY_TWIML);
}
