// trusthub.twilio.com v1 in the sandbox (FACTS §5): Policies, EndUsers, SupportingDocuments, CustomerProfiles and
// TrustProducts with EntityAssignments and Evaluations, and the review lifecycle
// draft → pending-review → in-review → twilio-approved | twilio-rejected. Forced rejection: see docs/sandbox.md.
import {
  defineModule,
  errors,
  iso,
  isSid,
  TwilioError,
  type Ctx,
  type SandboxApi,
  type StoredRecord,
  type Transition,
} from '../framework.ts';
import {
  END_USER_TYPES,
  endUserType,
  fieldProblem,
  PUBLIC_SECTOR_MAPPING,
  policy,
  POLICIES,
  renderRequirements,
  SUPPORTING_DOCUMENT_TYPES,
  supportingDocumentType,
  typeSid,
  type BundleKind,
  type PolicyDef,
  type TypeDef,
} from './trusthub-policies.ts';

const HOST = 'trusthub.twilio.com';
const BASE = `https://${HOST}/v1`;

/** Any attribute (or address line) containing this word makes the review reject the bundle. */
export const BUNDLE_REJECT_TRIGGER = 'REJECT';

export type BundleStatus = 'draft' | 'pending-review' | 'in-review' | 'twilio-approved' | 'twilio-rejected';
const BUNDLE_STATUSES: BundleStatus[] = ['draft', 'pending-review', 'in-review', 'twilio-rejected', 'twilio-approved'];

export interface EndUserRecord extends StoredRecord {
  friendly_name: string;
  type: string;
  attributes: Record<string, unknown>;
  date_created: string;
  date_updated: string;
}

export interface SupportingDocumentRecord extends EndUserRecord {
  status: 'DRAFT' | 'PENDING_REVIEW' | 'REJECTED' | 'APPROVED' | 'EXPIRED' | 'PROVISIONALLY_APPROVED';
  mime_type: string | null;
}

export interface BundleError {
  code: number;
  message: string;
  fields: string[];
}

export interface BundleRecord extends StoredRecord {
  policy_sid: string;
  friendly_name: string;
  email: string;
  status_callback: string | null;
  status: BundleStatus;
  valid_until: string | null;
  errors: BundleError[] | null;
  /** A trust product in review waits for its supporting customer profile's decision. */
  waiting_for: string | null;
  date_created: string;
  date_updated: string;
}

export interface AssignmentRecord extends StoredRecord {
  bundle_sid: string;
  object_sid: string;
  date_created: string;
}

export interface EvaluationRecord extends StoredRecord {
  bundle_sid: string;
  policy_sid: string;
  status: 'compliant' | 'noncompliant';
  results: EvaluationResult[];
  date_created: string;
}

interface FieldResult {
  friendly_name: string;
  object_field: string;
  failure_reason: string | null;
  error_code: number | null;
  passed?: boolean;
}

interface EvaluationResult {
  friendly_name: string;
  object_type: string;
  passed: boolean;
  failure_reason: string | null;
  error_code: number | null;
  valid: FieldResult[];
  invalid: FieldResult[];
  requirement_friendly_name: string;
  requirement_name: string;
}

export const KIND = {
  endUser: 'trusthub_end_user',
  document: 'trusthub_supporting_document',
  assignment: 'trusthub_entity_assignment',
  evaluation: 'trusthub_evaluation',
} as const;

interface BundleApi {
  kind: BundleKind;
  path: string; // '/v1/CustomerProfiles'
  param: string; // 'CustomerProfileSid'
  sidField: string; // 'customer_profile_sid'
  linkPrefix: string; // 'customer_profiles'
}

const BUNDLE_APIS: BundleApi[] = [
  { kind: 'customer_profile', path: '/v1/CustomerProfiles', param: 'CustomerProfileSid', sidField: 'customer_profile_sid', linkPrefix: 'customer_profiles' },
  { kind: 'trust_product', path: '/v1/TrustProducts', param: 'TrustProductSid', sidField: 'trust_product_sid', linkPrefix: 'trust_products' },
];

const bundleApi = (kind: BundleKind) => BUNDLE_APIS.find((b) => b.kind === kind)!;

// ---------------------------------------------------------------------------------------------- rendering

function renderEndUser(r: EndUserRecord): Record<string, unknown> {
  return {
    sid: r.sid,
    account_sid: r.account_sid,
    friendly_name: r.friendly_name,
    type: r.type,
    attributes: r.attributes,
    date_created: iso(r.date_created),
    date_updated: iso(r.date_updated),
    url: `${BASE}/EndUsers/${r.sid}`,
  };
}

function renderDocument(r: SupportingDocumentRecord): Record<string, unknown> {
  return {
    sid: r.sid,
    account_sid: r.account_sid,
    friendly_name: r.friendly_name,
    mime_type: r.mime_type,
    status: r.status,
    type: r.type,
    attributes: r.attributes,
    date_created: iso(r.date_created),
    date_updated: iso(r.date_updated),
    url: `${BASE}/SupportingDocuments/${r.sid}`,
  };
}

function renderBundle(b: BundleRecord, kind: BundleKind): Record<string, unknown> {
  const api = bundleApi(kind);
  const url = `${BASE}${api.path.slice(3)}/${b.sid}`;
  return {
    sid: b.sid,
    account_sid: b.account_sid,
    policy_sid: b.policy_sid,
    friendly_name: b.friendly_name,
    status: b.status,
    valid_until: b.valid_until ? iso(b.valid_until) : null,
    email: b.email,
    status_callback: b.status_callback,
    date_created: iso(b.date_created),
    date_updated: iso(b.date_updated),
    url,
    links: {
      [`${api.linkPrefix}_entity_assignments`]: `${url}/EntityAssignments`,
      [`${api.linkPrefix}_evaluations`]: `${url}/Evaluations`,
      [`${api.linkPrefix}_channel_endpoint_assignment`]: `${url}/ChannelEndpointAssignments`,
    },
    errors: b.errors,
  };
}

function renderAssignment(a: AssignmentRecord, kind: BundleKind): Record<string, unknown> {
  const api = bundleApi(kind);
  return {
    sid: a.sid,
    [api.sidField]: a.bundle_sid,
    account_sid: a.account_sid,
    object_sid: a.object_sid,
    date_created: iso(a.date_created),
    url: `${BASE}${api.path.slice(3)}/${a.bundle_sid}/EntityAssignments/${a.sid}`,
  };
}

function renderEvaluation(e: EvaluationRecord, kind: BundleKind): Record<string, unknown> {
  const api = bundleApi(kind);
  return {
    sid: e.sid,
    account_sid: e.account_sid,
    policy_sid: e.policy_sid,
    [api.sidField]: e.bundle_sid,
    status: e.status,
    results: e.results,
    date_created: iso(e.date_created),
    url: `${BASE}${api.path.slice(3)}/${e.bundle_sid}/Evaluations/${e.sid}`,
  };
}

function renderType(t: TypeDef, path: string): Record<string, unknown> {
  const sid = typeSid(t.machine_name);
  return {
    sid,
    friendly_name: t.friendly_name,
    machine_name: t.machine_name,
    fields: t.fields.map((f) => ({ machine_name: f.machine_name, friendly_name: f.friendly_name, constraint: f.constraint })),
    url: `${BASE}/${path}/${sid}`,
  };
}

const renderPolicy = (p: PolicyDef) => ({
  sid: p.sid,
  friendly_name: p.friendly_name,
  requirements: renderRequirements(p),
  url: `${BASE}/Policies/${p.sid}`,
});

// ---------------------------------------------------------------------------------------------- input rules

/** `Attributes` is a JSON object sent as one form field (FACTS §0); keys must be fields of the type. */
function parseAttributes(raw: string | undefined, type: TypeDef): Record<string, unknown> {
  if (raw === undefined || raw === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw errors.invalidParam('Attributes', 'must be a JSON object');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw errors.invalidParam('Attributes', 'must be a JSON object');
  const known = new Set(type.fields.map((f) => f.machine_name));
  const unknown = Object.keys(parsed).filter((k) => !known.has(k));
  if (unknown.length) {
    throw errors.invalidParam('Attributes', `unknown field(s) ${unknown.join(', ')} for type ${type.machine_name}; allowed: ${[...known].join(', ')}`);
  }
  return parsed as Record<string, unknown>;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function checkStatusCallback(value: string | undefined): string | null {
  if (value === undefined || value === '') return null;
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw errors.invalidParam('StatusCallback', 'must be an http(s) URL');
  }
  return value;
}

/** 60711: a bundle cannot be edited while Twilio reviews it (DOCS /docs/api/errors/60711). */
const notEditable = (sid: string, status: string) =>
  new TwilioError(400, 60711, `The bundle ${sid} cannot be modified while its status is ${status}`);

const addressSids = (attrs: Record<string, unknown>): string[] => {
  const v = attrs.address_sids;
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  return [];
};

// ---------------------------------------------------------------------------------------------- module

export const trusthubModule = defineModule('trusthub', (api) => {
  const now = () => api.now().toISOString();

  const bundleOf = (sid: string): { bundle: BundleRecord; kind: BundleKind } | undefined => {
    for (const b of BUNDLE_APIS) {
      const rec = api.state.get<BundleRecord>(b.kind, sid);
      if (rec) return { bundle: rec, kind: b.kind };
    }
    return undefined;
  };

  const assignmentsOf = (bundleSid: string) => api.state.list<AssignmentRecord>(KIND.assignment, (a) => a.bundle_sid === bundleSid);

  /** Bundles an end user or document is assigned to (to refuse edits while one is in review). */
  const bundlesHolding = (objectSid: string): BundleRecord[] =>
    api.state
      .list<AssignmentRecord>(KIND.assignment, (a) => a.object_sid === objectSid)
      .map((a) => bundleOf(a.bundle_sid)?.bundle)
      .filter((b): b is BundleRecord => b !== undefined);

  const assertObjectEditable = (objectSid: string) => {
    const locked = bundlesHolding(objectSid).find((b) => b.status === 'pending-review' || b.status === 'in-review');
    if (locked) throw notEditable(locked.sid, locked.status);
  };

  const address = (sid: string) => api.state.get<StoredRecord>('address', sid);

  // ------------------------------------------------------------------------------------------- evaluation

  function evaluate(bundle: BundleRecord, p: PolicyDef): { status: EvaluationRecord['status']; results: EvaluationResult[] } {
    const objects = assignmentsOf(bundle.sid).map((a) => a.object_sid);
    const endUsers = objects.map((s) => api.state.get<EndUserRecord>(KIND.endUser, s)).filter((x): x is EndUserRecord => !!x);
    const documents = objects
      .map((s) => api.state.get<SupportingDocumentRecord>(KIND.document, s))
      .filter((x): x is SupportingDocumentRecord => !!x);
    const profiles = objects.map((s) => api.state.get<BundleRecord>('customer_profile', s)).filter((x): x is BundleRecord => !!x);
    const results: EvaluationResult[] = [];
    // A main account (the master, or an independent one a business brings, #17) registers its own primary
    // profile under this policy: it has no parent primary to hold.
    const owner = api.account(bundle.account_sid)?.owner_account_sid;
    const isMainAccount = bundle.account_sid === api.settings.masterAccountSid || owner === bundle.account_sid;

    // A government or non-profit company type must agree with the business information of the customer profile
    // this A2P profile holds (Twilio's government and non-profit mapping).
    const publicSectorProblem = (attrs: Record<string, unknown>): string | undefined => {
      const want = PUBLIC_SECTOR_MAPPING[String(attrs.company_type)];
      if (!want) return undefined;
      const info = profiles.map((cp) => assignedEndUser(api, cp.sid, 'customer_profile_business_information')).find((x) => x)?.attributes;
      if (!info) return undefined;
      if (info.business_type === want.business_type && info.business_industry === want.business_industry) return undefined;
      return `A ${String(attrs.company_type)} Company Type needs the customer profile's Business Type "${want.business_type}" and Business Industry ${want.business_industry} (it has "${String(info.business_type)}" and ${String(info.business_industry)}).`;
    };

    for (const req of p.endUsers) {
      const type = endUserType(req.type)!;
      const eu = endUsers.find((e) => e.type === req.type);
      if (!eu) {
        if (req.optional) continue;
        results.push({
          friendly_name: req.name,
          object_type: req.type,
          passed: false,
          failure_reason: `A ${req.name} End-User is missing. Please add one to the bundle.`,
          error_code: 22214,
          valid: [],
          invalid: type.fields
            .filter((f) => (typeof f.required === 'function' ? false : f.required))
            .map((f) => ({ friendly_name: f.friendly_name, object_field: f.machine_name, failure_reason: `The ${f.friendly_name} is missing.`, error_code: 22215 })),
          requirement_friendly_name: req.name,
          requirement_name: req.requirement_name,
        });
        continue;
      }
      const valid: FieldResult[] = [];
      const invalid: FieldResult[] = [];
      for (const f of type.fields) {
        const problem = fieldProblem(f, eu.attributes) ?? (f.machine_name === 'company_type' ? publicSectorProblem(eu.attributes) : undefined);
        if (problem) invalid.push({ friendly_name: f.friendly_name, object_field: f.machine_name, failure_reason: problem, error_code: 22215 });
        else if (eu.attributes[f.machine_name] !== undefined) {
          valid.push({ friendly_name: f.friendly_name, object_field: f.machine_name, failure_reason: null, error_code: null, passed: true });
        }
      }
      results.push({
        friendly_name: req.name,
        object_type: req.type,
        passed: invalid.length === 0,
        failure_reason: invalid.length ? `The ${req.name} End-User ${eu.sid} has missing or invalid fields.` : null,
        error_code: invalid.length ? 22215 : null,
        valid,
        invalid,
        requirement_friendly_name: req.name,
        requirement_name: req.requirement_name,
      });
    }

    for (const req of p.documents) {
      const doc = documents.find((d) => req.accepted.includes(d.type));
      const base = { object_type: req.accepted[0]!, friendly_name: req.name, requirement_friendly_name: req.name, requirement_name: req.requirement_name };
      if (!doc) {
        results.push({
          ...base,
          passed: false,
          failure_reason: `A ${req.name} Supporting Document is missing. Please add one to the bundle.`,
          error_code: 22216,
          valid: [],
          invalid: [{ friendly_name: 'Address Sids', object_field: 'address_sids', failure_reason: 'The Address is missing.', error_code: 22219 }],
        });
        continue;
      }
      const sids = addressSids(doc.attributes);
      const bad = sids.filter((s) => address(s)?.account_sid !== doc.account_sid);
      const problem = sids.length === 0 ? 'The Address is missing.' : bad.length ? `The Address ${bad.join(', ')} does not exist in this account.` : undefined;
      results.push({
        ...base,
        object_type: doc.type,
        passed: !problem,
        failure_reason: problem ?? null,
        error_code: problem ? 22219 : null,
        valid: problem ? [] : [{ friendly_name: 'Address Sids', object_field: 'address_sids', failure_reason: null, error_code: null, passed: true }],
        invalid: problem ? [{ friendly_name: 'Address Sids', object_field: 'address_sids', failure_reason: problem, error_code: 22219 }] : [],
      });
    }

    for (const req of p.customerProfiles) {
      if (req.notForMainAccount && isMainAccount) continue;
      const cp = profiles.find((c) => req.policies.includes(c.policy_sid) && c.sid !== bundle.sid);
      const base = { friendly_name: req.name, object_type: req.type, requirement_friendly_name: req.name, requirement_name: req.requirement_name };
      if (!cp) {
        results.push({
          ...base,
          passed: false,
          failure_reason: `A ${req.name} is missing. Please assign one to the bundle.`,
          error_code: 22216,
          valid: [],
          invalid: [{ friendly_name: 'Supporting Bundle Status', object_field: 'bundle_status', failure_reason: 'No supporting customer profile is assigned.', error_code: 22217 }],
        });
        continue;
      }
      const ok =
        req.status === 'approved'
          ? cp.status === 'twilio-approved'
          : cp.status === 'pending-review' || cp.status === 'in-review' || cp.status === 'twilio-approved';
      const reason = ok ? null : `The supporting customer profile ${cp.sid} is ${cp.status}; it must be ${req.status === 'approved' ? 'twilio-approved' : 'submitted for review'}.`;
      results.push({
        ...base,
        passed: ok,
        failure_reason: reason,
        error_code: ok ? null : 22217,
        valid: ok ? [{ friendly_name: 'Supporting Bundle Status', object_field: 'bundle_status', failure_reason: null, error_code: null, passed: true }] : [],
        invalid: ok ? [] : [{ friendly_name: 'Supporting Bundle Status', object_field: 'bundle_status', failure_reason: reason, error_code: 22217 }],
      });
    }

    return { status: results.every((r) => r.passed) ? 'compliant' : 'noncompliant', results };
  }

  // ------------------------------------------------------------------------------------------- review

  /** The reviewer's findings: every assigned attribute or address line carrying the trigger word. */
  function rejectionReasons(bundle: BundleRecord): BundleError[] {
    const found: BundleError[] = [];
    for (const a of assignmentsOf(bundle.sid)) {
      const eu = api.state.get<EndUserRecord>(KIND.endUser, a.object_sid);
      if (eu) {
        for (const [field, value] of Object.entries(eu.attributes)) {
          if (!JSON.stringify(value ?? '').includes(BUNDLE_REJECT_TRIGGER)) continue;
          found.push(reviewError(eu.type, field));
        }
      }
      const doc = api.state.get<SupportingDocumentRecord>(KIND.document, a.object_sid);
      if (doc) {
        for (const sid of addressSids(doc.attributes)) {
          const ad = address(sid);
          if (ad && JSON.stringify(ad).includes(BUNDLE_REJECT_TRIGGER)) {
            found.push({ code: 18603, message: 'The address could not be verified', fields: [`${doc.type}.address_sids`] });
          }
        }
      }
    }
    return found;
  }

  /** Maps a rejected field onto Twilio's customer-profile rejection codes (changelog 2024-04-29: 18601–18609). */
  function reviewError(type: string, field: string): BundleError {
    const fields = [`${type}.${field}`];
    if (type === 'authorized_representative_1' || type === 'starter_customer_profile_information') {
      return { code: 18604, message: 'Unable to verify Authorized representative #1', fields };
    }
    if (type === 'authorized_representative_2') return { code: 18605, message: 'Unable to verify Authorized representative #2', fields };
    if (/email/.test(field)) return { code: 18606, message: "The Email domain doesn't match the website domain", fields };
    if (/registration/.test(field)) return { code: 18602, message: 'The Business ID you provided could not be verified', fields };
    return { code: 18601, message: 'The association between business name and website cannot be verified', fields };
  }

  function setStatus(kind: BundleKind, sid: string, patch: Partial<BundleRecord>): BundleRecord {
    const updated = api.state.update<BundleRecord>(kind, sid, { ...patch, date_updated: now() });
    if (patch.status && updated.status_callback) {
      // TrustHub posts status changes to the bundle's StatusCallback, signed like every Twilio webhook.
      api.enqueueCallback({
        accountSid: updated.account_sid,
        url: updated.status_callback,
        kind: 'trusthub.status',
        resourceSid: sid,
        params: {
          AccountSid: updated.account_sid,
          BundleSid: sid,
          Status: updated.status,
          ...(updated.errors?.length ? { FailureReason: updated.errors.map((e) => `${e.code}: ${e.message}`).join('; ') } : {}),
        },
      });
    }
    if (kind === 'customer_profile' && (updated.status === 'twilio-approved' || updated.status === 'twilio-rejected')) {
      // Trust products whose review waited on this profile are decided now.
      for (const tp of api.state.list<BundleRecord>('trust_product', (t) => t.waiting_for === sid && t.status === 'in-review')) {
        api.state.update<BundleRecord>('trust_product', tp.sid, { waiting_for: null });
        api.schedule('trusthub.review', tp.sid, { kind: 'trust_product' });
      }
    }
    return updated;
  }

  api.onTransition('trusthub.review', (t: Transition) => {
    const kind = t.data.kind as BundleKind;
    const bundle = api.state.get<BundleRecord>(kind, t.sid);
    if (!bundle) return;
    if (bundle.status === 'pending-review') {
      setStatus(kind, bundle.sid, { status: 'in-review' });
      api.schedule('trusthub.review', bundle.sid, { kind });
      return;
    }
    if (bundle.status !== 'in-review') return; // GUARD: a late step for a bundle already decided or deleted.
    const reasons = rejectionReasons(bundle);
    if (kind === 'trust_product' && reasons.length === 0) {
      const cp = assignmentsOf(bundle.sid)
        .map((a) => api.state.get<BundleRecord>('customer_profile', a.object_sid))
        .find((c): c is BundleRecord => !!c);
      if (cp && cp.status === 'twilio-rejected') {
        reasons.push({ code: cp.errors?.[0]?.code ?? 18601, message: `The supporting customer profile ${cp.sid} was rejected`, fields: [] });
      } else if (cp && cp.status !== 'twilio-approved') {
        api.state.update<BundleRecord>(kind, bundle.sid, { waiting_for: cp.sid });
        return;
      }
    }
    if (reasons.length) {
      setStatus(kind, bundle.sid, { status: 'twilio-rejected', errors: reasons, valid_until: null });
    } else {
      const validUntil = new Date(api.now().getTime() + 365 * 24 * 3600 * 1000).toISOString();
      setStatus(kind, bundle.sid, { status: 'twilio-approved', errors: null, valid_until: validUntil });
    }
  });

  // ------------------------------------------------------------------------------------------- catalogue routes

  api.route('GET', HOST, '/v1/Policies', (ctx) => ctx.ok(api.pageV1(ctx, 'results', POLICIES.map(renderPolicy))));
  api.route('GET', HOST, '/v1/Policies/{Sid}', (ctx) => {
    const p = policy(ctx.path.Sid!);
    if (!p) throw errors.notFound(ctx.pathname);
    return ctx.ok(renderPolicy(p));
  });

  for (const [path, key, types] of [
    ['EndUserTypes', 'end_user_types', END_USER_TYPES],
    ['SupportingDocumentTypes', 'supporting_document_types', SUPPORTING_DOCUMENT_TYPES],
  ] as const) {
    api.route('GET', HOST, `/v1/${path}`, (ctx) => ctx.ok(api.pageV1(ctx, key, types.map((t) => renderType(t, path)))));
    api.route('GET', HOST, `/v1/${path}/{Sid}`, (ctx) => {
      // Twilio's policy requirements link types by machine name, so both the OY SID and the name resolve.
      const t = types.find((x) => typeSid(x.machine_name) === ctx.path.Sid || x.machine_name === ctx.path.Sid);
      if (!t) throw errors.notFound(ctx.pathname);
      return ctx.ok(renderType(t, path));
    });
  }

  // ------------------------------------------------------------------------------------------- end users, documents

  const objectApis = [
    { path: 'EndUsers', kind: KIND.endUser, prefix: 'IT', typeOf: endUserType, render: renderEndUser, isDoc: false },
    { path: 'SupportingDocuments', kind: KIND.document, prefix: 'RD', typeOf: supportingDocumentType, render: renderDocument, isDoc: true },
  ] as const;

  for (const o of objectApis) {
    const render = o.render as (r: EndUserRecord) => Record<string, unknown>;

    const checkAddresses = (ctx: Ctx, attrs: Record<string, unknown>) => {
      if (!o.isDoc) return;
      for (const sid of addressSids(attrs)) {
        // The document must point at an Address of the same account (created on api.twilio.com).
        if (!isSid('AD', sid) || address(sid)?.account_sid !== ctx.accountSid) {
          throw errors.invalidParam('Attributes', `address_sids: ${sid} is not an Address of account ${ctx.accountSid}`);
        }
      }
    };

    api.route('POST', HOST, `/v1/${o.path}`, (ctx) => {
      const friendlyName = ctx.required('FriendlyName');
      const typeName = ctx.required('Type');
      const type = o.typeOf(typeName);
      if (!type) throw errors.invalidParam('Type', `unknown ${o.isDoc ? 'supporting document' : 'end user'} type ${typeName}`);
      const attributes = parseAttributes(ctx.param('Attributes'), type);
      checkAddresses(ctx, attributes);
      const at = now();
      const rec: EndUserRecord = {
        sid: api.sid(o.prefix),
        account_sid: ctx.accountSid,
        friendly_name: friendlyName,
        type: typeName,
        attributes,
        date_created: at,
        date_updated: at,
        ...(o.isDoc ? { status: 'DRAFT', mime_type: null } : {}),
      };
      return ctx.created(render(api.state.insert(o.kind, rec)));
    });

    api.route('GET', HOST, `/v1/${o.path}`, (ctx) => ctx.ok(api.pageV1(ctx, 'results', ctx.ownList<EndUserRecord>(o.kind).map(render))));
    api.route('GET', HOST, `/v1/${o.path}/{Sid}`, (ctx) => ctx.ok(render(ctx.owned<EndUserRecord>(o.kind, ctx.path.Sid))));

    api.route('POST', HOST, `/v1/${o.path}/{Sid}`, (ctx) => {
      const rec = ctx.owned<EndUserRecord>(o.kind, ctx.path.Sid);
      const friendlyName = ctx.param('FriendlyName');
      const rawAttributes = ctx.param('Attributes');
      const attributes = rawAttributes === undefined ? undefined : parseAttributes(rawAttributes, o.typeOf(rec.type)!);
      if (attributes) checkAddresses(ctx, attributes);
      assertObjectEditable(rec.sid);
      const patch: Partial<EndUserRecord> = { date_updated: now() };
      if (friendlyName !== undefined && friendlyName !== '') patch.friendly_name = friendlyName;
      // Twilio replaces the whole Attributes object on update.
      if (attributes) patch.attributes = attributes;
      return ctx.ok(render(api.state.update<EndUserRecord>(o.kind, rec.sid, patch)));
    });

    api.route('DELETE', HOST, `/v1/${o.path}/{Sid}`, (ctx) => {
      const rec = ctx.owned<EndUserRecord>(o.kind, ctx.path.Sid);
      const holders = bundlesHolding(rec.sid);
      if (holders.length) {
        throw new TwilioError(400, 20001, `${rec.sid} is assigned to bundle ${holders.map((b) => b.sid).join(', ')}; remove the assignment first`);
      }
      api.state.remove(o.kind, rec.sid);
      return ctx.noContent();
    });
  }

  // ------------------------------------------------------------------------------------------- bundles

  for (const b of BUNDLE_APIS) {
    const { kind } = b;
    const ownedBundle = (ctx: Ctx, sid: string | undefined) => ctx.owned<BundleRecord>(kind, sid);

    api.route('POST', HOST, b.path, (ctx) => {
      const friendlyName = ctx.required('FriendlyName');
      const email = ctx.required('Email');
      const policySid = ctx.required('PolicySid');
      if (!EMAIL.test(email)) throw errors.invalidParam('Email', 'must be an email address');
      const p = policy(policySid);
      if (!p || p.bundleKind !== kind) {
        throw errors.invalidParam('PolicySid', `${policySid} is not a ${kind === 'customer_profile' ? 'customer profile' : 'trust product'} policy`);
      }
      const statusCallback = checkStatusCallback(ctx.param('StatusCallback'));
      const at = now();
      const rec: BundleRecord = {
        sid: api.sid('BU'),
        account_sid: ctx.accountSid,
        policy_sid: policySid,
        friendly_name: friendlyName,
        email,
        status_callback: statusCallback,
        status: 'draft',
        valid_until: null,
        errors: null,
        waiting_for: null,
        date_created: at,
        date_updated: at,
      };
      return ctx.created(renderBundle(api.state.insert(kind, rec), kind));
    });

    api.route('GET', HOST, b.path, (ctx) => {
      const status = ctx.param('Status');
      const friendlyName = ctx.param('FriendlyName');
      const policySid = ctx.param('PolicySid');
      const list = ctx.ownList<BundleRecord>(
        kind,
        (r) => (!status || r.status === status) && (!friendlyName || r.friendly_name === friendlyName) && (!policySid || r.policy_sid === policySid),
      );
      return ctx.ok(api.pageV1(ctx, 'results', list.map((r) => renderBundle(r, kind))));
    });

    api.route('GET', HOST, `${b.path}/{Sid}`, (ctx) => ctx.ok(renderBundle(ownedBundle(ctx, ctx.path.Sid), kind)));

    api.route('POST', HOST, `${b.path}/{Sid}`, (ctx) => {
      const bundle = ownedBundle(ctx, ctx.path.Sid);
      const status = ctx.param('Status');
      const friendlyName = ctx.param('FriendlyName');
      const email = ctx.param('Email');
      const statusCallback = ctx.param('StatusCallback');
      if (status !== undefined && !BUNDLE_STATUSES.includes(status as BundleStatus)) {
        throw errors.invalidParam('Status', `must be one of ${BUNDLE_STATUSES.join(', ')}`);
      }
      if (email !== undefined && email !== '' && !EMAIL.test(email)) throw errors.invalidParam('Email', 'must be an email address');
      const callback = statusCallback === undefined ? undefined : checkStatusCallback(statusCallback);
      const editable = bundle.status === 'draft' || bundle.status === 'twilio-rejected';
      const changesData = (friendlyName !== undefined && friendlyName !== '') || (email !== undefined && email !== '');
      if (changesData && !editable) throw notEditable(bundle.sid, bundle.status);

      if (status !== undefined && status !== bundle.status) {
        // A customer may only submit; Twilio moves the bundle through review itself.
        if (status !== 'pending-review') throw errors.invalidParam('Status', `cannot be set to ${status}; only pending-review can be requested`);
        if (!editable) throw notEditable(bundle.sid, bundle.status);
        const p = policy(bundle.policy_sid)!;
        const latest = api.state
          .list<EvaluationRecord>(KIND.evaluation, (e) => e.bundle_sid === bundle.sid && e.policy_sid === bundle.policy_sid)
          .at(-1);
        // Twilio requires a compliant evaluation before review; the sandbox also re-checks the data as it is now,
        // so an edit made after evaluating cannot slip through.
        if (!latest || latest.status !== 'compliant' || evaluate(bundle, p).status !== 'compliant') {
          // Twilio's exact code for this refusal is not documented in FACTS; 20001 (invalid parameter) is used.
          throw new TwilioError(
            400,
            20001,
            `Invalid parameter Status: the bundle ${bundle.sid} is not compliant with policy ${bundle.policy_sid}; create an Evaluation and fix the failures it lists before submitting`,
          );
        }
      }

      const patch: Partial<BundleRecord> = { date_updated: now() };
      if (friendlyName) patch.friendly_name = friendlyName;
      if (email) patch.email = email;
      if (callback !== undefined) patch.status_callback = callback;
      let updated = api.state.update<BundleRecord>(kind, bundle.sid, patch);
      if (status === 'pending-review' && bundle.status !== 'pending-review') {
        updated = setStatus(kind, bundle.sid, { status: 'pending-review', errors: null });
        api.cancelTransitions(bundle.sid, 'trusthub.review');
        api.schedule('trusthub.review', bundle.sid, { kind });
      }
      return ctx.ok(renderBundle(updated, kind));
    });

    api.route('DELETE', HOST, `${b.path}/{Sid}`, (ctx) => {
      const bundle = ownedBundle(ctx, ctx.path.Sid);
      if (bundle.status === 'pending-review' || bundle.status === 'in-review') throw notEditable(bundle.sid, bundle.status);
      for (const a of assignmentsOf(bundle.sid)) api.state.remove(KIND.assignment, a.sid);
      for (const e of api.state.list<EvaluationRecord>(KIND.evaluation, (x) => x.bundle_sid === bundle.sid)) api.state.remove(KIND.evaluation, e.sid);
      api.cancelTransitions(bundle.sid);
      api.state.remove(kind, bundle.sid);
      return ctx.noContent();
    });

    // ----------------------------------------------------------------------------------------- assignments

    const assignable = (ctx: Ctx, objectSid: string): { type: string } => {
      const eu = api.state.get<EndUserRecord>(KIND.endUser, objectSid);
      if (eu && eu.account_sid === ctx.accountSid) return { type: eu.type };
      const doc = api.state.get<SupportingDocumentRecord>(KIND.document, objectSid);
      if (doc && doc.account_sid === ctx.accountSid) return { type: doc.type };
      const cp = api.state.get<BundleRecord>('customer_profile', objectSid);
      if (cp) {
        // The ISV's primary profile lives in the parent (master) account; its subaccounts may assign it (FACTS §5).
        const parent = api.account(ctx.accountSid)?.owner_account_sid;
        if (cp.account_sid === ctx.accountSid || (kind === 'customer_profile' && cp.account_sid === parent && parent !== ctx.accountSid)) {
          return { type: 'customer_profile' };
        }
      }
      throw errors.invalidParam('ObjectSid', `${objectSid} is not an end user, supporting document or customer profile visible to this account`);
    };

    const typeOfObject = (sid: string): string | undefined =>
      api.state.get<EndUserRecord>(KIND.endUser, sid)?.type ??
      api.state.get<SupportingDocumentRecord>(KIND.document, sid)?.type ??
      (api.state.get<BundleRecord>('customer_profile', sid) ? 'customer_profile' : undefined);

    api.route('POST', HOST, `${b.path}/{${b.param}}/EntityAssignments`, (ctx) => {
      const bundle = ownedBundle(ctx, ctx.path[b.param]);
      const objectSid = ctx.required('ObjectSid');
      if (!/^[A-Z]{2}[0-9a-f]{32}$/.test(objectSid)) throw errors.invalidParam('ObjectSid', 'must be an IT, RD or BU SID');
      assignable(ctx, objectSid);
      if (objectSid === bundle.sid) throw errors.invalidParam('ObjectSid', 'a bundle cannot be assigned to itself');
      if (bundle.status !== 'draft' && bundle.status !== 'twilio-rejected') throw notEditable(bundle.sid, bundle.status);
      if (assignmentsOf(bundle.sid).some((a) => a.object_sid === objectSid)) {
        throw errors.invalidParam('ObjectSid', `${objectSid} is already assigned to ${bundle.sid}`);
      }
      const rec: AssignmentRecord = {
        sid: api.sid('BV'),
        account_sid: ctx.accountSid,
        bundle_sid: bundle.sid,
        object_sid: objectSid,
        date_created: now(),
      };
      return ctx.created(renderAssignment(api.state.insert(KIND.assignment, rec), kind));
    });

    api.route('GET', HOST, `${b.path}/{${b.param}}/EntityAssignments`, (ctx) => {
      const bundle = ownedBundle(ctx, ctx.path[b.param]);
      const objectType = ctx.param('ObjectType');
      const list = assignmentsOf(bundle.sid).filter((a) => !objectType || typeOfObject(a.object_sid) === objectType);
      return ctx.ok(api.pageV1(ctx, 'results', list.map((a) => renderAssignment(a, kind))));
    });

    const ownedAssignment = (ctx: Ctx): { bundle: BundleRecord; assignment: AssignmentRecord } => {
      const bundle = ownedBundle(ctx, ctx.path[b.param]);
      const assignment = ctx.owned<AssignmentRecord>(KIND.assignment, ctx.path.Sid);
      if (assignment.bundle_sid !== bundle.sid) throw errors.notFound(ctx.pathname);
      return { bundle, assignment };
    };

    api.route('GET', HOST, `${b.path}/{${b.param}}/EntityAssignments/{Sid}`, (ctx) => ctx.ok(renderAssignment(ownedAssignment(ctx).assignment, kind)));

    api.route('DELETE', HOST, `${b.path}/{${b.param}}/EntityAssignments/{Sid}`, (ctx) => {
      const { bundle, assignment } = ownedAssignment(ctx);
      if (bundle.status !== 'draft' && bundle.status !== 'twilio-rejected') throw notEditable(bundle.sid, bundle.status);
      api.state.remove(KIND.assignment, assignment.sid);
      return ctx.noContent();
    });

    // ----------------------------------------------------------------------------------------- evaluations

    api.route('POST', HOST, `${b.path}/{${b.param}}/Evaluations`, (ctx) => {
      const bundle = ownedBundle(ctx, ctx.path[b.param]);
      const policySid = ctx.required('PolicySid');
      const p = policy(policySid);
      if (!p) throw errors.invalidParam('PolicySid', `unknown policy ${policySid}`);
      const { status, results } = evaluate(bundle, p);
      const rec: EvaluationRecord = {
        sid: api.sid('EL'),
        account_sid: ctx.accountSid,
        bundle_sid: bundle.sid,
        policy_sid: policySid,
        status,
        results,
        date_created: now(),
      };
      return ctx.created(renderEvaluation(api.state.insert(KIND.evaluation, rec), kind));
    });

    api.route('GET', HOST, `${b.path}/{${b.param}}/Evaluations`, (ctx) => {
      const bundle = ownedBundle(ctx, ctx.path[b.param]);
      const list = api.state.list<EvaluationRecord>(KIND.evaluation, (e) => e.bundle_sid === bundle.sid);
      return ctx.ok(api.pageV1(ctx, 'results', list.map((e) => renderEvaluation(e, kind))));
    });

    api.route('GET', HOST, `${b.path}/{${b.param}}/Evaluations/{Sid}`, (ctx) => {
      const bundle = ownedBundle(ctx, ctx.path[b.param]);
      const e = ctx.owned<EvaluationRecord>(KIND.evaluation, ctx.path.Sid);
      if (e.bundle_sid !== bundle.sid) throw errors.notFound(ctx.pathname);
      return ctx.ok(renderEvaluation(e, kind));
    });
  }
});

/** Reads a bundle for other modules (brands): undefined when missing. */
export function findBundle(api: SandboxApi, kind: BundleKind, sid: string): BundleRecord | undefined {
  return api.state.get<BundleRecord>(kind, sid);
}

/** The end user of a type assigned to a bundle (brands read the company name from it). */
export function assignedEndUser(api: SandboxApi, bundleSid: string, type: string): EndUserRecord | undefined {
  for (const a of api.state.list<AssignmentRecord>(KIND.assignment, (x) => x.bundle_sid === bundleSid)) {
    const eu = api.state.get<EndUserRecord>(KIND.endUser, a.object_sid);
    if (eu?.type === type) return eu;
  }
  return undefined;
}

