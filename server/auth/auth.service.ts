// Embedded sign-up and sign-in, and the resolution of a verified token into a principal (user row, platform
// roles from the database, bootstrap grants and pending invitations on sign-in).
import type { Config } from '../platform/config.ts';
import type { Db } from '../platform/db/db.ts';
import { AppError } from '../platform/errors.ts';
import type { Principal, PlatformRole } from '../platform/auth/principal.ts';
import { invalidToken, type TokenClaims, type TokenService } from '../platform/auth/tokens.ts';
import { appendAudit } from '../audit/audit.dao.ts';
import type { AuthTokenResponse, MeResponse } from '../../shared/auth.ts';
import { listMembershipsOfUser } from '../customers/memberships.dao.ts';
import { acceptPendingInvitations, findUserByEmail, findUserWithRoles, grantPlatformRole, insertUser, updateUserEmail, type UserWithRolesRow } from './users.dao.ts';
import { deleteRateLimitWindowsBefore, hitRateLimit } from './rate-limits.dao.ts';
import { dummyHash, hashPassword, verifyPassword } from './password.ts';

export interface RateLimitRule {
  max: number;
  windowMs: number;
}

export interface AuthServiceDeps {
  db: Db;
  config: Pick<Config, 'bootstrap' | 'supabase'>;
  tokens: TokenService;
  now?: () => Date;
  limits?: { login?: RateLimitRule; signup?: RateLimitRule };
}

export const DEFAULT_AUTH_LIMITS = {
  login: { max: 10, windowMs: 15 * 60_000 },
  signup: { max: 5, windowMs: 15 * 60_000 },
} as const;
// Keys are per address AND email: behind a proxy (trust proxy is off) every caller shares one address, so an
// address-only limit would throttle everyone at once.

const invalidCredentials = () => new AppError(401, 'invalid_credentials', 'The email or password is not correct');

export function embeddedAuthDisabled(): AppError {
  return new AppError(410, 'embedded_auth_disabled', 'This server uses Supabase Auth: sign up and sign in through Supabase, then send its access token');
}

export type AuthService = ReturnType<typeof createAuthService>;

export function createAuthService(deps: AuthServiceDeps) {
  const { db, config, tokens } = deps;
  const now = deps.now ?? (() => new Date());
  const limits = { ...DEFAULT_AUTH_LIMITS, ...deps.limits };
  // Made once, up front in embedded mode, so even the first unknown-email login costs one hash like any other.
  let dummy: Promise<string> | undefined = tokens.mode === 'embedded' ? dummyHash() : undefined;

  function bootstrapRolesFor(email: string): PlatformRole[] {
    const roles: PlatformRole[] = [];
    if (config.bootstrap.admins.includes(email)) roles.push('admin');
    if (config.bootstrap.operators.includes(email)) roles.push('operator');
    return roles;
  }

  /** Bootstrap grants and invitations, run whenever a user signs in (idempotent; usually zero writes). */
  async function onSignIn(tx: Db, user: UserWithRolesRow): Promise<UserWithRolesRow> {
    let roles = user.roles;
    for (const role of bootstrapRolesFor(user.email)) {
      if (roles.includes(role)) continue;
      if (await grantPlatformRole(tx, user.id, role)) {
        await appendAudit(tx, { actor: null, action: 'platform_role.bootstrap_granted', targetType: 'user', targetId: user.id, after: { email: user.email, role } });
      }
      roles = [...roles, role].sort();
    }
    for (const m of await acceptPendingInvitations(tx, user.id, user.email)) {
      await appendAudit(tx, {
        actor: { userId: user.id, email: user.email },
        action: 'invitation.accepted',
        targetType: 'membership',
        targetId: `${m.customer_id}:${user.id}`,
        customerId: m.customer_id,
        after: { email: user.email, role: m.role },
      });
    }
    return { ...user, roles };
  }

  async function rateLimit(key: string, rule: RateLimitRule): Promise<void> {
    const t = now().getTime();
    const windowStart = new Date(t - (t % rule.windowMs));
    const count = await hitRateLimit(db, key, windowStart);
    if (count === 1) await deleteRateLimitWindowsBefore(db, key, windowStart);
    if (count > rule.max) {
      const retryAfter = Math.max(1, Math.ceil((windowStart.getTime() + rule.windowMs - t) / 1000));
      throw new AppError(429, 'rate_limited', 'Too many attempts; try again later', undefined, { 'Retry-After': String(retryAfter) });
    }
  }

  async function respond(user: UserWithRolesRow): Promise<AuthTokenResponse> {
    return { token: await tokens.issue(user), user: { id: user.id, email: user.email, roles: [...user.roles] } };
  }

  return {
    mode: tokens.mode,

    async resolvePrincipal(claims: TokenClaims): Promise<Principal> {
      let user = await findUserWithRoles(db, claims.sub);
      if (!user) {
        // Embedded tokens name a local account; one that no longer exists is no longer valid.
        if (tokens.mode === 'embedded') throw invalidToken();
        // Supabase: first sight of this user. The id is Supabase's own user id; the email is verified by Supabase.
        user = await db.tx(async (tx) => {
          const inserted = await insertUser(tx, { id: claims.sub, email: claims.email, passwordHash: null });
          const row =
            (await findUserWithRoles(tx, claims.sub)) ??
            (inserted ? undefined : await findUserByEmail(tx, claims.email).then((u) => (u ? findUserWithRoles(tx, u.id) : undefined)));
          if (!row) throw invalidToken();
          return onSignIn(tx, row);
        });
      } else if (tokens.mode === 'supabase' && user.email !== claims.email) {
        // The user changed its email in Supabase: follow it (unless another account holds it), then apply
        // whatever waits on the new address (bootstrap roles, invitations).
        const current = user;
        user = await db.tx(async (tx) => {
          const moved = await updateUserEmail(tx, current.id, claims.email);
          const row = moved ? { ...current, email: claims.email } : current;
          await appendAudit(tx, { actor: { userId: current.id, email: row.email }, action: moved ? 'user.email_changed' : 'user.email_change_refused', targetType: 'user', targetId: current.id, before: { email: current.email }, after: { email: claims.email } });
          return moved ? onSignIn(tx, row) : row;
        });
      } else if (bootstrapRolesFor(user.email).some((r) => !user!.roles.includes(r))) {
        const current = user;
        user = await db.tx((tx) => onSignIn(tx, current));
      }
      return { userId: user.id, email: user.email, roles: user.roles };
    },

    async signup(input: { email: string; password: string }, ip: string): Promise<AuthTokenResponse> {
      if (tokens.mode !== 'embedded') throw embeddedAuthDisabled();
      await rateLimit(`signup:${ip}:${input.email}`, limits.signup);
      const passwordHash = await hashPassword(input.password);
      const user = await db.tx(async (tx) => {
        const row = await insertUser(tx, { email: input.email, passwordHash });
        if (!row) throw new AppError(409, 'email_taken', 'An account with this email already exists; sign in instead');
        await appendAudit(tx, { actor: { userId: row.id, email: row.email }, action: 'user.signed_up', targetType: 'user', targetId: row.id });
        return onSignIn(tx, { id: row.id, email: row.email, roles: [] });
      });
      return respond(user);
    },

    async login(input: { email: string; password: string }, ip: string): Promise<AuthTokenResponse> {
      if (tokens.mode !== 'embedded') throw embeddedAuthDisabled();
      await rateLimit(`login:${ip}:${input.email}`, limits.login);
      const found = await findUserByEmail(db, input.email);
      // Unknown emails are checked against a dummy hash so both failures take the same time and give the same answer.
      dummy ??= dummyHash();
      const ok = await verifyPassword(input.password, found?.password_hash ?? (await dummy));
      if (!found || !found.password_hash || !ok) throw invalidCredentials();
      const withRoles = await findUserWithRoles(db, found.id);
      if (!withRoles) throw invalidCredentials();
      return respond(await db.tx((tx) => onSignIn(tx, withRoles)));
    },

    async me(principal: Principal): Promise<MeResponse> {
      const memberships = await listMembershipsOfUser(db, principal.userId);
      return {
        user: { id: principal.userId, email: principal.email, roles: [...principal.roles] },
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
