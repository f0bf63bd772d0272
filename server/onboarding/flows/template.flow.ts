// The template flow (Content API, FACTS §7): after an admin approves, create the Content (adopted by friendly name
// after a crash), request WhatsApp approval, wait. A rejection parks with Twilio's rejection_reason; the fix is a
// new version (PUT …/templates/:id), which supersedes this flow.
import type { FlowDefinition, StepContext, StepResult } from '../flow-definition.ts';
import { findTemplate, setTemplateTwilio, type TemplateRow } from '../../templates/templates.dao.ts';
import { plainReasons } from './customer-wording.ts';
import { adoptOrCreate, str, waitForSubaccount } from './flow-helpers.ts';

async function template(s: StepContext): Promise<TemplateRow> {
  const row = await findTemplate(s.db, s.flow.subject_id!);
  if (!row) throw new Error(`template flow ${s.flow.id}: template row missing`);
  return row;
}

export const contentFriendlyName = (templateId: string) => `isv:${templateId}`;
/** WhatsApp template names are unique per business account; later versions carry their number. */
export const whatsappTemplateName = (t: Pick<TemplateRow, 'name' | 'version'>) => (t.version === 1 ? t.name : `${t.name}_v${t.version}`);

interface WhatsappApproval {
  status?: string;
  rejection_reason?: string | null;
}

async function approvalOf(s: StepContext, contentSid: string): Promise<WhatsappApproval | undefined> {
  const client = await s.subaccountClient();
  const fetched = await s.call('content.approvals.fetch', () => client.content.v1.contents(contentSid).approvalFetch().fetch());
  const wa = (fetched as unknown as { whatsapp?: Record<string, unknown> }).whatsapp;
  if (!wa || typeof wa !== 'object') return undefined;
  return { status: str(wa.status), rejection_reason: (wa.rejection_reason ?? wa.rejectionReason ?? null) as string | null };
}

async function createContent(s: StepContext): Promise<StepResult> {
  const t = await template(s);
  const client = await s.subaccountClient();
  const name = contentFriendlyName(t.id);
  return adoptOrCreate(s, {
    key: 'contentSid',
    resource: 'content',
    label: 'content',
    list: () => client.content.v1.contents.list({ limit: 500 }),
    match: (c) => c.friendlyName === name,
    create: () =>
      client.content.v1.contents.create({
        friendly_name: name,
        language: t.language,
        variables: t.variables,
        types: { 'twilio/text': { body: t.body } },
      } as never),
    next: 'request_approval',
    record: (c) => (tx) => setTemplateTwilio(tx, t.id, { contentSid: c.sid }),
  });
}

async function requestApproval(s: StepContext): Promise<StepResult> {
  const t = await template(s);
  const client = await s.subaccountClient();
  const sid = str(s.context.contentSid)!;
  const current = await approvalOf(s, sid);
  // Submitted already by a run that crashed before recording it: never submit twice.
  if (!current?.status || current.status === 'unsubmitted') {
    await s.call('content.approvals.create', () =>
      client.content.v1.contents(sid).approvalCreate.create({ name: whatsappTemplateName(t), category: t.category }),
    );
  }
  return {
    type: 'goto',
    to: 'wait_approval',
    message: 'Requested WhatsApp approval',
    countAttempt: true,
    record: (tx) => setTemplateTwilio(tx, t.id, { status: 'submitted' }),
  };
}

async function waitApproval(s: StepContext): Promise<StepResult> {
  const t = await template(s);
  const sid = str(s.context.contentSid)!;
  const a = await approvalOf(s, sid);
  if (a?.status === 'approved') return { type: 'goto', to: 'done', message: 'WhatsApp approved the template', record: (tx) => setTemplateTwilio(tx, t.id, { status: 'twilio_approved', reason: null }) };
  if (a?.status === 'rejected') {
    const reason = a.rejection_reason || 'no reason given';
    return {
      type: 'park',
      status: 'action_required',
      waitingFor: 'new_version',
      message: `WhatsApp rejected the template: ${reason}`,
      error: { code: 'template_rejected', message: `WhatsApp rejected the template: ${plainReasons([reason])}. Edit it to submit a new version.`, twilioCode: null, fields: ['body'] },
      record: (tx) => setTemplateTwilio(tx, t.id, { status: 'twilio_rejected', reason }),
    };
  }
  if (a?.status === 'unsubmitted' || !a?.status) return { type: 'goto', to: 'request_approval', message: 'The approval request is missing; requesting it' };
  return { type: 'poll', waitingFor: 'twilio:whatsapp_template_review', message: `WhatsApp is reviewing the template (${a.status})`, waitingOnSid: sid };
}

export const templateFlow: FlowDefinition = {
  kind: 'template',
  initial: 'awaiting_approval',
  terminal: ['done', 'superseded'],
  order: ['awaiting_approval', 'wait_for_subaccount', 'create_content', 'request_approval', 'wait_approval', 'done'],
  states: {
    awaiting_approval: { label: 'Waiting for an ISV admin to approve the template', to: ['wait_for_subaccount', 'superseded'] },
    wait_for_subaccount: { label: 'Waiting for the subaccount', step: (s) => waitForSubaccount(s, 'create_content'), to: ['create_content', 'superseded'] },
    create_content: { label: 'Creating the template content', step: createContent, to: ['request_approval', 'superseded'], records: 'contentSid' },
    request_approval: { label: 'Requesting WhatsApp approval', step: requestApproval, to: ['wait_approval', 'superseded'] },
    wait_approval: { label: 'WhatsApp is reviewing the template', step: waitApproval, to: ['done', 'request_approval', 'superseded'] },
    done: { label: 'Template approved', to: [] },
    superseded: { label: 'Replaced by a newer version', to: [] },
  },
};
