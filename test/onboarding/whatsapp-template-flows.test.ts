// WhatsApp sender and template flows end to end against the sandbox, with their rejection paths: an OFFLINE sender
// resubmitted with a corrected profile, a wrong OTP, and a rejected template fixed by a new version.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { registerSender, verifySender } from '../../server/whatsapp/whatsapp.service.ts';
import { createTemplate, newTemplateVersion } from '../../server/templates/templates.service.ts';
import { decideTemplateApproval } from '../../server/admin/admin.service.ts';
import { getOnboarding } from '../../server/onboarding/onboarding.service.ts';
import { findSubaccountByCustomer } from '../../server/subaccounts/subaccounts.dao.ts';
import { createCustomer, drive, flowsOf, insertAdminUser, movableClock, testEngine, type Clock } from './fixtures.ts';
import type { OnboardingEngine } from '../../server/onboarding/engine.ts';
import type { Principal } from '../../server/platform/auth/principal.ts';

let ctx: TestContext;
let clock: Clock;
let engine: OnboardingEngine;
let admin: Principal;
beforeAll(async () => {
  ctx = await createTestContext({ sandbox: { autoAdvance: false } });
  clock = movableClock();
  engine = testEngine(ctx, clock);
  admin = await insertAdminUser(ctx.db);
});
afterAll(async () => ctx?.close());

const own = async (customerId: string, kind: string) => {
  const sub = (await findSubaccountByCustomer(ctx.db, customerId))!;
  return ctx.sandbox.resources<Record<string, unknown> & { sid: string; account_sid: string }>(kind, sub.account_sid);
};

describe('WhatsApp sender flow', () => {
  it('registers the sender, parks for the OTP, rejects a wrong code, and goes ONLINE with the right one', async () => {
    const customerId = await createCustomer(ctx.db);
    const { sender } = await registerSender(ctx.db, customerId, { phoneNumber: '+15125550111', profile: { name: 'Acme Widgets' } }, clock.now());
    await drive(ctx, [engine], clock, [customerId]);
    let [flow] = await flowsOf(ctx.db, customerId, 'whatsapp_sender');
    expect(flow).toMatchObject({ state: 'await_otp', status: 'action_required', waiting_for: 'otp' });

    await verifySender(ctx.db, customerId, sender.id, '000000', clock.now());
    await drive(ctx, [engine], clock, [customerId]);
    [flow] = await flowsOf(ctx.db, customerId, 'whatsapp_sender');
    expect(flow).toMatchObject({ state: 'await_otp', status: 'action_required' });
    expect(flow!.last_error).toMatchObject({ code: 'otp_invalid' });

    await verifySender(ctx.db, customerId, sender.id, '123456', clock.now());
    await drive(ctx, [engine], clock, [customerId]);
    [flow] = await flowsOf(ctx.db, customerId, 'whatsapp_sender');
    expect(flow).toMatchObject({ state: 'done', status: 'done' });
    const senders = await own(customerId, 'channels_sender');
    expect(senders).toHaveLength(1);
    expect(senders[0]).toMatchObject({ sender_id: 'whatsapp:+15125550111', status: 'ONLINE' });
    const row = await ctx.db.query<{ status: string; sender_sid: string }>(`SELECT status, sender_sid FROM isv.whatsapp_senders WHERE id = $1`, [sender.id]);
    expect(row[0]).toEqual({ status: 'online', sender_sid: senders[0]!.sid });
  });

  it('an OFFLINE sender parks with offline_reasons and comes ONLINE after the profile is corrected', async () => {
    const customerId = await createCustomer(ctx.db);
    const { sender } = await registerSender(ctx.db, customerId, { phoneNumber: '+15125550112', profile: { name: 'OFFLINE Widgets' } }, clock.now());
    await drive(ctx, [engine], clock, [customerId]);
    await verifySender(ctx.db, customerId, sender.id, '123456', clock.now());
    await drive(ctx, [engine], clock, [customerId]);
    let [flow] = await flowsOf(ctx.db, customerId, 'whatsapp_sender');
    expect(flow).toMatchObject({ state: 'wait_sender', status: 'action_required', waiting_for: 'customer_fix' });
    expect(flow!.last_error?.message).toMatch(/display name/);
    const view = await getOnboarding(ctx.db, customerId);
    expect(view.overall).toBe('action_required');

    const again = await registerSender(ctx.db, customerId, { phoneNumber: '+15125550112', profile: { name: 'Acme Widgets' } }, clock.now());
    expect(again.created).toBe(false);
    await drive(ctx, [engine], clock, [customerId]);
    [flow] = await flowsOf(ctx.db, customerId, 'whatsapp_sender');
    expect(flow).toMatchObject({ state: 'done', status: 'done', attempts: 1 });
    const senders = await own(customerId, 'channels_sender');
    expect(senders).toHaveLength(1);
    expect(senders[0]).toMatchObject({ status: 'ONLINE' });
  });
});

describe('template flow', () => {
  const input = { name: 'order_shipped', language: 'en', category: 'UTILITY' as const, body: 'Hi {{1}}, your order {{2}} has shipped.', variables: { '1': 'Jane', '2': '1234' } };

  it('waits for an admin, then creates the Content and gets WhatsApp approval', async () => {
    const customerId = await createCustomer(ctx.db);
    const t = await createTemplate(ctx.db, customerId, input, clock.now());
    await drive(ctx, [engine], clock, [customerId]);
    expect((await flowsOf(ctx.db, customerId, 'template'))[0]).toMatchObject({ state: 'awaiting_approval', status: 'awaiting_approval' });
    await decideTemplateApproval(ctx.db, admin, t.id, { decision: 'approve' }, clock.now());
    await drive(ctx, [engine], clock, [customerId]);
    expect((await flowsOf(ctx.db, customerId, 'template'))[0]).toMatchObject({ state: 'done', status: 'done' });
    const contents = await own(customerId, 'content');
    expect(contents).toHaveLength(1);
    expect(contents[0]).toMatchObject({ friendly_name: `isv:${t.id}` });
    const row = await ctx.db.query<{ status: string; content_sid: string }>(`SELECT status, content_sid FROM isv.templates WHERE id = $1`, [t.id]);
    expect(row[0]).toEqual({ status: 'twilio_approved', content_sid: contents[0]!.sid });
    expect((await getOnboarding(ctx.db, customerId)).overall).toBe('complete');
  });

  it('a WhatsApp rejection parks with rejection_reason; a new version supersedes it and is approved', async () => {
    const customerId = await createCustomer(ctx.db);
    const t1 = await createTemplate(ctx.db, customerId, { ...input, body: 'Hi {{1}}, REJECT me: order {{2}} shipped.' }, clock.now());
    await decideTemplateApproval(ctx.db, admin, t1.id, { decision: 'approve' }, clock.now());
    await drive(ctx, [engine], clock, [customerId]);
    const [parked] = await flowsOf(ctx.db, customerId, 'template');
    expect(parked).toMatchObject({ state: 'wait_approval', status: 'action_required', waiting_for: 'new_version' });
    expect(parked!.last_error).toMatchObject({ code: 'template_rejected' });
    expect(parked!.last_error!.message).toMatch(/rejected/);

    const t2 = await newTemplateVersion(ctx.db, customerId, t1.id, { language: 'en', category: 'UTILITY', body: input.body, variables: input.variables }, clock.now());
    expect(t2.version).toBe(2);
    await decideTemplateApproval(ctx.db, admin, t2.id, { decision: 'approve' }, clock.now());
    await drive(ctx, [engine], clock, [customerId]);
    const flows = await flowsOf(ctx.db, customerId, 'template');
    expect(flows.map((f) => [f.state, f.status])).toEqual([['superseded', 'done'], ['done', 'done']]);
    expect(await own(customerId, 'content')).toHaveLength(2);
    expect((await getOnboarding(ctx.db, customerId)).overall).toBe('complete');
  });
});
