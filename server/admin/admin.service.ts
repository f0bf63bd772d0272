// Admin approvals: the queue of brand/campaign data and templates waiting for review (with what changed since the
// last rejection), and the approve/reject decisions, each written to the audit log with the flow it moves.
import { UUID_PATTERN } from '../../shared/common.ts';
import type { Db } from '../platform/db/db.ts';
import { conflict, notFound } from '../platform/errors.ts';
import type { Principal } from '../platform/auth/principal.ts';
import { appendAudit, staffRoleOf } from '../audit/audit.dao.ts';
import type { ApprovalItem, FieldChange } from '../../shared/onboarding.ts';
import { decideBrand, findBrand, listBrandsAwaitingApproval } from '../brands/brands.dao.ts';
import { decideTemplate, findTemplate, listTemplatesAwaitingApproval } from '../templates/templates.dao.ts';
import { findFlowBySubject } from '../onboarding/flows.dao.ts';
import { moveParkedFlow } from '../onboarding/onboarding.service.ts';

function flatten(v: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) out[prefix] = v;
  return out;
}

/** Field-by-field difference between the rejected data and the current data (dotted paths; arrays compared whole). */
export function diffData(before: unknown, after: unknown): FieldChange[] {
  if (!before) return [];
  const a = flatten(before);
  const b = flatten(after);
  const changes: FieldChange[] = [];
  for (const path of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (JSON.stringify(a[path]) !== JSON.stringify(b[path])) changes.push({ path, before: a[path] ?? null, after: b[path] ?? null });
  }
  return changes;
}

const isUuid = (id: string) => UUID_PATTERN.test(id);

export async function listApprovals(db: Db): Promise<{ items: ApprovalItem[] }> {
  const brands = await listBrandsAwaitingApproval(db);
  const templates = await listTemplatesAwaitingApproval(db);
  const items: ApprovalItem[] = [
    ...brands.map((b) => ({
      type: 'brand' as const,
      id: b.id,
      customerId: b.customer_id,
      customerName: b.customer_name,
      submittedAt: new Date(b.updated_at).toISOString(),
      data: b.data,
      previousRejection: b.rejected_data ? b.rejection_reason : null,
      changes: diffData(b.rejected_data, b.data),
    })),
    ...templates.map((t) => {
      const data = { name: t.name, version: t.version, language: t.language, category: t.category, body: t.body, variables: t.variables };
      // A new version carries the rejected version's data and the reason it was rejected.
      const { rejectionReason, ...rejected } = (t.rejected_data ?? {}) as Record<string, unknown>;
      return {
        type: 'template' as const,
        id: t.id,
        customerId: t.customer_id,
        customerName: t.customer_name,
        submittedAt: new Date(t.created_at).toISOString(),
        data,
        previousRejection: t.rejected_data ? ((rejectionReason as string | null | undefined) ?? null) : null,
        changes: diffData(t.rejected_data ? rejected : null, { language: t.language, category: t.category, body: t.body, variables: t.variables }),
      };
    }),
  ];
  items.sort((x, y) => x.submittedAt.localeCompare(y.submittedAt));
  return { items };
}

type Decision = { decision: 'approve' } | { decision: 'reject'; reason: string };

export async function decideBrandApproval(db: Db, actor: Principal, brandId: string, d: Decision, now = new Date()) {
  return db.tx(async (tx) => {
    const before = isUuid(brandId) ? await findBrand(tx, brandId) : undefined;
    if (!before) throw notFound('Brand');
    const brand = await decideBrand(tx, brandId, {
      status: d.decision === 'approve' ? 'approved' : 'rejected_by_admin',
      reason: d.decision === 'reject' ? d.reason : null,
      reviewerId: actor.userId,
    });
    if (!brand) throw conflict('not_awaiting_approval', `This brand is ${before.status}, not awaiting approval`);
    const flow = await findFlowBySubject(tx, 'a2p', brandId);
    if (flow && flow.state === 'awaiting_approval') {
      if (d.decision === 'approve') {
        const to = typeof flow.context.resumeAt === 'string' ? flow.context.resumeAt : 'wait_for_subaccount';
        await moveParkedFlow(tx, flow, { to, status: 'in_progress', message: 'An ISV admin approved the brand and campaign details', drop: ['resumeAt'], now });
      } else {
        await moveParkedFlow(tx, flow, {
          to: 'awaiting_approval',
          status: 'action_required',
          waitingFor: 'customer_fix',
          message: `An ISV admin rejected the brand and campaign details: ${d.reason}`,
          lastError: { code: 'rejected_by_admin', message: d.reason, twilioCode: null, fields: [] },
          run: false,
          now,
        });
      }
    }
    await appendAudit(tx, {
      actor,
      actorRole: staffRoleOf(actor),
      action: d.decision === 'approve' ? 'brand.approved' : 'brand.rejected',
      targetType: 'brand',
      targetId: brandId,
      customerId: brand.customer_id,
      before: { status: before.status },
      after: { status: brand.status, ...(d.decision === 'reject' ? { reason: d.reason } : {}) },
    });
    return { id: brand.id, status: brand.status, rejectionReason: brand.rejection_reason };
  });
}

export async function decideTemplateApproval(db: Db, actor: Principal, templateId: string, d: Decision, now = new Date()) {
  return db.tx(async (tx) => {
    const before = isUuid(templateId) ? await findTemplate(tx, templateId) : undefined;
    if (!before) throw notFound('Template');
    const t = await decideTemplate(tx, templateId, {
      status: d.decision === 'approve' ? 'approved' : 'rejected_by_admin',
      reason: d.decision === 'reject' ? d.reason : null,
      reviewerId: actor.userId,
    });
    if (!t) throw conflict('not_awaiting_approval', `This template is ${before.status}, not awaiting approval`);
    const flow = await findFlowBySubject(tx, 'template', templateId);
    if (flow && flow.state === 'awaiting_approval') {
      if (d.decision === 'approve') {
        await moveParkedFlow(tx, flow, { to: 'wait_for_subaccount', status: 'in_progress', message: 'An ISV admin approved the template', now });
      } else {
        await moveParkedFlow(tx, flow, {
          to: 'awaiting_approval',
          status: 'action_required',
          waitingFor: 'new_version',
          message: `An ISV admin rejected the template: ${d.reason}`,
          lastError: { code: 'rejected_by_admin', message: d.reason, twilioCode: null, fields: ['body'] },
          run: false,
          now,
        });
      }
    }
    await appendAudit(tx, {
      actor,
      actorRole: staffRoleOf(actor),
      action: d.decision === 'approve' ? 'template.approved' : 'template.rejected',
      targetType: 'template',
      targetId: templateId,
      customerId: t.customer_id,
      before: { status: before.status },
      after: { status: t.status, ...(d.decision === 'reject' ? { reason: d.reason } : {}) },
    });
    return { id: t.id, status: t.status, rejectionReason: t.rejection_reason };
  });
}
