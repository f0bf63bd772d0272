// The sandbox framework: what a resource module uses to serve one slice of a Twilio API (routes, state, SIDs,
// errors, paging, ownership, lifecycle transitions, signed callbacks). Transport and wiring live in server.ts.
//
// HOW TO ADD A RESOURCE MODULE (e.g. server/sandbox/resources/brands.ts)
// ----------------------------------------------------------------------
//   import { defineModule, TwilioError, type Ctx } from '../framework.ts';
//
//   export const brandsModule = defineModule('brands', (api) => {
//     api.route('POST', 'messaging.twilio.com', '/v1/a2p/BrandRegistrations', (ctx) => {
//       const customerProfile = ctx.required('CustomerProfileBundleSid');   // 400 / 20001 when missing
//       const rec = api.state.insert('brand', {
//         sid: api.sid('BN'), account_sid: ctx.accountSid, status: 'PENDING', ...
//       });
//       api.schedule('brand.review', rec.sid, {});       // after SANDBOX_REVIEW_DELAY_MS
//       return ctx.created(render(rec));                   // 201 + JSON
//     });
//     api.route('GET', 'messaging.twilio.com', '/v1/a2p/BrandRegistrations/{Sid}', (ctx) =>
//       ctx.ok(render(ctx.owned('brand', ctx.path.Sid))));  // 404 / 20404 if missing or someone else's
//     api.route('GET', 'messaging.twilio.com', '/v1/a2p/BrandRegistrations', (ctx) =>
//       ctx.ok(api.pageV1(ctx, 'data', ctx.ownList('brand').map(render))));
//     api.onTransition('brand.review', (t) => { ...api.state.update('brand', t.sid, { status: 'IN_REVIEW' }); ... });
//   });
//
// then add the module to the list in server/sandbox/modules.ts (one import + one array entry).
//
// Rules the framework enforces so modules do not have to:
//  * Basic auth is checked before any handler runs (401 / 20003); `ctx.auth` is the verified caller.
//  * Route templates are the OpenAPI path templates verbatim; `{Name}` captures one segment into ctx.path.Name.
//    Literal segments win over captures (`/v1/Services/Usecases` before `/v1/Services/{Sid}`).
//  * On api.twilio.com every `/Accounts/{AccountSid}/...` route resolves the path account with Twilio's rule
//    (master may reach its subaccounts, a subaccount only itself); ctx.accountSid is that account.
//    On every other host ctx.accountSid is the caller's own account: a resource belongs to the account whose
//    credentials created it, and ctx.owned() answers 404 / 20404 for a SID that belongs to someone else.
//  * Handlers must not mutate state before they have validated their input: throw a TwilioError first.
//    Every successful non-GET request persists the state afterwards (debounced, atomic file write).
//  * Fault injection and latency happen before routing, so a faulted request has no side effect.
import { randomBytes } from 'node:crypto';

// ---------------------------------------------------------------------------------------------- errors

/** Twilio's error envelope `{code, message, more_info, status}`; throw it from any handler. */
export class TwilioError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'TwilioError';
  }
  toBody(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      more_info: `https://www.twilio.com/docs/errors/${this.code}`,
      status: this.status,
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

export const errors = {
  /** 20003: Twilio answers this for missing/wrong credentials and for an account path the caller may not reach. */
  authenticate: () => new TwilioError(401, 20003, 'Authenticate'),
  /** 20404: unknown SID, or a SID owned by another account (Twilio does not reveal that it exists). */
  notFound: (path: string) =>
    new TwilioError(404, 20404, `The requested resource ${path} was not found`),
  /** 20001 is Twilio's generic "missing/invalid parameter" code on the v1/v2 hosts. */
  missingParam: (name: string, where: 'post body' | 'query' = 'post body') =>
    new TwilioError(400, 20001, `Missing required parameter ${name} in the ${where}`),
  invalidParam: (name: string, why: string) => new TwilioError(400, 20001, `Invalid parameter ${name}: ${why}`),
  methodNotAllowed: () => new TwilioError(405, 20004, 'Method not allowed'),
};

// ---------------------------------------------------------------------------------------------- ids, dates

/** Twilio SID: two-letter prefix + 32 lowercase hex. */
export function newSid(prefix: string): string {
  if (!/^[A-Z]{2}$/.test(prefix)) throw new Error(`bad SID prefix ${prefix}`);
  return prefix + randomBytes(16).toString('hex');
}

export const isSid = (prefix: string, value: unknown): value is string =>
  typeof value === 'string' && new RegExp(`^${prefix}[0-9a-f]{32}$`).test(value);

/** RFC 2822 as the 2010-04-01 API writes it: `Thu, 30 Jul 2015 20:00:00 +0000`. */
export function rfc2822(d: Date | string): string {
  return new Date(d).toUTCString().replace('GMT', '+0000');
}

/** ISO 8601 as the v1/v2 APIs write it: `2015-07-30T20:00:00Z` (no milliseconds). */
export function iso(d: Date | string): string {
  return new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// ---------------------------------------------------------------------------------------------- state

/** Every stored resource has its SID and the SID of the account that owns it. Everything else is the module's. */
export interface StoredRecord {
  sid: string;
  account_sid: string;
  [field: string]: unknown;
}

/** A sandbox account (the master or a subaccount). Stored under kind 'account'. */
export interface AccountRecord extends StoredRecord {
  owner_account_sid: string;
  friendly_name: string;
  status: 'active' | 'suspended' | 'closed';
  type: 'Trial' | 'Full';
  auth_token: string;
  date_created: string; // ISO instants internally; modules format for the wire
  date_updated: string;
}

/** Persistent JSON state; see state.ts. Kinds are free strings chosen by modules ('brand', 'content', ...). */
export interface StateStore {
  get<T extends StoredRecord = StoredRecord>(kind: string, sid: string): T | undefined;
  /** All records of a kind in insertion order, optionally filtered. */
  list<T extends StoredRecord = StoredRecord>(kind: string, filter?: (r: T) => boolean): T[];
  insert<T extends StoredRecord>(kind: string, record: T): T;
  /** Shallow-merges the patch and returns the new record; throws if the record does not exist. */
  update<T extends StoredRecord>(kind: string, sid: string, patch: Partial<T>): T;
  remove(kind: string, sid: string): boolean;
  /** Small free-form maps for module state that is not a resource (e.g. opt-outs). */
  getMeta<T>(key: string): T | undefined;
  setMeta<T>(key: string, value: T): void;
  /** Marks the state dirty; the debounced writer persists it. Mutating calls above do this already. */
  touch(): void;
}

// ---------------------------------------------------------------------------------------------- lifecycle

/** A due-time lifecycle step, persisted so it survives restarts. */
export interface Transition {
  id: string;
  kind: string; // e.g. 'brand.review', 'message.step'
  sid: string; // the resource it moves
  dueAt: string; // ISO instant
  /** 'message' steps are forced by flushCallbacks(); 'review' steps by advanceReviews() once due. */
  group: 'review' | 'message';
  data: Record<string, unknown>;
}

export type TransitionHandler = (t: Transition) => void | Promise<void>;

// ---------------------------------------------------------------------------------------------- callbacks

/** An outbound webhook the sandbox will POST, signed with the owning account's (current) auth token. */
export interface CallbackRequest {
  accountSid: string; // whose token signs it
  url: string;
  method?: 'POST' | 'GET';
  /** Form parameters (status callbacks, inbound messages). */
  params?: Record<string, string>;
  /** JSON body instead of form: signed over URL + bodySHA256 query param (FACTS §9.1). */
  json?: unknown;
  /** What it is about, for the delivery log (e.g. 'message.status', 'inbound'). */
  kind: string;
  resourceSid?: string;
}

export interface PendingCallback extends CallbackRequest {
  id: string;
  idempotencyToken: string;
  attempts: number;
  enqueuedAt: string;
}

export interface CallbackDelivery {
  at: string;
  id: string;
  kind: string;
  url: string;
  accountSid: string;
  resourceSid?: string;
  idempotencyToken: string;
  status?: number;
  error?: string;
}

// ---------------------------------------------------------------------------------------------- requests

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Form or query parameters: every key may repeat (arrays are repeated keys in Twilio's form encoding). */
export type Params = Map<string, string[]>;

export interface AuthInfo {
  accountSid: string; // the Basic-auth user, verified
  account: AccountRecord;
  isMaster: boolean;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Ctx {
  method: Method;
  host: string; // e.g. 'api.twilio.com'
  path: Record<string, string>; // captures of the route template
  /** The request path at the Twilio host, e.g. '/v1/Services' (no query string). */
  pathname: string;
  query: Params;
  form: Params; // parsed form body (empty for JSON bodies)
  json: unknown; // parsed JSON body (undefined for form bodies)
  auth: AuthInfo;
  /** The account the request acts for: the path account on api.twilio.com, else the caller's own account. */
  accountSid: string;
  account: AccountRecord;
  now(): Date;

  /** A form parameter (POST) or query parameter (GET/DELETE); the first value when repeated. */
  param(name: string): string | undefined;
  /** All values of a repeated parameter. */
  params(name: string): string[];
  /** Like param() but throws 400 / 20001 "Missing required parameter" when absent or empty. */
  required(name: string, code?: number, message?: string): string;
  /** 'true'/'false' (case-insensitive); anything else → 400 / 20001. */
  bool(name: string): boolean | undefined;
  /** Integer parameter; non-integers → 400 / 20001. */
  int(name: string): number | undefined;

  /** The record of `kind` with this SID owned by ctx.accountSid, or 404 / 20404. */
  owned<T extends StoredRecord = StoredRecord>(kind: string, sid: string | undefined): T;
  /** All records of `kind` owned by ctx.accountSid. */
  ownList<T extends StoredRecord = StoredRecord>(kind: string, filter?: (r: T) => boolean): T[];

  ok(body: unknown): Reply; // 200
  created(body: unknown): Reply; // 201
  accepted(body: unknown): Reply; // 202
  noContent(): Reply; // 204
}

export type Handler = (ctx: Ctx) => Reply | Promise<Reply>;

export interface RouteOptions {
  /** Skip the api.twilio.com account-path resolution (only the Accounts resource itself needs this). */
  rawAccountPath?: boolean;
}

export interface Route {
  method: Method;
  host: string;
  template: string;
  regex: RegExp;
  names: string[];
  literalWeight: number;
  handler: Handler;
  options: RouteOptions;
}

// ---------------------------------------------------------------------------------------------- paging

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  hasNext: boolean;
}

/** Applies Twilio's `PageSize` (default 50, max 1000) and `Page` (0-based) query parameters. */
export function slicePage<T>(ctx: Pick<Ctx, 'query'>, all: T[]): Page<T> {
  const sizeRaw = ctx.query.get('PageSize')?.[0];
  const pageRaw = ctx.query.get('Page')?.[0];
  const tokenRaw = ctx.query.get('PageToken')?.[0];
  const pageSize = sizeRaw === undefined ? 50 : Number(sizeRaw);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
    throw new TwilioError(400, 20001, 'Invalid parameter PageSize: must be between 1 and 1000');
  }
  // Our PageToken is "PT<page>"; Twilio's tokens are opaque, the SDK only echoes them from next_page_url.
  const fromToken = tokenRaw && /^PT\d+$/.test(tokenRaw) ? Number(tokenRaw.slice(2)) : undefined;
  const page = fromToken ?? (pageRaw === undefined ? 0 : Number(pageRaw));
  if (!Number.isInteger(page) || page < 0) throw new TwilioError(400, 20001, 'Invalid parameter Page');
  const start = page * pageSize;
  return { items: all.slice(start, start + pageSize), page, pageSize, hasNext: start + pageSize < all.length };
}

function queryWith(ctx: Pick<Ctx, 'query'>, over: Record<string, string>): string {
  const q = new URLSearchParams();
  for (const [k, vs] of ctx.query) {
    if (k === 'Page' || k === 'PageSize' || k === 'PageToken') continue;
    for (const v of vs) q.append(k, v);
  }
  for (const [k, v] of Object.entries(over)) q.append(k, v);
  return q.toString();
}

/** v1/v2 envelope: `{ [key]: items, meta: {page, page_size, first_page_url, previous_page_url, next_page_url, url, key} }`. */
export function pageV1<T>(ctx: Pick<Ctx, 'query' | 'host' | 'pathname'>, key: string, all: T[]): Record<string, unknown> {
  const p = slicePage(ctx, all);
  const base = `https://${ctx.host}${ctx.pathname}`;
  const at = (page: number) =>
    `${base}?${queryWith(ctx, { PageSize: String(p.pageSize), Page: String(page), ...(page > 0 ? { PageToken: `PT${page}` } : {}) })}`;
  return {
    [key]: p.items,
    meta: {
      page: p.page,
      page_size: p.pageSize,
      first_page_url: at(0),
      previous_page_url: p.page > 0 ? at(p.page - 1) : null,
      next_page_url: p.hasNext ? at(p.page + 1) : null,
      url: at(p.page),
      key,
    },
  };
}

/** 2010-04-01 envelope: `{ [key]: items, page, page_size, start, end, uri, first_page_uri, next_page_uri, previous_page_uri }`. */
export function pageV2010<T>(ctx: Pick<Ctx, 'query' | 'pathname'>, key: string, all: T[]): Record<string, unknown> {
  const p = slicePage(ctx, all);
  const at = (page: number) =>
    `${ctx.pathname}?${queryWith(ctx, { PageSize: String(p.pageSize), Page: String(page), ...(page > 0 ? { PageToken: `PT${page}` } : {}) })}`;
  const start = p.page * p.pageSize;
  return {
    [key]: p.items,
    page: p.page,
    page_size: p.pageSize,
    start,
    // Twilio's `end` is the index of the last item on the page (0 on an empty page).
    end: p.items.length ? start + p.items.length - 1 : 0,
    uri: at(p.page),
    first_page_uri: at(0),
    next_page_uri: p.hasNext ? at(p.page + 1) : null,
    previous_page_uri: p.page > 0 ? at(p.page - 1) : null,
  };
}

// ---------------------------------------------------------------------------------------------- module API

export interface SandboxSettings {
  masterAccountSid: string;
  reviewDelayMs: number;
  callbackChaos: boolean;
}

/** What a resource module receives in its register function. */
export interface SandboxApi {
  readonly settings: SandboxSettings;
  readonly state: StateStore;
  /** Registers a handler at a Twilio host and OpenAPI path template. */
  route(method: Method, host: string, template: string, handler: Handler, options?: RouteOptions): void;
  /** Registers a control route under `/sandbox/...` (no Twilio auth, no faults), e.g. POST /sandbox/inbound. */
  control(method: Method, path: string, handler: (req: ControlRequest) => Reply | Promise<Reply>): void;
  sid(prefix: string): string;
  now(): Date;
  /** Looks an account up (any status). */
  account(sid: string): AccountRecord | undefined;
  /** Schedules a lifecycle step `kind` for resource `sid`, due after `delayMs` (default SANDBOX_REVIEW_DELAY_MS). */
  schedule(kind: string, sid: string, data?: Record<string, unknown>, opts?: { delayMs?: number; group?: Transition['group'] }): Transition;
  /** Drops pending steps of a resource (e.g. when it is deleted or resubmitted). */
  cancelTransitions(sid: string, kind?: string): void;
  /** Registers the handler that applies a step when it is due. One handler per kind. */
  onTransition(kind: string, handler: TransitionHandler): void;
  /** Queues a signed webhook; delivered by the background loop or flushCallbacks(). */
  enqueueCallback(cb: CallbackRequest): PendingCallback;
  /** Hooks run when an account is closed (e.g. release its numbers). */
  onAccountClosed(handler: (account: AccountRecord) => void): void;
  /** Runs the onAccountClosed hooks; called by the accounts module when Status=closed is applied. */
  emitAccountClosed(account: AccountRecord): void;
  pageV1: typeof pageV1;
  pageV2010: typeof pageV2010;
  logger: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void; debug(obj: object, msg?: string): void };
}

export interface ControlRequest {
  query: Params;
  form: Params;
  json: unknown;
  /** A body or query field, JSON or form, first value. */
  field(name: string): string | undefined;
}

export interface SandboxModule {
  name: string;
  register(api: SandboxApi): void;
}

export function defineModule(name: string, register: (api: SandboxApi) => void): SandboxModule {
  return { name, register };
}

/** Compiles an OpenAPI path template into a matcher. */
export function compileTemplate(template: string): { regex: RegExp; names: string[]; literalWeight: number } {
  const names: string[] = [];
  let literalWeight = 0;
  const source = template
    .split(/(\{[A-Za-z0-9_]+\})/)
    .map((part) => {
      const m = /^\{([A-Za-z0-9_]+)\}$/.exec(part);
      if (m) {
        names.push(m[1]!);
        return '([^/]+?)';
      }
      literalWeight += part.length;
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return { regex: new RegExp(`^${source}$`), names, literalWeight };
}
