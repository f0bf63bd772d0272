// WhatsApp template use cases: create (waits for an admin), edit into a new version (supersedes the old version
// and its flow), list.
import { UUID_PATTERN } from '../../shared/common.ts';
import type { Db } from '../platform/db/db.ts';
import { assertPlatformSubaccountMode } from '../customers/twilio-mode.ts';
import { conflict, notFound } from '../platform/errors.ts';
import type { TemplateCreate, TemplateUpdate, TemplateView } from '../../shared/templates.ts';
import { findFlowBySubject, insertFlow, insertFlowEvent, listFlowsByCustomerAndKind } from '../onboarding/flows.dao.ts';
import { ensureSubaccountFlow, moveParkedFlow } from '../onboarding/onboarding.service.ts';
import {
  findLatestTemplateVersion,
  findTemplateForUpdate,
  insertTemplate,
  listTemplatesByCustomer,
  supersedeTemplate,
  type TemplateRow,
} from './templates.dao.ts';

function view(t: TemplateRow, flowId: string | null): TemplateView {
  return {
    id: t.id,
    name: t.name,
    version: t.version,
    language: t.language,
    category: t.category,
    body: t.body,
    variables: t.variables ?? {},
    status: t.status,
    rejectionReason: t.rejection_reason,
    contentSid: t.content_sid,
    flowId,
    createdAt: new Date(t.created_at).toISOString(),
  };
}

async function startTemplateFlow(tx: Db, t: TemplateRow, now: Date, message: string): Promise<string> {
  const sub = await ensureSubaccountFlow(tx, t.customer_id);
  const flow = await insertFlow(tx, {
    kind: 'template',
    customerId: t.customer_id,
    subjectId: t.id,
    dependsOn: sub.id,
    state: 'awaiting_approval',
    status: 'awaiting_approval',
    waitingFor: 'admin_approval',
    nextRunAt: null,
  });
  await insertFlowEvent(tx, { flowId: flow.id, at: now, from: null, to: flow.state, message });
  return flow.id;
}

export async function createTemplate(db: Db, customerId: string, input: TemplateCreate, now = new Date()): Promise<TemplateView> {
  await assertPlatformSubaccountMode(db, customerId, 'template registration');
  return db.tx(async (tx) => {
    if (await findLatestTemplateVersion(tx, customerId, input.name))
      throw conflict('template_exists', 'A template with this name exists; edit it (PUT) to make a new version');
    const t = await insertTemplate(tx, {
      customerId,
      name: input.name,
      version: 1,
      language: input.language,
      category: input.category,
      body: input.body,
      variables: input.variables ?? {},
      rejectedData: null,
      rejectionReason: null,
    });
    if (!t) throw conflict('template_exists', 'A template with this name exists; edit it (PUT) to make a new version');
    return view(t, await startTemplateFlow(tx, t, now, `Template ${t.name} v1 submitted for approval`));
  });
}

export async function newTemplateVersion(
  db: Db,
  customerId: string,
  templateId: string,
  input: TemplateUpdate,
  now = new Date(),
): Promise<TemplateView> {
  return db.tx(async (tx) => {
    const old = UUID_PATTERN.test(templateId) ? await findTemplateForUpdate(tx, templateId) : undefined;
    if (!old || old.customer_id !== customerId) throw notFound('Template');
    const latest = await findLatestTemplateVersion(tx, customerId, old.name);
    if (latest && latest.id !== old.id) throw conflict('not_latest_version', `Edit the latest version (v${latest.version}) of this template`);
    const rejected = old.status === 'rejected_by_admin' || old.status === 'twilio_rejected';
    const t = await insertTemplate(tx, {
      customerId,
      name: old.name,
      version: old.version + 1,
      language: input.language,
      category: input.category,
      body: input.body,
      variables: input.variables ?? {},
      // What the reviewer compares against: the version that was rejected, and why.
      rejectedData: rejected
        ? { language: old.language, category: old.category, body: old.body, variables: old.variables, rejectionReason: old.rejection_reason }
        : null,
      rejectionReason: null,
    });
    if (!t) throw conflict('flow_changed', 'Another edit created this version meanwhile; reload and try again');
    await supersedeTemplate(tx, old.id);
    const oldFlow = await findFlowBySubject(tx, 'template', old.id);
    if (oldFlow && oldFlow.status !== 'done' && oldFlow.state !== 'superseded') {
      await moveParkedFlow(tx, oldFlow, { to: 'superseded', status: 'done', message: `Replaced by version ${t.version}`, run: false, now });
    }
    return view(t, await startTemplateFlow(tx, t, now, `Template ${t.name} v${t.version} submitted for approval`));
  });
}

export async function listTemplates(db: Db, customerId: string): Promise<{ items: TemplateView[] }> {
  const flows = await listFlowsByCustomerAndKind(db, customerId, 'template');
  const flowOf = new Map(flows.map((f) => [f.subject_id, f.id]));
  return { items: (await listTemplatesByCustomer(db, customerId)).map((t) => view(t, flowOf.get(t.id) ?? null)) };
}
