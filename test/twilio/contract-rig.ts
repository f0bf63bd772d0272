// What every contract test shares: a fresh database, an in-memory sandbox, the real gateway with its real SDK
// clients, a record of every HTTP exchange, and `expectContract`, which checks the last exchange of an
// operation against Twilio's OpenAPI documents in both directions (the request sent, the response received).
import { randomBytes } from 'node:crypto';
import type { Twilio } from 'twilio';
import { expect } from 'vitest';
import { createKeyRing, type KeyRing } from '../../server/platform/crypto/keyring.ts';
import { createLogger } from '../../server/platform/logger.ts';
import { startSandbox, type Sandbox, type SandboxOptions, type SandboxRequestLogEntry } from '../../server/sandbox/sandbox.ts';
import { insertSubaccount } from '../../server/subaccounts/subaccounts.dao.ts';
import { createTwilioGateway, type GatewayOptions, type HttpExchange, type TwilioGateway } from '../../server/twilio/gateway.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { expectMatchesSpec, expectRequestMatchesSpec } from '../helpers/openapi.ts';
import { fakeSid, insertCustomerRow } from './fixtures.ts';

export type SpecFile = 'api_v2010' | 'messaging_v1' | 'messaging_v2' | 'trusthub_v1' | 'content_v1' | 'content_v2' | 'events_v1';

export const HOST_OF: Record<SpecFile, string> = {
  api_v2010: 'api.twilio.com',
  messaging_v1: 'messaging.twilio.com',
  messaging_v2: 'messaging.twilio.com',
  trusthub_v1: 'trusthub.twilio.com',
  content_v1: 'content.twilio.com',
  content_v2: 'content.twilio.com',
  events_v1: 'events.twilio.com',
};

export interface Subaccount {
  sid: string;
  token: string;
  customerId: string;
  /** The SDK client with the subaccount's own credentials, from the gateway. */
  client: Twilio;
}

export interface ContractRig {
  db: TestDb;
  sandbox: Sandbox;
  twilio: TwilioGateway;
  keyRing: KeyRing;
  masterAccountSid: string;
  masterAuthToken: string;
  exchanges: HttpExchange[];
  /** Creates a subaccount through the gateway (master credentials) and stores it like the platform does. */
  newSubaccount(friendlyName?: string): Promise<Subaccount>;
  /**
   * Checks the last `method template` exchange: its status, its response body against the spec's schema for
   * that status, and the request the sandbox received against the spec's parameters. Returns the raw body.
   */
  expectContract(spec: SpecFile, method: string, template: string, status: number): Record<string, unknown>;
  close(): Promise<void>;
}

export function templateRegex(template: string): RegExp {
  const source = template
    .split(/(\{[A-Za-z0-9_]+\})/)
    .map((part) => (/^\{[A-Za-z0-9_]+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

export async function createContractRig(
  opts: { sandbox?: Partial<SandboxOptions>; gateway?: Partial<GatewayOptions> } = {},
): Promise<ContractRig> {
  const db = await createTestDb();
  const keyRing = createKeyRing([{ id: 'contract', key: randomBytes(32) }]);
  const logger = createLogger({ level: 'silent' });
  const masterAccountSid = fakeSid('AC');
  const masterAuthToken = randomBytes(16).toString('hex');
  const sandbox = await startSandbox({
    port: 0,
    masterAccountSid,
    masterAuthToken,
    reviewDelayMs: 0,
    callbackChaos: false,
    faultRate: 0,
    latencyMs: 0,
    autoAdvance: false,
    ...opts.sandbox,
  });
  const exchanges: HttpExchange[] = [];
  const twilio = createTwilioGateway({
    mode: 'sandbox',
    sandboxUrl: sandbox.url,
    masterAccountSid,
    masterAuthToken,
    db,
    keyRing,
    logger,
    retry: { baseMs: 1, maxMs: 10, maxAttempts: 10 },
    a2pIntervalMs: 2,
    onHttpExchange: (e) => exchanges.push(e),
    ...opts.gateway,
  });

  function lastRequest(host: string, method: string, regex: RegExp): SandboxRequestLogEntry {
    const entry = sandbox.requests.findLast((r) => r.host === host && r.method === method && regex.test(r.path) && !r.faulted);
    if (!entry) throw new Error(`the sandbox received no ${method} https://${host}${regex.source}`);
    return entry;
  }

  return {
    db,
    sandbox,
    twilio,
    keyRing,
    masterAccountSid,
    masterAuthToken,
    exchanges,

    async newSubaccount(friendlyName = `isv:${randomBytes(4).toString('hex')}`) {
      const account = await twilio.call('accounts.create', () => twilio.master.api.v2010.accounts.create({ friendlyName }));
      const customerId = await insertCustomerRow(db);
      await insertSubaccount(db, keyRing, { customerId, accountSid: account.sid, friendlyName, authToken: account.authToken });
      return { sid: account.sid, token: account.authToken, customerId, client: await twilio.subaccount(account.sid) };
    },

    expectContract(spec, method, template, status) {
      const host = HOST_OF[spec];
      const regex = templateRegex(template);
      const m = method.toUpperCase();
      const exchange = exchanges.findLast((e) => {
        const url = new URL(e.uri);
        return e.method === m && url.host === host && regex.test(url.pathname) && e.statusCode !== 429 && e.statusCode < 500;
      });
      if (!exchange) throw new Error(`no ${m} https://${host}${template} was made through the gateway`);
      expect(exchange.statusCode, `${m} ${template} status; body ${JSON.stringify(exchange.body).slice(0, 500)}`).toBe(status);
      expectMatchesSpec(spec, m, template, status, exchange.body === '' ? undefined : exchange.body);
      expectRequestMatchesSpec(spec, m, template, lastRequest(host, m, regex).params);
      return (exchange.body ?? {}) as Record<string, unknown>;
    },

    async close() {
      await sandbox.close();
      await db.close();
    },
  };
}
