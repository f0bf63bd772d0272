// Every Twilio operation the platform calls has a contract test, and the README's table says so truthfully.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverContractChecks, findOperation, PLATFORM_OPERATIONS, readmeWithTable, REPO_ROOT } from './operations.ts';

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

  it('keeps the README table in step (regenerate with `npx tsx test/twilio/operations.ts --write`)', () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readmeWithTable(readme)).toBe(readme);
  });
});
