// Status callbacks: one event per key however often Twilio retries, statuses that only move forward whatever the
// arrival order, messages created for traffic the platform did not send, and batching under concurrency.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { createSubaccountTenant, newSid, postSigned, STATUS_PATH, statusParams } from '../messaging/tenant.ts';
import { statusAdvances } from '../../server/messaging/message-status.ts';
import { STATUS_RANK } from '../../shared/messages.ts';

let ctx: TestContext;
let tenant: Awaited<ReturnType<typeof createSubaccountTenant>>;

beforeAll(async () => {
  ctx = await createTestContext();
  tenant = await createSubaccountTenant(ctx);
});
afterAll(async () => ctx?.close());

async function messageOf(sid: string) {
  const rows = await ctx.db.query<{ id: string; customer_id: string; status: string; error_code: number | null; price: string | null; num_segments: number | null; to_number: string }>(
    `SELECT id, customer_id, status, error_code, price::text AS price, num_segments, to_number FROM isv.messages WHERE sid = $1`,
    [sid],
  );
  return rows;
}

async function historyOf(sid: string) {
  return ctx.db.query<{ status: string; applied: boolean; source: string }>(
    `SELECT h.status, h.applied, h.source FROM isv.message_status_history h JOIN isv.messages m ON m.id = h.message_id
      WHERE m.sid = $1 ORDER BY h.seq`,
    [sid],
  );
}

async function eventKeys(sid: string): Promise<string[]> {
  const rows = await ctx.db.query<{ idempotency_key: string }>(
    `SELECT idempotency_key FROM isv.webhook_events WHERE message_sid = $1 ORDER BY idempotency_key`,
    [sid],
  );
  return rows.map((r) => r.idempotency_key);
}

describe('status ranks', () => {
  it('orders accepted/scheduled/queued < sending < sent < delivered/undelivered/failed < read', () => {
    expect(STATUS_RANK.accepted).toBe(STATUS_RANK.queued);
    expect(STATUS_RANK.queued).toBeLessThan(STATUS_RANK.sending);
    expect(STATUS_RANK.sending).toBeLessThan(STATUS_RANK.sent);
    expect(STATUS_RANK.sent).toBeLessThan(STATUS_RANK.delivered);
    expect(STATUS_RANK.delivered).toBe(STATUS_RANK.undelivered);
    expect(STATUS_RANK.failed).toBe(STATUS_RANK.delivered);
    expect(STATUS_RANK.delivered).toBeLessThan(STATUS_RANK.read);
    expect(statusAdvances('delivered', 'sent')).toBe(false);
    expect(statusAdvances('delivered', 'undelivered')).toBe(false);
    expect(statusAdvances('delivered', 'read')).toBe(true);
    expect(statusAdvances(undefined, 'queued')).toBe(true);
  });

  it('ranks every status the same in SQL (the batch statement) as in code', async () => {
    const statuses = Object.keys(STATUS_RANK);
    const rows = await ctx.db.query<{ status: string; rank: number }>(
      `SELECT s AS status, isv.message_status_rank(s) AS rank FROM unnest($1::text[]) AS s`,
      [statuses],
    );
    expect(Object.fromEntries(rows.map((r) => [r.status, r.rank]))).toEqual(STATUS_RANK);
  });
});

describe('status callbacks', () => {
  it('when the same status callback arrives three times, one event is kept and each answer is 200', async () => {
    const sid = newSid('SM');
    const params = statusParams(tenant, sid, 'delivered');
    for (let i = 0; i < 3; i++) {
      const res = await postSigned(ctx, tenant.authToken, STATUS_PATH, params);
      expect(res.status).toBe(200);
    }
    expect(await eventKeys(sid)).toEqual([`status:${tenant.accountSid}:${sid}:delivered`]);
    expect(await historyOf(sid)).toEqual([{ status: 'delivered', applied: true, source: 'callback' }]);
    expect((await messageOf(sid))[0]!.status).toBe('delivered');
  });

  it('when callbacks arrive in reverse order, the final status is the highest and the late ones are history only', async () => {
    const sid = newSid('SM');
    for (const status of ['delivered', 'sent', 'sending', 'queued']) {
      expect((await postSigned(ctx, tenant.authToken, STATUS_PATH, statusParams(tenant, sid, status))).status).toBe(200);
    }
    const [row] = await messageOf(sid);
    expect(row!.status).toBe('delivered');
    expect(await historyOf(sid)).toEqual([
      { status: 'delivered', applied: true, source: 'callback' },
      { status: 'sent', applied: false, source: 'callback' },
      { status: 'sending', applied: false, source: 'callback' },
      { status: 'queued', applied: false, source: 'callback' },
    ]);
    expect(await eventKeys(sid)).toHaveLength(4);
  });

  it('keys an event on the signed fields and keeps I-Twilio-Idempotency-Token beside it as a hint', async () => {
    const sid = newSid('SM');
    const params = statusParams(tenant, sid, 'sent');
    const token = `${newSid('')}-retry`;
    await postSigned(ctx, tenant.authToken, STATUS_PATH, params, { 'I-Twilio-Idempotency-Token': token });
    await postSigned(ctx, tenant.authToken, STATUS_PATH, params, { 'I-Twilio-Idempotency-Token': token });
    expect(await eventKeys(sid)).toEqual([`status:${tenant.accountSid}:${sid}:sent`]);
    const [row] = await ctx.db.query(`SELECT twilio_idempotency_token FROM isv.webhook_events WHERE message_sid = $1`, [sid]);
    expect(row).toEqual({ twilio_idempotency_token: token });
  });

  it('creates the message for the owning customer when the platform did not send it, keeping error code, price and segments', async () => {
    const sid = newSid('SM');
    await postSigned(ctx, tenant.authToken, STATUS_PATH, statusParams(tenant, sid, 'sent', { Price: '-0.00790', PriceUnit: 'USD', NumSegments: '2' }));
    await postSigned(ctx, tenant.authToken, STATUS_PATH, statusParams(tenant, sid, 'undelivered', { ErrorCode: '30003' }));
    const [row] = await messageOf(sid);
    expect(row).toMatchObject({ customer_id: tenant.customerId, status: 'undelivered', error_code: 30003, num_segments: 2, to_number: '+14155550199' });
    expect(Number(row!.price)).toBeCloseTo(-0.0079);
  });

  it('records an opt-out when a callback reports error 21610', async () => {
    const sid = newSid('SM');
    await postSigned(ctx, tenant.authToken, STATUS_PATH, statusParams(tenant, sid, 'failed', { ErrorCode: '21610', To: '+14155550777' }));
    const rows = await ctx.db.query(`SELECT status, source FROM isv.opt_outs WHERE customer_id = $1 AND phone_number = '+14155550777'`, [tenant.customerId]);
    expect(rows).toEqual([{ status: 'opted_out', source: 'error_21610' }]);
  });

  it('never lets one tenant move another tenant\'s message, even with a valid signature of its own', async () => {
    const other = await createSubaccountTenant(ctx);
    const sid = newSid('SM');
    await postSigned(ctx, tenant.authToken, STATUS_PATH, statusParams(tenant, sid, 'sent'));
    const res = await postSigned(ctx, other.authToken, STATUS_PATH, statusParams(other, sid, 'delivered'));
    expect(res.status).toBe(200);
    const [row] = await messageOf(sid);
    expect(row).toMatchObject({ customer_id: tenant.customerId, status: 'sent' });
  });

  it('answers a verified callback that is not a message status with 400 and stores nothing', async () => {
    const sid = newSid('SM');
    const res = await postSigned(ctx, tenant.authToken, STATUS_PATH, statusParams(tenant, sid, 'exploded'));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalid_webhook_payload');
    expect(await eventKeys(sid)).toEqual([]);
  });

  it('stores each distinct event of many concurrent, shuffled, duplicated callbacks once, at the right final status', async () => {
    const statuses = ['queued', 'sending', 'sent', 'delivered'];
    const sids = Array.from({ length: 10 }, () => newSid('SM'));
    const sends: { sid: string; status: string }[] = [];
    for (const sid of sids) for (const status of statuses) sends.push({ sid, status }, { sid, status });
    // Deterministic shuffle so the order is scrambled but the test is repeatable.
    let seed = 7;
    for (let i = sends.length - 1; i > 0; i--) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const j = seed % (i + 1);
      [sends[i], sends[j]] = [sends[j]!, sends[i]!];
    }
    const before = { ...ctx.features.webhooks.metrics };
    const results = await Promise.all(sends.map((s) => postSigned(ctx, tenant.authToken, STATUS_PATH, statusParams(tenant, s.sid, s.status))));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const after = ctx.features.webhooks.metrics;
    expect(after.batchedEvents - before.batchedEvents).toBe(sends.length);
    expect(after.duplicates - before.duplicates).toBe(sends.length / 2);
    for (const sid of sids) {
      expect(await eventKeys(sid)).toHaveLength(4);
      expect((await messageOf(sid))[0]!.status).toBe('delivered');
      const history = await historyOf(sid);
      expect(history).toHaveLength(4);
      expect(history.filter((h) => h.applied).map((h) => h.status).at(-1)).toBe('delivered');
    }
  });
});
