// Engine mechanics with small hand-made flow tables: leases and their reclaim, the version guard, poll backoff with
// jitter and webhook wake-ups, transient vs permanent errors, bounded concurrency, stop(), and illegal moves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { createOnboardingEngine, type EngineOptions } from '../../server/onboarding/engine.ts';
import type { FlowDefinition, StepFn } from '../../server/onboarding/flow-definition.ts';
import { findFlow, findSubaccountFlow, listFlowEvents } from '../../server/onboarding/flows.dao.ts';
import { TwilioCallError } from '../../server/twilio/gateway.ts';
import { createCustomer, movableClock, type Clock } from './fixtures.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx?.close());

/** A one-state table for kind 'subaccount' whose only step is the given function. */
function table(step: StepFn): FlowDefinition {
  return {
    kind: 'subaccount',
    initial: 'create_subaccount',
    terminal: ['done'],
    order: ['create_subaccount', 'done'],
    states: { create_subaccount: { label: 'test step', step, to: ['done'] }, done: { label: 'done', to: [] } },
  };
}

function engine(clock: Clock, step: StepFn, o: Partial<EngineOptions> = {}) {
  return createOnboardingEngine({
    db: ctx.db,
    twilio: ctx.twilio,
    keyRing: ctx.keyRing,
    config: ctx.config,
    logger: ctx.logger,
    now: clock.now,
    random: () => 0.5,
    pollMinMs: 1000,
    pollMaxMs: 4000,
    leaseMs: 10_000,
    definitions: { subaccount: table(step) },
    ...o,
  });
}

async function flowOf(customerId: string) {
  return (await findSubaccountFlow(ctx.db, customerId))!;
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('leases and the version guard', () => {
  it('a leased flow is not claimed again until its lease expires; the late result of the old holder is discarded', async () => {
    const clock = movableClock();
    const customerId = await createCustomer(ctx.db);
    const started = deferred();
    const release = deferred();
    let calls = 0;
    const step: StepFn = async () => {
      calls++;
      if (calls === 1) {
        started.resolve();
        await release.promise;
        return { type: 'goto', to: 'done', message: 'first (stale) worker' };
      }
      return { type: 'goto', to: 'done', message: 'second worker' };
    };
    const a = engine(clock, step, { owner: 'a' });
    const b = engine(clock, step, { owner: 'b' });
    const first = a.tick();
    await started.promise;
    expect(await flowOf(customerId)).toMatchObject({ lease_owner: 'a' });
    expect(await b.tick()).toBe(0);

    clock.advance(10_001);
    expect(await b.tick()).toBe(1);
    release.resolve();
    await first;

    const flow = await flowOf(customerId);
    expect(flow).toMatchObject({ state: 'done', status: 'done', lease_owner: null, lease_expires_at: null });
    const events = await listFlowEvents(ctx.db, [flow.id]);
    expect(events.map((e) => e.message)).toContain('second worker');
    expect(events.map((e) => e.message)).not.toContain('first (stale) worker');
    expect(calls).toBe(2);
  });
});

describe('polling', () => {
  it('backs off from the minimum, doubling to the maximum, with jitter; a webhook wakes it at once', async () => {
    const clock = movableClock();
    const customerId = await createCustomer(ctx.db);
    const step: StepFn = async () => ({ type: 'poll', waitingFor: 'twilio:test_review', message: 'in review', waitingOnSid: 'XE00000000000000000000000000000001' });
    let r = 0.5;
    const e = engine(clock, step, { random: () => r });
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      await e.tick();
      const f = await flowOf(customerId);
      seen.push(f.poll_interval_ms);
      expect(f.status).toBe('waiting_on_twilio');
      expect(new Date(f.next_run_at!).getTime() - clock.now().getTime()).toBe(f.poll_interval_ms); // jitter factor 1 at r=0.5
      clock.advance(f.poll_interval_ms);
    }
    expect(seen).toEqual([1000, 2000, 4000, 4000]);
    r = 0; // lowest jitter: 80% of the interval
    clock.advance(4000);
    await e.tick();
    const low = await flowOf(customerId);
    expect(new Date(low.next_run_at!).getTime() - clock.now().getTime()).toBe(3200);
    // Only the first poll of a wait goes into the timeline.
    const events = await listFlowEvents(ctx.db, [low.id]);
    expect(events.filter((ev) => ev.message === 'in review')).toHaveLength(1);
  });
});

describe('errors', () => {
  it('transient Twilio errors are retried with backoff and recorded, without failing the flow', async () => {
    const clock = movableClock();
    const customerId = await createCustomer(ctx.db);
    let calls = 0;
    const step: StepFn = async () => {
      if (++calls <= 2) throw new TwilioCallError({ kind: 'transient', operation: 'accounts.create', message: 'Service Unavailable', httpStatus: 503 });
      return { type: 'goto', to: 'done', message: 'created' };
    };
    const e = engine(clock, step);
    await e.tick();
    let f = await flowOf(customerId);
    expect(f).toMatchObject({ status: 'in_progress', state: 'create_subaccount', last_error: null });
    expect(f.context.retries).toBe(1);
    expect(new Date(f.next_run_at!).getTime() - clock.now().getTime()).toBe(1000);
    clock.advance(1000);
    await e.tick();
    f = await flowOf(customerId);
    expect(new Date(f.next_run_at!).getTime() - clock.now().getTime()).toBe(2000);
    clock.advance(2000);
    await e.tick();
    f = await flowOf(customerId);
    expect(f).toMatchObject({ status: 'done', state: 'done' });
    expect(f.context.retries).toBeUndefined();
    const events = await listFlowEvents(ctx.db, [f.id]);
    const retries = events.filter((ev) => (ev.data as { retry?: boolean } | null)?.retry);
    expect(retries.map((ev) => ev.message)).toEqual([
      'Twilio answered HTTP 503; will retry in 1 s (retry 1)',
      'Twilio answered HTTP 503; will retry in 2 s (retry 2)',
    ]);
  });

  it('a create that may have reached Twilio is not resent by the gateway: the step is rerun, looking first', async () => {
    const clock = movableClock();
    const customerId = await createCustomer(ctx.db);
    const sent: string[] = [];
    const fresh: boolean[] = [];
    const step: StepFn = async (s) => {
      fresh.push(s.freshEntry);
      await s.call(
        'thing.create',
        async () => {
          sent.push('create');
          // The first create times out after Twilio may have processed it.
          if (sent.length === 1) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
          return { sid: 'XX1' };
        },
        { once: true },
      );
      return { type: 'goto', to: 'done', message: 'created' };
    };
    const e = engine(clock, step);
    await e.tick();
    expect(sent).toEqual(['create']);
    expect((await flowOf(customerId)).context.retries).toBe(1);
    clock.advance(1000);
    await e.tick();
    expect(sent).toEqual(['create', 'create']);
    // Both runs came from a claim, so an adopting step would have looked for the first create's result.
    expect(fresh).toEqual([false, false]);
    expect((await flowOf(customerId)).status).toBe('done');
  });

  it('a move the table does not allow is never written', async () => {
    const clock = movableClock();
    const customerId = await createCustomer(ctx.db);
    await engine(clock, async () => ({ type: 'goto', to: 'nowhere', message: 'bad' })).tick();
    const f = await flowOf(customerId);
    expect(f.state).toBe('create_subaccount');
    expect(f.status).toBe('in_progress');
  });
});

describe('scheduling', () => {
  it('runs at most `concurrency` steps at once and still finishes every due flow', async () => {
    const customers = await Promise.all(Array.from({ length: 10 }, () => createCustomer(ctx.db)));
    const clock = movableClock(Date.now() + 1000);
    let inFlight = 0;
    let peak = 0;
    const step: StepFn = async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setImmediate(r));
      await ctx.db.query('SELECT 1');
      inFlight--;
      return { type: 'goto', to: 'done', message: 'ok' };
    };
    const e = engine(clock, step, { concurrency: 3 });
    await e.drain();
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThan(1);
    for (const c of customers) expect((await flowOf(c)).status).toBe('done');
  });

  it('stops claiming after stop()', async () => {
    const clock = movableClock();
    const customerId = await createCustomer(ctx.db);
    const e = engine(clock, async () => ({ type: 'goto', to: 'done', message: 'ok' }));
    await e.stop();
    expect(await e.tick()).toBe(0);
    expect(await e.drain()).toBe(0);
    const f = await findFlow(ctx.db, (await flowOf(customerId)).id);
    expect(f).toMatchObject({ status: 'in_progress', lease_owner: null });
  });
});
