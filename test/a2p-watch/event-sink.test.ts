// Live mode has no sandbox control that points Event Streams at the platform (#14): the A2P flow itself creates
// the webhook Sink and the Subscription to the number-registration events in the customer's subaccount, once, and
// the events Twilio delivers through that subscription finish the flow. A number Twilio never decides on goes to an
// operator after a generous limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { a2pRequest, createCustomer, drive, flowsOf, insertAdminUser, movableClock, testEngine, type Clock } from '../onboarding/fixtures.ts';
import { submitA2p } from '../../server/brands/brands.service.ts';
import { decideBrandApproval } from '../../server/admin/admin.service.ts';
import { findSubaccountByCustomer } from '../../server/subaccounts/subaccounts.dao.ts';
import { NUMBER_REGISTRATION_EVENT_TYPES } from '../../server/a2p-watch/event-sink.ts';
import type { OnboardingEngine } from '../../server/onboarding/engine.ts';

let ctx: TestContext;
let clock: Clock;
let engine: OnboardingEngine;
beforeAll(async () => {
  // No sandbox-side sink URL: events reach the platform only through the subscription the flow creates.
  ctx = await createTestContext({ sandbox: { autoAdvance: false, eventSinkUrl: undefined } });
  clock = movableClock();
  engine = testEngine(ctx, clock);
});
afterAll(async () => ctx?.close());

const a2p = async (customerId: string) => (await flowsOf(ctx.db, customerId, 'a2p'))[0]!;
const destination = () => `${ctx.config.publicBaseUrl}/api/isv/webhooks/twilio/events`;

async function waitingForNumber(): Promise<{ customerId: string; accountSid: string; numberSid: string }> {
  const customerId = await createCustomer(ctx.db);
  const { brand } = await submitA2p(ctx.db, customerId, a2pRequest(), clock.now());
  await decideBrandApproval(ctx.db, await insertAdminUser(ctx.db), brand.id, { decision: 'approve' }, clock.now());
  for (let round = 0; round < 60; round++) {
    await engine.drain();
    const flow = await a2p(customerId);
    if (flow.state === 'wait_number_registration') {
      const sub = (await findSubaccountByCustomer(ctx.db, customerId))!;
      return { customerId, accountSid: sub.account_sid, numberSid: String(flow.context.phoneNumberSid) };
    }
    await ctx.sandbox.advanceReviews();
    await ctx.sandbox.flushCallbacks();
    clock.advance(5_000);
  }
  throw new Error('the flow never reached wait_number_registration');
}

const creates = (accountSid: string, path: string) => ctx.sandbox.requests.filter((r) => r.host === 'events.twilio.com' && r.method === 'POST' && r.path === path && r.accountSid === accountSid);

describe('the Event Streams sink for number registrations', () => {
  it('is created with its subscription once in the customer’s subaccount, even when the step runs again after a restart, and its events finish the flow', async () => {
    const { customerId, accountSid, numberSid } = await waitingForNumber();
    const sinks = creates(accountSid, '/v1/Sinks');
    expect(sinks).toHaveLength(1);
    expect(sinks[0]).toMatchObject({ status: 201, params: { SinkType: 'webhook', Description: expect.any(String) } });
    expect(JSON.parse(String(sinks[0]!.params.SinkConfiguration))).toEqual({ destination: destination(), method: 'POST', batch_events: false });
    const subs = creates(accountSid, '/v1/Subscriptions');
    expect(subs).toHaveLength(1);
    const flow = await a2p(customerId);
    expect(subs[0]!.params.SinkSid).toBe(flow.context.eventSinkSid);
    const types = ([] as string[]).concat(subs[0]!.params.Types as string | string[]).map((t) => (JSON.parse(t) as { type: string }).type);
    expect(types).toEqual(NUMBER_REGISTRATION_EVENT_TYPES);
    expect(String(flow.context.eventSubscriptionSid)).toMatch(/^DF[0-9a-f]{32}$/);

    // A restart that runs the step again (a crash before the move was recorded): a new engine, the flow back in event_sink.
    await ctx.db.query(`UPDATE isv.flows SET state = 'event_sink', status = 'in_progress', waiting_for = NULL, next_run_at = $2::timestamptz WHERE id = $1`, [flow.id, clock.now().toISOString()]);
    const restarted = testEngine(ctx, clock, { owner: 'restarted-worker' });
    await drive(ctx, [restarted], clock, [customerId]);
    const done = await a2p(customerId);
    expect(done).toMatchObject({ state: 'done', status: 'done' });
    expect(done.context).toMatchObject({ eventSinkSid: flow.context.eventSinkSid, eventSubscriptionSid: flow.context.eventSubscriptionSid });
    // The step did run again (it looked the sink up twice) and adopted what it had made.
    expect(ctx.sandbox.requests.filter((r) => r.host === 'events.twilio.com' && r.method === 'GET' && r.path === '/v1/Sinks' && r.accountSid === accountSid)).toHaveLength(2);
    expect(creates(accountSid, '/v1/Sinks')).toHaveLength(1);
    expect(creates(accountSid, '/v1/Subscriptions')).toHaveLength(1);
    // The registration reached the platform through the subscribed sink, signed (200), pending then successful.
    const delivered = ctx.sandbox.callbackDeliveries.filter((d) => d.kind === 'event-streams.number-registration' && d.resourceSid === numberSid);
    expect(delivered.map((d) => [d.url, d.status])).toEqual([[destination(), 200], [destination(), 200]]);
    const row = await ctx.db.query<{ a2p_registration_status: string }>(`SELECT a2p_registration_status FROM isv.numbers WHERE phone_number_sid = $1`, [numberSid]);
    expect(row[0]?.a2p_registration_status).toBe('registered');
  });

  it('is made in each customer’s own subaccount, since Twilio delivers an account’s events only to that account’s subscriptions', async () => {
    const a = await waitingForNumber();
    const b = await waitingForNumber();
    expect(a.accountSid).not.toBe(b.accountSid);
    expect(creates(a.accountSid, '/v1/Sinks')).toHaveLength(1);
    expect(creates(b.accountSid, '/v1/Sinks')).toHaveLength(1);
    expect(ctx.sandbox.resources('event_sink', b.accountSid)).toHaveLength(1);
  });
});

describe('a number Twilio never finishes registering', () => {
  it('goes to an operator after the time limit, not to the customer', async () => {
    const { customerId } = await waitingForNumber();
    await engine.drain();
    expect(await a2p(customerId)).toMatchObject({ state: 'wait_number_registration', status: 'waiting_on_twilio' });
    clock.advance(6 * 24 * 3600_000);
    await engine.drain();
    expect(await a2p(customerId)).toMatchObject({ state: 'wait_number_registration', status: 'waiting_on_twilio' });
    clock.advance(2 * 24 * 3600_000);
    await engine.drain();
    const flow = await a2p(customerId);
    expect(flow).toMatchObject({ state: 'wait_number_registration', status: 'needs_attention', waiting_for: 'operator' });
    expect(JSON.stringify(flow.context)).toMatch(/still not registered to the campaign after 7 days/);
  });
});
