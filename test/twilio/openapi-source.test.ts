// Where the OpenAPI documents come from: the pinned @twilio-alpha/mcp package inside node_modules (never a
// folder beside the repository), plus test/helpers/twilio-oai-newer.json for what Twilio documented after the
// package was published. The overlay must never repeat or override what the package documents.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPENAPI_DIR, OPENAPI_SOURCE, OVERLAY, packageDocument } from '../helpers/openapi.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
type Json = Record<string, unknown>;

describe('the Twilio OpenAPI documents', () => {
  it('come from the pinned package inside the repository', async () => {
    const pkg = (await import('../../package.json', { with: { type: 'json' } })).default as { devDependencies: Record<string, string> };
    expect(OPENAPI_SOURCE).toBe(`@twilio-alpha/mcp@${pkg.devDependencies['@twilio-alpha/mcp']}`);
    expect(path.relative(ROOT, OPENAPI_DIR).startsWith('..')).toBe(false);
  });

  it('add from the newer twilio-oai only what the package does not document yet', () => {
    const repeated: string[] = [];
    for (const [spec, overlay] of Object.entries(OVERLAY.specs)) {
      const doc = packageDocument(spec);
      const schemas = (doc.components as { schemas: Record<string, Json> }).schemas;
      const paths = doc.paths as Record<string, Record<string, Json>>;
      for (const name of Object.keys(overlay.schemas)) if (schemas[name]) repeated.push(`${spec} schema ${name}`);
      for (const [name, props] of Object.entries(overlay.properties)) {
        for (const prop of Object.keys(props)) if ((schemas[name]?.properties as Json | undefined)?.[prop]) repeated.push(`${spec} ${name}.${prop}`);
      }
      for (const [p, ops] of Object.entries(overlay.paths)) {
        for (const method of Object.keys(ops)) {
          // An operation is replaced only when its responses need a schema the package lacks.
          const needs = JSON.stringify(ops[method]).match(/#\/components\/schemas\/[^"]+/g) ?? [];
          if (paths[p]?.[method] && !needs.some((ref) => !schemas[ref.split('/').pop()!])) repeated.push(`${spec} ${method} ${p}`);
        }
      }
    }
    expect(repeated, 'the package now documents these: delete them from test/helpers/twilio-oai-newer.json').toEqual([]);
  });
});
