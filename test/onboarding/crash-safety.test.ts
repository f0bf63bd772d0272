// Exactly once towards Twilio: a crash injected after every Twilio create, before its SID is recorded, is followed
// by a rerun (after the lease expires) that adopts what was created; the sandbox holds exactly one of each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { SimulatedCrash } from '../../server/onboarding/flow-definition.ts';
import type { CreatedResource } from '../../server/onboarding/engine.ts';
import { findSubaccountByCustomer } from '../../server/subaccounts/subaccounts.dao.ts';
import { createCustomer, movableClock, onboardFully, testEngine } from './fixtures.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ sandbox: { autoAdvance: false } });
});
afterAll(async () => ctx?.close());

describe('crash safety', () => {
  it('a crash after each Twilio create leaves exactly one resource of each kind once the flows finish', async () => {
    const clock = movableClock();
    const crashes: CreatedResource[] = [];
    // Every create crashes once (the rerun adopts instead of creating, so no create is seen twice).
    const engine = testEngine(ctx, clock, {
      leaseMs: 4_000,
      hooks: {
        afterTwilioCreate(e) {
          crashes.push(e);
          throw new SimulatedCrash(`after ${e.resource} ${e.sid}`);
        },
      },
    });
    const customerId = await createCustomer(ctx.db);
    const flows = await onboardFully(ctx, [engine], clock, [customerId]);
    expect(flows.map((f) => [f.kind, f.status])).toEqual([
      ['subaccount', 'done'],
      ['a2p', 'done'],
      ['whatsapp_sender', 'done'],
      ['template', 'done'],
    ]);

    const resources = crashes.map((c) => c.resource);
    for (const r of ['account', 'address', 'trusthub.end_user', 'trusthub.supporting_document', 'trusthub.customer_profile', 'trusthub.entity_assignment', 'trusthub.trust_product', 'messaging.brand_registration', 'messaging.service', 'messaging.campaign', 'incoming_phone_number', 'messaging.sender', 'content'])
      expect(resources).toContain(r);
    // Each crashed create's SID was adopted, never created again.
    expect(new Set(crashes.map((c) => c.sid)).size).toBe(crashes.length);

    const sub = (await findSubaccountByCustomer(ctx.db, customerId))!;
    const count = (kind: string) => ctx.sandbox.resources(kind, sub.account_sid).length;
    expect(ctx.sandbox.resources<{ sid: string; account_sid: string; friendly_name: string }>('account').filter((a) => a.friendly_name === `isv:${customerId}`)).toHaveLength(1);
    expect(count('address')).toBe(1);
    expect(count('trusthub_end_user')).toBe(3);
    expect(count('trusthub_supporting_document')).toBe(1);
    expect(count('customer_profile')).toBe(1);
    expect(count('trust_product')).toBe(1);
    expect(count('trusthub_entity_assignment')).toBe(4 + 2);
    expect(count('brand')).toBe(1);
    expect(count('service')).toBe(1);
    expect(count('us_app_to_person')).toBe(1);
    expect(count('incoming_phone_number')).toBe(1);
    expect(count('service_phone_number')).toBe(1);
    expect(count('channels_sender')).toBe(1);
    expect(count('content')).toBe(1);
    // And every create happened exactly once: one crash per resource the sandbox holds for the customer.
    expect(crashes.filter((c) => c.resource === 'trusthub.entity_assignment')).toHaveLength(6);
    expect(crashes.filter((c) => c.resource === 'trusthub.end_user')).toHaveLength(3);
  });
});
