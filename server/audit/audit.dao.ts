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

/** Newest first; `action` matches exactly or, when it ends with '.*', by prefix. */
export async function listAuditLog(db: Db, f: AuditFilter): Promise<AuditListRow[]> {
  const actionPrefix = f.action?.endsWith('.*') ? `${f.action.slice(0, -1).replace(/[\\%_]/g, (m) => `\\${m}`)}%` : null;
  return db.query<AuditListRow>(
    `SELECT id, at, actor_id, actor_email, actor_role, action, target_type, target_id, customer_id, before, after, at::text AS cursor_at
       FROM isv.audit_log
      WHERE ($1::uuid IS NULL OR actor_id = $1)
        AND ($2::text IS NULL OR actor_email = $2)
        AND ($3::text IS NULL OR action = $3)
        AND ($4::text IS NULL OR action LIKE $4)
        AND ($5::text IS NULL OR target_type = $5)
        AND ($6::text IS NULL OR target_id = $6)
        AND ($7::uuid IS NULL OR customer_id = $7)
        AND ($8::timestamptz IS NULL OR at >= $8)
        AND ($9::timestamptz IS NULL OR at < $9)
        AND ($10::timestamptz IS NULL OR (at, id) < ($10::timestamptz, $11::uuid))
      ORDER BY at DESC, id DESC
      LIMIT $12`,
    [
      f.actorId ?? null,
      f.actorEmail ?? null,
      actionPrefix ? null : (f.action ?? null),
      actionPrefix,
      f.targetType ?? null,
      f.targetId ?? null,
      f.customerId ?? null,
      f.since ?? null,
      f.until ?? null,
      f.after?.at ?? null,
      f.after?.id ?? null,
      f.limit,
    ],
  );
}
