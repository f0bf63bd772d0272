// Generates the OpenAPI 3.1 description of the HTTP API from every feature's RouteDoc entries (zod schemas →
// JSON Schema 2020-12, which is OpenAPI 3.1's schema dialect).
import { z } from 'zod';
import type { RouteDoc } from '../platform/http/route-docs.ts';
import { errorBodySchema } from '../../shared/common.ts';

type Json = Record<string, unknown>;

/** Routes served by app.ts itself (not by a feature router); listed so the document covers the whole API. */
export const coreRouteDocs: RouteDoc[] = [
  { method: 'get', path: '/health', summary: 'Liveness: the process answers', auth: 'none', response: z.object({ status: z.literal('ok') }), tags: ['health'] },
  {
    method: 'get',
    path: '/ready',
    summary: 'Readiness: database reachable and every migration applied (503 otherwise)',
    auth: 'none',
    response: z.object({ status: z.literal('ready'), database: z.enum(['postgres', 'pglite']) }),
    tags: ['health'],
  },
  { method: 'get', path: '/openapi.json', summary: 'This document', auth: 'none', response: z.record(z.string(), z.unknown()), tags: ['meta'] },
];

/** Express `/isv/customers/:id` → OpenAPI `/api/isv/customers/{id}` and the parameter names. */
export function toOpenApiPath(expressPath: string): { path: string; params: string[] } {
  const params: string[] = [];
  const path = expressPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => {
    params.push(name);
    return `{${name}}`;
  });
  return { path: `/api${path === '/' ? '' : path}`, params };
}

/**
 * Converts one zod schema; nested `$defs` are lifted into components.schemas (their `$ref`s rewritten) so every
 * reference resolves from the document root.
 */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output', components: Record<string, Json>, prefix: string): Json {
  const s = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  delete s.$schema;
  const defs = s.$defs as Record<string, Json> | undefined;
  delete s.$defs;
  if (!defs) return s;
  const rename = (name: string) => `${prefix}_${name}`.replace(/[^A-Za-z0-9._-]/g, '_');
  const rewrite = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(rewrite);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) =>
          k === '$ref' && typeof x === 'string' && x.startsWith('#/$defs/') ? [k, `#/components/schemas/${rename(x.slice(8))}`] : [k, rewrite(x)],
        ),
      );
    }
    return v;
  };
  for (const [name, def] of Object.entries(defs)) components[rename(name)] = rewrite(def) as Json;
  return rewrite(s) as Json;
}

const SECURITY_NOTE: Record<RouteDoc['auth'], string> = {
  none: 'No authentication.',
  user: 'Any signed-in user; customer-scoped data only for members of that customer (others get 404).',
  admin: 'Admins only (403 for everyone else).',
  operator: 'Operators only (403 for everyone else).',
  twilio: 'Called by Twilio; verified with X-Twilio-Signature (403 when the signature is wrong).',
};

export function buildOpenApiDocument(docs: readonly RouteDoc[], info: { version: string; serverUrl?: string }): Json {
  const components: Record<string, Json> = { ErrorBody: jsonSchema(errorBodySchema, 'output', {}, 'ErrorBody') };
  const paths: Record<string, Record<string, Json>> = {};
  const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } } });
  const seen = new Set<string>();

  for (const doc of docs) {
    const { path, params } = toOpenApiPath(doc.path);
    const key = `${doc.method} ${path}`;
    if (seen.has(key)) throw new Error(`two RouteDoc entries describe ${key}`);
    seen.add(key);
    const operationId = `${doc.method}${path.replace(/^\/api/, '').replace(/[{}]/g, '').split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')}`;
    const parameters: Json[] = params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
    if (doc.query) {
      const q = jsonSchema(doc.query, 'input', components, `${operationId}Query`);
      const props = (q.properties ?? {}) as Record<string, Json>;
      const required = new Set((q.required as string[] | undefined) ?? []);
      for (const [name, schema] of Object.entries(props)) parameters.push({ name, in: 'query', required: required.has(name), schema });
    }
    const status = String(doc.status ?? 200);
    const responses: Record<string, Json> = {
      [status]: doc.response
        ? { description: doc.summary, content: { 'application/json': { schema: jsonSchema(doc.response, 'output', components, `${operationId}Response`) } } }
        : { description: doc.summary },
    };
    if (doc.body || doc.query || params.length) responses['422'] = errorResponse('The input is invalid; `errors` lists each field path and reason');
    if (doc.auth !== 'none' && doc.auth !== 'twilio') responses['401'] = errorResponse('Missing, invalid or expired bearer token');
    if (doc.auth === 'admin' || doc.auth === 'operator') responses['403'] = errorResponse(`The caller lacks the ${doc.auth} role`);
    if (doc.auth === 'twilio') responses['403'] = errorResponse('The Twilio signature is missing or wrong');
    if (params.length) responses['404'] = errorResponse('Not found (or not visible to the caller)');
    responses.default = errorResponse('Error');
    const op: Json = {
      operationId,
      summary: doc.summary,
      description: SECURITY_NOTE[doc.auth],
      tags: doc.tags ?? [],
      ...(parameters.length ? { parameters } : {}),
      ...(doc.body
        ? {
            requestBody: {
              required: true,
              content: { [doc.auth === 'twilio' ? 'application/x-www-form-urlencoded' : 'application/json']: { schema: jsonSchema(doc.body, 'input', components, `${operationId}Body`) } },
            },
          }
        : {}),
      responses,
      security: doc.auth === 'none' || doc.auth === 'twilio' ? [] : [{ bearerAuth: [] }],
      'x-auth': doc.auth,
    };
    (paths[path] ??= {})[doc.method] = op;
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Twilio ISV onboarding platform API',
      version: info.version,
      description: 'Customers, onboarding (subaccount, A2P 10DLC, WhatsApp), templates, messaging, admin and operator APIs.',
    },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    paths,
    components: {
      schemas: components,
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Embedded token from /api/auth/login or a Supabase Auth access token' } },
    },
  };
}
