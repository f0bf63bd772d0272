// Customers and their members: create (the creator becomes owner and the subaccount flow starts, in one
// transaction; at most ISV_MAX_CUSTOMERS_PER_USER per verified user), list, read, fix data (resuming whatever
// waited on it), and a team made by consent: invitations wait until the invitee, signed in with that verified
// address, accepts. Every read and write of one customer goes through assertCustomerAccess, so non-members
// get 404 whatever the route does.
import { registrationNumberProblem } from '../../shared/registration-ids.ts';
import type { Db } from '../platform/db/db.ts';
import { AppError, forbidden, notFound } from '../platform/errors.ts';
import { assertEmailVerified, isStaff, type Principal } from '../platform/auth/principal.ts';
import { appendAudit, staffRoleOf } from '../audit/audit.dao.ts';
import { UUID_PATTERN, type Page } from '../../shared/common.ts';
import type { CreateCustomer, Customer, Member, MyInvitation, UpdateCustomer } from '../../shared/customers.ts';
import { soleProprietorProblem } from '../../shared/customers.ts';
import { assertCustomerAccess, type CustomerRole } from './customer-access.ts';
import {
  findCustomer,
  findCustomerForUpdate,
  insertCustomer,
  listCustomers,
  lockCustomerQuotaOf,
  setMaxCustomersOf,
  updateCustomer,
  type CustomerChanges,
  type CustomerRow,
} from './customers.dao.ts';
import {
  deleteInvitation,
  deleteMembership,
  findPendingInvitationForUpdate,
  insertMembership,
  isMemberByEmail,
  listMembersOfCustomer,
  listPendingInvitationsFor,
  lockMemberships,
  markInvitationAccepted,
  upsertInvitation,
  type InvitationRow,
  type MemberRow,
  type MembershipRole,
} from './memberships.dao.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

/** What the onboarding engine lets this feature trigger; both run inside the caller's transaction. */
export interface CustomerOnboardingHooks {
  /** Starts the customer's subaccount flow (called once, right after the customer row is inserted). */
  startSubaccountFlow(tx: Db, customerId: string): Promise<unknown>;
  /** Wakes flows parked on a customer fix (called after a PATCH changed data). */
  resumeAfterCustomerUpdate(tx: Db, customerId: string, changedFields: string[]): Promise<unknown>;
}

/** Emails an invitation (the account mailer in embedded mode, Supabase Auth's invite in Supabase mode). */
export type InviteSender = (invite: { email: string; customerName: string; invitedBy: string }) => Promise<void>;

export interface CustomersServiceDeps {
  db: Db;
  /** The onboarding engine's entry points; features.ts wires them (a service built without them only stores data). */
  onboarding?: CustomerOnboardingHooks;
  sendInvite?: InviteSender;
  /** ISV_MAX_CUSTOMERS_PER_USER: customers one user may create (staff are exempt; staff may set it per user). */
  maxCustomersPerUser?: number;
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
    twilioMode: row.twilio_mode,
    myRole,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function toMember(m: MemberRow): Member {
  return { userId: m.user_id, email: m.email, role: m.role, status: m.status, invitationId: m.invitation_id, since: m.created_at.toISOString() };
}

function toMyInvitation(i: InvitationRow): MyInvitation {
  return { id: i.id, customerId: i.customer_id, customerName: i.customer_name, role: i.role, invitedBy: i.invited_by_email, createdAt: i.created_at.toISOString() };
}

const invitationNotFound = () => notFound('Invitation');

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
      assertEmailVerified(principal, 'create a customer');
      const row = await db.tx(async (tx) => {
        // Each customer is a new Twilio subaccount: one account must not be able to exhaust the master's quota.
        if (!isStaff(principal)) {
          const quota = await lockCustomerQuotaOf(tx, principal.userId);
          const max = quota.max_customers ?? deps.maxCustomersPerUser ?? Infinity;
          if (quota.created >= max) {
            throw new AppError(403, 'customer_limit_reached', `You have reached the limit of ${max} customer${max === 1 ? '' : 's'} per account; ask the platform team to raise it`);
          }
        }
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
          twilioMode: input.twilioMode,
        });
        await insertMembership(tx, { userId: principal.userId, customerId: c.id, role: 'owner' });
        await appendAudit(tx, { actor: principal, action: 'customer.created', targetType: 'customer', targetId: c.id, customerId: c.id, after: auditSummary(c) });
        // A customer bringing its own Twilio account gets no platform subaccount (PUT …/twilio-connection).
        if (input.twilioMode === 'subaccount') await deps.onboarding?.startSubaccountFlow(tx, c.id);
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
        // The number's format follows the business's country (it may change in this patch, or not be in it).
        const country = patch.address?.country ?? before.address.country;
        const sole = soleProprietorProblem(merged.businessType, merged.ein, country);
        if (sole) throw new AppError(422, 'validation_failed', 'The request body is invalid', [sole]);
        const problem = merged.ein ? registrationNumberProblem(country, merged.ein) : undefined;
        if (problem) throw new AppError(422, 'validation_failed', 'The request body is invalid', [{ path: 'ein', message: problem }]);
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
          actorRole: role === 'staff' ? staffRoleOf(principal) : null,
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
    ): Promise<{ member: Member; delivery: 'invitation_recorded' | 'invitation_emailed' }> {
      await assertOwner(principal, customerId, 'invite members');
      const invitation = await db.tx(async (tx) => {
        if (await isMemberByEmail(tx, customerId, input.email)) throw new AppError(409, 'already_member', 'This person is already a member of this customer');
        const invitationId = await upsertInvitation(tx, { customerId, email: input.email, role: input.role, invitedBy: principal.userId });
        if (!invitationId) throw new AppError(409, 'already_invited', 'This email has already been invited; resend or revoke that invitation');
        await appendAudit(tx, { actor: principal, action: 'invitation.created', targetType: 'invitation', targetId: invitationId, customerId, after: { email: input.email, role: input.role } });
        return (await lockPendingInvitation(tx, invitationId))!;
      });
      const member: Member = { userId: null, email: invitation.email, role: invitation.role, status: 'invited', invitationId: invitation.id, since: invitation.created_at.toISOString() };
      // The email goes out after the commit: a failed send leaves a valid invitation the owner can resend.
      if (!deps.sendInvite) return { member, delivery: 'invitation_recorded' };
      await deps.sendInvite({ email: input.email, customerName: invitation.customer_name, invitedBy: principal.email });
      return { member, delivery: 'invitation_emailed' };
    },

    async resendInvitation(principal: Principal, customerId: string, invitationId: string): Promise<void> {
      await assertOwner(principal, customerId, 'resend invitations');
      const invitation = await db.tx(async (tx) => {
        const inv = await pendingInvitationOf(tx, customerId, invitationId);
        await appendAudit(tx, { actor: principal, action: 'invitation.resent', targetType: 'invitation', targetId: inv.id, customerId, after: { email: inv.email } });
        return inv;
      });
      if (!deps.sendInvite) throw new AppError(409, 'email_not_configured', 'This server cannot send email; tell the invitee to sign in and open Invitations');
      await deps.sendInvite({ email: invitation.email, customerName: invitation.customer_name, invitedBy: principal.email });
    },

    async revokeInvitation(principal: Principal, customerId: string, invitationId: string): Promise<void> {
      await assertOwner(principal, customerId, 'revoke invitations');
      await db.tx(async (tx) => {
        const inv = await pendingInvitationOf(tx, customerId, invitationId);
        await deleteInvitation(tx, inv.id);
        await appendAudit(tx, { actor: principal, action: 'invitation.revoked', targetType: 'invitation', targetId: inv.id, customerId, before: { email: inv.email, role: inv.role } });
      });
    },

    /** Removes a member (owners; anyone may leave), never the last owner. */
    async removeMember(principal: Principal, customerId: string, memberUserId: string): Promise<void> {
      const userId = memberUserId.toLowerCase();
      const role = await assertCustomerAccess(db, principal, customerId);
      if (userId !== principal.userId && role !== 'owner') throw forbidden('Only an owner of this customer can remove members');
      await db.tx(async (tx) => {
        const members = await lockMemberships(tx, customerId);
        const target = members.find((m) => m.user_id === userId);
        if (!target) throw notFound('Member');
        if (target.role === 'owner' && members.filter((m) => m.role === 'owner').length === 1) {
          throw new AppError(409, 'last_owner', 'A customer needs at least one owner: make someone else an owner first');
        }
        await deleteMembership(tx, customerId, userId);
        await appendAudit(tx, { actor: principal, action: 'member.removed', targetType: 'membership', targetId: `${customerId}:${userId}`, customerId, before: { email: target.email, role: target.role } });
      });
    },

    /** Invitations waiting for the caller; none until the caller's address is verified. */
    async myInvitations(principal: Principal): Promise<{ items: MyInvitation[] }> {
      if (!principal.emailVerified) return { items: [] };
      return { items: (await listPendingInvitationsFor(db, principal.email)).map(toMyInvitation) };
    },

    /** The invitee's consent: only while signed in with the invited, verified address. */
    async acceptInvitation(principal: Principal, invitationId: string): Promise<{ customerId: string; role: MembershipRole }> {
      assertEmailVerified(principal, 'accept an invitation');
      return db.tx(async (tx) => {
        const inv = await invitationFor(tx, principal, invitationId);
        await markInvitationAccepted(tx, inv.id);
        await insertMembership(tx, { userId: principal.userId, customerId: inv.customer_id, role: inv.role });
        await appendAudit(tx, { actor: principal, action: 'invitation.accepted', targetType: 'invitation', targetId: inv.id, customerId: inv.customer_id, after: { email: inv.email, role: inv.role } });
        return { customerId: inv.customer_id, role: inv.role };
      });
    },

    async declineInvitation(principal: Principal, invitationId: string): Promise<void> {
      await db.tx(async (tx) => {
        const inv = await invitationFor(tx, principal, invitationId);
        await deleteInvitation(tx, inv.id);
        await appendAudit(tx, { actor: principal, action: 'invitation.declined', targetType: 'invitation', targetId: inv.id, customerId: inv.customer_id, before: { email: inv.email, role: inv.role } });
      });
    },

    /** Admins (the route requires the role): one user's own customer ceiling (null: back to ISV_MAX_CUSTOMERS_PER_USER). */
    async setCustomerLimit(principal: Principal, userId: string, maxCustomers: number | null): Promise<{ userId: string; maxCustomers: number }> {
      if (!UUID_PATTERN.test(userId)) throw notFound('User');
      return db.tx(async (tx) => {
        const changed = await setMaxCustomersOf(tx, userId.toLowerCase(), maxCustomers);
        if (!changed) throw notFound('User');
        await appendAudit(tx, { actor: principal, actorRole: 'admin', action: 'user.customer_limit_set', targetType: 'user', targetId: userId.toLowerCase(), before: { maxCustomers: changed.before }, after: { maxCustomers } });
        return { userId: userId.toLowerCase(), maxCustomers: maxCustomers ?? deps.maxCustomersPerUser ?? 0 };
      });
    },
  };

  async function assertOwner(principal: Principal, customerId: string, what: string): Promise<void> {
    if ((await assertCustomerAccess(db, principal, customerId)) !== 'owner') throw forbidden(`Only an owner of this customer can ${what}`);
  }

  /** A pending invitation by id (any case), locked; undefined for anything else. */
  async function lockPendingInvitation(tx: Db, invitationId: string): Promise<InvitationRow | undefined> {
    return UUID_PATTERN.test(invitationId) ? findPendingInvitationForUpdate(tx, invitationId.toLowerCase()) : undefined;
  }

  async function pendingInvitationOf(tx: Db, customerId: string, invitationId: string): Promise<InvitationRow> {
    const inv = await lockPendingInvitation(tx, invitationId);
    if (!inv || inv.customer_id !== customerId.toLowerCase()) throw invitationNotFound();
    return inv;
  }

  /** The caller's own pending invitation; anyone else's is 404, so invitation ids reveal nothing. */
  async function invitationFor(tx: Db, principal: Principal, invitationId: string): Promise<InvitationRow> {
    const inv = await lockPendingInvitation(tx, invitationId);
    if (!inv || !principal.emailVerified || inv.email !== principal.email) throw invitationNotFound();
    return inv;
  }
}
