import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { toOpenApiPath } from '../../server/openapi/openapi.ts';
import { servedRoutes } from './route-walk.ts';
import { signUp, uniqueEmail } from '../helpers/auth.ts';
import { customerBody } from '../customers/fixtures.ts';

type Doc = { openapi: string; paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown>; parameters?: { name: string; in: string }[] }>>; components: { schemas: Record<string, unknown> } };

describe('GET /api/openapi.json', () => {
  let ctx: TestContext;
  let doc: Doc;
  beforeAll(async () => {
    ctx = await createTestContext();
    const res = await ctx.request.get('/api/openapi.json');
    expect(res.status).toBe(200);
    doc = res.body;
  });
  afterAll(() => ctx.close());

  it('is a valid OpenAPI 3.1 document whose references all resolve', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(() => validator.resolveRefs()).not.toThrow();
  });

  it('carries JSON Schemas that compile under draft 2020-12', () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    ajv.addSchema({ $id: 'doc', components: doc.components } as never);
    const schemas: unknown[] = [];
    for (const ops of Object.values(doc.paths)) {
      for (const op of Object.values(ops)) {
        const body = (op.requestBody as { content?: Record<string, { schema: unknown }> } | undefined)?.content;
        for (const c of Object.values(body ?? {})) schemas.push(c.schema);
        for (const r of Object.values(op.responses)) for (const c of Object.values((r as { content?: Record<string, { schema: unknown }> }).content ?? {})) schemas.push(c.schema);
      }
    }
    expect(schemas.length).toBeGreaterThan(10);
    const rebase = (s: unknown): unknown =>
      JSON.parse(JSON.stringify(s).replaceAll('"#/components/', '"doc#/components/'));
    for (const s of schemas) expect(() => ajv.compile(rebase(s) as object)).not.toThrow();
  });

  it('describes every route of every feature, and every described route is served', async () => {
    const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`)));
    for (const d of ctx.features.routeDocs) {
      expect(documented, `${d.method} ${d.path}`).toContain(`${d.method} ${toOpenApiPath(d.path).path}`);
    }
    const documentedList = [...documented];
    const served = servedRoutes(ctx.features.routers);
    expect(served.length).toBeGreaterThanOrEqual(ctx.features.routeDocs.length - 3);
    for (const r of served) {
      const p = toOpenApiPath(r.path).path;
      const found = r.suffixOnly
        ? documentedList.some((d) => d.startsWith(`${r.method} `) && d.endsWith(p.replace(/^\/api/, '')))
        : documented.has(`${r.method} ${p}`);
      expect(found, `served but not documented: ${r.method} ${r.path}`).toBe(true);
    }
    for (const core of ['get /api/health', 'get /api/ready', 'get /api/openapi.json']) expect(documented).toContain(core);
    // And the other direction: each documented route reaches a handler (anything but route_not_found), asked by
    // a user who holds both staff roles and owns the customer in the path, so no gate answers first.
    const staff = await signUp(ctx, uniqueEmail('probe'), { roles: ['admin', 'operator'] });
    const customerId = (await ctx.request.post('/api/isv/customers').set(staff.auth).send(customerBody())).body.id as string;
    for (const key of documented) {
      const [method, path] = key.split(' ') as [string, string];
      const url = path.replace('{id}', customerId).replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
      const res = await (ctx.request as unknown as Record<string, (u: string) => import('supertest').Test>)[method]!(url).set(staff.auth);
      expect(res.body?.code, key).not.toBe('route_not_found');
    }
  });

  it('marks path parameters and bearer security', () => {
    const op = doc.paths['/api/isv/customers/{id}']!.patch!;
    expect(op.parameters).toContainEqual(expect.objectContaining({ name: 'id', in: 'path' }));
    expect(op.requestBody).toBeDefined();
    expect(doc.paths['/api/auth/login']!.post!).toMatchObject({ security: [] });
    expect(doc.paths['/api/isv/operator/subaccounts']!.get!).toMatchObject({ security: [{ bearerAuth: [] }], 'x-auth': 'operator' });
  });
});
