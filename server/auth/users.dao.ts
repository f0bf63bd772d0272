// Users, their platform roles and pending invitations: the rows behind a principal.
import type { Db } from '../platform/db/db.ts';
import type { PlatformRole } from '../platform/auth/principal.ts';

export interface UserRow {
  id: string;
  email: string;
  password_hash: string | null;
  created_at: Date;
}

export interface UserWithRolesRow {
  id: string;
  email: string;
  roles: PlatformRole[];
}

export async function findUserWithRoles(db: Db, userId: string): Promise<UserWithRolesRow | undefined> {
  const rows = await db.query<UserWithRolesRow>(
    `SELECT u.id, u.email, COALESCE(array_agg(r.role ORDER BY r.role) FILTER (WHERE r.role IS NOT NULL), '{}') AS roles
       FROM isv.users u LEFT JOIN isv.platform_roles r ON r.user_id = u.id
      WHERE u.id = $1
      GROUP BY u.id`,
    [userId],
  );
  return rows[0];
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  const rows = await db.query<UserRow>(`SELECT id, email, password_hash, created_at FROM isv.users WHERE email = $1`, [email]);
  return rows[0];
}

/** Inserts a local account; returns undefined when the email is taken. */
export async function insertUser(db: Db, u: { id?: string; email: string; passwordHash: string | null }): Promise<UserRow | undefined> {
  const rows = await db.query<UserRow>(
    `INSERT INTO isv.users (id, email, password_hash) VALUES (COALESCE($1::uuid, gen_random_uuid()), $2, $3)
     ON CONFLICT DO NOTHING
     RETURNING id, email, password_hash, created_at`,
    [u.id ?? null, u.email, u.passwordHash],
  );
  return rows[0];
}

export async function grantPlatformRole(db: Db, userId: string, role: PlatformRole): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO isv.platform_roles (user_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING role`,
    [userId, role],
  );
  return rows.length > 0;
}

/** Turns every pending invitation for the email into a membership; returns the customers joined. */
export async function acceptPendingInvitations(db: Db, userId: string, email: string): Promise<{ customer_id: string; role: string }[]> {
  return db.query<{ customer_id: string; role: string }>(
    `WITH accepted AS (
       UPDATE isv.invitations SET accepted_at = now()
        WHERE email = $2 AND accepted_at IS NULL
        RETURNING customer_id, role)
     INSERT INTO isv.memberships (user_id, customer_id, role)
     SELECT $1, customer_id, role FROM accepted
     ON CONFLICT (user_id, customer_id) DO NOTHING
     RETURNING customer_id, role`,
    [userId, email],
  );
}

/** Follows an email change made at the identity provider; false when another user already has that email. */
export async function updateUserEmail(db: Db, userId: string, email: string): Promise<boolean> {
  const rows = await db.query(
    `UPDATE isv.users SET email = $2 WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM isv.users WHERE email = $2) RETURNING id`,
    [userId, email],
  );
  return rows.length > 0;
}
