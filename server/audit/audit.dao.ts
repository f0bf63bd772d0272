// The append-only audit log: every admin and operator action and every change of customer data.
import type { Db } from '../platform/db/db.ts';
import type { Principal } from '../platform/auth/principal.ts';

export interface AuditEntry {
  actor: Pick<Principal, 'userId' | 'email'> | null;
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
  action: string;
  target_type: string;
  target_id: string;
  customer_id: string | null;
  before: unknown;
  after: unknown;
}

export async function appendAudit(db: Db, e: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO isv.audit_log (actor_id, actor_email, action, target_type, target_id, customer_id, before, after)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      e.actor?.userId ?? null,
      e.actor?.email ?? null,
      e.action,
      e.targetType,
      e.targetId,
      e.customerId ?? null,
      e.before === undefined ? null : JSON.stringify(e.before),
      e.after === undefined ? null : JSON.stringify(e.after),
    ],
  );
}
