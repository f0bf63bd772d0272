// Validates a response body against the matching response schema in Twilio's OpenAPI documents with Ajv,
// after converting OpenAPI 3.0 schema dialect to JSON Schema. The documents are the complete twilio-oai
// specs that Twilio publishes inside the npm package @twilio-alpha/mcp (a pinned devDependency), found
// through Node's module resolution so the repository never reads a folder beside itself.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

const require = createRequire(import.meta.url);
const SPEC_PACKAGE = '@twilio-alpha/mcp';
const specPackageJson = require.resolve(`${SPEC_PACKAGE}/package.json`);

/** The folder holding twilio_<product>_<version>.json. */
export const OPENAPI_DIR = path.join(path.dirname(specPackageJson), 'twilio-oai', 'spec', 'json');
/** Where the documents come from, for messages and the docs: "@twilio-alpha/mcp@0.7.0". */
export const OPENAPI_SOURCE = `${SPEC_PACKAGE}@${(JSON.parse(readFileSync(specPackageJson, 'utf8')) as { version: string }).version}`;

/** The document file of a short spec name: 'api_v2010' → twilio_api_v2010.json in OPENAPI_DIR. */
export function specFilePath(specFile: string): string {
  if (path.isAbsolute(specFile)) return specFile;
  const name = specFile.endsWith('.json') ? specFile : `twilio_${specFile}.json`;
  return path.join(OPENAPI_DIR, name);
}

export interface SpecMatchOptions {
  /**
   * Twilio always returns every documented field (null when it has no value), so by default every property
   * a schema lists is required and an undocumented property is an error. Turn off for a body that is
   * legitimately partial.
   */
  exact?: boolean;
}

type Json = Record<string, unknown>;

const RFC2822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$/;

function createAjv(): Ajv {
  // strict: false because Twilio's schemas carry vendor keywords (x-twilio, x-*-extra-annotation).
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv, ['date-time', 'date', 'uri-reference', 'email']);
  // Twilio marks relative URIs (`first_page_uri: "/2010-04-01/..."`, its own examples) as format uri, so
  // "uri" here means an absolute http(s) URL or an absolute path.
  ajv.addFormat('uri', { type: 'string', validate: (s: string) => /^(https?:\/\/[^\s/]+)?\/\S*$/.test(s) || /^https?:\/\/[^\s/]+$/.test(s) });
  // Twilio's own formats (see the specs): validated where the meaning is clear.
  ajv.addFormat('date-time-rfc-2822', { type: 'string', validate: (s: string) => RFC2822.test(s) && !Number.isNaN(Date.parse(s)) });
  ajv.addFormat('http-method', { type: 'string', validate: /^(GET|POST|PUT|PATCH|DELETE|HEAD)$/ });
  // Twilio's own examples use "(808) 925-1571" as a phone-number (friendly names), so punctuation is allowed.
  ajv.addFormat('phone-number', { type: 'string', validate: /^([a-z]+:)?\+?[0-9A-Za-z() .-]{2,}$/ });
  ajv.addFormat('iso-country-code', { type: 'string', validate: /^[A-Z]{2}$/ });
  ajv.addFormat('currency', { type: 'string', validate: /^[A-Za-z]{3}$/ });
  ajv.addFormat('int64', { type: 'string', validate: /^-?\d+$/ });
  ajv.addFormat('uri-map', true);
  ajv.addFormat('phone-number-capabilities', true);
  return ajv;
}

/**
 * OpenAPI 3.0 → JSON Schema: `nullable: true` adds `null` to the type (and to an enum); a nullable `$ref`
 * becomes `anyOf [ref, null]`; `oneOf` becomes `anyOf` (Twilio uses oneOf for API versions of one resource
 * whose fields overlap, so exactly-one would reject every body); refs point into the registered document.
 */
function convert(schema: unknown, docId: string, exact: boolean): unknown {
  if (Array.isArray(schema)) return schema.map((s) => convert(s, docId, exact));
  if (!schema || typeof schema !== 'object') return schema;
  const s = schema as Json;
  const out: Json = {};
  for (const [k, v] of Object.entries(s)) {
    if (k.startsWith('x-') || k === 'example' || k === 'examples' || k === 'nullable' || k === 'discriminator') continue;
    if (k === '$ref' && typeof v === 'string') out.$ref = v.startsWith('#') ? `${docId}${v}` : v;
    else if (k === 'oneOf') out.anyOf = convert(v, docId, exact);
    else if (k === 'properties' && v && typeof v === 'object') {
      out.properties = Object.fromEntries(Object.entries(v as Json).map(([pk, pv]) => [pk, convert(pv, docId, exact)]));
    } else out[k] = convert(v, docId, exact);
  }
  if (exact && out.properties && typeof out.properties === 'object' && !('additionalProperties' in s)) {
    const names = Object.keys(out.properties as Json);
    out.additionalProperties = false;
    out.required = [...new Set([...((out.required as string[] | undefined) ?? []), ...names])];
  }
  if (s.nullable === true) {
    if (out.$ref) return { anyOf: [{ $ref: out.$ref }, { type: 'null' }] };
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  return out;
}

interface LoadedSpec {
  doc: Json;
  ajv: Ajv;
  docId: string;
  validators: Map<string, ValidateFunction>;
}

const specs = new Map<string, LoadedSpec>();

/** What twilio-oai-newer.json adds to one spec: whole operations, whole schemas, properties of a schema. */
export interface SpecOverlay {
  paths: Record<string, Record<string, Json>>;
  schemas: Record<string, Json>;
  properties: Record<string, Record<string, Json>>;
}

export const OVERLAY = JSON.parse(readFileSync(path.join(import.meta.dirname, 'twilio-oai-newer.json'), 'utf8')) as {
  'twilio-oai': string;
  specs: Record<string, SpecOverlay>;
};

const documents = new Map<string, Json>();

/** The package's document alone, without the overlay (for the drift test). */
export function packageDocument(specFile: string): Json {
  return JSON.parse(readFileSync(specFilePath(specFile), 'utf8')) as Json;
}

/** The document of a spec: the package's, plus what twilio-oai-newer.json adds for it. */
export function specDocument(specFile: string): Json {
  const file = specFilePath(specFile);
  let doc = documents.get(file);
  if (!doc) {
    doc = packageDocument(specFile);
    const overlay = OVERLAY.specs[path.basename(file).replace(/^twilio_/, '').replace(/\.json$/, '')];
    if (overlay) {
      const paths = doc.paths as Record<string, Record<string, Json>>;
      for (const [p, ops] of Object.entries(overlay.paths)) paths[p] = { ...paths[p], ...ops };
      const schemas = (doc.components as { schemas: Record<string, Json> }).schemas;
      Object.assign(schemas, overlay.schemas);
      for (const [name, props] of Object.entries(overlay.properties)) {
        schemas[name] = { ...schemas[name], properties: { ...(schemas[name]!.properties as Json), ...props } };
      }
    }
    documents.set(file, doc);
  }
  return doc;
}

function load(specFile: string, exact: boolean): LoadedSpec {
  const file = specFilePath(specFile);
  const key = `${file}|${exact}`;
  let spec = specs.get(key);
  if (!spec) {
    const doc = specDocument(specFile);
    const docId = `urn:twilio-openapi:${path.basename(file)}:${exact ? 'exact' : 'loose'}`;
    const ajv = createAjv();
    ajv.addSchema({ $id: docId, components: convert(doc.components ?? {}, docId, exact) });
    spec = { doc, ajv, docId, validators: new Map() };
    specs.set(key, spec);
  }
  return spec;
}

/** The JSON response schema of an operation, or throws naming what is missing. */
export function responseSchema(specFile: string, method: string, pathTemplate: string, status: number): unknown {
  const { doc } = load(specFile, false);
  const paths = doc.paths as Record<string, Record<string, Json>>;
  const op = paths[pathTemplate]?.[method.toLowerCase()];
  if (!op) throw new Error(`${specFile}: no operation ${method.toUpperCase()} ${pathTemplate}`);
  const responses = op.responses as Record<string, Json>;
  const res = responses[String(status)];
  if (!res) throw new Error(`${specFile}: ${method.toUpperCase()} ${pathTemplate} documents no ${status} response (has ${Object.keys(responses).join(', ')})`);
  const content = res.content as Record<string, { schema?: unknown }> | undefined;
  return content?.['application/json']?.schema;
}

/**
 * Asserts that `body` is what Twilio documents for `method pathTemplate` answering `status`.
 * `specFile` is a short spec name ('api_v2010', 'messaging_v1'), a file name in OPENAPI_DIR or an absolute path.
 * Throws an Error listing every violation (with its JSON pointer) so Vitest prints it.
 */
export function expectMatchesSpec(
  specFile: string,
  method: string,
  pathTemplate: string,
  status: number,
  body: unknown,
  options: SpecMatchOptions = {},
): void {
  const exact = options.exact ?? true;
  const spec = load(specFile, exact);
  const cacheKey = `${method.toLowerCase()} ${pathTemplate} ${status}`;
  let validate = spec.validators.get(cacheKey);
  if (!validate) {
    const schema = responseSchema(specFile, method, pathTemplate, status);
    if (schema === undefined) {
      if (body === undefined || body === null || body === '') return;
      throw new Error(`${cacheKey}: the spec documents no body but one was returned`);
    }
    validate = spec.ajv.compile(convert(schema, spec.docId, exact) as object);
    spec.validators.set(cacheKey, validate);
  }
  if (!validate(body)) {
    const problems = (validate.errors ?? [])
      .map((e) => `  ${e.instancePath || '(root)'} ${e.message}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`)
      .join('\n');
    throw new Error(`response does not match ${path.basename(specFilePath(specFile))} ${cacheKey}:\n${problems}\nbody: ${JSON.stringify(body).slice(0, 2000)}`);
  }
}

// ------------------------------------------------------------------------------------------ requests
// (helper T) Checks what the platform SENT against the operation's documented parameters: the requestBody
// schema's `required` list (form or JSON), required query parameters, and no undocumented names.

interface RequestSpec {
  contentType?: 'application/x-www-form-urlencoded' | 'application/json';
  /** The request body schema with $refs resolved at the top level (form or JSON). */
  bodySchema?: Json;
  required: string[];
  /** Documented names: body properties for POST/PUT, query parameters for GET/DELETE. */
  known: Set<string>;
  query: Json[];
}

function resolveRef(doc: Json, schema: Json | undefined): Json | undefined {
  let s = schema;
  for (let i = 0; s && typeof s.$ref === 'string' && i < 10; i++) {
    const parts = (s.$ref as string).replace(/^#\//, '').split('/');
    s = parts.reduce<unknown>((node, key) => (node as Json | undefined)?.[key], doc) as Json | undefined;
  }
  return s;
}

function requestSpec(specFile: string, method: string, pathTemplate: string): RequestSpec {
  const { doc } = load(specFile, false);
  const paths = doc.paths as Record<string, Record<string, Json>>;
  const op = paths[pathTemplate]?.[method.toLowerCase()];
  if (!op) throw new Error(`${specFile}: no operation ${method.toUpperCase()} ${pathTemplate}`);
  const query = ((op.parameters as Json[] | undefined) ?? []).filter((p) => p.in === 'query');
  const content = (op.requestBody as Json | undefined)?.content as Record<string, { schema?: Json }> | undefined;
  const contentType = content?.['application/x-www-form-urlencoded']
    ? 'application/x-www-form-urlencoded'
    : content?.['application/json']
      ? 'application/json'
      : undefined;
  const bodySchema = contentType ? resolveRef(doc, content?.[contentType]?.schema) : undefined;
  const props = (bodySchema?.properties as Json | undefined) ?? {};
  const isBodyMethod = method.toUpperCase() === 'POST' || method.toUpperCase() === 'PUT';
  return {
    contentType,
    bodySchema,
    required: isBodyMethod
      ? [...((bodySchema?.required as string[] | undefined) ?? []), ...query.filter((p) => p.required).map((p) => p.name as string)]
      : query.filter((p) => p.required).map((p) => p.name as string),
    known: new Set(isBodyMethod ? [...Object.keys(props), ...query.map((p) => p.name as string)] : query.map((p) => p.name as string)),
    query,
  };
}

/** The names an operation requires (requestBody `required`, plus required query parameters). */
export function requiredRequestParams(specFile: string, method: string, pathTemplate: string): string[] {
  return requestSpec(specFile, method, pathTemplate).required;
}

/**
 * Asserts that a request the platform sent (as the sandbox logged it: form/query names → values, JSON
 * top-level keys → values with non-strings JSON-encoded) carries every required parameter, only documented
 * names, enum values from the documented lists, and (JSON bodies) validates against the request schema.
 */
export function expectRequestMatchesSpec(
  specFile: string,
  method: string,
  pathTemplate: string,
  sent: Record<string, string | string[]>,
): void {
  const spec = requestSpec(specFile, method, pathTemplate);
  const problems: string[] = [];
  for (const name of spec.required) {
    const v = sent[name];
    if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) problems.push(`missing required parameter ${name}`);
  }
  const props = (spec.bodySchema?.properties as Record<string, Json> | undefined) ?? {};
  const isBodyMethod = method.toUpperCase() === 'POST' || method.toUpperCase() === 'PUT';
  for (const [name, value] of Object.entries(sent)) {
    if (!spec.known.has(name)) {
      problems.push(`undocumented parameter ${name}`);
      continue;
    }
    if (!isBodyMethod || spec.contentType !== 'application/x-www-form-urlencoded') continue;
    const { doc } = load(specFile, false);
    const prop = resolveRef(doc, props[name]) ?? {};
    const item = prop.type === 'array' ? (resolveRef(doc, prop.items as Json) ?? {}) : prop;
    for (const v of Array.isArray(value) ? value : [value]) {
      if (Array.isArray(item.enum) && !item.enum.includes(v)) problems.push(`${name}=${v} is not one of ${JSON.stringify(item.enum)}`);
      if (item.type === 'boolean' && !/^(true|false)$/i.test(v)) problems.push(`${name}=${v} is not a boolean`);
      if (item.type === 'integer' && !/^-?\d+$/.test(v)) problems.push(`${name}=${v} is not an integer`);
    }
    if (prop.type !== 'array' && Array.isArray(value)) problems.push(`${name} is sent ${value.length} times but is not an array`);
  }
  if (isBodyMethod && spec.contentType === 'application/json' && spec.bodySchema) {
    const loaded = load(specFile, false);
    const body: Json = {};
    for (const [name, value] of Object.entries(sent)) {
      if (spec.query.some((q) => q.name === name)) continue;
      const prop = resolveRef(loaded.doc, props[name]);
      const raw = Array.isArray(value) ? value[0]! : value;
      if (prop?.type === 'string') body[name] = raw;
      else {
        try {
          body[name] = JSON.parse(raw);
        } catch {
          body[name] = raw;
        }
      }
    }
    const key = `request ${method.toLowerCase()} ${pathTemplate}`;
    let validate = loaded.validators.get(key);
    if (!validate) {
      validate = loaded.ajv.compile(convert(spec.bodySchema, loaded.docId, false) as object);
      loaded.validators.set(key, validate);
    }
    if (!validate(body)) {
      for (const e of validate.errors ?? []) problems.push(`body${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
    }
  }
  if (problems.length) {
    throw new Error(`request does not match ${path.basename(specFilePath(specFile))} ${method.toUpperCase()} ${pathTemplate}:\n  ${problems.join('\n  ')}\nsent: ${JSON.stringify(sent).slice(0, 2000)}`);
  }
}
