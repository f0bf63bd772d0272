// The one gate for customer-scoped data: members of the customer, and staff (admins, operators), may see it.
// Everyone else gets 404, so the existence of another customer's resources never leaks.
import type { Db } from '../platform/db/db.ts';
import { notFound } from '../platform/errors.ts';
import { isStaff, type Principal } from '../platform/auth/principal.ts';
import { UUID_PATTERN } from '../../shared/common.ts';

export type CustomerRole = 'owner' | 'member' | 'staff';

/** Returns the caller's relation to the customer, or throws 404 when the caller may not see it. */
export async function assertCustomerAccess(db: Db, principal: Principal, customerId: string): Promise<CustomerRole> {
  if (!UUID_PATTERN.test(customerId)) throw notFound('Customer');
  const rows = await db.query<{ role: 'owner' | 'member' | null }>(
    `SELECT m.role FROM isv.customers c
       LEFT JOIN isv.memberships m ON m.customer_id = c.id AND m.user_id = $2
      WHERE c.id = $1`,
    [customerId, principal.userId],
  );
  const row = rows[0];
  if (!row) throw notFound('Customer');
  if (row.role) return row.role;
  if (isStaff(principal)) return 'staff';
  throw notFound('Customer');
}
