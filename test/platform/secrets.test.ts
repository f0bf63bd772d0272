// Secrets stay secret: after a real onboarding, sign-ups, a send, its callbacks and an inbound message, no auth
// token, password or bearer token appears in plaintext anywhere in the database or in any log line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signUp, TEST_PASSWORD } from '../helpers/auth.ts';
import { captureLogs } from '../helpers/log-capture.ts';
import { createCustomer, drive, movableClock, testEngine } from '../onboarding/fixtures.ts';
import { createTenant } from '../messaging/tenant.ts';

const logs = captureLogs('trace');
let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext({ logger: logs.logger });
});
afterAll(async () => ctx?.close());

async function everyRowAsText(): Promise<string> {
  const tables = await ctx.db.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'isv'`);
  const parts: string[] = [];
  for (const { tablename } of tables) {
    const rows = await ctx.db.query<{ row: string }>(`SELECT to_jsonb(t)::text AS row FROM isv."${tablename}" t`);
    parts.push(...rows.map((r) => r.row));
  }
  return parts.join('\n');
}

describe('secrets at rest and in logs', () => {
  it('keeps subaccount tokens, the master token, passwords and bearer tokens out of the database and the logs', async () => {
    const clock = movableClock();
    const customerId = await createCustomer(ctx.db);
    const [flow] = await drive(ctx, [testEngine(ctx, clock)], clock, [customerId]);
    expect(flow?.status).toBe('done');
    const onboarded = ctx.sandbox
      .resources<{ sid: string; account_sid: string; friendly_name: string; auth_token: string }>('account')
      .find((a) => a.friendly_name === `isv:${customerId}`);
    expect(onboarded).toBeDefined();

    const tenant = await createTenant(ctx);
    const member = await signUp(ctx);
    const secretBody = 'Your one-time code is 918273';
    const sent = await ctx.request
      .post(`/api/isv/customers/${tenant.customerId}/messages`)
      .set(tenant.owner.auth)
      .send({ to: '+14155550123', body: secretBody });
    expect(sent.status).toBe(201);
    await ctx.sandbox.flushCallbacks();
    const inbound = await fetch(`${ctx.sandbox.url}/sandbox/inbound`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ from: '+14155550199', to: tenant.phoneNumber, body: 'inbound private words' }),
    });
    expect(inbound.status).toBe(201);
    await ctx.sandbox.flushCallbacks();

    const secrets = {
      onboardedSubaccountToken: onboarded!.auth_token,
      tenantSubaccountToken: tenant.authToken,
      masterToken: ctx.config.twilio.masterAuthToken!,
      password: TEST_PASSWORD,
      ownerBearer: tenant.owner.token,
      memberBearer: member.token,
    };
    const database = await everyRowAsText();
    for (const [name, value] of Object.entries(secrets)) {
      expect(database.includes(value), `${name} stored in plaintext`).toBe(false);
    }
    // The tokens are there, sealed: the test would be vacuous if the rows were missing.
    expect(database).toContain(tenant.accountSid);

    const logText = logs.text();
    expect(logs.lines.length).toBeGreaterThan(10);
    for (const [name, value] of Object.entries({ ...secrets, secretBody, inboundBody: 'inbound private words' })) {
      expect(logText.includes(value), `${name} logged`).toBe(false);
    }
  });
});
