// Operator reads: every recorded subaccount with the customer it belongs to.
import type { Db } from '../platform/db/db.ts';
import type { SubaccountStatus } from '../subaccounts/subaccounts.dao.ts';

export interface SubaccountWithCustomerRow {
  account_sid: string;
  friendly_name: string;
  status: SubaccountStatus;
  customer_id: string;
  customer_name: string;
  closed_at: Date | null;
}

export async function listSubaccountsWithCustomers(db: Db): Promise<SubaccountWithCustomerRow[]> {
  return db.query<SubaccountWithCustomerRow>(
    `SELECT s.account_sid, s.friendly_name, s.status, s.customer_id, COALESCE(c.display_name, c.legal_name) AS customer_name, s.closed_at
       FROM isv.twilio_subaccounts s JOIN isv.customers c ON c.id = s.customer_id
      WHERE s.kind = 'subaccount'
      ORDER BY s.created_at, s.account_sid`,
  );
}

/** Names of the given customers (for `isv:<customer id>` accounts that have no subaccount row). */
export async function findCustomerNames(db: Db, ids: readonly string[]): Promise<{ id: string; name: string }[]> {
  if (ids.length === 0) return [];
  return db.query<{ id: string; name: string }>(
    `SELECT id, COALESCE(display_name, legal_name) AS name FROM isv.customers WHERE id = ANY($1::uuid[])`,
    [ids],
  );
}
