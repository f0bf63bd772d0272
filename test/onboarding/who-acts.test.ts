// Errors go to whoever can act on them: a customer is asked to fix only what they typed; platform and Twilio
// faults park the flow as needs_attention (the customer reads "we are on it"), operators see them in a queue
// with the Twilio error, the step and Retry; a SID Twilio no longer knows is forgotten and made again; a bundle
// missing an assignment is assembled again before anyone is involved. docs/errors.md is generated from the table.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signUp } from '../helpers/auth.ts';
import type { FlowDefinition, StepContext, StepFn } from '../../server/onboarding/flow-definition.ts';
import { findSubaccountFlow, listFlowEvents } from '../../server/onboarding/flows.dao.ts';
import { getOnboarding } from '../../server/onboarding/onboarding.service.ts';
import { a2pFlow } from '../../server/onboarding/flows/a2p.flow.ts';
import { ON_IT_MESSAGE, errorTables } from '../../server/onboarding/twilio-errors.ts';
import { submitA2p } from '../../server/brands/brands.service.ts';
import { decideBrandApproval } from '../../server/admin/admin.service.ts';
import { findSubaccountByCustomer } from '../../server/subaccounts/subaccounts.dao.ts';
import { TwilioCallError } from '../../server/twilio/gateway.ts';
import { a2pRequest, createCustomer, drive, flowsOf, insertAdminUser, movableClock, testEngine, type Clock } from './fixtures.ts';

let ctx: TestContext;
let operator: { auth: { Authorization: string } };
let admin: { auth: { Authorization: string } };
beforeAll(async () => {
  ctx = await createTestContext({ sandbox: { autoAdvance: false } });
  operator = await signUp({ app: ctx.app, db: ctx.db }, undefined, { roles: ['operator'] });
  admin = await signUp({ app: ctx.app, db: ctx.db }, undefined, { roles: ['admin'] });
});
afterAll(async () => ctx?.close());

const SID_A = 'PN' + 'a'.repeat(32);

/** A two-state subaccount-kind table: `make` records `thingSid`, `use` runs the given step. */
function table(make: StepFn, use: StepFn): FlowDefinition {
  return {
    kind: 'subaccount',
    initial: 'create_subaccount',
    terminal: ['done'],
    order: ['create_subaccount', 'use', 'done'],
    states: {
      create_subaccount: { label: 'Making the thing', step: make, to: ['use'], records: 'thingSid' },
      use: { label: 'Using the thing', step: use, to: ['done'] },
      done: { label: 'done', to: [] },
    },
  };
}

const engine = (clock: Clock, def: FlowDefinition) => testEngine(ctx, clock, { definitions: { subaccount: def }, random: () => 0.5 });

const flowOf = async (customerId: string) => (await findSubaccountFlow(ctx.db, customerId))!;
const twilioError = (code: number, message: string, operation = 'things.fetch', httpStatus = 400) =>
  new TwilioCallError({ kind: 'permanent', operation, message, httpStatus, twilioCode: code });
const makes = (sids: string[]): StepFn => async () => {
  const sid = sids.shift() ?? SID_A;
  return { type: 'goto', to: 'use', message: `made ${sid}`, patch: { thingSid: sid } };
};

describe('platform faults go to operators, not to the customer', () => {
  it('a parameter the platform composed (20001) parks as needs_attention; the customer reads only that the team is on it', async () => {
    const clock = movableClock();
    const customerId = await createCustomer(ctx.db);
    let calls = 0;
    const use: StepFn = async () => {
      calls++;
      if (calls === 1) throw twilioError(20001, 'Invalid parameter: StatusCallback', 'messaging.services.create');
      return { type: 'goto', to: 'done', message: 'used' };
    };
    const e = engine(clock, table(makes([SID_A]), use));
    await e.drain();

    const flow = await flowOf(customerId);
    expect(flow).toMatchObject({ state: 'use', status: 'needs_attention', waiting_for: 'operator', next_run_at: null });
    const view = await getOnboarding(ctx.db, customerId);
    expect(view.overall).toBe('needs_attention');
    const shown = view.flows[0]!;
    expect(shown.lastError).toEqual({ code: 'platform_fault', message: ON_IT_MESSAGE, twilioCode: 20001, fields: [] });
    // Twilio's wording (which names our parameter) stays with the operators.
    expect(JSON.stringify(view)).not.toContain('StatusCallback');

    // The operator queue shows the error, the step and what failed.
    const queue = await request(ctx.app).get('/api/isv/operator/attention').set(operator.auth);
    expect(queue.status).toBe(200);
    const item = queue.body.items.find((i: { flowId: string }) => i.flowId === flow.id);
    expect(item).toMatchObject({
      customerId,
      kind: 'subaccount',
      state: 'use',
      step: 'Using the thing',
      reason: 'twilio_error',
      operation: 'messaging.services.create',
      twilioCode: 20001,
      httpStatus: 400,
      twilioMessage: 'Invalid parameter: StatusCallback',
    });
    expect(queue.body.total).toBeGreaterThanOrEqual(1);
    const metrics = await request(ctx.app).get('/api/isv/operator/onboarding-metrics').set(operator.auth);
    expect(metrics.status).toBe(200);
    expect(metrics.body.needsAttention).toBeGreaterThanOrEqual(1);
    expect(metrics.body.flowsByStatus.needs_attention).toBe(metrics.body.needsAttention);

    // Nobody else sees the queue or can retry.
    expect((await request(ctx.app).get('/api/isv/operator/attention').set(admin.auth)).status).toBe(403);
    expect((await request(ctx.app).post(`/api/isv/operator/flows/${flow.id}/retry`).set(admin.auth)).status).toBe(403);

    // Retry runs the step again; the flow finishes, the queue no longer has it, the audit log has the retry.
    const retried = await request(ctx.app).post(`/api/isv/operator/flows/${flow.id}/retry`).set(operator.auth);
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual({ id: flow.id, state: 'use', status: 'in_progress' });
    await e.drain();
    expect(await flowOf(customerId)).toMatchObject({ status: 'done', last_error: null });
    expect(calls).toBe(2);
    const after = await request(ctx.app).get('/api/isv/operator/attention').set(operator.auth);
    expect(after.body.items.map((i: { flowId: string }) => i.flowId)).not.toContain(flow.id);
    const audit = await ctx.db.query<{ action: string; target_id: string }>(`SELECT action, target_id FROM isv.audit_log WHERE target_id = $1`, [flow.id]);
    expect(audit).toEqual([{ action: 'flow.retry', target_id: flow.id }]);
    const events = await listFlowEvents(ctx.db, [flow.id]);
    expect(events.map((e) => e.message)).toContain('Our team retried this step');

    // A flow that does not need attention cannot be retried; an unknown one is 404.
    const again = await request(ctx.app).post(`/api/isv/operator/flows/${flow.id}/retry`).set(operator.auth);
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/only a flow that needs attention/);
    expect((await request(ctx.app).post('/api/isv/operator/flows/not-a-uuid/retry').set(operator.auth)).status).toBe(404);
  });

  it.each([
    [20003, 'Authenticate'],
    [21724, 'Brand has reached the limit of 3 updates'],
    [99999, 'Something new'],
  ])('Twilio code %i goes to the operators', async (code, message) => {
    const clock = movableClock();
    const customerId = await createCustomer(ctx.db);
    await engine(clock, table(makes([SID_A]), async () => { throw twilioError(code, message); })).drain();
    expect(await flowOf(customerId)).toMatchObject({ status: 'needs_attention', last_error: { code: 'platform_fault', twilioCode: code, fields: [] } });
  });

  it('a value the customer typed that Twilio refuses (21451, the area code) is still the customer’s to fix', async () => {
    const clock = movableClock();
    const customerId = await createCustomer(ctx.db);
    await engine(clock, table(makes([SID_A]), async () => { throw twilioError(21451, 'Invalid area code 999'); })).drain();
    expect(await flowOf(customerId)).toMatchObject({
      status: 'action_required',
      waiting_for: 'customer_fix',
      last_error: { code: 'twilio_error', message: 'That area code does not exist. Choose another area code.', twilioCode: 21451, fields: ['areaCode'] },
    });
  });
});

describe('self-healing', () => {
  it('a recorded SID Twilio no longer knows (20404) is forgotten and the step that makes it runs again', async () => {
    const clock = movableClock();
    const customerId = await createCustomer(ctx.db);
    const SID_B = 'PN' + 'b'.repeat(32);
    const used: string[] = [];
    const use: StepFn = async (s: StepContext) => {
      used.push(String(s.context.thingSid));
      if (s.context.thingSid === SID_A) throw twilioError(20404, `The requested resource /v1/Things/${SID_A} was not found`, 'things.fetch', 404);
      return { type: 'goto', to: 'done', message: 'used' };
    };
    const before = (await request(ctx.app).get('/api/isv/operator/onboarding-metrics').set(operator.auth)).body.recoveries as number;
    await engine(clock, table(makes([SID_A, SID_B]), use)).drain();
    const flow = await flowOf(customerId);
    expect(flow).toMatchObject({ status: 'done', context: expect.objectContaining({ thingSid: SID_B, recoveries: { thingSid: 1 } }) });
    expect(used).toEqual([SID_A, SID_B]);
    const events = await listFlowEvents(ctx.db, [flow.id]);
    const recovery = events.find((e) => (e.data as { recovery?: boolean } | null)?.recovery);
    expect(recovery).toMatchObject({ from_state: 'use', to_state: 'create_subaccount', message: `Twilio no longer has ${SID_A}; making the thing again` });
    const after = (await request(ctx.app).get('/api/isv/operator/onboarding-metrics').set(operator.auth)).body.recoveries as number;
    expect(after).toBe(before + 1);
  });

  it('a SID that keeps vanishing goes to the operators after 3 recoveries, never round and round', async () => {
    const clock = movableClock();
    const customerId = await createCustomer(ctx.db);
    const use: StepFn = async (s) => {
      throw twilioError(20404, `The requested resource /v1/Things/${String(s.context.thingSid)} was not found`, 'things.fetch', 404);
    };
    await engine(clock, table(makes([]), use)).drain();
    const flow = await flowOf(customerId);
    expect(flow).toMatchObject({ status: 'needs_attention', context: expect.objectContaining({ recoveries: { thingSid: 3 } }) });
  });

  it('a 20404 for a SID the flow never recorded is not guessed at: it goes to the operators', async () => {
    const clock = movableClock();
    const customerId = await createCustomer(ctx.db);
    const other = 'MG' + 'c'.repeat(32);
    await engine(clock, table(makes([SID_A]), async () => { throw twilioError(20404, `The requested resource /v1/Services/${other} was not found`); })).drain();
    expect(await flowOf(customerId)).toMatchObject({ status: 'needs_attention', state: 'use' });
  });

  it('a customer profile found non-compliant because an assignment went missing is assembled again before the customer is involved', async () => {
    const clock = movableClock();
    const customerId = await createCustomer(ctx.db);
    const reviewer = await insertAdminUser(ctx.db);
    // Between assembly and evaluation one assignment disappears (removed by hand in the Console, say).
    let removed: string | undefined;
    const assemble = a2pFlow.states.profile_assignments!;
    const sabotaged: FlowDefinition = {
      ...a2pFlow,
      states: {
        ...a2pFlow.states,
        profile_assignments: {
          ...assemble,
          step: async (s) => {
            const out = await assemble.step!(s);
            if (out.type === 'goto' && out.to === 'profile_evaluation' && !removed) {
              const client = await s.subaccountClient();
              const api = client.trusthub.v1.customerProfiles(String(s.context.customerProfileSid)).customerProfilesEntityAssignments;
              const first = (await api.list({ limit: 20 }))[0]!;
              await api(first.sid).remove();
              removed = first.objectSid;
            }
            return out;
          },
        },
      },
    };
    const e = testEngine(ctx, clock, { definitions: { a2p: sabotaged } });
    const { brand } = await submitA2p(ctx.db, customerId, a2pRequest(), clock.now());
    await decideBrandApproval(ctx.db, reviewer, brand.id, { decision: 'approve' }, clock.now());
    const start = ctx.sandbox.requests.length;
    await drive(ctx, [e], clock, [customerId]);

    const flow = (await flowsOf(ctx.db, customerId, 'a2p'))[0]!;
    expect(removed).toBeDefined();
    expect(flow, JSON.stringify(flow.last_error)).toMatchObject({ state: 'done', status: 'done' });
    const events = await listFlowEvents(ctx.db, [flow.id]);
    expect(events.find((ev) => ev.from_state === 'profile_evaluation' && ev.to_state === 'profile_assignments')?.message).toMatch(/incomplete \(1 of its entities not assigned\); assigning them again/);
    // Twilio saw the missing entity assigned a second time, to the one customer profile.
    const sub = (await findSubaccountByCustomer(ctx.db, customerId))!;
    const assigned = ctx.sandbox.requests
      .slice(start)
      .filter((r) => r.method === 'POST' && r.accountSid === sub.account_sid && /CustomerProfiles\/BU[0-9a-f]{32}\/EntityAssignments$/.test(r.path) && r.status === 201);
    expect(assigned.filter((r) => r.params.ObjectSid === removed)).toHaveLength(2);
    expect(ctx.sandbox.resources('customer_profile', sub.account_sid)).toHaveLength(1);
  });
});

describe('docs/errors.md', () => {
  it('holds the table of every Twilio error the flows handle, who acts and what the customer sees, as generated', () => {
    const doc = readFileSync(path.resolve(import.meta.dirname, '../../docs/errors.md'), 'utf8');
    expect(doc).toContain(errorTables());
  });
});
