// The onboarding engine: claims due flows under a lease (FOR UPDATE SKIP LOCKED), runs their steps with bounded
// concurrency and no transaction open while Twilio is called, and writes each result with a version guard, so
// any number of instances can tick one database. See DESIGN §6.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Twilio } from 'twilio';
import type { Config } from '../platform/config.ts';
import type { Db } from '../platform/db/db.ts';
import type { KeyRing } from '../platform/crypto/keyring.ts';
import type { Logger } from '../platform/logger.ts';
import { TwilioCallError, type TwilioGateway } from '../twilio/gateway.ts';
import { findConnectionByCustomer, findSubaccountByCustomer } from '../subaccounts/subaccounts.dao.ts';
import type { FlowKind, FlowStatus } from '../../shared/onboarding.ts';
import {
  claimDueFlows,
  insertFlowEvent,
  extendLease,
  releaseLease,
  wakeDependants,
  writeFlowResult,
  type FlowResult,
  type FlowRow,
} from './flows.dao.ts';
import { SimulatedCrash, WAITING_FOR_RECONNECT, inConnectedAccount, isAllowedTransition, needsAttention, type FlowDefinition, type StepContext, type StepResult } from './flow-definition.ts';
import { explainTwilioError, handlingOf } from './twilio-errors.ts';
import { flowDefinitions } from './flows/index.ts';

export interface CreatedResource {
  flowId: string;
  kind: FlowKind;
  state: string;
  resource: string;
  sid: string;
}

export interface EngineHooks {
  /** Runs after each Twilio create, before its SID is recorded. Throw SimulatedCrash to test crash safety. */
  afterTwilioCreate?(e: CreatedResource): void | Promise<void>;
}

export interface EngineOptions {
  db: Db;
  twilio: TwilioGateway;
  keyRing: KeyRing;
  config: Config;
  logger: Logger;
  now?: () => Date;
  /** Jitter source in [0, 1). */
  random?: () => number;
  /** Lease owner id; unique per engine by default. */
  owner?: string;
  definitions?: Partial<Record<FlowKind, FlowDefinition>>;
  hooks?: EngineHooks;
  concurrency?: number;
  leaseMs?: number;
  pollMinMs?: number;
  pollMaxMs?: number;
  /** Consecutive steps one claim may run before the flow goes back to the queue (fairness). */
  maxStepsPerClaim?: number;
  /** Told when Twilio refused a customer's own connected account's token during a step (it turns credentials_invalid). */
  onCredentialsRejected?: (accountSid: string) => Promise<unknown>;
}

export interface OnboardingEngine {
  readonly owner: string;
  /** One round: claims up to `concurrency` due flows and runs them (each until it waits). Returns flows claimed. */
  tick(): Promise<number>;
  /** Keeps `concurrency` flows running until nothing is due. Returns flows claimed. */
  drain(): Promise<number>;
  /** Stops claiming, lets running steps finish and hands their flows back. */
  stop(): Promise<void>;
}

type Outcome =
  | StepResult
  | { type: 'retry'; err: unknown }
  /** Self-healing: Twilio no longer has a SID the flow recorded; forget it and go back to the state that makes it. */
  | { type: 'recover'; to: string; forget: string; message: string; data: Record<string, unknown> };

/** Recoveries of one recorded SID before the platform stops and asks an operator. */
const MAX_RECOVERIES = 3;
const SID_PATTERN = /\b[A-Z]{2}[0-9a-f]{32}\b/g;

interface PendingEvent {
  message: string;
  data?: unknown;
}

export function createOnboardingEngine(o: EngineOptions): OnboardingEngine {
  const now = o.now ?? (() => new Date());
  const random = o.random ?? Math.random;
  const owner = o.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const defs: Partial<Record<FlowKind, FlowDefinition>> = { ...flowDefinitions, ...o.definitions };
  const concurrency = Math.max(1, o.concurrency ?? o.config.onboarding.concurrency);
  const leaseMs = o.leaseMs ?? o.config.onboarding.leaseMs;
  const pollMinMs = o.pollMinMs ?? o.config.onboarding.pollMinMs;
  const pollMaxMs = o.pollMaxMs ?? o.config.onboarding.pollMaxMs;
  const maxSteps = o.maxStepsPerClaim ?? 25;
  const log = o.logger.child({ component: 'onboarding', owner });
  let stopping = false;
  const active = new Set<Promise<unknown>>();

  const later = (ms: number) => new Date(now().getTime() + ms);
  const jitter = (ms: number) => Math.round(ms * (0.8 + 0.4 * random()));

  function track<T>(p: Promise<T>): Promise<T> {
    active.add(p);
    void p.finally(() => active.delete(p)).catch(() => undefined);
    return p;
  }

  async function claim(limit: number): Promise<FlowRow[]> {
    if (stopping || limit <= 0) return [];
    // Twilio's circuit breaker is open: start nothing; due flows stay due, untouched, until a probe closes it.
    if (!(await o.twilio.health.admit())) return [];
    return claimDueFlows(o.db, { owner, now: now(), leaseUntil: later(leaseMs), limit });
  }

  function stepContext(flow: FlowRow, pending: PendingEvent[], freshEntry: boolean): StepContext {
    let sid: string | undefined;
    const accountSid = async () => {
      if (sid) return sid;
      const connected = inConnectedAccount(flow);
      const row = connected ? await findConnectionByCustomer(o.db, flow.customer_id) : await findSubaccountByCustomer(o.db, flow.customer_id);
      if (!row) throw new Error(`customer ${flow.customer_id} has no ${connected ? 'connected Twilio account' : 'subaccount'} yet`);
      sid = row.account_sid;
      return sid;
    };
    return {
      flow,
      context: flow.context,
      db: o.db,
      config: o.config,
      keyRing: o.keyRing,
      logger: log.child({ flowId: flow.id, kind: flow.kind, state: flow.state }),
      twilio: o.twilio,
      now,
      freshEntry,
      call: (operation, fn, opts) =>
        o.twilio.call(operation, fn, {
          a2p: opts?.a2p,
          ...(opts?.once ? { maxAttempts: 1 } : {}),
          onRetry: (err, attempt, delayMs) =>
            pending.push({
              message: `Twilio answered ${describe(err)} to ${operation}; retrying (attempt ${attempt + 1}) in ${delayMs} ms`,
              data: { retry: true, operation, attempt, httpStatus: err.httpStatus ?? null, twilioCode: err.twilioCode ?? null },
            }),
        }),
      accountSid,
      subaccountClient: async (): Promise<Twilio> => o.twilio.subaccount(await accountSid()),
      async created(resource, createdSid) {
        log.info({ flowId: flow.id, kind: flow.kind, state: flow.state, resource, sid: createdSid }, 'flow.twilio_created');
        await o.hooks?.afterTwilioCreate?.({ flowId: flow.id, kind: flow.kind, state: flow.state, resource, sid: createdSid });
      },
    };
  }

  /** Builds the row update for an outcome. Throws on a transition the flow's table does not allow (a bug). */
  function resultFor(flow: FlowRow, def: FlowDefinition, out: Outcome, keepLease: boolean): { result: FlowResult; event?: PendingEvent & { to: string } } {
    const t = now();
    const ctx = { ...flow.context };
    const base = {
      attempts: flow.attempts,
      lease: null as FlowResult['lease'],
      now: t,
    };
    switch (out.type) {
      case 'recover':
      case 'goto': {
        // A recovery edge goes back to the state that records the vanished SID; it is not in the table's `to`.
        if (out.type === 'goto' && !isAllowedTransition(def, flow.state, out.to)) throw new Error(`${def.kind}: ${flow.state} → ${out.to} is not allowed`);
        const patch =
          out.type === 'goto'
            ? out.patch
            : { [out.forget]: null, recoveries: { ...(ctx.recoveries as Record<string, number> | undefined), [out.forget]: Number((ctx.recoveries as Record<string, number> | undefined)?.[out.forget] ?? 0) + 1 } };
        const done = def.terminal.includes(out.to);
        delete ctx.retries;
        delete ctx.waitingOnSid;
        return {
          result: {
            ...base,
            state: out.to,
            status: done ? 'done' : 'in_progress',
            context: { ...ctx, ...patch },
            waitingFor: null,
            attempts: flow.attempts + (out.type === 'goto' && out.countAttempt ? 1 : 0),
            pollIntervalMs: 0,
            nextRunAt: done ? null : t,
            lastError: null,
            lease: keepLease ? { owner, expiresAt: later(leaseMs) } : null,
          },
          event: { to: out.to, message: out.message, data: out.data },
        };
      }
      case 'poll': {
        const interval = flow.poll_interval_ms > 0 ? Math.min(pollMaxMs, flow.poll_interval_ms * 2) : pollMinMs;
        delete ctx.retries;
        const first = flow.status !== 'waiting_on_twilio' || flow.waiting_for !== out.waitingFor;
        return {
          result: {
            ...base,
            state: flow.state,
            status: 'waiting_on_twilio',
            context: { ...ctx, ...out.patch, ...(out.waitingOnSid ? { waitingOnSid: out.waitingOnSid } : {}) },
            waitingFor: out.waitingFor,
            pollIntervalMs: interval,
            nextRunAt: later(jitter(interval)),
            lastError: null,
          },
          event: first ? { to: flow.state, message: out.message } : undefined,
        };
      }
      case 'park': {
        const to = out.to ?? flow.state;
        if (to !== flow.state && !isAllowedTransition(def, flow.state, to)) throw new Error(`${def.kind}: ${flow.state} → ${to} is not allowed`);
        delete ctx.retries;
        delete ctx.waitingOnSid;
        const patch = { ...out.patch };
        if (out.status === 'needs_attention') {
          // The step in words, as this engine's table has it, for the operator queue.
          patch.attention = { ...(patch.attention as object), step: def.states[to]?.label ?? to };
          log.error({ flowId: flow.id, kind: flow.kind, state: flow.state, attention: patch.attention }, 'flow.needs_attention');
        }
        return {
          result: {
            ...base,
            state: to,
            status: out.status,
            context: { ...ctx, ...patch },
            waitingFor: out.waitingFor,
            pollIntervalMs: 0,
            nextRunAt: null,
            lastError: out.error ?? null,
          },
          event: { to, message: out.message, data: out.data },
        };
      }
      case 'fail':
        return {
          result: {
            ...base,
            state: flow.state,
            status: 'failed',
            context: ctx,
            waitingFor: null,
            pollIntervalMs: 0,
            nextRunAt: null,
            lastError: out.error,
          },
          event: { to: flow.state, message: out.message },
        };
      case 'retry': {
        const retries = Number(ctx.retries ?? 0) + 1;
        const delay = jitter(Math.min(pollMaxMs, Math.max(250, pollMinMs) * 2 ** Math.min(retries - 1, 20)));
        const status: FlowStatus = flow.status === 'waiting_on_twilio' ? 'waiting_on_twilio' : 'in_progress';
        const why = out.err instanceof TwilioCallError ? `Twilio answered ${describe(out.err)}` : 'an internal error occurred';
        return {
          result: {
            ...base,
            state: flow.state,
            status,
            context: { ...ctx, retries },
            waitingFor: flow.waiting_for,
            pollIntervalMs: flow.poll_interval_ms,
            nextRunAt: later(delay),
            lastError: flow.last_error,
          },
          event: {
            to: flow.state,
            message: `${why}; will retry in ${Math.round(delay / 1000)} s (retry ${retries})`,
            data: {
              retry: true,
              retries,
              httpStatus: out.err instanceof TwilioCallError ? (out.err.httpStatus ?? null) : null,
              twilioCode: out.err instanceof TwilioCallError ? (out.err.twilioCode ?? null) : null,
            },
          },
        };
      }
    }
  }

  /** 20404 naming a SID this flow recorded: the state that adopts or creates it runs again (self-healing). */
  function recoverVanished(err: TwilioCallError, flow: FlowRow, def: FlowDefinition): Outcome | undefined {
    const sids = [...err.twilioMessage.matchAll(SID_PATTERN)].map((m) => m[0]).reverse();
    for (const sid of sids) {
      const key = Object.keys(flow.context).find((k) => flow.context[k] === sid);
      const state = key && Object.keys(def.states).find((st) => def.states[st]!.records === key);
      if (!key || !state) continue;
      if (Number((flow.context.recoveries as Record<string, number> | undefined)?.[key] ?? 0) >= MAX_RECOVERIES) return undefined;
      return {
        type: 'recover',
        to: state,
        forget: key,
        message: `Twilio no longer has ${sid}; ${def.states[state]!.label.toLowerCase()} again`,
        data: { recovery: true, forgotten: { key, sid }, operation: err.operation, twilioCode: err.twilioCode ?? null },
      };
    }
    return undefined;
  }

  /** Who acts on an error: Twilio's transient faults retry, the customer fixes what they typed, the rest goes to operators. */
  function outcomeOfError(err: unknown, flow: FlowRow, def: FlowDefinition): Outcome {
    // The customer's own account refused its token: only an owner can fix that, by reconnecting it.
    if (err instanceof TwilioCallError && inConnectedAccount(flow) && (err.twilioCode === 20003 || err.httpStatus === 401)) {
      const message = 'Twilio no longer accepts the Auth Token saved for your Twilio account. Reconnect the account with its current token on the Twilio account page; the registration then continues where it stopped.';
      return { type: 'park', status: 'action_required', waitingFor: WAITING_FOR_RECONNECT, message, error: { code: 'twilio_credentials_invalid', message, twilioCode: err.twilioCode ?? null, fields: [] } };
    }
    if (err instanceof TwilioCallError && err.kind === 'permanent') {
      if (err.twilioCode === 20404) {
        const recovery = recoverVanished(err, flow, def);
        if (recovery) return recovery;
      }
      if (handlingOf(err.twilioCode).who === 'customer') {
        const error = explainTwilioError(err);
        return { type: 'park', status: 'action_required', waitingFor: 'customer_fix', message: error.message, error };
      }
      return needsAttention(
        flow.state,
        { reason: 'twilio_error', operation: err.operation, twilioCode: err.twilioCode ?? null, httpStatus: err.httpStatus ?? null, twilioMessage: err.twilioMessage },
        now(),
      );
    }
    if (!(err instanceof TwilioCallError)) log.error({ err, flowId: flow.id, kind: flow.kind, state: flow.state }, 'flow.step_error');
    return { type: 'retry', err };
  }

  async function persist(flow: FlowRow, out: Outcome, pending: PendingEvent[], keepLease: boolean): Promise<FlowRow | undefined> {
    const def = defs[flow.kind]!;
    const { result, event } = resultFor(flow, def, out, keepLease);
    const record = 'record' in out ? out.record : undefined;
    return o.db.tx(async (tx) => {
      const updated = await writeFlowResult(tx, flow.id, flow.version, result);
      if (!updated) {
        log.debug({ flowId: flow.id, kind: flow.kind, state: flow.state }, 'flow.result_discarded');
        return undefined;
      }
      const at = result.now;
      for (const p of pending) await insertFlowEvent(tx, { flowId: flow.id, at, from: flow.state, to: flow.state, message: p.message, data: p.data });
      if (event) await insertFlowEvent(tx, { flowId: flow.id, at, from: flow.state, to: event.to, message: event.message, data: event.data });
      if (record) await record(tx);
      if (updated.status === 'done') await wakeDependants(tx, flow.id, at);
      if (flow.state !== updated.state || flow.status !== updated.status)
        log.info({ flowId: flow.id, kind: flow.kind, from: flow.state, to: updated.state, status: updated.status }, 'flow.transitioned');
      return updated;
    });
  }

  async function runClaimed(claimed: FlowRow): Promise<void> {
    let flow = claimed;
    let previousState: string | undefined;
    for (let steps = 0; ; steps++) {
      const def = defs[flow.kind];
      const stateDef = def?.states[flow.state];
      if (!def || !stateDef?.step || def.terminal.includes(flow.state)) {
        // Nothing to run here (a state that waits for a person, or the end): take it off the queue.
        if (def && stateDef) {
          await persist(flow, { type: 'park', status: flow.status === 'awaiting_approval' ? 'awaiting_approval' : 'action_required', waitingFor: flow.waiting_for ?? 'customer', message: stateDef.label }, [], false).catch((err) =>
            log.error({ err, flowId: flow.id }, 'flow.persist_failed'),
          );
        } else log.error({ flowId: flow.id, kind: flow.kind, state: flow.state }, 'flow.unknown_state');
        return;
      }
      if ((stopping || o.twilio.health.isOpen()) && steps > 0) {
        await releaseLease(o.db, flow.id, flow.version).catch(() => undefined);
        return;
      }
      const pending: PendingEvent[] = [];
      let out: Outcome;
      // Heartbeat: the lease is renewed while the step runs, so no other worker or instance claims the flow and
      // runs the same step beside this one (issue 13: several workers made a 2 s lease expire under load).
      const held = flow;
      const heartbeat = setInterval(() => {
        void extendLease(o.db, held.id, held.version, owner, later(leaseMs)).catch((err: unknown) => log.warn({ err, flowId: held.id }, 'flow.lease_extend_failed'));
      }, Math.max(100, Math.floor(leaseMs / 3)));
      heartbeat.unref();
      try {
        out = await stateDef.step(stepContext(flow, pending, previousState !== undefined && previousState !== flow.state));
      } catch (err) {
        if (err instanceof SimulatedCrash) {
          log.warn({ flowId: flow.id, kind: flow.kind, state: flow.state }, 'flow.crash_simulated');
          return;
        }
        out = outcomeOfError(err, flow, def);
        if (out.type === 'park' && out.waitingFor === WAITING_FOR_RECONNECT) {
          const row = await findConnectionByCustomer(o.db, flow.customer_id).catch(() => undefined);
          if (row) await o.onCredentialsRejected?.(row.account_sid).catch((e: unknown) => log.error({ err: e, flowId: flow.id }, 'flow.credentials_report_failed'));
        }
      } finally {
        clearInterval(heartbeat);
      }
      const cont = out.type === 'goto' && !def.terminal.includes(out.to) && steps + 1 < maxSteps && !stopping;
      let next: FlowRow | undefined;
      try {
        next = await persist(flow, out, pending, cont);
      } catch (err) {
        // Writing the result failed (e.g. the database went away): leave the lease to expire; the step is rerun
        // and adopts whatever it created.
        log.error({ err, flowId: flow.id, kind: flow.kind, state: flow.state }, 'flow.persist_failed');
        return;
      }
      if (!next || !cont) return;
      previousState = flow.state;
      flow = next;
    }
  }

  async function tick(): Promise<number> {
    return track(
      (async () => {
        const rows = await claim(concurrency);
        await Promise.all(rows.map(runClaimed));
        return rows.length;
      })(),
    );
  }

  async function drain(): Promise<number> {
    return track(
      (async () => {
        let total = 0;
        const inflight = new Set<Promise<void>>();
        while (!stopping) {
          const rows = await claim(concurrency - inflight.size);
          total += rows.length;
          for (const row of rows) {
            const p: Promise<void> = runClaimed(row).finally(() => inflight.delete(p));
            inflight.add(p);
          }
          if (inflight.size === 0) break;
          // Claim again when a slot frees up (or right away when the batch was full and more may be due).
          if (rows.length === 0 || inflight.size >= concurrency) await Promise.race(inflight);
        }
        await Promise.all(inflight);
        return total;
      })(),
    );
  }

  return {
    owner,
    tick,
    drain,
    async stop() {
      stopping = true;
      await Promise.allSettled([...active]);
    },
  };
}

function describe(err: TwilioCallError): string {
  const parts = [err.httpStatus ? `HTTP ${err.httpStatus}` : 'no response', err.twilioCode ? `code ${err.twilioCode}` : undefined];
  return parts.filter(Boolean).join(', ');
}
