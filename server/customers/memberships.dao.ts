// Memberships (user → customer, owner | member) and invitations by email, which wait for the invitee's consent.
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
  invitation_id: string | null;
  created_at: Date;
}

/** Members and still-pending invitations of one customer. */
export async function listMembersOfCustomer(db: Db, customerId: string): Promise<MemberRow[]> {
  return db.query<MemberRow>(
    `SELECT m.user_id, u.email, m.role, 'active' AS status, NULL::uuid AS invitation_id, m.created_at
       FROM isv.memberships m JOIN isv.users u ON u.id = m.user_id
      WHERE m.customer_id = $1
     UNION ALL
     SELECT NULL, i.email, i.role, 'invited', i.id, i.created_at
       FROM isv.invitations i
      WHERE i.customer_id = $1 AND i.accepted_at IS NULL
      ORDER BY created_at, email`,
    [customerId],
  );
}

/** Whether someone with this email is already a member of the customer. */
export async function isMemberByEmail(db: Db, customerId: string, email: string): Promise<boolean> {
  const rows = await db.query(
    `SELECT 1 FROM isv.memberships m JOIN isv.users u ON u.id = m.user_id WHERE m.customer_id = $1 AND u.email = $2`,
    [customerId, email],
  );
  return rows.length > 0;
}

/** Records (or renews an accepted, since-removed) invitation; undefined when one is already pending. */
export async function upsertInvitation(
  db: Db,
  inv: { customerId: string; email: string; role: MembershipRole; invitedBy: string },
): Promise<string | undefined> {
  const rows = await db.query<{ id: string }>(
    `INSERT INTO isv.invitations (customer_id, email, role, invited_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (customer_id, email) DO UPDATE SET role = EXCLUDED.role, invited_by = EXCLUDED.invited_by,
            created_at = now(), accepted_at = NULL
      WHERE isv.invitations.accepted_at IS NOT NULL
     RETURNING id`,
    [inv.customerId, inv.email, inv.role, inv.invitedBy],
  );
  return rows[0]?.id;
}

export interface InvitationRow {
  id: string;
  customer_id: string;
  customer_name: string;
  email: string;
  role: MembershipRole;
  invited_by_email: string | null;
  created_at: Date;
}

const INVITATION = `SELECT i.id, i.customer_id, COALESCE(c.display_name, c.legal_name) AS customer_name, i.email, i.role,
            inviter.email AS invited_by_email, i.created_at
       FROM isv.invitations i JOIN isv.customers c ON c.id = i.customer_id
       LEFT JOIN isv.users inviter ON inviter.id = i.invited_by`;

/** Pending invitations addressed to an email, oldest first. */
export async function listPendingInvitationsFor(db: Db, email: string): Promise<InvitationRow[]> {
  return db.query<InvitationRow>(`${INVITATION} WHERE i.email = $1 AND i.accepted_at IS NULL ORDER BY i.created_at, i.id`, [email]);
}

/** One pending invitation, locked (for accept, decline, revoke, resend). */
export async function findPendingInvitationForUpdate(db: Db, id: string): Promise<InvitationRow | undefined> {
  const rows = await db.query<InvitationRow>(`${INVITATION} WHERE i.id = $1 AND i.accepted_at IS NULL FOR UPDATE OF i`, [id]);
  return rows[0];
}

export async function markInvitationAccepted(db: Db, id: string): Promise<void> {
  await db.query(`UPDATE isv.invitations SET accepted_at = now() WHERE id = $1`, [id]);
}

export async function deleteInvitation(db: Db, id: string): Promise<void> {
  await db.query(`DELETE FROM isv.invitations WHERE id = $1`, [id]);
}

/** The customer's memberships, locked: removing one is decided against all of them (the last owner stays). */
export async function lockMemberships(db: Db, customerId: string): Promise<{ user_id: string; email: string; role: MembershipRole }[]> {
  return db.query(
    `SELECT m.user_id, u.email, m.role FROM isv.memberships m JOIN isv.users u ON u.id = m.user_id
      WHERE m.customer_id = $1 ORDER BY m.user_id FOR UPDATE OF m`,
    [customerId],
  );
}

export async function deleteMembership(db: Db, customerId: string, userId: string): Promise<void> {
  await db.query(`DELETE FROM isv.memberships WHERE customer_id = $1 AND user_id = $2`, [customerId, userId]);
}
