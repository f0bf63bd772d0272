// Customers and their members: create (the creator becomes owner and the subaccount flow starts, in one
// transaction), list, read, fix data (resuming whatever waited on it), invite members. Every read and write
// of one customer goes through assertCustomerAccess, so non-members get 404 whatever the route does.
import type { Db } from '../platform/db/db.ts';
import { AppError, forbidden, notFound } from '../platform/errors.ts';
import { isStaff, type Principal } from '../platform/auth/principal.ts';
import { appendAudit } from '../audit/audit.dao.ts';
import { findUserByEmail } from '../auth/users.dao.ts';
import type { Page } from '../../shared/common.ts';
import type { CreateCustomer, Customer, Member, UpdateCustomer } from '../../shared/customers.ts';
import { assertCustomerAccess, type CustomerRole } from './customer-access.ts';
import { findCustomer, findCustomerForUpdate, insertCustomer, listCustomers, updateCustomer, type CustomerChanges, type CustomerRow } from './customers.dao.ts';
import { insertMembership, listMembersOfCustomer, upsertInvitation, type MemberRow, type MembershipRole } from './memberships.dao.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

/** What the onboarding engine lets this feature trigger; both run inside the caller's transaction. */
export interface CustomerOnboardingHooks {
  /** Starts the customer's subaccount flow (called once, right after the customer row is inserted). */
  startSubaccountFlow(tx: Db, customerId: string): Promise<unknown>;
  /** Wakes flows parked on a customer fix (called after a PATCH changed data). */
  resumeAfterCustomerUpdate(tx: Db, customerId: string, changedFields: string[]): Promise<unknown>;
}

/** Sends the invitation email in Supabase mode; absent in embedded mode (the invitee signs up). */
export type InviteSender = (email: string) => Promise<void>;

export interface CustomersServiceDeps {
  db: Db;
  /** The onboarding engine's entry points; features.ts wires them (a service built without them only stores data). */
  onboarding?: CustomerOnboardingHooks;
  sendInvite?: InviteSender;
}

export function toCustomer(row: CustomerRow, myRole: CustomerRole): Customer {
  return {
    id: row.id,
    legalName: row.legal_name,
    displayName: row.display_name,
    businessType: row.business_type,
    ein: row.ein,
    industry: row.industry,
    website: row.website,
    regionsOfOperation: row.regions_of_operation,
    address: row.address,
    contact: row.contact,
    status: row.status,
    myRole,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function toMember(m: MemberRow): Member {
  return { userId: m.user_id, email: m.email, role: m.role, status: m.status, since: m.created_at.toISOString() };
}

/** The audit summary of a customer: the data a customer can change, without ids, status or timestamps. */
function auditSummary(row: CustomerRow) {
  const { id: _id, status: _status, myRole: _role, createdAt: _c, updatedAt: _u, ...data } = toCustomer(row, 'staff');
  return data;
}

const PATCH_COLUMNS = {
  legalName: 'legal_name',
  displayName: 'display_name',
  businessType: 'business_type',
  ein: 'ein',
  industry: 'industry',
  website: 'website',
  regionsOfOperation: 'regions_of_operation',
  address: 'address',
  contact: 'contact',
} as const satisfies Record<keyof UpdateCustomer, keyof CustomerChanges>;

/** JSON with object keys sorted: jsonb hands objects back in its own key order. */
function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  );
}

export type CustomersService = ReturnType<typeof createCustomersService>;

export function createCustomersService(deps: CustomersServiceDeps) {
  const { db } = deps;

  return {
    async create(principal: Principal, input: CreateCustomer): Promise<Customer> {
      const row = await db.tx(async (tx) => {
        const c = await insertCustomer(tx, {
          legalName: input.legalName,
          displayName: input.displayName ?? null,
          businessType: input.businessType,
          ein: input.ein ?? null,
          industry: input.industry,
          website: input.website,
          regionsOfOperation: input.regionsOfOperation,
          address: input.address,
          contact: input.contact,
          createdBy: principal.userId,
        });
        await insertMembership(tx, { userId: principal.userId, customerId: c.id, role: 'owner' });
        await appendAudit(tx, { actor: principal, action: 'customer.created', targetType: 'customer', targetId: c.id, customerId: c.id, after: auditSummary(c) });
        await deps.onboarding?.startSubaccountFlow(tx, c.id);
        return c;
      });
      return toCustomer(row, 'owner');
    },

    async list(principal: Principal, q: { q?: string; cursor?: string; limit: number }): Promise<Page<Customer>> {
      const staff = isStaff(principal);
      const rows = await listCustomers(db, {
        memberUserId: staff ? null : principal.userId,
        callerUserId: principal.userId,
        search: q.q || undefined,
        after: q.cursor ? decodeCursor(q.cursor) : undefined,
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const last = page.at(-1);
      return {
        items: page.map((r) => toCustomer(r, r.my_role ?? 'staff')),
        nextCursor: rows.length > q.limit && last ? encodeCursor({ at: last.cursor_at, id: last.id }) : null,
      };
    },

    async get(principal: Principal, id: string): Promise<Customer> {
      const role = await assertCustomerAccess(db, principal, id);
      const row = await findCustomer(db, id);
      if (!row) throw notFound('Customer');
      return toCustomer(row, role);
    },

    async update(principal: Principal, id: string, patch: UpdateCustomer): Promise<Customer> {
      return db.tx(async (tx) => {
        const role = await assertCustomerAccess(tx, principal, id);
        const before = await findCustomerForUpdate(tx, id);
        if (!before) throw notFound('Customer');
        if (before.status === 'closed') throw new AppError(409, 'customer_closed', 'This customer is closed and can no longer be changed');
        const merged = { businessType: patch.businessType ?? before.business_type, ein: patch.ein === undefined ? before.ein : patch.ein };
        if (merged.businessType !== 'sole_proprietor' && !merged.ein) {
          throw new AppError(422, 'validation_failed', 'The request body is invalid', [{ path: 'ein', message: 'is required unless the business is a sole proprietor' }]);
        }
        const changes: CustomerChanges = {};
        const changed: string[] = [];
        for (const [field, column] of Object.entries(PATCH_COLUMNS) as [keyof UpdateCustomer, keyof CustomerChanges][]) {
          if (patch[field] === undefined) continue;
          if (stableJson(patch[field]) === stableJson(before[column])) continue;
          (changes as Record<string, unknown>)[column] = patch[field];
          changed.push(field);
        }
        if (changed.length === 0) return toCustomer(before, role);
        const after = await updateCustomer(tx, id, changes);
        if (!after) throw notFound('Customer');
        const b = auditSummary(before) as Record<string, unknown>;
        const a = auditSummary(after) as Record<string, unknown>;
        await appendAudit(tx, {
          actor: principal,
          action: 'customer.updated',
          targetType: 'customer',
          targetId: id,
          customerId: id,
          before: Object.fromEntries(changed.map((f) => [f, b[f]])),
          after: Object.fromEntries(changed.map((f) => [f, a[f]])),
        });
        await deps.onboarding?.resumeAfterCustomerUpdate(tx, id, changed);
        return toCustomer(after, role);
      });
    },

    async listMembers(principal: Principal, customerId: string): Promise<{ items: Member[] }> {
      await assertCustomerAccess(db, principal, customerId);
      return { items: (await listMembersOfCustomer(db, customerId)).map(toMember) };
    },

    async invite(
      principal: Principal,
      customerId: string,
      input: { email: string; role: MembershipRole },
    ): Promise<{ member: Member; delivery: 'membership_created' | 'invitation_recorded' | 'invitation_emailed' }> {
      const role = await assertCustomerAccess(db, principal, customerId);
      if (role !== 'owner') throw forbidden('Only an owner of this customer can invite members');
      const existing = await findUserByEmail(db, input.email);
      const result = await db.tx(async (tx) => {
        if (existing) {
          if (!(await insertMembership(tx, { userId: existing.id, customerId, role: input.role }))) {
            throw new AppError(409, 'already_member', 'This person is already a member of this customer');
          }
        } else if (!(await upsertInvitation(tx, { customerId, email: input.email, role: input.role, invitedBy: principal.userId }))) {
          throw new AppError(409, 'already_invited', 'This email has already been invited');
        }
        await appendAudit(tx, {
          actor: principal,
          action: existing ? 'member.added' : 'member.invited',
          targetType: 'membership',
          targetId: `${customerId}:${input.email}`,
          customerId,
          after: { email: input.email, role: input.role },
        });
        const members = await listMembersOfCustomer(tx, customerId);
        return members.find((m) => m.email === input.email)!;
      });
      // The email goes out after the commit: a failed send leaves a valid invitation the owner can resend.
      if (!existing && deps.sendInvite) {
        await deps.sendInvite(input.email);
        return { member: toMember(result), delivery: 'invitation_emailed' };
      }
      return { member: toMember(result), delivery: existing ? 'membership_created' : 'invitation_recorded' };
    },
  };
}
