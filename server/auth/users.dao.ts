// Users, their platform roles, sessions and one-time email links: the rows behind a principal.
import type { Db } from '../platform/db/db.ts';
import type { PlatformRole } from '../platform/auth/principal.ts';

export interface UserRow {
  id: string;
  email: string;
  password_hash: string | null;
  email_verified: boolean;
  created_at: Date;
}

export interface UserWithRolesRow {
  id: string;
  email: string;
  email_verified: boolean;
  roles: PlatformRole[];
}

const USER_WITH_ROLES = `SELECT u.id, u.email, u.email_verified_at IS NOT NULL AS email_verified,
            COALESCE(array_agg(r.role ORDER BY r.role) FILTER (WHERE r.role IS NOT NULL), '{}') AS roles
       FROM isv.users u LEFT JOIN isv.platform_roles r ON r.user_id = u.id`;

export async function findUserWithRoles(db: Db, userId: string): Promise<UserWithRolesRow | undefined> {
  const rows = await db.query<UserWithRolesRow>(`${USER_WITH_ROLES} WHERE u.id = $1 GROUP BY u.id`, [userId]);
  return rows[0];
}

/** The user behind an embedded token, in one query: nothing when the session was revoked or has expired. */
export async function findSessionUser(db: Db, userId: string, sessionId: string, now: Date): Promise<UserWithRolesRow | undefined> {
  const rows = await db.query<UserWithRolesRow>(
    `${USER_WITH_ROLES}
       JOIN isv.sessions s ON s.user_id = u.id AND s.id = $2 AND s.revoked_at IS NULL AND s.expires_at > $3
      WHERE u.id = $1 GROUP BY u.id`,
    [userId, sessionId, now],
  );
  return rows[0];
}

/** The local (password) account with this email. */
export async function findLocalUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  const rows = await db.query<UserRow>(
    `SELECT id, email, password_hash, email_verified_at IS NOT NULL AS email_verified, created_at
       FROM isv.users WHERE email = $1 AND password_hash IS NOT NULL`,
    [email],
  );
  return rows[0];
}

/** Inserts an account; returns undefined when the id, or a local account's email, is taken. */
export async function insertUser(
  db: Db,
  u: { id?: string; email: string; passwordHash: string | null; emailVerified: boolean },
): Promise<UserRow | undefined> {
  const rows = await db.query<UserRow>(
    `INSERT INTO isv.users (id, email, password_hash, email_verified_at)
     VALUES (COALESCE($1::uuid, gen_random_uuid()), $2, $3, CASE WHEN $4::boolean THEN now() END)
     ON CONFLICT DO NOTHING
     RETURNING id, email, password_hash, email_verified_at IS NOT NULL AS email_verified, created_at`,
    [u.id ?? null, u.email, u.passwordHash, u.emailVerified],
  );
  return rows[0];
}

export async function setPasswordHash(db: Db, userId: string, passwordHash: string): Promise<void> {
  await db.query(`UPDATE isv.users SET password_hash = $2 WHERE id = $1`, [userId, passwordHash]);
}

export async function grantPlatformRole(db: Db, userId: string, role: PlatformRole): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO isv.platform_roles (user_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING role`,
    [userId, role],
  );
  return rows.length > 0;
}

/** Follows an email change made at the identity provider; false when another user already has that email. */
export async function updateUserEmail(db: Db, userId: string, email: string): Promise<boolean> {
  const rows = await db.query(
    `UPDATE isv.users SET email = $2 WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM isv.users WHERE email = $2 AND id <> $1) RETURNING id`,
    [userId, email],
  );
  return rows.length > 0;
}

/**
 * Records whether the user controls the address (a link opened, or Supabase's word on it), keeping the first
 * verification time; true when that changed anything.
 */
export async function setEmailVerified(db: Db, userId: string, verified: boolean): Promise<boolean> {
  const rows = await db.query(
    `UPDATE isv.users SET email_verified_at = CASE WHEN $2::boolean THEN now() END
      WHERE id = $1 AND (email_verified_at IS NOT NULL) IS DISTINCT FROM $2::boolean RETURNING id`,
    [userId, verified],
  );
  return rows.length > 0;
}

export async function insertSession(db: Db, userId: string, expiresAt: Date): Promise<string> {
  const rows = await db.query<{ id: string }>(`INSERT INTO isv.sessions (user_id, expires_at) VALUES ($1, $2) RETURNING id`, [userId, expiresAt]);
  return rows[0]!.id;
}

export async function revokeSession(db: Db, userId: string, sessionId: string): Promise<void> {
  await db.query(`UPDATE isv.sessions SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL`, [sessionId, userId]);
}

/** Revokes every open session of the user (all but `except`, when given); returns how many. */
export async function revokeAllSessions(db: Db, userId: string, except?: string): Promise<number> {
  const rows = await db.query(
    `UPDATE isv.sessions SET revoked_at = now()
      WHERE user_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR id <> $2::uuid) RETURNING id`,
    [userId, except ?? null],
  );
  return rows.length;
}

/** Drops the user's expired or revoked sessions (called at sign-in, so the table does not grow without bound). */
export async function deleteDeadSessions(db: Db, userId: string, now: Date): Promise<void> {
  await db.query(`DELETE FROM isv.sessions WHERE user_id = $1 AND (revoked_at IS NOT NULL OR expires_at <= $2)`, [userId, now]);
}

export type EmailTokenPurpose = 'verify_email' | 'reset_password';

/** Stores a new link's token hash, after voiding the user's earlier unused links of the same purpose. */
export async function insertEmailToken(db: Db, t: { userId: string; purpose: EmailTokenPurpose; tokenHash: Buffer; expiresAt: Date }): Promise<void> {
  await db.query(`DELETE FROM isv.email_tokens WHERE user_id = $1 AND purpose = $2`, [t.userId, t.purpose]);
  await db.query(`INSERT INTO isv.email_tokens (user_id, purpose, token_hash, expires_at) VALUES ($1, $2, $3, $4)`, [t.userId, t.purpose, t.tokenHash, t.expiresAt]);
}

/** Uses a link once: returns its user when the token exists, has this purpose, is unused and unexpired. */
export async function consumeEmailToken(db: Db, tokenHash: Buffer, purpose: EmailTokenPurpose, now: Date): Promise<string | undefined> {
  const rows = await db.query<{ user_id: string }>(
    `UPDATE isv.email_tokens SET used_at = $3
      WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
      RETURNING user_id`,
    [tokenHash, purpose, now],
  );
  return rows[0]?.user_id;
}
