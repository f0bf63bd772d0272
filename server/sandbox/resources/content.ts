// content.twilio.com v1 in the sandbox (FACTS §7): templates (JSON bodies) checked against the spec's type schemas,
// and WhatsApp approval requests reviewed received → pending → approved | rejected (with rejection_reason).
import { defineModule, errors, iso, TwilioError, type Ctx, type StoredRecord, type Transition } from '../framework.ts';

const HOST = 'content.twilio.com';
const BASE = `https://${HOST}/v1/Content`;

/** Any template text containing this word makes the WhatsApp review reject it. */
export const CONTENT_REJECT_TRIGGER = 'REJECT';
export const CONTENT_KIND = 'content';
/** WhatsApp approval statuses of a template; paused and disabled are Meta's quality actions after approval. */
export const APPROVAL_STATUSES = ['received', 'pending', 'approved', 'rejected', 'paused', 'disabled'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export const WHATSAPP_CATEGORIES = ['UTILITY', 'MARKETING', 'AUTHENTICATION'] as const;

export interface Approval {
  name: string;
  category: string;
  content_type: string;
  status: ApprovalStatus;
  rejection_reason: string;
  allow_category_change: boolean;
}

export interface ContentRecord extends StoredRecord {
  friendly_name: string;
  language: string;
  variables: Record<string, string>;
  types: Record<string, Record<string, unknown>>;
  approval: Approval | null;
  date_created: string;
  date_updated: string;
}

// ---------------------------------------------------------------------------------------------- type schemas
// A compact copy of content_v1's `types` schemas: allowed and required properties (all are additionalProperties:
// false there), plus the item shapes of the action/list arrays.

interface ItemSpec {
  allowed: string[];
  required: string[];
  enums?: Record<string, readonly string[]>;
}

interface TypeSpec extends ItemSpec {
  arrays?: Record<string, ItemSpec | 'string'>;
  numbers?: string[];
  /** May be submitted to WhatsApp for approval. */
  approvable: boolean;
}

const cardAction: ItemSpec = {
  allowed: ['type', 'title', 'url', 'phone', 'id', 'code', 'webview_size'],
  required: ['type', 'title'],
  enums: { type: ['URL', 'PHONE_NUMBER', 'QUICK_REPLY', 'COPY_CODE', 'VOICE_CALL'], webview_size: ['TALL', 'FULL', 'HALF', 'NONE'] },
};

export const CONTENT_TYPES: Record<string, TypeSpec> = {
  'twilio/text': { allowed: ['body'], required: ['body'], approvable: true },
  'twilio/media': { allowed: ['body', 'media'], required: ['media'], arrays: { media: 'string' }, approvable: true },
  'twilio/location': { allowed: ['latitude', 'longitude', 'label', 'id', 'address'], required: ['latitude', 'longitude'], numbers: ['latitude', 'longitude'], approvable: false },
  'twilio/list-picker': {
    allowed: ['body', 'button', 'items'],
    required: ['body', 'button', 'items'],
    arrays: { items: { allowed: ['id', 'item', 'description'], required: ['id', 'item'] } },
    approvable: false,
  },
  'twilio/call-to-action': {
    allowed: ['body', 'actions'],
    required: ['body', 'actions'],
    arrays: {
      actions: {
        allowed: ['type', 'title', 'url', 'phone', 'code', 'id'],
        required: ['type', 'title'],
        enums: { type: ['URL', 'PHONE_NUMBER', 'COPY_CODE', 'VOICE_CALL', 'VOICE_CALL_REQUEST'] },
      },
    },
    approvable: true,
  },
  'twilio/quick-reply': {
    allowed: ['body', 'actions'],
    required: ['body', 'actions'],
    arrays: { actions: { allowed: ['type', 'title', 'id'], required: ['title'], enums: { type: ['QUICK_REPLY'] } } },
    approvable: true,
  },
  'twilio/card': { allowed: ['title', 'subtitle', 'media', 'actions'], required: [], arrays: { media: 'string', actions: cardAction }, approvable: true },
  'twilio/catalog': {
    allowed: ['title', 'body', 'subtitle', 'id', 'items', 'dynamic_items'],
    required: ['body'],
    arrays: { items: { allowed: ['id', 'section_title', 'name', 'media_url', 'price', 'description'], required: [] } },
    approvable: true,
  },
  'twilio/carousel': {
    allowed: ['body', 'cards'],
    required: ['body', 'cards'],
    arrays: { cards: { allowed: ['title', 'body', 'media', 'actions'], required: ['body', 'actions', 'media'] } },
    approvable: true,
  },
  'twilio/flows': { allowed: ['body', 'button_text', 'subtitle', 'media_url', 'pages', 'type'], required: ['body', 'button_text', 'pages', 'type'], approvable: true },
  'twilio/schedule': { allowed: ['id', 'title', 'timeSlots'], required: ['id', 'title', 'timeSlots'], approvable: false },
  'whatsapp/card': {
    allowed: ['body', 'footer', 'media', 'header_text', 'actions'],
    required: ['body'],
    arrays: { media: 'string', actions: cardAction },
    approvable: true,
  },
  'whatsapp/authentication': {
    allowed: ['add_security_recommendation', 'code_expiration_minutes', 'actions'],
    required: ['actions'],
    numbers: ['code_expiration_minutes'],
    arrays: { actions: { allowed: ['type', 'copy_code_text'], required: ['type', 'copy_code_text'], enums: { type: ['COPY_CODE'] } } },
    approvable: true,
  },
  'whatsapp/flows': {
    allowed: ['body', 'button_text', 'subtitle', 'media_url', 'flow_id', 'flow_token', 'flow_first_page_id', 'is_flow_first_page_endpoint'],
    required: ['body', 'button_text', 'flow_id'],
    approvable: true,
  },
};

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function checkItem(where: string, value: unknown, spec: ItemSpec): void {
  if (!isObject(value)) throw errors.invalidParam(where, 'must be an object');
  const unknown = Object.keys(value).filter((k) => !spec.allowed.includes(k));
  if (unknown.length) throw errors.invalidParam(where, `unknown field(s) ${unknown.join(', ')}; allowed: ${spec.allowed.join(', ')}`);
  for (const r of spec.required) {
    if (value[r] === undefined || value[r] === null || value[r] === '') throw errors.invalidParam(`${where}.${r}`, 'is required');
  }
  for (const [k, allowed] of Object.entries(spec.enums ?? {})) {
    if (value[k] !== undefined && !allowed.includes(String(value[k]))) throw errors.invalidParam(`${where}.${k}`, `must be one of ${allowed.join(', ')}`);
  }
}

export function checkTypes(types: unknown): Record<string, Record<string, unknown>> {
  if (!isObject(types) || Object.keys(types).length === 0) throw errors.invalidParam('types', 'must be an object with at least one content type');
  for (const [name, value] of Object.entries(types)) {
    const spec = CONTENT_TYPES[name];
    if (!spec) throw errors.invalidParam('types', `unknown content type ${name}; known: ${Object.keys(CONTENT_TYPES).join(', ')}`);
    const where = `types.${name}`;
    checkItem(where, value, spec);
    const v = value as Record<string, unknown>;
    for (const n of spec.numbers ?? []) {
      if (v[n] !== undefined && typeof v[n] !== 'number') throw errors.invalidParam(`${where}.${n}`, 'must be a number');
    }
    for (const [field, item] of Object.entries(spec.arrays ?? {})) {
      const arr = v[field];
      if (arr === undefined) continue;
      if (!Array.isArray(arr)) throw errors.invalidParam(`${where}.${field}`, 'must be an array');
      arr.forEach((x, i) => {
        if (item === 'string') {
          if (typeof x !== 'string') throw errors.invalidParam(`${where}.${field}[${i}]`, 'must be a string');
        } else checkItem(`${where}.${field}[${i}]`, x, item);
      });
    }
    for (const [field, fv] of Object.entries(v)) {
      if (['body', 'button', 'title', 'subtitle', 'footer', 'header_text', 'label'].includes(field) && typeof fv !== 'string') {
        throw errors.invalidParam(`${where}.${field}`, 'must be a string');
      }
    }
  }
  return types as Record<string, Record<string, unknown>>;
}

// ---------------------------------------------------------------------------------------------- rendering

const links = (sid: string) => ({ approval_create: `${BASE}/${sid}/ApprovalRequests/whatsapp`, approval_fetch: `${BASE}/${sid}/ApprovalRequests` });

export function renderContent(c: ContentRecord): Record<string, unknown> {
  return {
    date_created: iso(c.date_created),
    date_updated: iso(c.date_updated),
    sid: c.sid,
    account_sid: c.account_sid,
    friendly_name: c.friendly_name,
    language: c.language,
    variables: c.variables,
    types: c.types,
    url: `${BASE}/${c.sid}`,
    links: links(c.sid),
  };
}

const unsubmitted = (): Omit<Approval, 'status'> & { status: string } => ({
  name: '',
  category: '',
  content_type: '',
  status: 'unsubmitted',
  rejection_reason: '',
  allow_category_change: true,
});

const approvalOf = (c: ContentRecord) => (c.approval ? { ...c.approval } : unsubmitted());

/** Every text in the template, to look for the rejection trigger. */
function texts(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(texts);
  if (isObject(v)) return Object.values(v).flatMap(texts);
  return [];
}

export const contentModule = defineModule('content', (api) => {
  const now = () => api.now().toISOString();

  const body = (ctx: Ctx): Record<string, unknown> => {
    if (!isObject(ctx.json)) throw new TwilioError(400, 20001, 'The request body must be a JSON object (Content-Type: application/json)');
    return ctx.json;
  };

  api.route('POST', HOST, '/v1/Content', (ctx) => {
    const b = body(ctx);
    // The SDK sends this body as given, so camelCase keys (friendlyName, twilioText) reach Twilio unchanged and
    // are not what it documents: refuse them rather than silently dropping them.
    const unknown = Object.keys(b).filter((k) => !['friendly_name', 'variables', 'language', 'types'].includes(k));
    if (unknown.length) throw errors.invalidParam(unknown[0]!, 'is not a Content field; send friendly_name, language, variables, types');
    if (typeof b.language !== 'string' || b.language === '') throw errors.missingParam('language');
    if (b.types === undefined) throw errors.missingParam('types');
    if (!/^[a-z]{2,3}([_-][A-Za-z0-9]{2,4})?$/.test(b.language)) throw errors.invalidParam('language', 'must be a language code such as en or pt_BR');
    const types = checkTypes(b.types);
    if (b.friendly_name !== undefined && typeof b.friendly_name !== 'string') throw errors.invalidParam('friendly_name', 'must be a string');
    let variables: Record<string, string> = {};
    if (b.variables !== undefined) {
      if (!isObject(b.variables) || Object.values(b.variables).some((v) => typeof v !== 'string')) {
        throw errors.invalidParam('variables', 'must be an object of string sample values, e.g. {"1": "Jane"}');
      }
      variables = b.variables as Record<string, string>;
    }
    const at = now();
    const rec: ContentRecord = {
      sid: api.sid('HX'),
      account_sid: ctx.accountSid,
      friendly_name: (b.friendly_name as string | undefined) ?? '',
      language: b.language,
      variables,
      types,
      approval: null,
      date_created: at,
      date_updated: at,
    };
    return ctx.created(renderContent(api.state.insert(CONTENT_KIND, rec)));
  });

  // PUT replaces the template's content. Only a template WhatsApp has not approved (or is not reviewing) may change;
  // an edited rejected template goes back to unsubmitted and can be submitted again.
  api.route('PUT', HOST, '/v1/Content/{Sid}', (ctx) => {
    const c = ctx.owned<ContentRecord>(CONTENT_KIND, ctx.path.Sid);
    const b = body(ctx);
    const unknown = Object.keys(b).filter((k) => !['friendly_name', 'variables', 'language', 'types'].includes(k));
    if (unknown.length) throw errors.invalidParam(unknown[0]!, 'is not a Content field; send friendly_name, language, variables, types');
    if (b.types === undefined) throw errors.missingParam('types');
    const types = checkTypes(b.types);
    if (b.language !== undefined && (typeof b.language !== 'string' || !/^[a-z]{2,3}([_-][A-Za-z0-9]{2,4})?$/.test(b.language))) {
      throw errors.invalidParam('language', 'must be a language code such as en or pt_BR');
    }
    if (b.friendly_name !== undefined && typeof b.friendly_name !== 'string') throw errors.invalidParam('friendly_name', 'must be a string');
    if (b.variables !== undefined && (!isObject(b.variables) || Object.values(b.variables).some((v) => typeof v !== 'string'))) {
      throw errors.invalidParam('variables', 'must be an object of string sample values, e.g. {"1": "Jane"}');
    }
    if (c.approval && c.approval.status !== 'rejected') {
      throw new TwilioError(400, 20001, `Content ${c.sid} cannot be changed while its WhatsApp approval is ${c.approval.status}; create a new template`);
    }
    const updated = api.state.update<ContentRecord>(CONTENT_KIND, c.sid, {
      types,
      ...(b.language !== undefined ? { language: b.language as string } : {}),
      ...(b.friendly_name !== undefined ? { friendly_name: b.friendly_name as string } : {}),
      ...(b.variables !== undefined ? { variables: b.variables as Record<string, string> } : {}),
      approval: null,
      date_updated: now(),
    });
    return ctx.ok(renderContent(updated));
  });

  api.route('GET', HOST, '/v1/Content', (ctx) => ctx.ok(api.pageV1(ctx, 'contents', ctx.ownList<ContentRecord>(CONTENT_KIND).map(renderContent))));

  api.route('GET', HOST, '/v1/Content/{Sid}', (ctx) => ctx.ok(renderContent(ctx.owned<ContentRecord>(CONTENT_KIND, ctx.path.Sid))));

  api.route('DELETE', HOST, '/v1/Content/{Sid}', (ctx) => {
    const c = ctx.owned<ContentRecord>(CONTENT_KIND, ctx.path.Sid);
    api.cancelTransitions(c.sid);
    api.state.remove(CONTENT_KIND, c.sid);
    return ctx.noContent();
  });

  api.route('GET', HOST, '/v1/ContentAndApprovals', (ctx) =>
    ctx.ok(
      api.pageV1(
        ctx,
        'contents',
        ctx.ownList<ContentRecord>(CONTENT_KIND).map((c) => {
          const { url: _url, links: _links, ...rest } = renderContent(c);
          return { ...rest, approval_requests: approvalOf(c) };
        }),
      ),
    ),
  );

  api.route('POST', HOST, '/v1/Content/{ContentSid}/ApprovalRequests/whatsapp', (ctx) => {
    const c = ctx.owned<ContentRecord>(CONTENT_KIND, ctx.path.ContentSid);
    const b = body(ctx);
    const unknown = Object.keys(b).filter((k) => !['name', 'category', 'allow_category_change'].includes(k));
    if (unknown.length) throw errors.invalidParam(unknown[0]!, 'is not an approval request field; send name and category');
    if (typeof b.name !== 'string' || b.name === '') throw errors.missingParam('name');
    if (typeof b.category !== 'string' || b.category === '') throw errors.missingParam('category');
    // WhatsApp template names: lower-case letters, digits and underscores.
    if (!/^[a-z0-9_]{1,512}$/.test(b.name)) throw errors.invalidParam('name', 'must be lower-case letters, digits and underscores');
    if (!(WHATSAPP_CATEGORIES as readonly string[]).includes(b.category)) throw errors.invalidParam('category', `must be one of ${WHATSAPP_CATEGORIES.join(', ')}`);
    const contentType = Object.keys(c.types).find((t) => CONTENT_TYPES[t]?.approvable);
    if (!contentType) throw errors.invalidParam('ContentSid', `content types ${Object.keys(c.types).join(', ')} cannot be submitted to WhatsApp`);
    const isAuth = contentType === 'whatsapp/authentication';
    if (isAuth !== (b.category === 'AUTHENTICATION')) {
      throw errors.invalidParam('category', 'AUTHENTICATION is the category of whatsapp/authentication templates, and only of them');
    }
    if (c.approval && c.approval.status !== 'rejected') {
      throw new TwilioError(400, 20001, `Content ${c.sid} was already submitted for WhatsApp approval (status ${c.approval.status})`);
    }
    const approval: Approval = {
      name: b.name,
      category: b.category,
      content_type: contentType,
      status: 'received',
      rejection_reason: '',
      allow_category_change: typeof b.allow_category_change === 'boolean' ? b.allow_category_change : true,
    };
    api.state.update<ContentRecord>(CONTENT_KIND, c.sid, { approval, date_updated: now() });
    api.cancelTransitions(c.sid, 'content.approval');
    api.schedule('content.approval', c.sid);
    return ctx.created({ ...approval });
  });

  api.route('GET', HOST, '/v1/Content/{Sid}/ApprovalRequests', (ctx) => {
    const c = ctx.owned<ContentRecord>(CONTENT_KIND, ctx.path.Sid);
    return ctx.ok({ sid: c.sid, account_sid: c.account_sid, whatsapp: { type: 'whatsapp', ...approvalOf(c) }, url: `${BASE}/${c.sid}/ApprovalRequests` });
  });

  api.onTransition('content.approval', (t: Transition) => {
    const c = api.state.get<ContentRecord>(CONTENT_KIND, t.sid);
    if (!c?.approval) return;
    const setApproval = (patch: Partial<Approval>) =>
      api.state.update<ContentRecord>(CONTENT_KIND, c.sid, { approval: { ...c.approval!, ...patch }, date_updated: now() });
    if (c.approval.status === 'received') {
      setApproval({ status: 'pending' });
      api.schedule('content.approval', c.sid);
      return;
    }
    if (c.approval.status !== 'pending') return; // GUARD: already decided.
    if (texts(c.types).some((s) => s.includes(CONTENT_REJECT_TRIGGER))) {
      setApproval({
        status: 'rejected',
        rejection_reason: 'The template was rejected by WhatsApp because its content does not comply with WhatsApp Business policy. Submit a corrected template.',
      });
    } else {
      setApproval({ status: 'approved', rejection_reason: '' });
    }
  });
});
