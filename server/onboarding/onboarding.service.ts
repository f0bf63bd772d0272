// The onboarding use cases outside the engine: starting the subaccount flow with a new customer, resuming parked
// flows after a customer's fix, moving a parked flow on (admin decision, OTP), and the progress read model.
import type { Db } from '../platform/db/db.ts';
import { conflict } from '../platform/errors.ts';
import type { FlowError, FlowStatus, OnboardingResponse } from '../../shared/onboarding.ts';
import { assertTransition, progressOf } from './flow-definition.ts';
import { flowDefinitions } from './flows/index.ts';
import { subaccountFlow } from './flows/subaccount.flow.ts';
import {
  findSubaccountFlow,
  insertFlowEvent,
  insertSubaccountFlowIfAbsent,
  listFlowEvents,
  listFlowsByCustomer,
  moveFlow,
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

function overallOf(flows: FlowRow[]): OnboardingResponse['overall'] {
  if (flows.length === 0) return 'not_started';
  if (flows.every((f) => f.status === 'done')) return 'complete';
  if (flows.some((f) => f.status === 'failed')) return 'failed';
  if (flows.some((f) => f.status === 'action_required')) return 'action_required';
  if (flows.some((f) => f.status === 'awaiting_approval')) return 'awaiting_approval';
  return 'in_progress';
}

export async function getOnboarding(db: Db, customerId: string): Promise<OnboardingResponse> {
  const flows = await listFlowsByCustomer(db, customerId);
  const events = await listFlowEvents(db, flows.map((f) => f.id));
  const byFlow = new Map<string, typeof events>();
  for (const e of events) {
    const list = byFlow.get(e.flow_id) ?? [];
    list.push(e);
    byFlow.set(e.flow_id, list);
  }
  return {
    overall: overallOf(flows),
    flows: flows.map((f) => ({
      id: f.id,
      kind: f.kind,
      subjectId: f.subject_id,
      state: f.state,
      status: f.status,
      progress: f.status === 'done' ? 100 : progressOf(flowDefinitions[f.kind], f.state),
      waitingFor: f.waiting_for,
      nextCheckAt: f.next_run_at ? new Date(f.next_run_at).toISOString() : null,
      attempts: f.attempts,
      lastError: f.last_error,
      events: (byFlow.get(f.id) ?? []).map((e) => ({ at: new Date(e.at).toISOString(), from: e.from_state, to: e.to_state, message: e.message })),
    })),
  };
}
