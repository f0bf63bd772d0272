// Segments and price of a sent message: Twilio answers a send through a Messaging Service with 0 segments and no
// price, and its status callbacks carry neither; the settlement fetches the finished message and stores both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { messageDetailSchema, sendMessageResponseSchema } from '../../shared/messages.ts';
import { createTenant, type Tenant } from './tenant.ts';

let ctx: TestContext;
let tenant: Tenant;

beforeAll(async () => {
  ctx = await createTestContext();
  tenant = await createTenant(ctx);
});
afterAll(async () => ctx?.close());

const messagesPath = (customerId: string) => `/api/isv/customers/${customerId}/messages`;
const fetches = (sid: string) => ctx.sandbox.requests.filter((r) => r.method === 'GET' && r.path === `/2010-04-01/Accounts/${tenant.accountSid}/Messages/${sid}.json`).length;

async function send(body: string) {
  const res = await ctx.request.post(messagesPath(tenant.customerId)).set(tenant.owner.auth).send({ to: '+14155551201', body });
  expect(res.status).toBe(201);
  return sendMessageResponseSchema.parse(res.body);
}

async function detail(id: string) {
  const res = await ctx.request.get(`${messagesPath(tenant.customerId)}/${id}`).set(tenant.owner.auth);
  expect(res.status).toBe(200);
  return messageDetailSchema.parse(res.body);
}

describe('segments and price of a sent message', () => {
  it('shows unknown segments and price (not 0) until Twilio has them, then the fetched segments and price once delivered', async () => {
    const sent = await send('Your order shipped. Track it in your account.');
    // Twilio's answer through a Messaging Service says 0 segments: that is unknown, not zero.
    expect(await detail(sent.id)).toMatchObject({ numSegments: null, price: null });

    await ctx.sandbox.flushCallbacks();
    expect((await detail(sent.id)).status).toBe('delivered');
    expect(await ctx.features.messageSettlement.settle()).toBeGreaterThanOrEqual(1);
    const settled = await detail(sent.id);
    expect(settled.numSegments).toBe(1);
    expect(Number(settled.price)).toBeLessThan(0);
    expect(settled.priceUnit).toBe('USD');
    expect(fetches(sent.sid)).toBe(1);

    // Settled: the next runs do not fetch it again.
    await ctx.features.messageSettlement.settle();
    expect(fetches(sent.sid)).toBe(1);
  });

  it('does not fetch a message that is still on its way, and fetches it once it is final', async () => {
    const sent = await send('A second message that is not delivered yet.');
    await ctx.features.messageSettlement.settle();
    expect(fetches(sent.sid)).toBe(0);
    await ctx.sandbox.flushCallbacks();
    await ctx.features.messageSettlement.settle();
    expect(fetches(sent.sid)).toBe(1);
    expect((await detail(sent.id)).numSegments).toBe(1);
  });

  it('tries again later, not at once, when Twilio has not priced a finished message yet', async () => {
    const sent = await send('A third message, priced late.');
    await ctx.sandbox.flushCallbacks();
    await ctx.db.query(`UPDATE isv.messages SET status = 'delivered' WHERE sid = $1`, [sent.sid]);
    await ctx.features.messageSettlement.settle();
    // Twilio's price is the one fetched; take it away again as if Twilio had not priced it yet.
    await ctx.db.query(`UPDATE isv.messages SET price = NULL WHERE sid = $1`, [sent.sid]);
    await ctx.features.messageSettlement.settle();
    expect(fetches(sent.sid)).toBe(1);
    const [row] = await ctx.db.query<{ settle_attempts: number; wait_s: number }>(
      `SELECT settle_attempts, extract(epoch FROM settle_after - now())::int AS wait_s FROM isv.messages WHERE sid = $1`,
      [sent.sid],
    );
    expect(row).toMatchObject({ settle_attempts: 1 });
    expect(row!.wait_s).toBeGreaterThan(30);
    // Once the backoff has passed it is fetched again.
    await ctx.db.query(`UPDATE isv.messages SET settle_after = now() - interval '1 second' WHERE sid = $1`, [sent.sid]);
    await ctx.features.messageSettlement.settle();
    expect(fetches(sent.sid)).toBe(2);
    expect((await detail(sent.id)).price).not.toBeNull();
  });
});
