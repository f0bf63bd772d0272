// SQL for isv.templates: versioned WhatsApp templates, their admin review and their Content SID / approval status.
import type { Db } from '../platform/db/db.ts';
import { one } from '../platform/db/db.ts';

export type TemplateStatus =
  | 'awaiting_approval'
  | 'rejected_by_admin'
  | 'approved'
  | 'submitted'
  | 'twilio_approved'
  | 'twilio_rejected'
  | 'superseded';

export interface TemplateRow {
  id: string;
  customer_id: string;
  name: string;
  version: number;
  language: string;
  category: 'UTILITY' | 'MARKETING' | 'AUTHENTICATION';
  body: string;
  variables: Record<string, string>;
  rejected_data: Record<string, unknown> | null;
  status: TemplateStatus;
  rejection_reason: string | null;
  content_sid: string | null;
  reviewed_by: string | null;
  reviewed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface NewTemplate {
  customerId: string;
  name: string;
  version: number;
  language: string;
  category: string;
  body: string;
  variables: Record<string, string>;
  rejectedData: Record<string, unknown> | null;
  rejectionReason: string | null;
}

/** Returns undefined when that name/version exists already (unique per customer). */
export async function insertTemplate(db: Db, t: NewTemplate): Promise<TemplateRow | undefined> {
  return one(
    db.query<TemplateRow>(
      `INSERT INTO isv.templates (customer_id, name, version, language, category, body, variables, rejected_data, rejection_reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9)
       ON CONFLICT (customer_id, name, version) DO NOTHING RETURNING *`,
      [t.customerId, t.name, t.version, t.language, t.category, t.body, JSON.stringify(t.variables),
        t.rejectedData === null ? null : JSON.stringify(t.rejectedData), t.rejectionReason],
    ),
  );
}

export async function findTemplate(db: Db, id: string): Promise<TemplateRow | undefined> {
  return one(db.query<TemplateRow>(`SELECT * FROM isv.templates WHERE id = $1`, [id]));
}

export async function findTemplateForUpdate(db: Db, id: string): Promise<TemplateRow | undefined> {
  return one(db.query<TemplateRow>(`SELECT * FROM isv.templates WHERE id = $1 FOR UPDATE`, [id]));
}

export async function findLatestTemplateVersion(db: Db, customerId: string, name: string): Promise<TemplateRow | undefined> {
  return one(
    db.query<TemplateRow>(`SELECT * FROM isv.templates WHERE customer_id = $1 AND name = $2 ORDER BY version DESC LIMIT 1`, [customerId, name]),
  );
}

export async function listTemplatesByCustomer(db: Db, customerId: string): Promise<TemplateRow[]> {
  return db.query<TemplateRow>(`SELECT * FROM isv.templates WHERE customer_id = $1 ORDER BY name, version DESC`, [customerId]);
}

/** GUARD: only a template still awaiting approval can be decided; zero rows → someone decided first. */
export async function decideTemplate(
  db: Db,
  id: string,
  d: { status: 'approved' | 'rejected_by_admin'; reason: string | null; reviewerId: string | null },
): Promise<TemplateRow | undefined> {
  return one(
    db.query<TemplateRow>(
      `UPDATE isv.templates
          SET status = $2, rejection_reason = $3, reviewed_by = $4, reviewed_at = now(), updated_at = now()
        WHERE id = $1 AND status = 'awaiting_approval' RETURNING *`,
      [id, d.status, d.reason, d.reviewerId],
    ),
  );
}

export async function supersedeTemplate(db: Db, id: string): Promise<void> {
  await db.query(`UPDATE isv.templates SET status = 'superseded', updated_at = now() WHERE id = $1`, [id]);
}

export async function setTemplateTwilio(
  db: Db,
  id: string,
  p: { status?: TemplateStatus; contentSid?: string; reason?: string | null },
): Promise<void> {
  await db.query(
    `UPDATE isv.templates
        SET status = COALESCE($2, status), content_sid = COALESCE($3, content_sid),
            rejection_reason = CASE WHEN $4::boolean THEN $5 ELSE rejection_reason END, updated_at = now()
      WHERE id = $1`,
    [id, p.status ?? null, p.contentSid ?? null, p.reason !== undefined, p.reason ?? null],
  );
}

export interface PendingTemplateRow extends TemplateRow {
  customer_name: string;
}

export async function listTemplatesAwaitingApproval(db: Db): Promise<PendingTemplateRow[]> {
  return db.query<PendingTemplateRow>(
    `SELECT t.*, c.legal_name AS customer_name FROM isv.templates t JOIN isv.customers c ON c.id = t.customer_id
      WHERE t.status = 'awaiting_approval' ORDER BY t.created_at, t.id`,
  );
}
