// Lifecycle steps with due times stored in the sandbox state (so a restart resumes them), applied by a timer
// in the background and on demand by advanceReviews()/flushCallbacks() in tests.
import { randomUUID } from 'node:crypto';
import type { Transition, TransitionHandler } from './framework.ts';
import type { PersistentState } from './state.ts';

export interface Lifecycle {
  schedule(kind: string, sid: string, data: Record<string, unknown>, delayMs: number, group: Transition['group']): Transition;
  cancel(sid: string, kind?: string): void;
  on(kind: string, handler: TransitionHandler): void;
  /** Applies due steps (or, with force, every step of the group) until none is left; returns how many ran. */
  run(opts: { group?: Transition['group']; force?: boolean }): Promise<number>;
  pending(): Transition[];
  start(): void;
  stop(): void;
}

export function createLifecycle(deps: {
  state: PersistentState;
  now: () => Date;
  auto: boolean;
  onError: (t: Transition, err: unknown) => void;
}): Lifecycle {
  const handlers = new Map<string, TransitionHandler>();
  const { data } = deps.state;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> = Promise.resolve(0);
  let stopped = true;

  const arm = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!deps.auto || stopped || data.transitions.length === 0) return;
    const next = Math.min(...data.transitions.map((t) => Date.parse(t.dueAt)));
    const delay = Math.max(0, Math.min(next - deps.now().getTime(), 2 ** 31 - 1));
    timer = setTimeout(() => {
      timer = undefined;
      void run({}).catch(() => undefined);
    }, delay);
    timer.unref();
  };

  const runOnce = async (opts: { group?: Transition['group']; force?: boolean }): Promise<number> => {
    let count = 0;
    // Loop: a step may schedule the next one with zero delay (PENDING → IN_REVIEW → APPROVED).
    for (;;) {
      const nowMs = deps.now().getTime();
      const due = data.transitions
        .filter((t) => (!opts.group || t.group === opts.group) && (opts.force || Date.parse(t.dueAt) <= nowMs))
        .sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
      const t = due[0];
      if (!t) break;
      data.transitions = data.transitions.filter((x) => x.id !== t.id);
      deps.state.markDirty();
      const handler = handlers.get(t.kind);
      try {
        if (handler) await handler(t);
        else throw new Error(`no handler for transition kind ${t.kind}`);
      } catch (err) {
        deps.onError(t, err);
      }
      // The step (and any callback it queued) is on disk before the next one runs or anything is delivered.
      await deps.state.commit();
      count += 1;
    }
    return count;
  };

  // Serialised so a timer run and a test's advanceReviews() never apply the same step twice.
  const run = (opts: { group?: Transition['group']; force?: boolean }): Promise<number> => {
    const next = running.then(() => runOnce(opts));
    running = next.catch(() => 0).finally(arm);
    return next;
  };

  return {
    schedule(kind, sid, payload, delayMs, group) {
      const t: Transition = {
        id: randomUUID(),
        kind,
        sid,
        dueAt: new Date(deps.now().getTime() + Math.max(0, delayMs)).toISOString(),
        group,
        data: payload,
      };
      data.transitions.push(t);
      deps.state.markDirty();
      arm();
      return t;
    },
    cancel(sid, kind) {
      const before = data.transitions.length;
      data.transitions = data.transitions.filter((t) => !(t.sid === sid && (!kind || t.kind === kind)));
      if (data.transitions.length !== before) deps.state.markDirty();
    },
    on(kind, handler) {
      if (handlers.has(kind)) throw new Error(`transition kind ${kind} registered twice`);
      handlers.set(kind, handler);
    },
    run,
    pending: () => [...data.transitions],
    start() {
      stopped = false;
      arm();
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
