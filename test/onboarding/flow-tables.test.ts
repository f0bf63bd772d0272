// The flow tables themselves: every move names a real state, every state is reachable and can still finish, and the
// engine's transition check follows the table.
import { describe, expect, it } from 'vitest';
import { flowDefinitions } from '../../server/onboarding/flows/index.ts';
import { assertTransition, isAllowedTransition, progressOf, type FlowDefinition } from '../../server/onboarding/flow-definition.ts';

function reachable(def: FlowDefinition, from: string): Set<string> {
  const seen = new Set([from]);
  const queue = [from];
  while (queue.length) for (const to of def.states[queue.shift()!]?.to ?? []) if (!seen.has(to)) (seen.add(to), queue.push(to));
  return seen;
}

describe.each(Object.values(flowDefinitions))('the $kind flow table', (def) => {
  it('names only states it defines', () => {
    expect(def.states[def.initial]).toBeDefined();
    for (const t of def.terminal) expect(def.states[t]).toBeDefined();
    for (const s of def.order) expect(def.states[s], s).toBeDefined();
    for (const [name, s] of Object.entries(def.states)) for (const to of s.to) expect(def.states[to], `${name} → ${to}`).toBeDefined();
  });

  it('reaches every state from the initial one, and can finish from every state', () => {
    expect([...reachable(def, def.initial)].sort()).toEqual(Object.keys(def.states).sort());
    for (const name of Object.keys(def.states)) {
      expect([...reachable(def, name)].some((s) => def.terminal.includes(s)), `${name} cannot finish`).toBe(true);
    }
  });

  it('gives terminal states no way out and runnable states a step', () => {
    for (const t of def.terminal) expect(def.states[t]!.to).toEqual([]);
    // States without a step wait for a person (an approval, a code, a new text or email asked for); a service moves them on.
    const parked = Object.entries(def.states).filter(([n, s]) => !s.step && !def.terminal.includes(n)).map(([n]) => n);
    for (const p of parked) expect(['awaiting_approval', 'await_otp', 'brand_otp', 'brand_email']).toContain(p);
  });

  it('reports progress that grows along the happy path and is 100 at the end', () => {
    const values = def.order.map((s) => progressOf(def, s));
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(progressOf(def, def.terminal[0]!)).toBe(100);
  });

  it('places states off the happy path (fixes, OTPs) next to the state they came from', () => {
    for (const name of Object.keys(def.states)) {
      if (def.order.includes(name) || def.terminal.includes(name)) continue;
      const from = def.order.filter((o, i) => i > 0 && def.states[o]!.to.includes(name));
      expect(progressOf(def, name), name).toBe(progressOf(def, from.at(-1) ?? def.initial));
    }
    if (def.kind === 'a2p') expect(progressOf(def, 'fix_brand')).toBe(progressOf(def, 'wait_brand'));
  });
});

describe('allowed transitions', () => {
  it('the A2P table allows the documented moves and refuses others', () => {
    const a2p = flowDefinitions.a2p;
    expect(isAllowedTransition(a2p, 'wait_profile', 'messaging_end_user')).toBe(true);
    expect(isAllowedTransition(a2p, 'wait_brand', 'fix_brand')).toBe(true);
    expect(isAllowedTransition(a2p, 'fix_brand', 'resubmit_brand')).toBe(true);
    expect(isAllowedTransition(a2p, 'wait_campaign', 'recreate_campaign')).toBe(true);
    expect(isAllowedTransition(a2p, 'brand_otp', 'resend_brand_otp')).toBe(true);
    expect(isAllowedTransition(a2p, 'wait_brand', 'resend_brand_otp')).toBe(true);
    expect(isAllowedTransition(a2p, 'awaiting_approval', 'wait_for_subaccount')).toBe(true);
    expect(isAllowedTransition(a2p, 'buy_number', 'awaiting_approval')).toBe(true);
    expect(isAllowedTransition(a2p, 'address', 'brand')).toBe(false);
    expect(isAllowedTransition(a2p, 'done', 'awaiting_approval')).toBe(false);
    expect(isAllowedTransition(a2p, 'wait_brand', 'done')).toBe(false);
    expect(() => assertTransition(a2p, 'address', 'done')).toThrow(/not an allowed transition/);
  });

  it('the subaccount, sender and template tables allow only their own moves', () => {
    expect(isAllowedTransition(flowDefinitions.subaccount, 'create_subaccount', 'done')).toBe(true);
    expect(isAllowedTransition(flowDefinitions.subaccount, 'done', 'create_subaccount')).toBe(false);
    expect(isAllowedTransition(flowDefinitions.whatsapp_sender, 'wait_sender', 'await_otp')).toBe(true);
    expect(isAllowedTransition(flowDefinitions.whatsapp_sender, 'await_otp', 'done')).toBe(false);
    expect(isAllowedTransition(flowDefinitions.template, 'wait_approval', 'superseded')).toBe(true);
    expect(isAllowedTransition(flowDefinitions.template, 'awaiting_approval', 'create_content')).toBe(false);
  });
});
