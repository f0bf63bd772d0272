// Embedded accounts (sign-up with a verified email, sign-in, sessions that sign-out revokes, password reset by
// a mailed link) and the resolution of a verified token into a principal (user row, platform roles, bootstrap
// grants). An account whose email is not verified gets no role; customers refuse it too.
import { createHash, randomBytes } from 'node:crypto';
import type { Config } from '../platform/config.ts';
import type { Db } from '../platform/db/db.ts';
import { AppError, conflict } from '../platform/errors.ts';
import type { Mailer } from '../platform/mail/mailer.ts';
import type { Principal, PlatformRole } from '../platform/auth/principal.ts';
import { EMBEDDED_TOKEN_TTL_SECONDS, invalidToken, type TokenClaims, type TokenService } from '../platform/auth/tokens.ts';
import { appendAudit } from '../audit/audit.dao.ts';
import type { AuthTokenResponse, AuthUser, MeResponse } from '../../shared/auth.ts';
import { listMembershipsOfUser } from '../customers/memberships.dao.ts';
import {
  consumeEmailToken,
  deleteDeadSessions,
  findLocalUserByEmail,
  findSessionUser,
  findUserWithRoles,
  grantPlatformRole,
  insertEmailToken,
  insertSession,
  insertUser,
  revokeAllSessions,
  revokeSession,
  setEmailVerified,
  setPasswordHash,
  updateUserEmail,
  type EmailTokenPurpose,
  type UserWithRolesRow,
} from './users.dao.ts';
import { countRateLimit, deleteRateLimitWindowsBefore, hitRateLimit } from './rate-limits.dao.ts';
import { dummyHash, hashPassword, verifyPassword } from './password.ts';
import { assertStrongPassword } from './password-policy.ts';

export interface RateLimitRule {
  max: number;
  windowMs: number;
}

export interface AuthServiceDeps {
  db: Db;
  config: Pick<Config, 'bootstrap' | 'supabase' | 'accounts' | 'publicBaseUrl'>;
  tokens: TokenService;
  mailer: Mailer;
  now?: () => Date;
  limits?: Partial<typeof DEFAULT_AUTH_LIMITS>;
}

const MINUTE = 60_000;
// Per address AND email, and per address alone with a higher ceiling: behind a proxy (trust proxy is off)
// every caller shares one address, so the address-only limits are set for spraying, not for one person.
export const DEFAULT_AUTH_LIMITS = {
  login: { max: 10, windowMs: 15 * MINUTE },
  /** Failed sign-ins from one address over every account (password spraying); max from AUTH_LOGIN_FAILURES_PER_IP. */
  loginFailuresPerIp: { max: 30, windowMs: 15 * MINUTE },
  signup: { max: 5, windowMs: 15 * MINUTE },
  /** max from AUTH_SIGNUPS_PER_IP_PER_HOUR. */
  signupPerIp: { max: 20, windowMs: 60 * MINUTE },
  /** Verification and reset emails, per address and account. */
  mail: { max: 5, windowMs: 60 * MINUTE },
  mailPerIp: { max: 30, windowMs: 60 * MINUTE },
} satisfies Record<string, RateLimitRule>;

const LINK_TTL_MS: Record<EmailTokenPurpose, number> = { verify_email: 48 * 60 * MINUTE, reset_password: 60 * MINUTE };

const invalidCredentials = () => new AppError(401, 'invalid_credentials', 'The email or password is not correct');
const invalidLink = () => new AppError(400, 'link_invalid', 'This link is invalid, already used or expired; ask for a new one');

export function embeddedAuthDisabled(): AppError {
  return new AppError(410, 'embedded_auth_disabled', 'This server uses Supabase Auth: sign up and sign in through Supabase, then send its access token');
}

const hashLinkToken = (token: string) => createHash('sha256').update(token).digest();

export type AuthService = ReturnType<typeof createAuthService>;

export function createAuthService(deps: AuthServiceDeps) {
  const { db, config, tokens, mailer } = deps;
  const now = deps.now ?? (() => new Date());
  const limits = {
    ...DEFAULT_AUTH_LIMITS,
    loginFailuresPerIp: { ...DEFAULT_AUTH_LIMITS.loginFailuresPerIp, max: config.accounts.loginFailuresPerIp },
    signupPerIp: { ...DEFAULT_AUTH_LIMITS.signupPerIp, max: config.accounts.signupsPerIpPerHour },
    ...deps.limits,
  };
  const confirmationRequired = config.accounts.emailConfirmation === 'required';
  // Made once, up front in embedded mode, so even the first unknown-email login costs one hash like any other.
  let dummy: Promise<string> | undefined = tokens.mode === 'embedded' ? dummyHash() : undefined;

  function bootstrapRolesFor(user: UserWithRolesRow): PlatformRole[] {
    if (!user.email_verified) return [];
    const roles: PlatformRole[] = [];
    if (config.bootstrap.admins.includes(user.email)) roles.push('admin');
    if (config.bootstrap.operators.includes(user.email)) roles.push('operator');
    return roles.filter((r) => !user.roles.includes(r));
  }

  /** Bootstrap grants for a verified address (idempotent; usually zero writes). */
  async function grantBootstrapRoles(tx: Db, user: UserWithRolesRow): Promise<UserWithRolesRow> {
    let roles = user.roles;
    for (const role of bootstrapRolesFor(user)) {
      if (await grantPlatformRole(tx, user.id, role)) {
        await appendAudit(tx, { actor: null, action: 'platform_role.bootstrap_granted', targetType: 'user', targetId: user.id, after: { email: user.email, role } });
      }
      roles = [...roles, role].sort();
    }
    return { ...user, roles };
  }

  function toPrincipal(user: UserWithRolesRow, sessionId?: string): Principal {
    return { userId: user.id, email: user.email, roles: user.email_verified ? user.roles : [], emailVerified: user.email_verified, sessionId };
  }

  const toAuthUser = (p: Principal): AuthUser => ({ id: p.userId, email: p.email, roles: [...p.roles], emailVerified: p.emailVerified });

  /** Counts one hit in the key's current window. */
  async function hit(key: string, rule: RateLimitRule) {
    const t = now().getTime();
    const windowStart = new Date(t - (t % rule.windowMs));
    const count = await hitRateLimit(db, key, windowStart);
    if (count === 1) await deleteRateLimitWindowsBefore(db, key, windowStart);
    return { count, windowStart, t };
  }

  async function rateLimit(key: string, rule: RateLimitRule): Promise<void> {
    const { count, windowStart, t } = await hit(key, rule);
    if (count > rule.max) throw rateLimited(windowStart, rule, t);
  }

  function rateLimited(windowStart: Date, rule: RateLimitRule, t: number): AppError {
    const retryAfter = Math.max(1, Math.ceil((windowStart.getTime() + rule.windowMs - t) / 1000));
    return new AppError(429, 'rate_limited', 'Too many attempts; try again later', undefined, { 'Retry-After': String(retryAfter) });
  }

  /** Refuses when the key's window already holds `max` hits, without counting this call. */
  async function assertUnderLimit(key: string, rule: RateLimitRule): Promise<void> {
    const t = now().getTime();
    const windowStart = new Date(t - (t % rule.windowMs));
    if ((await countRateLimit(db, key, windowStart)) >= rule.max) throw rateLimited(windowStart, rule, t);
  }

  async function startSession(user: UserWithRolesRow): Promise<AuthTokenResponse> {
    const sessionId = await insertSession(db, user.id, new Date(now().getTime() + EMBEDDED_TOKEN_TTL_SECONDS * 1000));
    return { token: await tokens.issue(user, sessionId), user: toAuthUser(toPrincipal(user, sessionId)) };
  }

  /** Mails a one-time link; earlier unused links of the same purpose stop working. */
  async function sendLink(user: { id: string; email: string }, purpose: EmailTokenPurpose): Promise<void> {
    const token = randomBytes(32).toString('base64url');
    await insertEmailToken(db, { userId: user.id, purpose, tokenHash: hashLinkToken(token), expiresAt: new Date(now().getTime() + LINK_TTL_MS[purpose]) });
    const link = `${config.publicBaseUrl}/${purpose === 'verify_email' ? 'verify-email' : 'reset-password'}?token=${token}`;
    await mailer.send(
      purpose === 'verify_email'
        ? {
            to: user.email,
            subject: 'Confirm your email address',
            link,
            text: `Open this link to confirm your email address and finish setting up your account:\n\n${link}\n\nThe link works once and expires in 48 hours. If you did not sign up, ignore this email.\n`,
          }
        : {
            to: user.email,
            subject: 'Reset your password',
            link,
            text: `Open this link to choose a new password:\n\n${link}\n\nThe link works once and expires in 1 hour; every device signed in to your account is signed out. If you did not ask for this, ignore this email: your password stays as it is.\n`,
          },
    );
  }

  const embeddedOnly = () => {
    if (tokens.mode !== 'embedded') throw embeddedAuthDisabled();
  };

  return {
    mode: tokens.mode,

    async resolvePrincipal(claims: TokenClaims): Promise<Principal> {
      if (tokens.mode === 'embedded') {
        // One query: the account and its session; a revoked or expired session, or a deleted account, is a 401.
        const user = claims.sid ? await findSessionUser(db, claims.sub, claims.sid, now()) : undefined;
        if (!user) throw invalidToken();
        return toPrincipal(bootstrapRolesFor(user).length ? await db.tx((tx) => grantBootstrapRoles(tx, user)) : user, claims.sid);
      }
      // Supabase: users are keyed by Supabase's user id (`sub`) alone. An email another row has is not a link to
      // that row: a new sub is a new user, with no role or customer of the other.
      const verified = claims.emailVerified === true;
      let user = await findUserWithRoles(db, claims.sub);
      if (!user) {
        user = await db.tx(async (tx) => {
          await insertUser(tx, { id: claims.sub, email: claims.email, passwordHash: null, emailVerified: verified });
          const row = await findUserWithRoles(tx, claims.sub);
          if (!row) throw invalidToken();
          return grantBootstrapRoles(tx, row);
        });
      } else if (user.email !== claims.email || user.email_verified !== verified) {
        // The user changed its email, or confirmed it, in Supabase: follow (unless another account holds the new
        // address), then apply what waits on a verified address.
        const current = user;
        user = await db.tx(async (tx) => {
          let row = current;
          if (current.email !== claims.email) {
            const moved = await updateUserEmail(tx, current.id, claims.email);
            await appendAudit(tx, { actor: { userId: current.id, email: current.email }, action: moved ? 'user.email_changed' : 'user.email_change_refused', targetType: 'user', targetId: current.id, before: { email: current.email }, after: { email: claims.email } });
            if (!moved) return current;
            row = { ...row, email: claims.email };
          }
          await setEmailVerified(tx, current.id, verified);
          return grantBootstrapRoles(tx, { ...row, email_verified: verified });
        });
      } else if (bootstrapRolesFor(user).length) {
        const current = user;
        user = await db.tx((tx) => grantBootstrapRoles(tx, current));
      }
      return toPrincipal(user);
    },

    async signup(input: { email: string; password: string }, ip: string): Promise<AuthTokenResponse> {
      embeddedOnly();
      await rateLimit(`signup-ip:${ip}`, limits.signupPerIp);
      await rateLimit(`signup:${ip}:${input.email}`, limits.signup);
      await assertStrongPassword(input.password, [input.email]);
      const passwordHash = await hashPassword(input.password);
      const user = await db.tx(async (tx) => {
        const row = await insertUser(tx, { email: input.email, passwordHash, emailVerified: !confirmationRequired });
        if (!row) throw conflict('email_taken', 'An account with this email already exists; sign in instead');
        await appendAudit(tx, { actor: { userId: row.id, email: row.email }, action: 'user.signed_up', targetType: 'user', targetId: row.id, after: { emailVerified: row.email_verified } });
        return grantBootstrapRoles(tx, { id: row.id, email: row.email, email_verified: row.email_verified, roles: [] });
      });
      // After the commit: a mail that fails leaves an account that can ask for the link again.
      if (!user.email_verified) await sendLink(user, 'verify_email');
      return startSession(user);
    },

    async login(input: { email: string; password: string }, ip: string): Promise<AuthTokenResponse> {
      embeddedOnly();
      await assertUnderLimit(`login-fail-ip:${ip}`, limits.loginFailuresPerIp);
      await rateLimit(`login:${ip}:${input.email}`, limits.login);
      const found = await findLocalUserByEmail(db, input.email);
      // Unknown emails are checked against a dummy hash so both failures take the same time and give the same answer.
      dummy ??= dummyHash();
      const ok = await verifyPassword(input.password, found?.password_hash ?? (await dummy));
      const withRoles = found && found.password_hash && ok ? await findUserWithRoles(db, found.id) : undefined;
      if (!withRoles) {
        await hit(`login-fail-ip:${ip}`, limits.loginFailuresPerIp);
        throw invalidCredentials();
      }
      await deleteDeadSessions(db, withRoles.id, now());
      return startSession(bootstrapRolesFor(withRoles).length ? await db.tx((tx) => grantBootstrapRoles(tx, withRoles)) : withRoles);
    },

    async verifyEmail(token: string): Promise<{ user: AuthUser }> {
      embeddedOnly();
      const user = await db.tx(async (tx) => {
        const userId = await consumeEmailToken(tx, hashLinkToken(token), 'verify_email', now());
        const row = userId ? await findUserWithRoles(tx, userId) : undefined;
        if (!row) throw invalidLink();
        if (await setEmailVerified(tx, row.id, true)) {
          await appendAudit(tx, { actor: { userId: row.id, email: row.email }, action: 'user.email_verified', targetType: 'user', targetId: row.id });
        }
        return grantBootstrapRoles(tx, { ...row, email_verified: true });
      });
      return { user: toAuthUser(toPrincipal(user)) };
    },

    async resendVerification(principal: Principal, ip: string): Promise<void> {
      embeddedOnly();
      if (principal.emailVerified) throw conflict('already_verified', 'Your email address is already confirmed');
      await rateLimit(`mail-ip:${ip}`, limits.mailPerIp);
      await rateLimit(`mail:${ip}:${principal.userId}`, limits.mail);
      await sendLink({ id: principal.userId, email: principal.email }, 'verify_email');
    },

    /** Always answers the same (no hint whether the account exists); mails a link only to a local account. */
    async requestPasswordReset(email: string, ip: string): Promise<void> {
      embeddedOnly();
      await rateLimit(`mail-ip:${ip}`, limits.mailPerIp);
      await rateLimit(`mail:${ip}:${email}`, limits.mail);
      const user = await findLocalUserByEmail(db, email);
      if (user) await sendLink(user, 'reset_password');
    },

    /** Sets the new password, counts the address as verified (the link reached it), signs out everywhere else. */
    async confirmPasswordReset(input: { token: string; password: string }): Promise<AuthTokenResponse> {
      embeddedOnly();
      const tokenHash = hashLinkToken(input.token);
      const user = await db.tx(async (tx) => {
        const userId = await consumeEmailToken(tx, tokenHash, 'reset_password', now());
        const row = userId ? await findUserWithRoles(tx, userId) : undefined;
        if (!row) throw invalidLink();
        await assertStrongPassword(input.password, [row.email]);
        await setPasswordHash(tx, row.id, await hashPassword(input.password));
        await setEmailVerified(tx, row.id, true);
        const revoked = await revokeAllSessions(tx, row.id);
        await appendAudit(tx, { actor: { userId: row.id, email: row.email }, action: 'user.password_reset', targetType: 'user', targetId: row.id, after: { sessionsRevoked: revoked } });
        return grantBootstrapRoles(tx, { ...row, email_verified: true });
      });
      return startSession(user);
    },

    async logout(principal: Principal): Promise<void> {
      embeddedOnly();
      if (principal.sessionId) await revokeSession(db, principal.userId, principal.sessionId);
    },

    async logoutEverywhere(principal: Principal): Promise<void> {
      embeddedOnly();
      await db.tx(async (tx) => {
        const revoked = await revokeAllSessions(tx, principal.userId);
        await appendAudit(tx, { actor: principal, action: 'user.signed_out_everywhere', targetType: 'user', targetId: principal.userId, after: { sessionsRevoked: revoked } });
      });
    },

    async me(principal: Principal): Promise<MeResponse> {
      const memberships = await listMembershipsOfUser(db, principal.userId);
      return {
        user: toAuthUser(principal),
        memberships: memberships.map((m) => ({ customerId: m.customer_id, customerName: m.customer_name, role: m.role })),
        authMode: tokens.mode,
      };
    },

    /** Test and seed helper: grants a platform role directly. */
    async grantRole(userId: string, role: PlatformRole): Promise<void> {
      await grantPlatformRole(db, userId, role);
    },
  };
}
