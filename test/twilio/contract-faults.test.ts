// Under SANDBOX_FAULT_RATE=0.3 (a third of requests answered 429/20429 or 503 before they touch any state) the
// gateway's retries still carry a scripted run of every platform operation to the end, and permanent errors are
// thrown at once. The fault pattern is seeded, so a failure reproduces.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_OPERATIONS, operationForRequest } from './operations.ts';
import { runEveryOperation } from './scripted-run.ts';
import { createContractRig, type ContractRig } from './contract-rig.ts';
import { captureLogs } from '../helpers/log-capture.ts';

/** mulberry32: a tiny seeded PRNG for the sandbox's fault decisions. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the gateway under injected faults (SANDBOX_FAULT_RATE=0.3)', () => {
  let rig: ContractRig;
  const logs = captureLogs('info');
  beforeAll(async () => {
    rig = await createContractRig({
      sandbox: { faultRate: 0.3, random: seeded(20261123) },
      gateway: { logger: logs.logger, retry: { baseMs: 1, maxMs: 4, maxAttempts: 12 } },
    });
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('a scripted run of every operation completes, with the faults absorbed by retries', async () => {
    await runEveryOperation(rig);

    const succeeded = new Set<string>();
    for (const e of rig.exchanges) {
      if (e.statusCode >= 200 && e.statusCode < 300) {
        const op = operationForRequest(e.method, e.uri);
        if (op) succeeded.add(op.operationId);
      }
    }
    expect([...PLATFORM_OPERATIONS.map((o) => o.operationId)].filter((id) => !succeeded.has(id))).toEqual([]);

    const faulted = rig.sandbox.requests.filter((r) => r.faulted);
    const retries = logs.records().filter((r) => r.msg === 'twilio.call_retry');
    expect(faulted.length).toBeGreaterThan(20);
    // Every faulted answer was retried (none surfaced as a failure), and only faults were retried.
    expect(retries.length).toBe(faulted.length);
    expect(new Set(retries.map((r) => r.httpStatus))).toEqual(new Set(faulted.map((r) => r.status)));
    for (const status of new Set(faulted.map((r) => r.status))) expect([429, 503]).toContain(status);
    expect(logs.records().filter((r) => r.msg === 'twilio.call_failed')).toEqual([]);
    // A retried create never created twice: faults happen before any state changes.
    expect(rig.sandbox.resources('account').filter((a) => a.friendly_name === 'isv:scripted')).toHaveLength(1);
  });

  it('a permanent error is thrown at once, after retrying only the faults in front of it', async () => {
    const sub = await rig.newSubaccount('isv:faults-permanent');
    const retried: (number | undefined)[] = [];
    const before = rig.sandbox.requests.length;
    const err = await rig.twilio
      .call('messages.create', () => rig.twilio.master.api.v2010.accounts(sub.sid).messages.create({ to: '+15005550001', from: '+15005550006', body: 'x' }), {
        onRetry: (e) => retried.push(e.httpStatus),
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'permanent', httpStatus: 400, twilioCode: 21211 });
    const sent = rig.sandbox.requests.slice(before).filter((r) => r.path.endsWith('/Messages.json'));
    expect(sent.filter((r) => !r.faulted)).toHaveLength(1);
    expect(retried).toHaveLength(sent.filter((r) => r.faulted).length);
    for (const status of retried) expect([429, 503]).toContain(status);
  });
});
