// A signed TrustHub status callback wakes the a2p flow waiting on that bundle at once (instead of at its next poll);
// an unsigned one is refused with 403 and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { createOnboardingEngine } from '../../server/onboarding/engine.ts';
import { submitA2p } from '../../server/brands/brands.service.ts';
import { decideBrandApproval } from '../../server/admin/admin.service.ts';
import { a2pRequest, createCustomer, flowsOf, insertAdminUser, movableClock } from './fixtures.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ sandbox: { autoAdvance: false } });
});
afterAll(async () => ctx?.close());

describe('TrustHub status callback', () => {
  it('wakes the flow waiting on the bundle; an unsigned callback gets 403', async () => {
    const clock = movableClock();
    const engine = createOnboardingEngine({
      db: ctx.db, twilio: ctx.twilio, keyRing: ctx.keyRing, config: ctx.config, logger: ctx.logger,
      now: clock.now, pollMinMs: 600_000, pollMaxMs: 3_600_000,
    });
    const customerId = await createCustomer(ctx.db);
    const { brand } = await submitA2p(ctx.db, customerId, a2pRequest(), clock.now());
    await decideBrandApproval(ctx.db, await insertAdminUser(ctx.db), brand.id, { decision: 'approve' }, clock.now());
    // The sandbox primary profile is reviewed first; then the customer's own profile.
    for (let i = 0; i < 5; i++) {
      await engine.drain();
      const [a2p] = await flowsOf(ctx.db, customerId, 'a2p');
      if (a2p!.state === 'wait_profile') break;
      await ctx.sandbox.advanceReviews();
      clock.advance(700_000);
    }
    const [waiting] = await flowsOf(ctx.db, customerId, 'a2p');
    expect(waiting).toMatchObject({ state: 'wait_profile', status: 'waiting_on_twilio', poll_interval_ms: 600_000 });
    const bundleSid = waiting!.context.customerProfileSid as string;
    expect(waiting!.context.waitingOnSid).toBe(bundleSid);

    const unsigned = await ctx.request.post('/api/isv/webhooks/twilio/trusthub').type('form').send({ AccountSid: 'AC00000000000000000000000000000000', BundleSid: bundleSid, Status: 'twilio-approved' });
    expect(unsigned.status).toBe(403);
    expect((await flowsOf(ctx.db, customerId, 'a2p'))[0]!.poll_interval_ms).toBe(600_000);

    await ctx.sandbox.advanceReviews();
    await ctx.sandbox.flushCallbacks();
    const delivered = ctx.sandbox.callbackDeliveries.filter((d) => d.kind === 'trusthub.status' && d.resourceSid === bundleSid);
    expect(delivered.length).toBeGreaterThan(0);
    expect(delivered.every((d) => d.status === 200)).toBe(true);
    const [woken] = await flowsOf(ctx.db, customerId, 'a2p');
    expect(woken!.poll_interval_ms).toBe(0);
    expect(new Date(woken!.next_run_at!).getTime()).toBeLessThanOrEqual(Date.now());
    await engine.drain();
    expect((await flowsOf(ctx.db, customerId, 'a2p'))[0]!.state).not.toBe('wait_profile');
  });
});
