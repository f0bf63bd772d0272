// The append-only audit log: every admin and operator action and every change of customer data.
import type { Db } from '../platform/db/db.ts';
import type { Principal } from '../platform/auth/principal.ts';

export interface AuditEntry {
  actor: Pick<Principal, 'userId' | 'email'> | null;
  /** The platform role a staff member used to act on a tenant's behalf (`admin`, `operator`). */
  actorRole?: string | null;
  action: string;
  targetType: string;
  targetId: string;
  customerId?: string | null;
  before?: unknown;
  after?: unknown;
}

export interface AuditRow {
  id: string;
  at: Date;
  actor_id: string | null;
  actor_email: string | null;
  actor_role: string | null;
  action: string;
  target_type: string;
  target_id: string;
  customer_id: string | null;
  before: unknown;
  after: unknown;
}

/** The role a staff member acts with on a tenant: admin when they hold it, else operator. */
export function staffRoleOf(p: Pick<Principal, 'roles'>): string | null {
  return p.roles.includes('admin') ? 'admin' : p.roles.includes('operator') ? 'operator' : null;
}

export async function appendAudit(db: Db, e: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO isv.audit_log (actor_id, actor_email, actor_role, action, target_type, target_id, customer_id, before, after)
     VALUES ($1, $2, $9, $3, $4, $5, $6, $7, $8)`,
    [
      e.actor?.userId ?? null,
      e.actor?.email ?? null,
      e.action,
      e.targetType,
      e.targetId,
      e.customerId ?? null,
      e.before === undefined ? null : JSON.stringify(e.before),
      e.after === undefined ? null : JSON.stringify(e.after),
      e.actorRole ?? null,
    ],
  );
}

export interface AuditFilter {
  actorId?: string;
  actorEmail?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  customerId?: string;
  since?: Date;
  until?: Date;
  /** Keyset position: the last row of the previous page (at as full-precision text). */
  after?: { at: string; id: string };
  limit: number;
}

export interface AuditListRow extends AuditRow {
  /** `at` at full (microsecond) precision as text, for keyset cursors. */
  cursor_at: string;
}

/**
 * Newest first; `action` matches exactly or, when it ends with '.*', by prefix. Only the filters given are named,
 * so each combination is planned on its own and ranges over its index (actor, action, target, customer or time).
 */
export async function listAuditLog(db: Db, f: AuditFilter): Promise<AuditListRow[]> {
  const params: unknown[] = [];
  const where: string[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  if (f.actorId !== undefined) where.push(`actor_id = ${param(f.actorId)}::uuid`);
  if (f.actorEmail !== undefined) where.push(`actor_email = ${param(f.actorEmail)}`);
  if (f.action?.endsWith('.*')) where.push(`action LIKE ${param(`${f.action.slice(0, -1).replace(/[\\%_]/g, (m) => `\\${m}`)}%`)}`);
  else if (f.action !== undefined) where.push(`action = ${param(f.action)}`);
  if (f.targetType !== undefined) where.push(`target_type = ${param(f.targetType)}`);
  if (f.targetId !== undefined) where.push(`target_id = ${param(f.targetId)}`);
  if (f.customerId !== undefined) where.push(`customer_id = ${param(f.customerId)}::uuid`);
  if (f.since !== undefined) where.push(`at >= ${param(f.since)}::timestamptz`);
  if (f.until !== undefined) where.push(`at < ${param(f.until)}::timestamptz`);
  if (f.after) where.push(`(at, id) < (${param(f.after.at)}::timestamptz, ${param(f.after.id)}::uuid)`);
  return db.query<AuditListRow>(
    `SELECT id, at, actor_id, actor_email, actor_role, action, target_type, target_id, customer_id, before, after, at::text AS cursor_at
       FROM isv.audit_log
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY at DESC, id DESC
      LIMIT ${param(f.limit)}`,
    params,
  );
}
