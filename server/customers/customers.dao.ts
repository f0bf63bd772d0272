// SQL for isv.customers. Reads that depend on who is asking take the caller's user id and filter by membership
// here, so a route that forgets a check still cannot list another customer's rows.
import type { Db } from '../platform/db/db.ts';
import type { TwilioMode } from '../../shared/twilio-connection.ts';
import { one } from '../platform/db/db.ts';
import type { Address, BusinessType, Contact } from '../../shared/customers.ts';
import { UUID_PATTERN } from '../../shared/common.ts';

export type CustomerStatus = 'onboarding' | 'active' | 'suspended' | 'closed';

export interface CustomerRow {
  id: string;
  legal_name: string;
  display_name: string | null;
  business_type: BusinessType;
  ein: string | null;
  industry: string;
  website: string;
  regions_of_operation: string[];
  address: Address;
  contact: Contact;
  status: CustomerStatus;
  twilio_mode: TwilioMode;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  /** created_at at full (microsecond) precision as text, for keyset cursors. */
  cursor_at: string;
}

export interface CustomerWithRoleRow extends CustomerRow {
  my_role: 'owner' | 'member' | null;
}

const COLUMNS = `c.id, c.legal_name, c.display_name, c.business_type, c.ein, c.industry, c.website, c.regions_of_operation,
  c.address, c.contact, c.status, c.twilio_mode, c.created_by, c.created_at, c.updated_at, c.created_at::text AS cursor_at`;

export interface NewCustomer {
  legalName: string;
  displayName: string | null;
  businessType: BusinessType;
  ein: string | null;
  industry: string;
  website: string;
  regionsOfOperation: string[];
  address: Address;
  contact: Contact;
  createdBy: string;
  twilioMode: TwilioMode;
}

export async function insertCustomer(db: Db, c: NewCustomer): Promise<CustomerRow> {
  const rows = await db.query<CustomerRow>(
    `INSERT INTO isv.customers AS c (legal_name, display_name, business_type, ein, industry, website, regions_of_operation, address, contact, created_by, twilio_mode)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     RETURNING ${COLUMNS}`,
    [c.legalName, c.displayName, c.businessType, c.ein, c.industry, c.website, c.regionsOfOperation, JSON.stringify(c.address), JSON.stringify(c.contact), c.createdBy, c.twilioMode],
  );
  return rows[0]!;
}

export async function findCustomer(db: Db, id: string): Promise<CustomerRow | undefined> {
  return one(db.query<CustomerRow>(`SELECT ${COLUMNS} FROM isv.customers c WHERE c.id = $1`, [id]));
}

export async function findCustomerForUpdate(db: Db, id: string): Promise<CustomerRow | undefined> {
  return one(db.query<CustomerRow>(`SELECT ${COLUMNS} FROM isv.customers c WHERE c.id = $1 FOR UPDATE`, [id]));
}

export interface CustomerListFilter {
  /** null: every customer (staff); otherwise only those the user is a member of. */
  memberUserId: string | null;
  /** The caller, so each row carries the caller's membership role. */
  callerUserId: string;
  search?: string;
  after?: { at: string; id: string };
  limit: number;
}

/**
 * Newest first, keyset-paged on (created_at, id). Only the filters given are named: staff read customers_created_idx
 * straight down; a member's list starts from their memberships (an inner join), not from every customer.
 */
export async function listCustomers(db: Db, f: CustomerListFilter): Promise<CustomerWithRoleRow[]> {
  const params: unknown[] = [f.callerUserId];
  const where: string[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  if (f.search) {
    const pattern = param(`%${f.search.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
    // Each alternative reads customers_search_trgm_idx or the primary key, so the OR is a union of index reads.
    // The id alternative is left out when the search cannot be an id's text (it would match nothing).
    const id = UUID_PATTERN.test(f.search) ? ` OR c.id = ${param(f.search.toLowerCase())}::uuid` : '';
    where.push(`(c.legal_name ILIKE ${pattern} OR c.display_name ILIKE ${pattern} OR c.website ILIKE ${pattern}
             OR c.contact->>'email' ILIKE ${pattern}${id})`);
  }
  if (f.after) where.push(`(c.created_at, c.id) < (${param(f.after.at)}::timestamptz, ${param(f.after.id)}::uuid)`);
  return db.query<CustomerWithRoleRow>(
    `SELECT ${COLUMNS}, m.role AS my_role
       FROM isv.customers c
       ${f.memberUserId === null ? 'LEFT JOIN' : 'JOIN'} isv.memberships m ON m.customer_id = c.id AND m.user_id = $1
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY c.created_at DESC, c.id DESC
      LIMIT ${param(f.limit)}`,
    params,
  );
}

export interface CustomerChanges {
  legal_name?: string;
  display_name?: string | null;
  business_type?: BusinessType;
  ein?: string | null;
  industry?: string;
  website?: string;
  regions_of_operation?: string[];
  address?: Address;
  contact?: Contact;
}

/** Writes the given columns (only those present); returns the new row. */
export async function updateCustomer(db: Db, id: string, ch: CustomerChanges): Promise<CustomerRow | undefined> {
  return one(
    db.query<CustomerRow>(
      `UPDATE isv.customers AS c SET
          legal_name = CASE WHEN $2::boolean THEN $3 ELSE legal_name END,
          display_name = CASE WHEN $4::boolean THEN $5 ELSE display_name END,
          business_type = CASE WHEN $6::boolean THEN $7 ELSE business_type END,
          ein = CASE WHEN $8::boolean THEN $9 ELSE ein END,
          industry = CASE WHEN $10::boolean THEN $11 ELSE industry END,
          website = CASE WHEN $12::boolean THEN $13 ELSE website END,
          regions_of_operation = CASE WHEN $14::boolean THEN $15::text[] ELSE regions_of_operation END,
          address = CASE WHEN $16::boolean THEN $17::jsonb ELSE address END,
          contact = CASE WHEN $18::boolean THEN $19::jsonb ELSE contact END,
          updated_at = now()
        WHERE c.id = $1
        RETURNING ${COLUMNS}`,
      [
        id,
        'legal_name' in ch, ch.legal_name ?? null,
        'display_name' in ch, ch.display_name ?? null,
        'business_type' in ch, ch.business_type ?? null,
        'ein' in ch, ch.ein ?? null,
        'industry' in ch, ch.industry ?? null,
        'website' in ch, ch.website ?? null,
        'regions_of_operation' in ch, ch.regions_of_operation ?? null,
        'address' in ch, ch.address ? JSON.stringify(ch.address) : null,
        'contact' in ch, ch.contact ? JSON.stringify(ch.contact) : null,
      ],
    ),
  );
}

/**
 * Locks the creator's user row (so two concurrent creates are counted one after the other) and returns how
 * many open customers they created and their own ceiling (NULL: the setting's).
 */
export async function lockCustomerQuotaOf(db: Db, userId: string): Promise<{ created: number; max_customers: number | null }> {
  const rows = await db.query<{ max_customers: number | null }>(`SELECT max_customers FROM isv.users WHERE id = $1 FOR UPDATE`, [userId]);
  const count = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM isv.customers WHERE created_by = $1 AND status <> 'closed'`, [userId]);
  return { created: count[0]!.n, max_customers: rows[0]?.max_customers ?? null };
}

/** Sets one user's customer ceiling (NULL: back to the setting); false when there is no such user. */
export async function setMaxCustomersOf(db: Db, userId: string, max: number | null): Promise<{ email: string; before: number | null } | undefined> {
  const rows = await db.query<{ email: string; before: number | null }>(
    `UPDATE isv.users u SET max_customers = $2 FROM (SELECT id, max_customers AS before FROM isv.users WHERE id = $1 FOR UPDATE) old
      WHERE u.id = old.id RETURNING u.email, old.before`,
    [userId, max],
  );
  return rows[0];
}

/** Switches where the customer's Twilio account comes from (connect / disconnect of its own account). */
export async function setTwilioMode(db: Db, customerId: string, mode: TwilioMode): Promise<void> {
  await db.query(`UPDATE isv.customers SET twilio_mode = $2, updated_at = now() WHERE id = $1`, [customerId, mode]);
}
