import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../server/platform/config.ts';

const key = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
const problemsOf = (env: Record<string, string>) => {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('configuration', () => {
  it('runs the embedded default with nothing set: sandbox Twilio, PGlite, port 3000', () => {
    const c = parseConfig({});
    expect(c.port).toBe(3000);
    expect(c.twilio.mode).toBe('sandbox');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.encryptionKeys).toBeUndefined();
    expect(c.publicBaseUrl).toBe('http://localhost:3000');
  });

  it('refuses live mode without ENCRYPTION_KEYS and names the variable', () => {
    const problems = problemsOf({
      TWILIO_MODE: 'live',
      TWILIO_MASTER_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
      TWILIO_MASTER_AUTH_TOKEN: 'x'.repeat(32),
      PUBLIC_BASE_URL: 'https://isv.example.com',
      SMTP_URL: 'smtps://mailer:secret@smtp.example.com:465',
    });
    expect(problems).toEqual([{ variable: 'ENCRYPTION_KEYS', reason: 'is required when TWILIO_MODE=live' }]);
  });

  it('switches to live mode when master credentials are set and everything live needs is there', () => {
    const c = parseConfig({
      TWILIO_MASTER_ACCOUNT_SID: `AC${'b'.repeat(32)}`,
      TWILIO_MASTER_AUTH_TOKEN: 'y'.repeat(32),
      ENCRYPTION_KEYS: `${key('new')},${key('old')}`,
      PUBLIC_BASE_URL: 'https://isv.example.com/',
      SMTP_URL: 'smtps://mailer:secret@smtp.example.com:465',
    });
    expect(c.twilio.mode).toBe('live');
    expect(c.accounts).toEqual({ emailConfirmation: 'required', maxCustomersPerUser: 3, signupsPerIpPerHour: 20, loginFailuresPerIp: 30 });
    expect(c.encryptionKeys?.map((k) => k.id)).toEqual(['new', 'old']);
    expect(c.publicBaseUrl).toBe('https://isv.example.com');
  });

  it('shares a running sandbox with TWILIO_SANDBOX_URL, master credentials and all, and never in live mode', () => {
    const c = parseConfig({ TWILIO_SANDBOX_URL: 'http://127.0.0.1:4010/', TWILIO_MASTER_ACCOUNT_SID: `AC${'c'.repeat(32)}`, TWILIO_MASTER_AUTH_TOKEN: 'z'.repeat(32) });
    expect(c.twilio.mode).toBe('sandbox');
    expect(c.sandbox.url).toBe('http://127.0.0.1:4010');
    expect(problemsOf({ TWILIO_SANDBOX_URL: 'ftp://x' }).map((p) => p.variable)).toEqual(['TWILIO_SANDBOX_URL']);
    const live = problemsOf({ TWILIO_MODE: 'live', TWILIO_SANDBOX_URL: 'http://127.0.0.1:4010', TWILIO_MASTER_ACCOUNT_SID: `AC${'c'.repeat(32)}`, TWILIO_MASTER_AUTH_TOKEN: 'z'.repeat(32), ENCRYPTION_KEYS: key('k'), PUBLIC_BASE_URL: 'https://isv.example.com', SMTP_URL: 'smtp://127.0.0.1:25' });
    expect(live).toEqual([{ variable: 'TWILIO_SANDBOX_URL', reason: 'cannot be used with TWILIO_MODE=live' }]);
  });

  it('names each invalid variable with its reason', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://nope',
      ENCRYPTION_KEYS: 'k1:dG9vLXNob3J0',
      TWILIO_MASTER_ACCOUNT_SID: 'AC123',
      LOG_LEVEL: 'loud',
    });
    expect(problems.map((p) => p.variable).sort()).toEqual(
      ['DATABASE_URL', 'ENCRYPTION_KEYS', 'LOG_LEVEL', 'PORT', 'TWILIO_MASTER_ACCOUNT_SID'].sort(),
    );
    expect(problems.find((p) => p.variable === 'ENCRYPTION_KEYS')?.reason).toMatch(/32 bytes/);
  });

  it('parses the bootstrap role lists as lower-case emails', () => {
    const c = parseConfig({ ISV_BOOTSTRAP_ADMINS: ' Admin@Example.com, b@example.com ,', ISV_BOOTSTRAP_OPERATORS: '' });
    expect(c.bootstrap).toEqual({ admins: ['admin@example.com', 'b@example.com'], operators: [] });
  });
});
