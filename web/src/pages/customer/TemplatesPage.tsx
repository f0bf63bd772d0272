// WhatsApp templates with their approval status; a new template, or a new version of one (the way to fix a
// rejected template: the corrected text is reviewed again by our team, then by WhatsApp).
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TemplateView } from '../../../../shared/templates.ts';
import { ApiError } from '../../api/client.ts';
import { useApi } from '../../app/context.tsx';
import { createTemplate, updateTemplate } from '../../api/mutations.ts';
import { templatesQuery } from '../../api/queries.ts';
import { formatDateTime } from '../../components/format.ts';
import { ErrorNotice, QueryStates } from '../../components/states.tsx';
import { StatusBadge } from '../../components/status.tsx';
import { TemplateForm } from '../../components/TemplateForm.tsx';

/** Template statuses (isv.templates): our review first, then WhatsApp's. */
export const TEMPLATE_STATUS: Record<string, { label: string; help: string }> = {
  awaiting_approval: { label: 'Waiting for our review', help: 'Our team reviews it before it goes to WhatsApp.' },
  rejected_by_admin: { label: 'Rejected by our team', help: 'Fix the text and submit a new version.' },
  approved: { label: 'Approved by our team', help: 'It is being submitted to WhatsApp.' },
  submitted: { label: 'WhatsApp is reviewing', help: 'This usually takes minutes, sometimes a day.' },
  twilio_approved: { label: 'Approved by WhatsApp', help: 'Ready to send.' },
  twilio_rejected: { label: 'Rejected by WhatsApp', help: 'Fix the text and submit a new version.' },
  superseded: { label: 'Replaced by a newer version', help: '' },
};
const SETTLED = new Set(['rejected_by_admin', 'twilio_approved', 'twilio_rejected', 'superseded']);
const REJECTED = new Set(['rejected_by_admin', 'twilio_rejected']);

export function TemplatesPage({ customerId }: { customerId: string }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const query = useQuery({
    ...templatesQuery(api, customerId),
    refetchInterval: (q) => (q.state.data?.items.some((t) => !SETTLED.has(t.status)) ? 5_000 : false),
  });
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<TemplateView | null>(null);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: ['customers', customerId] });
  const create = useMutation({
    mutationFn: (body: unknown) => createTemplate(api, customerId, body),
    onSuccess: () => {
      setCreating(false);
      void invalidate();
    },
  });
  const update = useMutation({
    mutationFn: ({ id, body }: { id: string; body: unknown }) => updateTemplate(api, customerId, id, body),
    onSuccess: () => {
      setEditing(null);
      void invalidate();
    },
  });

  return (
    <>
      <h1>Templates</h1>
      <p className="lede">WhatsApp only delivers business-initiated messages that use an approved template.</p>
      {!creating && (
        <button type="button" onClick={() => setCreating(true)}>
          New template
        </button>
      )}
      {creating && (
        <section className="card" aria-labelledby="new-template">
          <h2 id="new-template">New template</h2>
          {create.isError && <ErrorNotice error={create.error} title="The template was not submitted" />}
          <TemplateForm
            mode="create"
            submitLabel="Submit for review"
            busy={create.isPending}
            serverErrors={create.error instanceof ApiError ? create.error.fieldErrors() : undefined}
            onSubmit={(body) => create.mutate(body)}
          />
          <button type="button" className="button-secondary" onClick={() => setCreating(false)}>
            Cancel
          </button>
        </section>
      )}
      <QueryStates query={query} loading="Loading templates…" isEmpty={(data) => data.items.length === 0} empty="No templates yet.">
        {(data) => (
          <ul className="cards">
            {data.items.map((t) => (
              <li key={t.id} className="card">
                <div className="flow-head">
                  <h2>
                    {t.name} <span className="muted">v{t.version} · {t.language} · {t.category.toLowerCase()}</span>
                  </h2>
                  <StatusBadge status={t.status} label={TEMPLATE_STATUS[t.status]?.label} />
                </div>
                <p className="muted">{TEMPLATE_STATUS[t.status]?.help ?? ''}</p>
                <blockquote className="template-body">{t.body}</blockquote>
                {t.rejectionReason && (
                  <p className="flow-error" role="alert">
                    <strong>Why it was rejected:</strong> {t.rejectionReason}
                  </p>
                )}
                <p className="muted">
                  Submitted {formatDateTime(t.createdAt)}
                  {t.contentSid && (
                    <>
                      {' '}
                      · <code>{t.contentSid}</code>
                    </>
                  )}
                </p>
                {t.status === 'superseded' ? null : editing?.id === t.id ? (
                  <>
                    {update.isError && <ErrorNotice error={update.error} title="The new version was not submitted" />}
                    <TemplateForm
                      mode="update"
                      submitLabel="Submit new version"
                      initial={{ name: t.name, language: t.language, category: t.category, body: t.body, variables: t.variables }}
                      busy={update.isPending}
                      serverErrors={update.error instanceof ApiError ? update.error.fieldErrors() : undefined}
                      onSubmit={(body) => update.mutate({ id: t.id, body })}
                    />
                    <button type="button" className="button-secondary" onClick={() => setEditing(null)}>
                      Cancel
                    </button>
                  </>
                ) : (
                  <button type="button" className="button-secondary" onClick={() => setEditing(t)}>
                    {REJECTED.has(t.status) ? 'Fix and resubmit' : 'New version'}
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </QueryStates>
    </>
  );
}
