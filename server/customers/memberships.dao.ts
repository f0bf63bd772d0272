// Memberships (user → customer, owner | member) and invitations by email.
import type { Db } from '../platform/db/db.ts';

export type MembershipRole = 'owner' | 'member';

export interface MembershipOfUserRow {
  customer_id: string;
  customer_name: string;
  role: MembershipRole;
}

export async function listMembershipsOfUser(db: Db, userId: string): Promise<MembershipOfUserRow[]> {
  return db.query<MembershipOfUserRow>(
    `SELECT m.customer_id, COALESCE(c.display_name, c.legal_name) AS customer_name, m.role
       FROM isv.memberships m JOIN isv.customers c ON c.id = m.customer_id
      WHERE m.user_id = $1
      ORDER BY c.created_at, c.id`,
    [userId],
  );
}

export async function insertMembership(db: Db, m: { userId: string; customerId: string; role: MembershipRole }): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO isv.memberships (user_id, customer_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING user_id`,
    [m.userId, m.customerId, m.role],
  );
  return rows.length > 0;
}

export interface MemberRow {
  user_id: string | null;
  email: string;
  role: MembershipRole;
  status: 'active' | 'invited';
  created_at: Date;
}

/** Members and still-pending invitations of one customer. */
export async function listMembersOfCustomer(db: Db, customerId: string): Promise<MemberRow[]> {
  return db.query<MemberRow>(
    `SELECT m.user_id, u.email, m.role, 'active' AS status, m.created_at
       FROM isv.memberships m JOIN isv.users u ON u.id = m.user_id
      WHERE m.customer_id = $1
     UNION ALL
     SELECT NULL, i.email, i.role, 'invited', i.created_at
       FROM isv.invitations i
      WHERE i.customer_id = $1 AND i.accepted_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM isv.memberships m JOIN isv.users u ON u.id = m.user_id
                         WHERE m.customer_id = $1 AND u.email = i.email)
      ORDER BY created_at, email`,
    [customerId],
  );
}

/** Records (or renews) an invitation; returns false when one is already pending for that email. */
export async function upsertInvitation(
  db: Db,
  inv: { customerId: string; email: string; role: MembershipRole; invitedBy: string },
): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO isv.invitations (customer_id, email, role, invited_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (customer_id, email) DO UPDATE SET role = EXCLUDED.role, invited_by = EXCLUDED.invited_by,
            created_at = now(), accepted_at = NULL
      WHERE isv.invitations.accepted_at IS NOT NULL OR isv.invitations.role <> EXCLUDED.role
     RETURNING id`,
    [inv.customerId, inv.email, inv.role, inv.invitedBy],
  );
  return rows.length > 0;
}
