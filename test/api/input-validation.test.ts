// Every write route, found through the RouteDoc entries: a malformed body is refused with 400/422 naming the
// fields, and random bodies (fast-check) never produce a 5xx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import type { Test } from 'supertest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signUp, uniqueEmail, type SignedUp } from '../helpers/auth.ts';
import type { RouteDoc } from '../../server/platform/http/route-docs.ts';
import { customerBody } from '../customers/fixtures.ts';

type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; enum?: unknown[]; const?: unknown; anyOf?: JsonSchema[]; oneOf?: JsonSchema[] };

/** A value no field of this schema accepts: the wrong JSON type (or an unknown enum member). */
function wrongValue(s: JsonSchema): unknown {
  if (s.enum || s.const !== undefined) return '!not-a-member!';
  const types = new Set([s.type ?? [], ...(s.anyOf ?? s.oneOf ?? []).map((x) => x.type ?? [])].flat());
  if (!types.has('object')) return { wrong: true };
  if (!types.has('array')) return [[]];
  if (!types.has('boolean')) return true;
  return 12345;
}

const WRITE_METHODS = new Set(['post', 'put', 'patch', 'delete']);

/**
 * Known 500s in other features, reported to their owners (a loose /^[0-9a-f-]{36}$/ check lets 36 dashes reach
 * a ::uuid cast): server/messaging/messaging.service.ts (message look-up) and server/admin/admin.service.ts
 * (isUuid). The test fails when one of these starts passing, so the list cannot outlive the fix.
 */
const KNOWN_PATH_PARAM_500S = new Set<string>([]);
const OTHER_ID = '00000000-0000-4000-8000-000000000000';

describe('input validation on every write route', () => {
  let ctx: TestContext;
  let owner: SignedUp;
  let admin: SignedUp;
  let operator: SignedUp;
  let customerId: string;
  let writes: RouteDoc[];

  beforeAll(async () => {
    ctx = await createTestContext();
    owner = await signUp(ctx, uniqueEmail('owner'));
    admin = await signUp(ctx, uniqueEmail('admin'), { roles: ['admin'] });
    operator = await signUp(ctx, uniqueEmail('operator'), { roles: ['operator'] });
    customerId = (await ctx.request.post('/api/isv/customers').set(owner.auth).send(customerBody())).body.id;
    // Webhooks are refused before their body is read unless Twilio signed them; they are fuzzed below, not checked here.
    writes = ctx.features.routeDocs.filter((d) => WRITE_METHODS.has(d.method));
  });
  afterAll(() => ctx.close());

  /** The caller and URL that get each route past authentication and the membership gate. */
  function call(doc: RouteDoc, body: unknown): Test {
    const url = `/api${doc.path}`.replace(':id', customerId).replace(/:([A-Za-z_]+)/g, (_m, name: string) => (/sid/i.test(name) ? `AC${'c'.repeat(32)}` : OTHER_ID));
    const who = doc.auth === 'admin' ? admin : doc.auth === 'operator' ? operator : doc.auth === 'user' ? owner : undefined;
    const req = (ctx.request as unknown as Record<string, (u: string) => Test>)[doc.method]!(url).set('Content-Type', 'application/json');
    if (who) req.set(who.auth);
    return body === undefined ? req : req.send(JSON.stringify(body));
  }

  it('finds the write routes', () => {
    expect(writes.filter((d) => d.body).length).toBeGreaterThanOrEqual(8);
  });

  it('refuses a malformed body with 400 or 422 and the path of each bad field', async () => {
    const failures: string[] = [];
    for (const doc of writes.filter((d) => d.body && d.auth !== 'twilio')) {
      const schema = z.toJSONSchema(doc.body!, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
      const props = Object.keys(schema.properties ?? {});
      const body = props.length ? Object.fromEntries(props.map((p) => [p, wrongValue(schema.properties![p]!)])) : [[]];
      const res = await call(doc, body);
      const paths: string[] = (res.body?.errors ?? []).map((e: { path: string }) => e.path);
      const named = props.length ? props.some((p) => paths.some((x) => x === p || x.startsWith(`${p}.`))) : paths.length > 0;
      if (![400, 422].includes(res.status) || !named) failures.push(`${doc.method.toUpperCase()} ${doc.path} → ${res.status} ${JSON.stringify(res.body)}`);
    }
    expect(failures).toEqual([]);
  });

  it('refuses malformed query parameters on every listing with 422 and their names', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const doc of ctx.features.routeDocs.filter((d) => d.query)) {
      const props = (z.toJSONSchema(doc.query!, { io: 'input', unrepresentable: 'any' }) as JsonSchema & { properties?: Record<string, JsonSchema & { format?: string; pattern?: string }> }).properties ?? {};
      // Only parameters that constrain their text can be malformed: numbers, enums, formats, patterns.
      const strict = Object.entries(props).filter(([, p]) => p.type === 'integer' || p.type === 'number' || p.enum || p.format || p.pattern);
      if (strict.length === 0) continue;
      checked++;
      const url = `/api${doc.path}`.replace(':id', customerId).replace(/:(\w+)/g, OTHER_ID);
      const who = doc.auth === 'admin' ? admin : doc.auth === 'operator' ? operator : owner;
      const res = await ctx.request.get(url).query(Object.fromEntries(strict.map(([k]) => [k, '!bad value!']))).set(who.auth);
      const paths: string[] = (res.body?.errors ?? []).map((e: { path: string }) => e.path);
      const missing = strict.map(([k]) => k).filter((k) => !paths.includes(k));
      if (![400, 422].includes(res.status) || missing.length) failures.push(`GET ${doc.path} → ${res.status}, fields not named: ${missing.join(', ')}`);
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(3);
  });

  it('refuses a body that is not JSON with 400', async () => {
    for (const doc of writes.filter((d) => d.body && d.auth !== 'twilio')) {
      const res = await call(doc, undefined).send('{"not json');
      expect(res.status, `${doc.method} ${doc.path}`).toBe(400);
      expect(res.body.code).toBe('bad_request');
    }
  });

  it('never answers 5xx to random bodies on any write route (property-based)', async () => {
    const failures: string[] = [];
    for (const doc of writes) {
      const schema = doc.body ? (z.toJSONSchema(doc.body, { io: 'input', unrepresentable: 'any' }) as JsonSchema) : {};
      const keys = Object.keys(schema.properties ?? {});
      const shaped = keys.length
        ? fc.record(Object.fromEntries(keys.map((k) => [k, fc.jsonValue({ maxDepth: 2 })])), { requiredKeys: [] })
        : fc.constant({});
      // Near-valid customers: one field of a valid body replaced by anything.
      const mutated = fc
        .tuple(fc.constantFrom(...Object.keys(customerBody())), fc.jsonValue({ maxDepth: 2 }))
        .map(([k, v]) => ({ ...customerBody(), [k]: v }));
      const bodies = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.object({ maxDepth: 2 }), shaped, mutated);
      await fc.assert(
        fc.asyncProperty(bodies, async (body) => {
          const res = await call(doc, body);
          if (res.status >= 500) failures.push(`${doc.method.toUpperCase()} ${doc.path} ${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body)}`);
          return res.status < 500;
        }),
        { numRuns: 40, seed: 6 },
      ).catch(() => undefined);
    }
    expect(failures).toEqual([]);
  });

  it('never answers 5xx to odd path parameters on any route (property-based)', async () => {
    const staffOwner = await signUp(ctx, uniqueEmail('staff-owner'), { roles: ['admin', 'operator'] });
    const ownId = (await ctx.request.post('/api/isv/customers').set(staffOwner.auth).send(customerBody())).body.id as string;
    const nasty = ['-'.repeat(36), 'g'.repeat(36), `${ownId}x`, ownId.toUpperCase(), '%00', '..', `AC${'z'.repeat(32)}`, '00000000-0000-0000-0000-000000000000', 'null', ' '];
    const failures = new Set<string>();
    const probe = async (doc: RouteDoc, name: string, value: string) => {
      const url = `/api${doc.path}`.replace(/:(\w+)/g, (_m, n: string) => (n === name ? encodeURIComponent(value) : n === 'id' && doc.path.startsWith('/isv/customers/') ? ownId : OTHER_ID));
      const req = (ctx.request as unknown as Record<string, (u: string) => Test>)[doc.method]!(url).set(staffOwner.auth);
      const res = doc.method === 'get' ? await req : await req.send({});
      if (res.status >= 500) failures.add(`${doc.method} ${doc.path} :${name}=${JSON.stringify(value)}`);
      return res.status < 500;
    };
    for (const doc of ctx.features.routeDocs.filter((d) => d.path.includes(':'))) {
      const names = [...doc.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
      for (const name of names) for (const value of nasty) await probe(doc, name, value);
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...names), fc.string({ minLength: 1, maxLength: 60 }), (name, value) => probe(doc, name, value)),
        { numRuns: 25, seed: 7 },
      ).catch(() => undefined);
    }
    expect([...failures].filter((f) => !KNOWN_PATH_PARAM_500S.has(f))).toEqual([]);
    expect([...KNOWN_PATH_PARAM_500S].filter((f) => !failures.has(f)), 'fixed: remove from KNOWN_PATH_PARAM_500S').toEqual([]);
  });

  it('never answers 5xx to odd query parameters on any listing (property-based)', async () => {
    const staffOwner = await signUp(ctx, uniqueEmail('lister'), { roles: ['admin', 'operator'] });
    const ownId = (await ctx.request.post('/api/isv/customers').set(staffOwner.auth).send(customerBody())).body.id as string;
    const failures = new Set<string>();
    for (const doc of ctx.features.routeDocs.filter((d) => d.query)) {
      const keys = Object.keys((z.toJSONSchema(doc.query!, { io: 'input', unrepresentable: 'any' }) as JsonSchema).properties ?? {});
      const url = `/api${doc.path}`.replace(':id', ownId);
      const value = fc.oneof(
        fc.constantFrom('2026-02-31T00:00:00Z', '9999-12-31T23:59:59Z', '-1', '0', '1e309', 'NaN', '-'.repeat(36), '', '%', '\u0000', 'null'),
        fc.string({ maxLength: 40 }),
      );
      await fc.assert(
        fc.asyncProperty(fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 4 }), async (query) => {
          const res = await ctx.request.get(url).query(query).set(staffOwner.auth);
          if (res.status >= 500) failures.add(`GET ${doc.path} ${JSON.stringify(query)} → ${res.status}`);
          return res.status < 500;
        }),
        { numRuns: 40, seed: 8 },
      ).catch(() => undefined);
    }
    expect([...failures]).toEqual([]);
  });
});
