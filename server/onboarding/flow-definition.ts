// What a flow is: a table of states → step functions plus the allowed moves between states. A step does at most
// one external write and returns what happens next; the engine persists that with a guarded update.
import type { Twilio } from 'twilio';
import type { Config } from '../platform/config.ts';
import type { Db } from '../platform/db/db.ts';
import type { KeyRing } from '../platform/crypto/keyring.ts';
import type { Logger } from '../platform/logger.ts';
import type { TwilioGateway } from '../twilio/gateway.ts';
import type { FlowError, FlowKind } from '../../shared/onboarding.ts';
import type { FlowRow } from './flows.dao.ts';
import { onItError } from './twilio-errors.ts';

/** Writes to our own tables that must commit together with the flow's new state (e.g. the SID just adopted). */
export type Record_ = (tx: Db) => Promise<void>;

export type StepResult =
  /** Move to another state (or the same one, to take the next single write) and run it right away. */
  | { type: 'goto'; to: string; message: string; patch?: Record<string, unknown>; record?: Record_; countAttempt?: boolean; data?: Record<string, unknown> }
  /** Twilio is reviewing or working: check again later, backing off. `waitingOnSid` lets a webhook wake it. */
  | { type: 'poll'; waitingFor: string; message: string; waitingOnSid?: string; patch?: Record<string, unknown>; record?: Record_ }
  /**
   * A person must act: an admin (awaiting_approval), the customer (action_required: a fix or an OTP) or, for a
   * fault the customer cannot fix, an operator (needs_attention; see `needsAttention`).
   */
  | {
      type: 'park';
      status: 'action_required' | 'awaiting_approval' | 'needs_attention';
      waitingFor: string;
      message: string;
      to?: string;
      error?: FlowError;
      patch?: Record<string, unknown>;
      record?: Record_;
      /** Timeline event details for operators (never shown to the customer). */
      data?: Record<string, unknown>;
    }
  /** Give up for good (nothing the customer can fix). */
  | { type: 'fail'; message: string; error: FlowError; record?: Record_ };

export interface StepContext {
  flow: FlowRow;
  /** The flow's context (SIDs gathered so far and inputs such as an OTP). Read-only: patch it via the result. */
  context: Record<string, unknown>;
  db: Db;
  config: Config;
  keyRing: KeyRing;
  logger: Logger;
  twilio: TwilioGateway;
  now(): Date;
  /**
   * gateway.call with the engine's retry bookkeeping (retries land in the flow's timeline). Creates pass
   * `once: true`: a create that timed out may have been made, so it is not resent blindly; the engine retries
   * the whole step, which looks for (and adopts) what it may have made first.
   */
  call<T>(operation: string, fn: () => Promise<T>, opts?: { a2p?: boolean; once?: boolean }): Promise<T>;
  /**
   * True when this run follows a move into this state within the same claim: no earlier run of the state can
   * have created anything unrecorded, so the adoption look-up may be skipped. False after any claim (a crash,
   * a lost lease, a retry or a resume all come back through one), so those runs always look first.
   */
  freshEntry: boolean;
  /**
   * The SID of the Twilio account the flow runs in: the customer's subaccount (throws until the subaccount flow
   * recorded it), or its own connected account for a flow started in it (`inConnectedAccount`).
   */
  accountSid(): Promise<string>;
  /** Client with that account's own credentials (Messaging, TrustHub, Content). */
  subaccountClient(): Promise<Twilio>;
  /**
   * Called by a step right after Twilio created a resource and before its SID is recorded. This is the window
   * a crash can fall into; tests inject one here to prove the adopt-before-create rule.
   */
  created(resource: string, sid: string): Promise<void>;
}

export type StepFn = (s: StepContext) => Promise<StepResult>;

export interface StateDef {
  /** Plain-language label for the timeline and the portal. */
  label: string;
  /** Absent for states where the flow only waits for a person (a service moves it on). */
  step?: StepFn;
  /** States this one may move to (by a step or by a service). */
  to: readonly string[];
  /**
   * The context key of the Twilio SID this state adopts or creates. When Twilio later answers 20404 for that SID,
   * the engine forgets it and comes back here (a recovery edge, outside `to`), which adopts or recreates it.
   */
  records?: string;
}

export interface FlowDefinition {
  kind: FlowKind;
  initial: string;
  /** Reaching one of these ends the flow with status done. */
  terminal: readonly string[];
  states: Record<string, StateDef>;
  /** Happy-path order, for the progress figure. */
  order: readonly string[];
}

/** A crash injected by a test hook: the engine abandons the flow without writing, exactly as a killed process. */
export class SimulatedCrash extends Error {
  constructor(where: string) {
    super(`simulated crash ${where}`);
    this.name = 'SimulatedCrash';
  }
}

export function isAllowedTransition(def: FlowDefinition, from: string, to: string): boolean {
  return def.states[from]?.to.includes(to) ?? false;
}

export function assertTransition(def: FlowDefinition, from: string, to: string): void {
  if (!isAllowedTransition(def, from, to)) throw new Error(`${def.kind} flow: ${from} → ${to} is not an allowed transition`);
}

/** 0–100 along the happy path; states off the path (fixes) count as the last path state before them. */
export function progressOf(def: FlowDefinition, state: string): number {
  if (def.terminal.includes(state)) return 100;
  let idx = def.order.indexOf(state);
  if (idx < 0) {
    // The last path state that leads here (the initial state is skipped: approval can resume anywhere).
    for (let i = def.order.length - 1; i > 0 && idx < 0; i--) if (def.states[def.order[i]!]?.to.includes(state)) idx = i;
    idx = Math.max(0, idx);
  }
  return Math.min(99, Math.round((100 * idx) / Math.max(1, def.order.length - 1)));
}

/** What an operator needs to act on a fault: kept in the flow's context, shown in the operator queue only. */
export interface Attention {
  reason: string;
  operation: string | null;
  twilioCode: number | null;
  httpStatus: number | null;
  twilioMessage: string | null;
  state: string;
  /** The step in words (filled in by the engine). */
  step?: string;
  at: string;
}

/** Parks a flow for an operator; the customer reads only that the team is on it. */
export function needsAttention(flowState: string, a: Omit<Attention, 'state' | 'at'>, at: Date): StepResult {
  const attention: Attention = { ...a, state: flowState, at: at.toISOString() };
  return {
    type: 'park',
    status: 'needs_attention',
    waitingFor: 'operator',
    message: 'Our team is looking into a problem at this step',
    error: onItError(a.twilioCode),
    patch: { attention },
    data: { attention },
  };
}

/** A flow that runs in the customer's own connected Twilio account (A2P as a direct customer, #17), not its subaccount. */
export const inConnectedAccount = (flow: { context: Record<string, unknown> }) => flow.context.twilioAccount === 'connected';

/** Waits for an owner to reconnect the customer's own Twilio account with a working token. */
export const WAITING_FOR_RECONNECT = 'twilio_reconnect';
