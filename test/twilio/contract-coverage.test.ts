// Every Twilio operation the platform calls has a contract test, and the table in docs/twilio-contract.md says so truthfully.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverContractChecks, findOperation, PLATFORM_OPERATIONS, docWithTable, OPERATIONS_DOC, REPO_ROOT } from './operations.ts';

describe('contract coverage', () => {
  const checks = discoverContractChecks();

  it('names only operations that exist in the OpenAPI documents', () => {
    expect(PLATFORM_OPERATIONS.filter((o) => !findOperation(o.spec, o.operationId))).toEqual([]);
    expect(checks.filter((c) => !c.operationId)).toEqual([]);
  });

  it('has a contract test for every operation the platform calls', () => {
    const covered = new Set(checks.map((c) => `${c.spec} ${c.operationId}`));
    expect(PLATFORM_OPERATIONS.filter((o) => !covered.has(`${o.spec} ${o.operationId}`))).toEqual([]);
    expect(PLATFORM_OPERATIONS.length).toBeGreaterThanOrEqual(68);
  });

  it('lists every operation once', () => {
    const keys = PLATFORM_OPERATIONS.map((o) => `${o.spec} ${o.operationId}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('finds no twilio SDK resource used in server/ that the contract tests leave out', () => {
    // The SDK's resource accessors for the five APIs the platform uses, read from its own type definitions.
    const rest = path.join(path.dirname(createRequire(import.meta.url).resolve('twilio/package.json')), 'lib', 'rest');
    const accessors = new Set<string>();
    const readDefinitions = (file: string) => {
      for (const m of readFileSync(file, 'utf8').matchAll(/get ([a-zA-Z0-9]+)\(\): [A-Za-z0-9]+(?:ListInstance|Context)\b/g)) accessors.add(m[1]!);
    };
    const readDir = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) readDir(full);
        else if (entry.name.endsWith('.d.ts')) readDefinitions(full);
      }
    };
    for (const d of ['api/v2010', 'messaging/v1', 'messaging/v2', 'trusthub/v1', 'content/v1']) readDir(path.join(rest, d));
    for (const f of ['api/V2010.d.ts', 'messaging/V1.d.ts', 'messaging/V2.d.ts', 'trusthub/V1.d.ts', 'content/V1.d.ts']) readDefinitions(path.join(rest, f));
    // Accessors of the covered operations, and SDK names that are also everyday words in our code.
    const covered = new Set([
      'accounts', 'addresses', 'availablePhoneNumbers', 'local', 'incomingPhoneNumbers', 'messages', 'usage', 'services', 'phoneNumbers', 'usecases',
      'usAppToPerson', 'usAppToPersonUsecases', 'brandRegistrations', 'brandRegistrationOtps', 'policies', 'endUsers', 'supportingDocuments',
      'customerProfiles', 'customerProfilesEntityAssignments', 'customerProfilesEvaluations', 'trustProducts', 'trustProductsEntityAssignments',
      'trustProductsEvaluations', 'contents', 'approvalCreate', 'approvalFetch', 'channelsSenders',
    ]);
    const everyday = new Set(['data', 'events', 'members', 'tokens', 'keys', 'credentials', 'auth', 'feedback', 'payloads', 'media', 'streams', 'mobile', 'national', 'balance', 'calls', 'notifications', 'recordings', 'queues', 'participants', 'applications', 'sip', 'extensions', 'payments', 'transcriptions', 'voip']);
    const used = new Map<string, string>();
    const scan = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (!['sandbox', 'twilio'].includes(entry.name) || dir !== path.join(REPO_ROOT, 'server')) scan(full);
        } else if (/\.tsx?$/.test(entry.name)) {
          const text = readFileSync(full, 'utf8');
          for (const name of accessors) {
            if (covered.has(name) || everyday.has(name)) continue;
            if (new RegExp(`\\.${name}\\b`).test(text)) used.set(name, path.relative(REPO_ROOT, full));
          }
        }
      }
    };
    scan(path.join(REPO_ROOT, 'server'));
    expect(accessors).toContain('tollfreeVerifications');
    expect(accessors.size).toBeGreaterThan(50);
    expect(Object.fromEntries(used)).toEqual({});
  });

  it('keeps the table in docs/twilio-contract.md in step (regenerate with `npx tsx test/twilio/operations.ts --write`)', () => {
    const doc = readFileSync(path.join(REPO_ROOT, OPERATIONS_DOC), 'utf8');
    expect(docWithTable(doc)).toBe(doc);
  });
});
