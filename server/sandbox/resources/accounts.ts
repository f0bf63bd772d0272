// api.twilio.com Accounts: subaccount create/fetch/list/update with Twilio's status rules (FACTS §1).
import { defineModule, errors, rfc2822, TwilioError, type AccountRecord, type Ctx, type SandboxApi } from '../framework.ts';
import { randomBytes } from 'node:crypto';

const HOST = 'api.twilio.com';
const STATUSES = ['active', 'suspended', 'closed'] as const;

export function renderAccount(a: AccountRecord): Record<string, unknown> {
  const base = `/2010-04-01/Accounts/${a.sid}`;
  const sub = (name: string) => `${base}/${name}.json`;
  return {
    auth_token: a.auth_token,
    date_created: rfc2822(a.date_created),
    date_updated: rfc2822(a.date_updated),
    friendly_name: a.friendly_name,
    owner_account_sid: a.owner_account_sid,
    sid: a.sid,
    status: a.status,
    subresource_uris: {
      available_phone_numbers: sub('AvailablePhoneNumbers'),
      calls: sub('Calls'),
      conferences: sub('Conferences'),
      incoming_phone_numbers: sub('IncomingPhoneNumbers'),
      notifications: sub('Notifications'),
      outgoing_caller_ids: sub('OutgoingCallerIds'),
      recordings: sub('Recordings'),
      transcriptions: sub('Transcriptions'),
      addresses: sub('Addresses'),
      signing_keys: sub('SigningKeys'),
      connect_apps: sub('ConnectApps'),
      sip: `${base}/SIP.json`,
      authorized_connect_apps: sub('AuthorizedConnectApps'),
      usage: sub('Usage'),
      keys: sub('Keys'),
      applications: sub('Applications'),
      short_codes: sub('SMS/ShortCodes'),
      queues: sub('Queues'),
      messages: sub('Messages'),
      balance: sub('Balance'),
    },
    type: a.type,
    uri: `${base}.json`,
  };
}

/** Twilio's default name: "SubAccount Created at 2026-11-23 06:30 pm" (FACTS §1). */
function defaultFriendlyName(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const h = d.getUTCHours() % 12 || 12;
  return `SubAccount Created at ${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(h)}:${p(d.getUTCMinutes())} ${d.getUTCHours() < 12 ? 'am' : 'pm'}`;
}

/** Twilio deletes a closed subaccount 30 days after it was closed. */
export const CLOSED_ACCOUNT_RETENTION_MS = 30 * 24 * 3600 * 1000;

const deleted = (api: SandboxApi, a: AccountRecord) =>
  a.status === 'closed' && a.owner_account_sid !== a.sid && api.now().getTime() - Date.parse(a.date_updated) >= CLOSED_ACCOUNT_RETENTION_MS;

/** The accounts a caller may see: itself and, for the master, its subaccounts (not those Twilio deleted). */
function visibleAccounts(api: SandboxApi, ctx: Ctx): AccountRecord[] {
  return api.state.list<AccountRecord>(
    'account',
    (a) => (a.sid === ctx.auth.accountSid || (ctx.auth.isMaster && a.owner_account_sid === ctx.auth.accountSid)) && !deleted(api, a),
  );
}

function findVisible(api: SandboxApi, ctx: Ctx, sid: string): AccountRecord {
  const a = visibleAccounts(api, ctx).find((x) => x.sid === sid);
  // Twilio authenticates against the account in the path, so an account the caller cannot reach is a 20003.
  if (!a) throw errors.authenticate();
  return a;
}

export const accountsModule = defineModule('accounts', (api) => {
  api.route(
    'POST',
    HOST,
    '/2010-04-01/Accounts.json',
    (ctx) => {
      // Only a main account creates subaccounts; a subaccount's credentials are refused (FACTS §0).
      if (!ctx.auth.isMaster) throw new TwilioError(403, 20008, 'Subaccounts cannot create subaccounts');
      const friendlyName = ctx.param('FriendlyName') ?? defaultFriendlyName(ctx.now());
      if (friendlyName.length > 64) throw errors.invalidParam('FriendlyName', 'must be at most 64 characters');
      if (api.state.list('account', (a) => a.owner_account_sid === ctx.auth.accountSid && a.sid !== ctx.auth.accountSid).length >= 1000) {
        throw new TwilioError(400, 21475, 'Subaccount limit reached');
      }
      const at = ctx.now().toISOString();
      const account = api.state.insert<AccountRecord>('account', {
        sid: api.sid('AC'),
        account_sid: ctx.auth.accountSid, // stored under its owner, as every record carries its owning account
        owner_account_sid: ctx.auth.accountSid,
        friendly_name: friendlyName,
        status: 'active',
        type: 'Full',
        auth_token: randomBytes(16).toString('hex'),
        date_created: at,
        date_updated: at,
      });
      return ctx.created(renderAccount(account));
    },
    { rawAccountPath: true },
  );

  api.route(
    'GET',
    HOST,
    '/2010-04-01/Accounts.json',
    (ctx) => {
      const name = ctx.param('FriendlyName');
      const status = ctx.param('Status');
      if (status !== undefined && !STATUSES.includes(status as (typeof STATUSES)[number])) {
        throw errors.invalidParam('Status', `must be one of ${STATUSES.join(', ')}`);
      }
      const all = visibleAccounts(api, ctx)
        .filter((a) => (name === undefined || a.friendly_name === name) && (status === undefined || a.status === status))
        .map(renderAccount);
      return ctx.ok(api.pageV2010(ctx, 'accounts', all));
    },
    { rawAccountPath: true },
  );

  api.route('GET', HOST, '/2010-04-01/Accounts/{Sid}.json', (ctx) => ctx.ok(renderAccount(findVisible(api, ctx, ctx.path.Sid!))), {
    rawAccountPath: true,
  });

  api.route(
    'POST',
    HOST,
    '/2010-04-01/Accounts/{Sid}.json',
    (ctx) => {
      const target = findVisible(api, ctx, ctx.path.Sid!);
      const friendlyName = ctx.param('FriendlyName');
      const status = ctx.param('Status');
      if (friendlyName !== undefined && friendlyName.length > 64) throw errors.invalidParam('FriendlyName', 'must be at most 64 characters');
      if (status !== undefined) {
        if (!STATUSES.includes(status as (typeof STATUSES)[number])) {
          throw errors.invalidParam('Status', `must be one of ${STATUSES.join(', ')}`);
        }
        // Suspending or closing needs the main account's credentials, and a main account cannot change its
        // own status through the API (FACTS §0/§1).
        if (!ctx.auth.isMaster || target.sid === ctx.auth.accountSid) {
          throw new TwilioError(403, 20008, 'Only the main account can change a subaccount status');
        }
        if (target.status === 'closed' && status !== 'closed') {
          throw new TwilioError(400, 21479, 'Cannot reopen a closed account');
        }
      }
      if (target.status === 'closed' && friendlyName !== undefined) {
        throw new TwilioError(400, 21479, 'Cannot update a closed account');
      }
      const becameClosed = status === 'closed' && target.status !== 'closed';
      const updated = api.state.update<AccountRecord>('account', target.sid, {
        ...(friendlyName !== undefined ? { friendly_name: friendlyName } : {}),
        ...(status !== undefined ? { status: status as AccountRecord['status'] } : {}),
        date_updated: ctx.now().toISOString(),
      });
      if (becameClosed) api.emitAccountClosed(updated);
      return ctx.ok(renderAccount(updated));
    },
    { rawAccountPath: true },
  );

  // Sandbox control: an independent account, as a business that already has Twilio would bring (not a subaccount
  // of the master; its own main account). JSON or form: friendlyName, trial (a Trial account cannot text
  // unverified numbers, error 21608). Answers its credentials.
  api.control('POST', '/sandbox/accounts', (req) => {
    const friendlyName = req.field('friendlyName') ?? req.field('FriendlyName') ?? 'My Twilio account';
    if (friendlyName.length > 64) throw errors.invalidParam('friendlyName', 'must be at most 64 characters');
    const trialField = (req.json as { trial?: unknown } | undefined)?.trial ?? req.field('trial');
    const trial = trialField === true || trialField === 'true';
    const sid = api.sid('AC');
    const at = api.now().toISOString();
    const account = api.state.insert<AccountRecord>('account', {
      sid,
      account_sid: sid,
      owner_account_sid: sid,
      friendly_name: friendlyName,
      status: 'active',
      type: trial ? 'Trial' : 'Full',
      auth_token: randomBytes(16).toString('hex'),
      date_created: at,
      date_updated: at,
    });
    return { status: 201, body: { account_sid: account.sid, auth_token: account.auth_token, friendly_name: account.friendly_name, type: account.type } };
  });

  /** An independent account named by `account_sid` (subaccounts and the master are changed through the API). */
  const independent = (sid: string | undefined): AccountRecord => {
    if (!sid) throw errors.missingParam('account_sid');
    const a = api.state.get<AccountRecord>('account', sid);
    if (!a || a.owner_account_sid !== a.sid || a.sid === api.settings.masterAccountSid) throw errors.notFound(`/sandbox/accounts ${sid}`);
    return a;
  };

  // Sandbox control: the owner rotates the auth token in the Console; the old one stops working at once.
  api.control('POST', '/sandbox/accounts/token', (req) => {
    const a = independent(req.field('account_sid'));
    const updated = api.state.update<AccountRecord>('account', a.sid, { auth_token: randomBytes(16).toString('hex'), date_updated: api.now().toISOString() });
    return { status: 200, body: { account_sid: updated.sid, auth_token: updated.auth_token } };
  });

  // Sandbox control: Twilio suspends or closes an independent account (billing, abuse, or the owner closing it).
  api.control('POST', '/sandbox/accounts/status', (req) => {
    const a = independent(req.field('account_sid'));
    const status = req.field('status');
    if (!STATUSES.includes(status as (typeof STATUSES)[number])) throw errors.invalidParam('status', `must be one of ${STATUSES.join(', ')}`);
    if (a.status === 'closed' && status !== 'closed') throw new TwilioError(400, 21479, 'Cannot reopen a closed account');
    const updated = api.state.update<AccountRecord>('account', a.sid, { status: status as AccountRecord['status'], date_updated: api.now().toISOString() });
    if (status === 'closed' && a.status !== 'closed') api.emitAccountClosed(updated);
    return { status: 200, body: renderAccount(updated) };
  });
});
