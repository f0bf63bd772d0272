// The sandbox's HTTP transport: maps `/<twilio-host>/<path>` onto registered routes, checks Basic auth the way
// Twilio does, injects faults and latency before any side effect, and keeps the request log.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  compileTemplate,
  errors,
  TwilioError,
  type AccountRecord,
  type AuthInfo,
  type ControlRequest,
  type Ctx,
  type Handler,
  type Method,
  type Params,
  type Reply,
  type Route,
  type RouteOptions,
  type StateStore,
  type StoredRecord,
} from './framework.ts';

export interface SandboxRequestLogEntry {
  at: string;
  method: string;
  host: string;
  path: string;
  accountSid?: string; // the Basic-auth user as sent (not necessarily valid)
  params: Record<string, string | string[]>;
  status: number;
  twilioCode?: number;
  faulted?: boolean;
}

export interface ControlRoute {
  method: Method;
  path: string;
  handler: (req: ControlRequest) => Reply | Promise<Reply>;
}

export interface Router {
  routes: Route[];
  controls: ControlRoute[];
  add(method: Method, host: string, template: string, handler: Handler, options?: RouteOptions): void;
  addControl(method: Method, path: string, handler: ControlRoute['handler']): void;
}

export function createRouter(): Router {
  const routes: Route[] = [];
  const controls: ControlRoute[] = [];
  return {
    routes,
    controls,
    add(method, host, template, handler, options = {}) {
      if (routes.some((r) => r.method === method && r.host === host && r.template === template)) {
        throw new Error(`route ${method} ${host}${template} registered twice`);
      }
      routes.push({ method, host, template, handler, options, ...compileTemplate(template) });
    },
    addControl(method, path, handler) {
      controls.push({ method, path, handler });
    },
  };
}

export interface HandlerDeps {
  router: Router;
  state: StateStore;
  masterAccountSid: string;
  now: () => Date;
  random: () => number;
  getFaultRate: () => number;
  latencyMs: number;
  requests: SandboxRequestLogEntry[];
  /** Resolves once every state change so far is on disk (`changed`: this request may have changed state). */
  commit: (changed: boolean) => Promise<void>;
  logError: (err: unknown, where: string) => void;
}

const MAX_BODY = 1024 * 1024;
const MAX_LOG = 10_000;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new TwilioError(413, 20001, 'Request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function toParams(search: URLSearchParams): Params {
  const p: Params = new Map();
  for (const [k, v] of search) p.set(k, [...(p.get(k) ?? []), v]);
  return p;
}

function paramsForLog(p: Params, json: unknown): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, vs] of p) out[k] = vs.length === 1 ? vs[0]! : vs;
  if (json && typeof json === 'object' && !Array.isArray(json)) {
    for (const [k, v] of Object.entries(json as Record<string, unknown>)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

function parseBasic(header: string | undefined): { user: string; pass: string } | undefined {
  const m = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  return { user: decoded.slice(0, i), pass: decoded.slice(i + 1) };
}

/** Constant-time enough for a local fake, but still no early exit on the first differing byte. */
function sameSecret(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.status === 204 || reply.body === undefined) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  headers['Content-Type'] = 'application/json; charset=utf-8';
  res.writeHead(reply.status, headers);
  res.end(JSON.stringify(reply.body));
}

export function createRequestHandler(deps: HandlerDeps) {
  const { router, state } = deps;

  const authenticate = (header: string | undefined): AuthInfo => {
    const creds = parseBasic(header);
    if (!creds) throw errors.authenticate();
    const account = state.get<AccountRecord>('account', creds.user);
    // A closed account's credentials no longer authenticate (FACTS §1: closed is terminal).
    if (!account || account.status === 'closed' || !sameSecret(account.auth_token, creds.pass)) throw errors.authenticate();
    return { accountSid: account.sid, account, isMaster: account.sid === deps.masterAccountSid };
  };

  /**
   * Twilio's rule for `/2010-04-01/Accounts/{AccountSid}/...`: the credentials must be those of that account or
   * of its parent (FACTS §0). Anything else — a sibling, the parent reached from a subaccount, or an account
   * that does not exist — is answered 401 / 20003, because Twilio authenticates against the path account and
   * does not reveal whether it exists.
   */
  const resolvePathAccount = (auth: AuthInfo, sid: string): AccountRecord => {
    const target = state.get<AccountRecord>('account', sid);
    if (!target) throw errors.authenticate();
    if (target.sid === auth.accountSid) return target;
    if (auth.isMaster && target.owner_account_sid === auth.accountSid) return target;
    throw errors.authenticate();
  };

  const match = (host: string, method: string, pathname: string) => {
    const candidates = router.routes
      .filter((r) => r.host === host)
      .map((r) => ({ r, m: r.regex.exec(pathname) }))
      .filter((x): x is { r: Route; m: RegExpExecArray } => x.m !== null)
      .sort((a, b) => b.r.literalWeight - a.r.literalWeight || a.r.names.length - b.r.names.length);
    if (candidates.length === 0) return undefined;
    // Prefer the most literal template that serves this method; a path known under other methods is a 405.
    const best = candidates.find((c) => c.r.method === method);
    if (!best) return 'method' as const;
    const path: Record<string, string> = {};
    best.r.names.forEach((n, i) => (path[n] = decodeURIComponent(best.m[i + 1]!)));
    return { route: best.r, path };
  };

  const handleControl = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const control = router.controls.find((c) => c.path === url.pathname && c.method === req.method);
    if (!control) {
      send(res, { status: 404, body: { code: 20404, message: `No control route ${req.method} ${url.pathname}`, status: 404 } });
      return;
    }
    const raw = await readBody(req);
    const isJson = /json/i.test(req.headers['content-type'] ?? '');
    const json = isJson && raw ? (JSON.parse(raw) as unknown) : undefined;
    const form = !isJson ? toParams(new URLSearchParams(raw)) : new Map();
    const query = toParams(url.searchParams);
    const field = (name: string) => {
      if (json && typeof json === 'object' && name in json) {
        const v = (json as Record<string, unknown>)[name];
        return v === undefined || v === null ? undefined : String(v);
      }
      return form.get(name)?.[0] ?? query.get(name)?.[0];
    };
    const reply = await control.handler({ query, form, json, field });
    await deps.commit(true);
    send(res, reply);
  };

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://sandbox.local');
    if (url.pathname.startsWith('/sandbox/')) {
      try {
        await handleControl(req, res, url);
      } catch (err) {
        const te = err instanceof TwilioError ? err : new TwilioError(400, 20001, (err as Error).message);
        send(res, { status: te.status, body: te.toBody() });
      }
      return;
    }

    const slash = url.pathname.indexOf('/', 1);
    const host = slash > 0 ? url.pathname.slice(1, slash) : url.pathname.slice(1);
    const pathname = slash > 0 ? url.pathname.slice(slash) : '/';
    const method = (req.method ?? 'GET').toUpperCase() as Method;
    const entry: SandboxRequestLogEntry = {
      at: deps.now().toISOString(),
      method,
      host,
      path: pathname,
      accountSid: parseBasic(req.headers.authorization)?.user,
      params: {},
      status: 0,
    };
    deps.requests.push(entry);
    if (deps.requests.length > MAX_LOG) deps.requests.splice(0, deps.requests.length - MAX_LOG);

    let reply: Reply;
    try {
      const raw = await readBody(req);
      const isJson = /application\/json/i.test(req.headers['content-type'] ?? '');
      let json: unknown;
      if (isJson && raw) {
        try {
          json = JSON.parse(raw);
        } catch {
          throw new TwilioError(400, 20001, 'Invalid JSON in request body');
        }
      }
      const form: Params = isJson ? new Map() : toParams(new URLSearchParams(raw));
      const query = toParams(url.searchParams);
      entry.params = paramsForLog(method === 'GET' || method === 'DELETE' ? query : form, json);

      if (deps.latencyMs > 0) await new Promise((r) => setTimeout(r, deps.latencyMs));
      // Faults come before auth and routing: the request is answered without touching any state.
      const rate = deps.getFaultRate();
      if (rate > 0 && deps.random() < rate) {
        entry.faulted = true;
        throw deps.random() < 0.5
          ? new TwilioError(429, 20429, 'Too Many Requests')
          : new TwilioError(503, 20503, 'Service Unavailable');
      }

      const auth = authenticate(req.headers.authorization);
      const found = match(host, method, pathname);
      if (!found) throw errors.notFound(pathname);
      if (found === 'method') throw errors.methodNotAllowed();
      const { route, path } = found;

      let account = auth.account;
      if (host === 'api.twilio.com' && path.AccountSid && !route.options.rawAccountPath) {
        account = resolvePathAccount(auth, path.AccountSid);
      }

      const read = method === 'GET' || method === 'DELETE' ? query : form;
      const ctx: Ctx = {
        method,
        host,
        path,
        pathname,
        query,
        form,
        json,
        auth,
        accountSid: account.sid,
        account,
        now: deps.now,
        param: (name) => read.get(name)?.[0],
        params: (name) => read.get(name) ?? [],
        required(name, code, message) {
          const v = read.get(name)?.[0];
          if (v === undefined || v === '') {
            if (code) throw new TwilioError(400, code, message ?? `Missing required parameter ${name}`);
            throw errors.missingParam(name, read === query ? 'query' : 'post body');
          }
          return v;
        },
        bool(name) {
          const v = read.get(name)?.[0];
          if (v === undefined || v === '') return undefined;
          if (/^true$/i.test(v)) return true;
          if (/^false$/i.test(v)) return false;
          throw errors.invalidParam(name, 'must be true or false');
        },
        int(name) {
          const v = read.get(name)?.[0];
          if (v === undefined || v === '') return undefined;
          if (!/^-?\d+$/.test(v)) throw errors.invalidParam(name, 'must be an integer');
          return Number(v);
        },
        owned<T extends StoredRecord>(kind: string, sid: string | undefined): T {
          const rec = sid ? state.get<T>(kind, sid) : undefined;
          if (!rec || rec.account_sid !== account.sid) throw errors.notFound(pathname);
          return rec;
        },
        ownList: <T extends StoredRecord>(kind: string, filter?: (r: T) => boolean) =>
          state.list<T>(kind, (r) => r.account_sid === account.sid && (!filter || filter(r))),
        ok: (body) => ({ status: 200, body }),
        created: (body) => ({ status: 201, body }),
        accepted: (body) => ({ status: 202, body }),
        noContent: () => ({ status: 204 }),
      };
      reply = await route.handler(ctx);
    } catch (err) {
      if (err instanceof TwilioError) {
        reply = { status: err.status, body: err.toBody() };
      } else {
        deps.logError(err, `${method} ${host}${pathname}`);
        reply = { status: 500, body: new TwilioError(500, 20500, 'Internal Server Error').toBody() };
      }
    }
    try {
      // Durable before acknowledged: nothing this request (or a background step it can see) changed is
      // answered before it is on disk.
      await deps.commit(method !== 'GET');
    } catch (err) {
      deps.logError(err, `persist after ${method} ${host}${pathname}`);
      reply = { status: 500, body: new TwilioError(500, 20500, 'Internal Server Error').toBody() };
    }
    entry.status = reply.status;
    const code = (reply.body as { code?: unknown } | undefined)?.code;
    if (reply.status >= 400 && typeof code === 'number') entry.twilioCode = code;
    send(res, reply);
  };
}
