// The onboarding use cases outside the engine: starting the subaccount flow with a new customer, resuming parked
// flows after a customer's fix, moving a parked flow on (admin decision, OTP), and the progress read model.
import type { Db } from '../platform/db/db.ts';
import { conflict, notFound } from '../platform/errors.ts';
import type { Principal } from '../platform/auth/principal.ts';
import { appendAudit } from '../audit/audit.dao.ts';
import { findSubaccountByCustomer, type SubaccountStatus } from '../subaccounts/subaccounts.dao.ts';
import { UUID_PATTERN } from '../../shared/common.ts';
import { flowStatusSchema, type AttentionQueue, type FlowError, type FlowStatus, type OnboardingMetrics, type OnboardingResponse } from '../../shared/onboarding.ts';
import { WAITING_FOR_RECONNECT, assertTransition, progressOf, type Attention } from './flow-definition.ts';
import { flowDefinitions } from './flows/index.ts';
import { subaccountFlow } from './flows/subaccount.flow.ts';
import {
  countFlowsByStatus,
  countRecoveries,
  findFlowForUpdate,
  findSubaccountFlow,
  insertFlowEvent,
  insertSubaccountFlowIfAbsent,
  listFlowEvents,
  listFlowsByCustomer,
  listNeedsAttention,
  moveFlow,
  stopConnectedAccountFlows,
  type FlowRow,
} from './flows.dao.ts';

/** Starts the customer's subaccount flow (idempotent). Runs inside the caller's transaction. */
export async function startSubaccountFlow(db: Db, customerId: string): Promise<void> {
  const flow = await insertSubaccountFlowIfAbsent(db, customerId, subaccountFlow.initial);
  if (flow) await insertFlowEvent(db, { flowId: flow.id, at: new Date(), from: null, to: flow.state, message: 'Onboarding started' });
}

/** The subaccount flow a dependent flow waits on, started now if the customer somehow has none. */
export async function ensureSubaccountFlow(db: Db, customerId: string): Promise<FlowRow> {
  await startSubaccountFlow(db, customerId);
  return (await findSubaccountFlow(db, customerId))!;
}

export interface MoveParked {
  to: string;
  status: FlowStatus;
  message: string;
  patch?: Record<string, unknown>;
  /** Context keys to drop. */
  drop?: string[];
  waitingFor?: string | null;
  lastError?: FlowError | null;
  /** Run now (default) or stay parked. */
  run?: boolean;
  now?: Date;
}

/**
 * Moves a flow that waits for a person (never a leased one: parked flows are not claimed) to its next state.
 * GUARD: version compare-and-set; a concurrent move makes this answer 409 instead of writing twice.
 */
export async function moveParkedFlow(db: Db, flow: FlowRow, m: MoveParked): Promise<FlowRow> {
  const def = flowDefinitions[flow.kind];
  if (m.to !== flow.state) assertTransition(def, flow.state, m.to);
  const now = m.now ?? new Date();
  const context = { ...flow.context, ...m.patch };
  for (const k of m.drop ?? []) delete context[k];
  const run = m.run ?? true;
  const moved = await moveFlow(db, flow.id, flow.version, {
    state: m.to,
    status: m.status,
    context,
    waitingFor: m.waitingFor ?? null,
    nextRunAt: run ? now : null,
    lastError: m.lastError ?? null,
    now,
  });
  if (!moved) throw conflict('flow_changed', 'The onboarding step changed meanwhile; reload and try again');
  await insertFlowEvent(db, { flowId: flow.id, at: now, from: flow.state, to: m.to, message: m.message });
  return moved;
}

/**
 * After the customer corrected its business data (PATCH /customers/:id): every subaccount or A2P flow parked on a
 * customer fix resumes at the fix its state needs (e.g. updating a rejected bundle's end users, then resubmitting).
 * Flows an admin rejected wait for new brand data instead (POST …/a2p), and WhatsApp/template fixes have their own routes.
 */
export async function resumeAfterCustomerFix(db: Db, customerId: string, now = new Date()): Promise<number> {
  let resumed = 0;
  for (const flow of await listFlowsByCustomer(db, customerId)) {
    if (flow.status !== 'action_required' || flow.waiting_for !== 'customer_fix') continue;
    if (flow.kind !== 'subaccount' && flow.kind !== 'a2p') continue;
    if (flow.state === 'awaiting_approval') continue;
    const to = typeof flow.context.fixState === 'string' ? flow.context.fixState : flow.state;
    await moveParkedFlow(db, flow, { to, status: 'in_progress', message: 'The customer corrected the details; resuming', drop: ['fixState'], now });
    resumed++;
  }
  return resumed;
}

/** After an owner reconnected its own Twilio account with a working token: registrations that waited for it go on. */
export async function resumeAfterReconnect(db: Db, customerId: string, now = new Date()): Promise<number> {
  let resumed = 0;
  for (const flow of await listFlowsByCustomer(db, customerId)) {
    if (flow.status !== 'action_required' || flow.waiting_for !== WAITING_FOR_RECONNECT) continue;
    await moveParkedFlow(db, flow, { to: flow.state, status: 'in_progress', message: 'The Twilio account was reconnected; continuing', now });
    resumed++;
  }
  return resumed;
}

export const DISCONNECTED = 'twilio_account_disconnected';

/** The customer's own account is being disconnected: what ran in it stops, with the reason on its timeline. */
export async function stopConnectedFlows(db: Db, customerId: string, reason: string, now = new Date()): Promise<number> {
  const stopped = await stopConnectedAccountFlows(db, customerId, { code: DISCONNECTED, message: reason, twilioCode: null, fields: [] }, now);
  for (const f of stopped) await insertFlowEvent(db, { flowId: f.id, at: now, from: f.state, to: f.state, message: reason });
  return stopped.length;
}

/** A suspended or closed subaccount sends nothing, whatever its registrations say: that comes first. */
function overallOf(all: FlowRow[], subaccount: SubaccountStatus | undefined): OnboardingResponse['overall'] {
  if (subaccount === 'suspended' || subaccount === 'closed') return subaccount;
  // A registration stopped because its Twilio account was disconnected is history, not the customer's state now.
  const flows = all.filter((f) => f.last_error?.code !== DISCONNECTED);
  if (flows.length === 0) return 'not_started';
  if (flows.every((f) => f.status === 'done')) return 'complete';
  if (flows.some((f) => f.status === 'failed')) return 'failed';
  if (flows.some((f) => f.status === 'action_required')) return 'action_required';
  if (flows.some((f) => f.status === 'needs_attention')) return 'needs_attention';
  if (flows.some((f) => f.status === 'awaiting_approval')) return 'awaiting_approval';
  return 'in_progress';
}

export async function getOnboarding(db: Db, customerId: string): Promise<OnboardingResponse> {
  const flows = await listFlowsByCustomer(db, customerId);
  const subaccount = await findSubaccountByCustomer(db, customerId);
  const events = await listFlowEvents(db, flows.map((f) => f.id));
  const byFlow = new Map<string, typeof events>();
  for (const e of events) {
    const list = byFlow.get(e.flow_id) ?? [];
    list.push(e);
    byFlow.set(e.flow_id, list);
  }
  return {
    overall: overallOf(flows, subaccount?.status),
    flows: flows.map((f) => ({
      id: f.id,
      kind: f.kind,
      subjectId: f.subject_id,
      state: f.state,
      status: f.status,
      progress: f.status === 'done' ? 100 : progressOf(flowDefinitions[f.kind], f.state),
      waitingFor: f.waiting_for,
      nextCheckAt: f.next_run_at ? new Date(f.next_run_at).toISOString() : null,
      deadline: f.kind === 'a2p' && typeof f.context.otpDeadline === 'string' && f.status !== 'done' ? f.context.otpDeadline : null,
      attempts: f.attempts,
      lastError: f.last_error,
      events: (byFlow.get(f.id) ?? []).map((e) => ({ at: new Date(e.at).toISOString(), from: e.from_state, to: e.to_state, message: e.message })),
    })),
  };
}

/** The operator queue: every flow parked on a fault the customer cannot fix, with Twilio's error and the step. */
export async function attentionQueue(db: Db, limit = 500): Promise<AttentionQueue> {
  const rows = await listNeedsAttention(db, limit);
  const items = rows.map((f) => {
    const a = (f.context.attention ?? {}) as Partial<Attention>;
    return {
      flowId: f.id,
      kind: f.kind,
      customerId: f.customer_id,
      customerName: f.customer_name,
      state: f.state,
      step: a.step ?? flowDefinitions[f.kind].states[f.state]?.label ?? f.state,
      since: new Date(a.at ?? f.updated_at).toISOString(),
      reason: a.reason ?? 'unknown',
      operation: a.operation ?? null,
      twilioCode: a.twilioCode ?? null,
      httpStatus: a.httpStatus ?? null,
      twilioMessage: a.twilioMessage ?? null,
    };
  });
  const total = Number((await countFlowsByStatus(db)).find((r) => r.status === 'needs_attention')?.count ?? 0);
  return { items, total };
}

/** An operator's Retry: the step runs again right away (its adopt-first rule makes that safe); audited. */
export async function retryFlow(db: Db, principal: Principal, id: string, now = new Date()): Promise<{ id: string; state: string; status: FlowStatus }> {
  if (!UUID_PATTERN.test(id)) throw notFound('Flow');
  return db.tx(async (tx) => {
    const flow = await findFlowForUpdate(tx, id);
    if (!flow) throw notFound('Flow');
    if (flow.status !== 'needs_attention') throw conflict('not_needs_attention', `The flow is ${flow.status}; only a flow that needs attention can be retried`);
    const moved = await moveParkedFlow(tx, flow, { to: flow.state, status: 'in_progress', message: 'Our team retried this step', drop: ['attention', 'retries'], now });
    await appendAudit(tx, {
      actor: principal,
      action: 'flow.retry',
      targetType: 'onboarding_flow',
      targetId: flow.id,
      customerId: flow.customer_id,
      before: { state: flow.state, status: flow.status, attention: flow.context.attention ?? null },
      after: { state: moved.state, status: moved.status },
    });
    return { id: moved.id, state: moved.state, status: moved.status };
  });
}

export async function onboardingMetrics(db: Db): Promise<OnboardingMetrics> {
  const counts = new Map((await countFlowsByStatus(db)).map((r) => [r.status, Number(r.count)]));
  const flowsByStatus = Object.fromEntries(flowStatusSchema.options.map((s) => [s, counts.get(s) ?? 0])) as OnboardingMetrics['flowsByStatus'];
  return { flowsByStatus, needsAttention: flowsByStatus.needs_attention, recoveries: await countRecoveries(db) };
}
