import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { captureLogs } from '../helpers/log-capture.ts';
import { TEST_PASSWORD, uniqueEmail } from '../helpers/auth.ts';

describe('auth and logs', () => {
  let ctx: TestContext;
  const logs = captureLogs('trace');
  beforeAll(async () => {
    ctx = await createTestContext({ logger: logs.logger });
  });
  afterAll(() => ctx.close());

  it('never writes passwords, tokens or the signing key to the log, even on failures', async () => {
    const email = uniqueEmail();
    const signup = await ctx.request.post('/api/auth/signup').send({ email, password: TEST_PASSWORD });
    const token = signup.body.token as string;
    await ctx.request.post('/api/auth/login').send({ email, password: 'a wrong password 123' });
    await ctx.request.post('/api/auth/login').send({ email, password: TEST_PASSWORD });
    await ctx.request.get('/api/auth/me').set('Authorization', `Bearer ${token}`);
    await ctx.request.get('/api/isv/customers').set('Authorization', `Bearer ${token}x`);
    const text = logs.text();
    expect(logs.lines.length).toBeGreaterThan(3);
    expect(text).not.toContain(TEST_PASSWORD);
    expect(text).not.toContain('a wrong password 123');
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.split('.')[2]!);
    const [secret] = await ctx.db.query<{ ciphertext: string }>(`SELECT ciphertext FROM isv.platform_secrets WHERE name = 'auth.embedded_jwt_hs256'`);
    expect(text).not.toContain(secret!.ciphertext);
  });
});
