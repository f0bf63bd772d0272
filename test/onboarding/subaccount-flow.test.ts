// The subaccount flow end to end against the sandbox: one subaccount named isv:<customer id>, token stored encrypted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { findSubaccountByCustomer, readSubaccountAuthToken } from '../../server/subaccounts/subaccounts.dao.ts';
import { createCustomer, drive, movableClock, testEngine } from './fixtures.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ sandbox: { autoAdvance: false } });
});
afterAll(async () => ctx?.close());

describe('subaccount flow', () => {
  it('creates exactly one subaccount named isv:<customer id> and stores its token encrypted', async () => {
    const clock = movableClock();
    const engine = testEngine(ctx, clock);
    const customerId = await createCustomer(ctx.db);
    const [flow] = await drive(ctx, [engine], clock, [customerId]);
    expect(flow).toMatchObject({ kind: 'subaccount', state: 'done', status: 'done' });

    const accounts = ctx.sandbox.resources<{ sid: string; account_sid: string; friendly_name: string; auth_token: string }>('account').filter((a) => a.friendly_name === `isv:${customerId}`);
    expect(accounts).toHaveLength(1);
    const row = await findSubaccountByCustomer(ctx.db, customerId);
    expect(row?.account_sid).toBe(accounts[0]!.sid);
    const stored = await ctx.db.query<{ auth_token_ciphertext: string }>(`SELECT auth_token_ciphertext FROM isv.twilio_subaccounts WHERE customer_id = $1`, [customerId]);
    expect(stored[0]!.auth_token_ciphertext).not.toContain(accounts[0]!.auth_token);
    expect(await readSubaccountAuthToken(ctx.db, ctx.keyRing, accounts[0]!.sid)).toBe(accounts[0]!.auth_token);
  });
});
