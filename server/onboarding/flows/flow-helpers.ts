// Building blocks shared by the flows: deterministic friendly names and the adopt-or-create rule every create
// step follows (look for what a crashed earlier run may have made, adopt it, else create; then record the SID).
import type { StepContext, StepResult, Record_ } from '../flow-definition.ts';
import { findSubaccountFlow } from '../flows.dao.ts';

/** `isv:<customer id>[:<purpose>]`: what makes a resource findable again after a crash (≤ 64 characters). */
export const friendlyName = (customerId: string, purpose?: string) => (purpose ? `isv:${customerId}:${purpose}` : `isv:${customerId}`);

export interface EnsureOptions<T extends { sid: string }> {
  /** The context key the SID is recorded under. */
  key: string;
  /** Resource name for the timeline, the logs and the crash hook (e.g. 'trusthub.end_user'). */
  resource: string;
  label: string;
  list: () => Promise<T[]>;
  match: (r: T) => boolean;
  create: () => Promise<T>;
  next: string;
  a2p?: boolean;
  patch?: (r: T) => Record<string, unknown>;
  record?: (r: T) => Record_;
}

export async function adoptOrCreate<T extends { sid: string }>(s: StepContext, o: EnsureOptions<T>): Promise<StepResult> {
  const known = s.context[o.key];
  if (typeof known === 'string') return { type: 'goto', to: o.next, message: `${o.label} ${known} already recorded` };
  // An A2P resource's list is an A2P request too: Twilio's ~1 request/s applies to reads as well.
  let r = s.freshEntry ? undefined : (await s.call(`${o.resource}.list`, o.list, { a2p: o.a2p })).find(o.match);
  const adopted = !!r;
  if (!r) {
    r = await s.call(`${o.resource}.create`, o.create, { a2p: o.a2p, once: true });
    await s.created(o.resource, r.sid);
  }
  const found = r;
  return {
    type: 'goto',
    to: o.next,
    message: `${adopted ? 'Adopted the existing' : 'Created'} ${o.label} ${found.sid}`,
    patch: { [o.key]: found.sid, ...o.patch?.(found) },
    record: o.record?.(found),
  };
}

/** Flows that need the customer's subaccount wait here until the subaccount flow is done. */
export async function waitForSubaccount(s: StepContext, next: string): Promise<StepResult> {
  const sub = await findSubaccountFlow(s.db, s.flow.customer_id);
  if (sub?.status === 'done') return { type: 'goto', to: next, message: 'The subaccount is ready' };
  if (sub?.status === 'failed')
    return {
      type: 'fail',
      message: 'The subaccount could not be created',
      error: { code: 'subaccount_failed', message: 'The Twilio subaccount for this customer could not be created.', twilioCode: null, fields: [] },
    };
  return { type: 'poll', waitingFor: 'subaccount', message: 'Waiting for the subaccount to be created' };
}

export const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
