// Issue 16 row 8: webhook de-duplication rests on what X-Twilio-Signature covers, never on the unsigned
// I-Twilio-Idempotency-Token alone, and a repeated parameter name is refused before verification.
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { createEmptyTestDb } from '../helpers/db.ts';
import { migrate, MIGRATIONS_DIR } from '../../server/platform/db/migrate.ts';
import { createSubaccountTenant, INBOUND_PATH, inboundParams, newSid, postSigned, STATUS_PATH, statusParams } from '../messaging/tenant.ts';

let ctx: TestContext;
let tenant: Awaited<ReturnType<typeof createSubaccountTenant>>;
let other: Awaited<ReturnType<typeof createSubaccountTenant>>;

beforeAll(async () => {
  ctx = await createTestContext();
  tenant = await createSubaccountTenant(ctx);
  other = await createSubaccountTenant(ctx);
});
afterAll(async () => ctx?.close());

const historyCount = async (sid: string) =>
  (await ctx.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM isv.message_status_history h JOIN isv.messages m ON m.id = h.message_id WHERE m.sid = $1`,
    [sid],
  ))[0]!.n;

describe('webhook de-duplication keys', () => {
  it('a captured status callback replayed with a new idempotency token is answered 200 and has no second effect', async () => {
    const sid = newSid('SM');
    const params = statusParams(tenant, sid, 'delivered');
    expect((await postSigned(ctx, tenant.authToken, STATUS_PATH, params, { 'I-Twilio-Idempotency-Token': 'first-delivery' })).status).toBe(200);
    const before = ctx.features.webhooks.metrics.duplicates;
    for (const token of ['replay-1', 'replay-2', 'replay-3']) {
      expect((await postSigned(ctx, tenant.authToken, STATUS_PATH, params, { 'I-Twilio-Idempotency-Token': token })).status).toBe(200);
    }
    expect(ctx.features.webhooks.metrics.duplicates - before).toBe(3);
    expect(await historyCount(sid)).toBe(1);
    const events = await ctx.db.query(`SELECT idempotency_key, twilio_idempotency_token FROM isv.webhook_events WHERE message_sid = $1`, [sid]);
    expect(events).toEqual([{ idempotency_key: `status:${tenant.accountSid}:${sid}:delivered`, twilio_idempotency_token: 'first-delivery' }]);
  });

  it('a captured inbound message replayed with a new idempotency token is stored once', async () => {
    const sid = newSid('SM');
    const params = inboundParams(tenant, sid, 'hello once');
    await postSigned(ctx, tenant.authToken, INBOUND_PATH, params, { 'I-Twilio-Idempotency-Token': 'in-1' });
    await postSigned(ctx, tenant.authToken, INBOUND_PATH, params, { 'I-Twilio-Idempotency-Token': 'in-2' });
    const rows = await ctx.db.query(`SELECT body FROM isv.messages WHERE sid = $1`, [sid]);
    expect(rows).toEqual([{ body: 'hello once' }]);
  });

  it('the same idempotency token from two accounts is two events: the hint is scoped by account', async () => {
    const mine = newSid('SM');
    const theirs = newSid('SM');
    const token = `shared-${newSid('')}`;
    await postSigned(ctx, tenant.authToken, STATUS_PATH, statusParams(tenant, mine, 'sent'), { 'I-Twilio-Idempotency-Token': token });
    await postSigned(ctx, other.authToken, STATUS_PATH, statusParams(other, theirs, 'sent'), { 'I-Twilio-Idempotency-Token': token });
    const rows = await ctx.db.query<{ sid: string; status: string }>(`SELECT sid, status FROM isv.messages WHERE sid = ANY($1) ORDER BY sid`, [[mine, theirs]]);
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent']);
  });

  it('a new status for the same message is a new event even when it reuses an old token of another account', async () => {
    const sid = newSid('SM');
    await postSigned(ctx, tenant.authToken, STATUS_PATH, statusParams(tenant, sid, 'sent'), { 'I-Twilio-Idempotency-Token': 'tok-a' });
    await postSigned(ctx, tenant.authToken, STATUS_PATH, statusParams(tenant, sid, 'delivered'), { 'I-Twilio-Idempotency-Token': 'tok-b' });
    expect((await ctx.db.query<{ status: string }>(`SELECT status FROM isv.messages WHERE sid = $1`, [sid]))[0]!.status).toBe('delivered');
  });

  it('refuses a repeated Body parameter with 400 before verification, though its signature is valid, and stores nothing', async () => {
    const sid = newSid('SM');
    const params = { ...inboundParams(tenant, sid, 'ignored'), Body: ['pay', 'now'] } as unknown as Record<string, string>;
    // The SDK signs a repeated name's values concatenated (FACTS §9.1), so this signature verifies.
    const url = `${ctx.config.publicBaseUrl}${INBOUND_PATH}`;
    const signature = twilio.getExpectedTwilioSignature(tenant.authToken, url, params);
    expect(twilio.validateRequest(tenant.authToken, signature, url, params)).toBe(true);
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) for (const x of [v].flat()) form.append(k, x);
    const res = await ctx.request.post(INBOUND_PATH).type('form').set('X-Twilio-Signature', signature).send(form.toString());
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'repeated_parameter', errors: [{ path: 'Body', message: 'appears more than once' }] });
    expect(await ctx.db.query(`SELECT 1 FROM isv.messages WHERE sid = $1`, [sid])).toEqual([]);
    expect(await ctx.db.query(`SELECT 1 FROM isv.webhook_events WHERE message_sid = $1`, [sid])).toEqual([]);
  });

  it('refuses a repeated parameter even without a signature (nothing is verified or counted as a forgery)', async () => {
    const before = { ...ctx.features.webhooks.metrics.rejected };
    const res = await ctx.request.post(STATUS_PATH).type('form').send('AccountSid=AC1&MessageStatus=sent&MessageStatus=delivered');
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'MessageStatus', message: 'appears more than once' }]);
    expect(ctx.features.webhooks.metrics.rejected).toEqual(before);
  });
});

describe('the de-duplication migration', () => {
  it('re-keys existing events on their signed fields and keeps replays that the old key let in apart', async () => {
    const db = await createEmptyTestDb();
    const earlier = await mkdtemp(path.join(tmpdir(), 'isv-migrations-'));
    try {
      const mine = '20261205170200_webhook_dedup_signed_fields.sql';
      for (const f of (await readdir(MIGRATIONS_DIR)).filter((f) => f < mine)) await cp(path.join(MIGRATIONS_DIR, f), path.join(earlier, f));
      await migrate(db, earlier);
      const account = newSid('AC');
      const sid = newSid('SM');
      const payload = JSON.stringify({ AccountSid: account, MessageSid: sid, MessageStatus: 'delivered' });
      // What the old code stored: one token key per delivery, so a replay with a new token was a second row.
      await db.query(
        `INSERT INTO isv.webhook_events (idempotency_key, kind, account_sid, message_sid, payload, received_at)
         VALUES ('token:t1', 'status', $1, $2, $3, now() - interval '2 minutes'),
                ('token:t2', 'status', $1, $2, $3, now() - interval '1 minute'),
                ($4, 'inbound', $1, $5, '{}', now())`,
        [account, sid, payload, `inbound:${sid.replace('SM', 'MM')}`, sid.replace('SM', 'MM')],
      );
      await migrate(db);
      const rows = await db.query<{ idempotency_key: string; twilio_idempotency_token: string | null }>(
        `SELECT idempotency_key, twilio_idempotency_token FROM isv.webhook_events ORDER BY received_at`,
      );
      expect(rows[0]).toEqual({ idempotency_key: `status:${account}:${sid}:delivered`, twilio_idempotency_token: 't1' });
      expect(rows[1]!.idempotency_key).toMatch(new RegExp(`^status:${account}:${sid}:delivered:replay:`));
      expect(rows[1]!.twilio_idempotency_token).toBe('t2');
      expect(rows[2]).toEqual({ idempotency_key: `inbound:${account}:${sid.replace('SM', 'MM')}`, twilio_idempotency_token: null });
    } finally {
      await db.close();
      await rm(earlier, { recursive: true, force: true });
    }
  });
});
