// Bring your own Twilio account: a customer connects the Twilio account it already has instead of a
// platform subaccount. Credentials are checked with Twilio before anything is stored; the token is sealed like
// subaccount tokens (and rotated with them); the chosen messaging service's callbacks point here while connected
// and get their old URLs back on disconnect. A daily check (and any 20003 while sending) marks credentials that
// stopped working.
import type { Twilio } from 'twilio';
import type { Db } from '../platform/db/db.ts';
import { isUniqueViolation } from '../platform/db/db.ts';
import type { KeyRing } from '../platform/crypto/keyring.ts';
import type { Logger } from '../platform/logger.ts';
import { AppError, forbidden, notFound } from '../platform/errors.ts';
import type { Principal } from '../platform/auth/principal.ts';
import { assertCustomerAccess } from '../customers/customer-access.ts';
import { setTwilioMode } from '../customers/customers.dao.ts';
import { appendAudit, staffRoleOf } from '../audit/audit.dao.ts';
import { TwilioCallError, type TwilioGateway } from '../twilio/gateway.ts';
import {
  deleteConnection,
  findAccountOwner,
  findConnectionByCustomer,
  listConnections,
  recordConnectionCheck,
  setConnectionSender,
  setConnectionWhatsappSender,
  setSenderCampaignStatus,
  upsertConnection,
  type ConnectionRow,
  type SubaccountStatus,
} from '../subaccounts/subaccounts.dao.ts';
import { asSender, sendersApi } from '../twilio/senders.ts';
import { monthUsage, type MonthUsage } from '../twilio/usage.ts';
import type {
  ChooseSender,
  ConnectionResources,
  ConnectTwilio,
  TestConnectionResponse,
  TwilioConnection,
} from '../../shared/twilio-connection.ts';

export interface ConnectionsDeps {
  db: Db;
  keyRing: KeyRing;
  twilio: TwilioGateway;
  logger: Logger;
  publicBaseUrl: string;
  /** Whether the customer's platform subaccount can already send (then it may not switch). */
  canSendThroughSubaccount: (db: Db, customerId: string) => Promise<boolean>;
  /** Starts the platform subaccount flow (idempotent) when a customer goes back to subaccount mode. */
  startSubaccountFlow: (tx: Db, customerId: string) => Promise<void>;
  /** Sends a test message the normal way (checks, log, status callbacks). */
  sendTestMessage: (principal: Principal, customerId: string, to: string) => Promise<{ sid: string; status: string }>;
  /** Registrations running in the connected account (A2P as a direct customer): resumed after a reconnect, stopped on disconnect. */
  connectedFlows: {
    resumeAfterReconnect: (tx: Db, customerId: string) => Promise<number>;
    stop: (tx: Db, customerId: string, reason: string) => Promise<number>;
  };
  now?: () => Date;
}

export interface ConnectionsService {
  get(principal: Principal, customerId: string): Promise<TwilioConnection>;
  connect(principal: Principal, customerId: string, input: ConnectTwilio): Promise<TwilioConnection>;
  disconnect(principal: Principal, customerId: string): Promise<void>;
  test(principal: Principal, customerId: string, to?: string): Promise<TestConnectionResponse>;
  resources(principal: Principal, customerId: string): Promise<ConnectionResources>;
  chooseSender(principal: Principal, customerId: string, choice: ChooseSender): Promise<TwilioConnection>;
  /** Re-checks every connection's credentials (the daily job); returns how many changed status. */
  checkAll(): Promise<{ checked: number; invalid: number }>;
  /** Called when Twilio answered 20003 to a connected account's request: re-check it now. */
  credentialsRejected(accountSid: string): Promise<boolean>;
  /** Operators: every connected account. */
  listForOperator(): Promise<(TwilioConnection & { customerId: string; customerName: string; usage: MonthUsage | null })[]>;
  /** Operators: disconnect a customer's account (never suspend or close it: it is not ours). */
  disconnectByOperator(principal: Principal, accountSid: string): Promise<void>;
}

export function toConnection(r: ConnectionRow): TwilioConnection {
  return {
    mode: 'byoa',
    accountSid: r.account_sid,
    friendlyName: r.friendly_name,
    status: r.connection_status,
    accountStatus: r.status,
    tokenLast4: r.token_last4,
    messagingServiceSid: r.messaging_service_sid,
    senderCampaignStatus: r.messaging_service_sid ? r.sender_campaign_status : null,
    whatsappFrom: r.whatsapp_from,
    connectedAt: r.connected_at.toISOString(),
    lastCheckedAt: r.last_checked_at.toISOString(),
    lastError: r.last_error,
  };
}

const REJECTED = 'Twilio did not accept this Account SID and Auth Token (error 20003). Copy both again from Account info on the Twilio Console home page; if you rotated the token, use the new one. A closed account no longer accepts any credentials.';

function fieldError(field: string, message: string): AppError {
  return new AppError(422, 'validation_failed', 'The request body is invalid', [{ path: field, message }]);
}

/** Twilio faults (not the customer's): 503 to retry, the details to the log. */
function unavailable(): AppError {
  return new AppError(503, 'twilio_unavailable', 'Twilio could not be reached to check the account; nothing was changed. Retry shortly.', undefined, { 'Retry-After': '5' });
}

const isAuthFailure = (err: unknown) => err instanceof TwilioCallError && (err.httpStatus === 401 || err.twilioCode === 20003);

export function createConnectionsService(deps: ConnectionsDeps): ConnectionsService {
  const { db, twilio } = deps;
  const now = deps.now ?? (() => new Date());
  const log = deps.logger.child({ component: 'connections' });
  const ourInbound = `${deps.publicBaseUrl}/api/isv/webhooks/twilio/inbound`;
  const ourStatus = `${deps.publicBaseUrl}/api/isv/webhooks/twilio/status`;

  async function ownerOnly(principal: Principal, customerId: string, what: string): Promise<void> {
    const role = await assertCustomerAccess(db, principal, customerId);
    if (role !== 'owner') throw forbidden(`Only an owner of this customer can ${what}`);
  }

  async function connectionOf(principal: Principal, customerId: string): Promise<ConnectionRow> {
    await assertCustomerAccess(db, principal, customerId);
    const row = await findConnectionByCustomer(db, customerId);
    if (!row) throw notFound('Twilio connection');
    return row;
  }

  /** The connected account's client; 409 when its credentials are known not to work. */
  async function clientOf(row: ConnectionRow): Promise<Twilio> {
    if (row.connection_status === 'credentials_invalid') throw credentialsInvalid(row);
    return twilio.subaccount(row.account_sid);
  }

  /** Calls Twilio with the connected account; a 20003 marks it invalid and answers 409 instead of 502. */
  async function withAccount<T>(row: ConnectionRow, operation: string, fn: (c: Twilio) => Promise<T>): Promise<T> {
    const client = await clientOf(row);
    try {
      return await twilio.call(operation, () => fn(client), { maxAttempts: 2 });
    } catch (err) {
      if (isAuthFailure(err)) {
        await markInvalid(row.account_sid, 'Twilio stopped accepting the saved Auth Token (error 20003)');
        throw credentialsInvalid(row);
      }
      if (err instanceof TwilioCallError && err.kind === 'transient') throw unavailable();
      throw err;
    }
  }

  /** Marks a connected account's credentials invalid; false when the SID is not a connected account. */
  async function markInvalid(accountSid: string, error: string): Promise<boolean> {
    const changed = await recordConnectionCheck(db, accountSid, { at: now(), ok: false, error });
    twilio.invalidate(accountSid);
    if (changed && changed.before !== 'credentials_invalid') {
      log.warn({ accountSid, customerId: changed.row.customer_id }, 'connection.credentials_invalid');
      await appendAudit(db, { actor: null, action: 'twilio_connection.credentials_invalid', targetType: 'twilio_account', targetId: accountSid, customerId: changed.row.customer_id, after: { reason: error } });
    }
    return changed !== undefined;
  }

  /** Points the service's inbound and status callbacks here; returns what they were. */
  async function takeOverCallbacks(client: Twilio, serviceSid: string): Promise<ConnectionRow['previous_callbacks']> {
    const svc = await twilio.call('connection.services.fetch', () => client.messaging.v1.services(serviceSid).fetch(), { maxAttempts: 2 });
    const previous = { inboundRequestUrl: svc.inboundRequestUrl ?? null, statusCallback: svc.statusCallback ?? null };
    await twilio.call('connection.services.update', () => client.messaging.v1.services(serviceSid).update({ inboundRequestUrl: ourInbound, statusCallback: ourStatus }), { maxAttempts: 2 });
    return previous;
  }

  /** The A2P campaign status of a service: the verified campaign's, else the first one's; null when it has none. */
  async function campaignStatusOf(client: Twilio, serviceSid: string): Promise<string | null> {
    const campaigns = await twilio.call('connection.campaigns.list', () => client.messaging.v1.services(serviceSid).usAppToPerson.list({ limit: 20 }), { maxAttempts: 2 });
    return (campaigns.find((x) => x.campaignStatus === 'VERIFIED') ?? campaigns[0])?.campaignStatus ?? null;
  }

  /** Points the WhatsApp sender's inbound webhook here; returns what it was. */
  async function takeOverWhatsapp(client: Twilio, sender: { sid: string; webhook: { callback_url: string | null; callback_method: string | null } }) {
    await twilio.call('connection.senders.update', () => sendersApi(client)(sender.sid).update({ webhook: { callback_url: ourInbound, callback_method: 'POST' } }), { maxAttempts: 2 });
    return { callbackUrl: sender.webhook.callback_url, callbackMethod: sender.webhook.callback_method };
  }

  /** Best effort (a revoked token cannot): a failure is logged and reported as false. */
  async function bestEffort(row: ConnectionRow, what: string, fn: (client: Twilio) => Promise<unknown>): Promise<boolean> {
    try {
      await fn(await twilio.subaccount(row.account_sid));
      return true;
    } catch (err) {
      log.warn({ accountSid: row.account_sid, what, reason: err instanceof TwilioCallError ? err.twilioMessage : String(err) }, 'connection.callbacks_not_restored');
      return false;
    }
  }

  /** Gives the chosen service its callback URLs back. */
  function restoreServiceCallbacks(row: ConnectionRow): Promise<boolean> {
    const serviceSid = row.messaging_service_sid;
    if (!serviceSid) return Promise.resolve(true);
    const previous = row.previous_callbacks ?? { inboundRequestUrl: null, statusCallback: null };
    return bestEffort(row, serviceSid, (client) =>
      twilio.call('connection.services.update', () =>
        client.messaging.v1.services(serviceSid).update({ inboundRequestUrl: previous.inboundRequestUrl ?? '', statusCallback: previous.statusCallback ?? '' }), { maxAttempts: 2 }),
    );
  }

  /** Gives the chosen WhatsApp sender its inbound webhook back. */
  function restoreWhatsapp(row: ConnectionRow): Promise<boolean> {
    const senderSid = row.whatsapp_sender_sid;
    if (!senderSid) return Promise.resolve(true);
    const previous = row.previous_whatsapp_webhook ?? { callbackUrl: null, callbackMethod: null };
    return bestEffort(row, senderSid, (client) =>
      twilio.call('connection.senders.update', () =>
        sendersApi(client)(senderSid).update({ webhook: { callback_url: previous.callbackUrl ?? '', callback_method: previous.callbackMethod ?? 'POST' } }), { maxAttempts: 2 }),
    );
  }

  async function restoreCallbacks(row: ConnectionRow): Promise<boolean> {
    const [service, whatsapp] = await Promise.all([restoreServiceCallbacks(row), restoreWhatsapp(row)]);
    return service && whatsapp;
  }

  /** A Twilio failure while changing the connected account: 422 naming the field on 404, 409 on revoked credentials, 503 on Twilio's faults. */
  async function changing<T>(row: ConnectionRow, field: string, notFoundMessage: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof TwilioCallError && err.httpStatus === 404) throw fieldError(field, notFoundMessage);
      if (isAuthFailure(err)) {
        await markInvalid(row.account_sid, 'Twilio stopped accepting the saved Auth Token (error 20003)');
        throw credentialsInvalid(row);
      }
      if (err instanceof TwilioCallError && err.kind === 'transient') throw unavailable();
      throw err;
    }
  }

  async function remove(principal: Principal | null, row: ConnectionRow, action: string): Promise<void> {
    const restored = await restoreCallbacks(row);
    await db.tx(async (tx) => {
      await deps.connectedFlows.stop(tx, row.customer_id, 'The Twilio account was disconnected, so the registration running in it stopped.');
      await deleteConnection(tx, row.customer_id);
      await setTwilioMode(tx, row.customer_id, 'subaccount');
      await deps.startSubaccountFlow(tx, row.customer_id);
      await appendAudit(tx, {
        actor: principal,
        actorRole: principal ? staffRoleOf(principal) : null,
        action,
        targetType: 'twilio_account',
        targetId: row.account_sid,
        customerId: row.customer_id,
        before: { accountSid: row.account_sid, messagingServiceSid: row.messaging_service_sid },
        after: { callbacksRestored: restored },
      });
    });
    twilio.invalidate(row.account_sid);
  }

  return {
    async get(principal, customerId) {
      return toConnection(await connectionOf(principal, customerId));
    },

    async connect(principal, customerId, input) {
      await ownerOnly(principal, customerId, 'connect a Twilio account');
      const { accountSid, authToken } = input;
      if (accountSid === twilio.masterAccountSid) {
        throw new AppError(422, 'twilio_account_is_platform_subaccount', "This is the platform's own Twilio account; choose the platform subaccount instead of connecting it.");
      }
      const holder = await findAccountOwner(db, accountSid);
      if (holder?.kind === 'subaccount') {
        throw new AppError(422, 'twilio_account_is_platform_subaccount', 'This account is a subaccount the platform made; use the platform subaccount mode instead of connecting it.');
      }
      if (holder && holder.customer_id !== customerId) {
        throw new AppError(409, 'twilio_account_in_use', 'This Twilio account is already connected to another customer of the platform.');
      }

      // Check with Twilio first: nothing is stored for credentials that do not work.
      const client = twilio.withCredentials(accountSid, authToken);
      let account: { sid: string; friendlyName: string; status: string; type: string; ownerAccountSid: string };
      try {
        account = await twilio.call('connection.accounts.fetch', () => client.api.v2010.accounts(accountSid).fetch(), { maxAttempts: 2 });
      } catch (err) {
        if (isAuthFailure(err)) throw new AppError(422, 'twilio_credentials_rejected', REJECTED, [{ path: 'authToken', message: 'was not accepted by Twilio for this Account SID' }]);
        if (err instanceof TwilioCallError && err.kind === 'transient') throw unavailable();
        throw err;
      }
      if (account.ownerAccountSid === twilio.masterAccountSid) {
        throw new AppError(422, 'twilio_account_is_platform_subaccount', 'This account is a subaccount of the platform\'s own Twilio account; use the platform subaccount mode instead of connecting it.');
      }
      if (account.status !== 'active') {
        throw new AppError(422, 'twilio_account_unusable', `This Twilio account is ${account.status}: it cannot send messages. ${account.status === 'suspended' ? 'Resolve the suspension with Twilio (Console › Billing or Support), then connect again.' : 'A closed account cannot be reopened; connect another account.'}`);
      }
      if (account.type === 'Trial') {
        throw new AppError(422, 'twilio_trial_account', 'This is a Twilio trial account: it can only text numbers verified on it, prefixes every message with "Sent from your Twilio trial account", and cannot register for A2P 10DLC. Upgrade it in the Twilio Console (Billing › Upgrade), then connect again.');
      }

      const previous = await findConnectionByCustomer(db, customerId);
      if (previous && previous.account_sid !== accountSid) await restoreCallbacks(previous);
      const row = await db.tx(async (tx) => {
        // "Nothing is sending": a customer whose platform subaccount can already send keeps it.
        if (!previous && (await deps.canSendThroughSubaccount(tx, customerId))) {
          throw new AppError(409, 'customer_sending', 'This customer already sends through its platform subaccount; it cannot switch to its own Twilio account while it is sending.');
        }
        let saved: ConnectionRow;
        try {
          saved = await upsertConnection(tx, deps.keyRing, {
            customerId,
            accountSid,
            friendlyName: account.friendlyName,
            status: account.status as SubaccountStatus,
            accountType: account.type,
            authToken,
            at: now(),
          });
        } catch (err) {
          if (isUniqueViolation(err)) throw new AppError(409, 'twilio_account_in_use', 'This Twilio account is already connected to another customer of the platform.');
          throw err;
        }
        await setTwilioMode(tx, customerId, 'byoa');
        if (previous?.account_sid === accountSid) await deps.connectedFlows.resumeAfterReconnect(tx, customerId);
        await appendAudit(tx, {
          actor: principal,
          action: previous ? 'twilio_connection.reconnected' : 'twilio_connection.connected',
          targetType: 'twilio_account',
          targetId: accountSid,
          customerId,
          before: previous ? { accountSid: previous.account_sid, tokenLast4: previous.token_last4 } : undefined,
          after: { accountSid, friendlyName: account.friendlyName, tokenLast4: saved.token_last4 },
        });
        return saved;
      });
      twilio.invalidate(accountSid);
      log.info({ customerId, accountSid }, 'connection.connected');
      return toConnection(row);
    },

    async disconnect(principal, customerId) {
      await ownerOnly(principal, customerId, 'disconnect the Twilio account');
      const row = await findConnectionByCustomer(db, customerId);
      if (!row) throw notFound('Twilio connection');
      await remove(principal, row, 'twilio_connection.disconnected');
    },

    async test(principal, customerId, to) {
      const row = await connectionOf(principal, customerId);
      const account = await withAccount(row, 'connection.accounts.fetch', (c) => c.api.v2010.accounts(row.account_sid).fetch());
      const checked = await recordConnectionCheck(db, row.account_sid, { at: now(), ok: true, status: account.status as SubaccountStatus, friendlyName: account.friendlyName });
      const found = await discover(row);
      const testMessage = to === undefined ? undefined : await deps.sendTestMessage(principal, customerId, to);
      return {
        connection: toConnection(checked?.row ?? row),
        capabilities: {
          phoneNumbers: found.phoneNumbers.length,
          messagingServices: found.messagingServices.length,
          a2pVerifiedServices: found.messagingServices.filter((s) => s.campaignStatus === 'VERIFIED').length,
          whatsappSenders: found.whatsappSenders.length,
        },
        ...(testMessage ? { testMessage } : {}),
      };
    },

    async resources(principal, customerId) {
      return discover(await connectionOf(principal, customerId));
    },

    async chooseSender(principal, customerId, choice) {
      await ownerOnly(principal, customerId, 'choose the sender');
      const row = await findConnectionByCustomer(db, customerId);
      if (!row) throw notFound('Twilio connection');
      const { messagingServiceSid } = choice;
      const whatsappSenderSid = choice.whatsappSenderSid ?? null;
      const client = await clientOf(row);
      // Everything is read (and so validated) before anything changes in the account.
      const serviceChanges = row.messaging_service_sid !== messagingServiceSid;
      const whatsappChanges = row.whatsapp_sender_sid !== whatsappSenderSid;
      const notService = 'is not a messaging service of the connected account';
      const campaignStatus = await changing(row, 'messagingServiceSid', notService, () => campaignStatusOf(client, messagingServiceSid));
      const sender = whatsappChanges && whatsappSenderSid
        ? asSender(await changing(row, 'whatsappSenderSid', 'is not a WhatsApp sender of the connected account', () => twilio.call('connection.senders.fetch', () => sendersApi(client)(whatsappSenderSid).fetch(), { maxAttempts: 2 })))
        : undefined;
      let updated = row;
      if (serviceChanges) {
        const previous = await changing(row, 'messagingServiceSid', notService, () => takeOverCallbacks(client, messagingServiceSid));
        // The service chosen before gets its own URLs back.
        await restoreServiceCallbacks(row);
        updated = (await setConnectionSender(db, customerId, { messagingServiceSid, previousCallbacks: previous, campaignStatus }))!;
        await appendAudit(db, { actor: principal, actorRole: staffRoleOf(principal), action: 'twilio_connection.sender_chosen', targetType: 'twilio_account', targetId: row.account_sid, customerId, before: { messagingServiceSid: row.messaging_service_sid }, after: { messagingServiceSid, previousCallbacks: previous } });
      } else {
        await setSenderCampaignStatus(db, customerId, messagingServiceSid, campaignStatus);
        updated = { ...updated, sender_campaign_status: campaignStatus };
      }
      if (whatsappChanges) {
        const previousWebhook = sender ? await changing(row, 'whatsappSenderSid', 'is not a WhatsApp sender of the connected account', () => takeOverWhatsapp(client, sender)) : null;
        await restoreWhatsapp(row);
        updated = (await setConnectionWhatsappSender(db, customerId, sender && previousWebhook ? { sid: sender.sid, from: sender.sender_id, previousWebhook } : null))!;
        await appendAudit(db, { actor: principal, actorRole: staffRoleOf(principal), action: 'twilio_connection.whatsapp_sender_chosen', targetType: 'twilio_account', targetId: row.account_sid, customerId, before: { whatsappFrom: row.whatsapp_from }, after: { whatsappFrom: sender?.sender_id ?? null, previousWebhook } });
      }
      return toConnection(updated);
    },

    async checkAll() {
      const rows = await listConnections(db);
      let invalid = 0;
      for (const row of rows) {
        try {
          const client = await twilio.subaccount(row.account_sid);
          const a = await twilio.call('connection.accounts.fetch', () => client.api.v2010.accounts(row.account_sid).fetch(), { maxAttempts: 3 });
          await recordConnectionCheck(db, row.account_sid, { at: now(), ok: true, status: a.status as SubaccountStatus, friendlyName: a.friendlyName });
        } catch (err) {
          if (isAuthFailure(err)) {
            invalid++;
            await markInvalid(row.account_sid, 'Twilio stopped accepting the saved Auth Token (error 20003)');
          } else {
            // Twilio's fault, not the customer's: keep the status, try again at the next check.
            log.warn({ accountSid: row.account_sid, reason: err instanceof TwilioCallError ? err.twilioMessage : String(err) }, 'connection.check_failed');
          }
        }
      }
      return { checked: rows.length, invalid };
    },

    async credentialsRejected(accountSid) {
      return markInvalid(accountSid, 'Twilio refused the saved Auth Token while sending (error 20003)');
    },

    async listForOperator() {
      const rows = await listConnections(db);
      // Usage where the credentials allow: read with the account's own token, never for one known not to work.
      const usage = await Promise.all(
        rows.map(async (r) => (r.connection_status === 'connected' && r.status !== 'closed' ? monthUsage(twilio, await twilio.subaccount(r.account_sid), r.account_sid, log) : null)),
      );
      return rows.map((r, i) => ({ ...toConnection(r), customerId: r.customer_id, customerName: r.customer_name, usage: usage[i] ?? null }));
    },

    async disconnectByOperator(principal, accountSid) {
      const row = (await listConnections(db)).find((r) => r.account_sid === accountSid);
      if (!row) throw notFound('Twilio connection');
      await remove(principal, row, 'twilio_connection.disconnected_by_operator');
    },
  };

  async function discover(row: ConnectionRow): Promise<ConnectionResources> {
    return withAccount(row, 'connection.discover', async (c) => {
      const [services, numbers, senders] = await Promise.all([
        c.messaging.v1.services.list({ limit: 100 }),
        c.incomingPhoneNumbers.list({ limit: 200 }),
        sendersApi(c).list({ channel: 'whatsapp', limit: 100 }),
      ]);
      const messagingServices = await Promise.all(
        services.map(async (s) => {
          const [campaigns, pool] = await Promise.all([
            c.messaging.v1.services(s.sid).usAppToPerson.list({ limit: 20 }),
            c.messaging.v1.services(s.sid).phoneNumbers.list({ limit: 200 }),
          ]);
          const verified = campaigns.find((x) => x.campaignStatus === 'VERIFIED');
          return {
            sid: s.sid,
            friendlyName: s.friendlyName,
            campaignStatus: (verified ?? campaigns[0])?.campaignStatus ?? null,
            phoneNumbers: pool.map((p) => p.phoneNumber),
            inboundRequestUrl: s.inboundRequestUrl ?? null,
            statusCallback: s.statusCallback ?? null,
          };
        }),
      );
      const chosen = messagingServices.find((s) => s.sid === row.messaging_service_sid);
      if (chosen) await setSenderCampaignStatus(db, row.customer_id, chosen.sid, chosen.campaignStatus);
      return {
        messagingServices,
        phoneNumbers: numbers.map((n) => ({ sid: n.sid, phoneNumber: n.phoneNumber, friendlyName: n.friendlyName })),
        whatsappSenders: senders.map(asSender).map((x) => ({ sid: x.sid, senderId: x.sender_id, status: x.status })),
      };
    });
  }
}

export function credentialsInvalid(row: Pick<ConnectionRow, 'account_sid'>): AppError {
  return new AppError(409, 'twilio_credentials_invalid', `Twilio no longer accepts the saved Auth Token of the connected account ${row.account_sid}; an owner must reconnect it with the current token (Twilio Console › Account info).`);
}
