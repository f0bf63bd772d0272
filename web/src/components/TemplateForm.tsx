// The WhatsApp template form (first template in the wizard, new templates and new versions): validated with the
// shared template schemas, one sample field per {{n}} placeholder found in the body.
import { useState, type FormEvent } from 'react';
import { templateCategorySchema, templateCreateSchema, templateUpdateSchema } from '../../../shared/templates.ts';
import { FormErrorSummary, SelectField, TextArea, TextField, validateWith, type FieldErrors } from './form.tsx';

export interface TemplateDraft {
  name: string;
  language: string;
  category: string;
  body: string;
  variables: Record<string, string>;
}

export const emptyTemplate: TemplateDraft = { name: '', language: 'en', category: 'UTILITY', body: '', variables: {} };

const CATEGORY_HELP: Record<string, string> = {
  UTILITY: 'Utility: an update about something the person already started with you: an order, a booking, an account change.',
  MARKETING: 'Marketing: promotions, offers, newsletters, anything meant to sell. WhatsApp charges the most for these and may re-categorise a template sent as utility.',
  AUTHENTICATION: 'Authentication: one-time passcodes only, with no other content.',
};

/** The numbers of the {{n}} placeholders in a body, in order of first appearance. */
export function placeholdersIn(body: string): string[] {
  return [...new Set([...body.matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((m) => m[1]!))];
}

const LABELS: Record<string, string> = { name: 'Name', language: 'Language', category: 'Category', body: 'Body' };

export function TemplateForm({
  initial = emptyTemplate,
  mode,
  submitLabel,
  busy,
  serverErrors,
  onSubmit,
}: {
  initial?: TemplateDraft;
  mode: 'create' | 'update';
  submitLabel: string;
  busy?: boolean;
  serverErrors?: FieldErrors;
  /** Receives the payload already parsed by the shared schema. */
  onSubmit: (payload: unknown) => void;
}) {
  const [draft, setDraft] = useState<TemplateDraft>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [attempted, setAttempted] = useState(false);
  const [failedSubmits, setFailedSubmits] = useState(0);
  const placeholders = placeholdersIn(draft.body);

  const schema = mode === 'create' ? templateCreateSchema : templateUpdateSchema;
  const update = (patch: Partial<TemplateDraft>) => {
    const next = { ...draft, ...patch };
    setDraft(next);
    if (attempted) {
      const r = validateWith(schema, payloadOf(next, mode));
      setErrors(r.ok ? {} : r.errors);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setAttempted(true);
    const r = validateWith(schema, payloadOf(draft, mode));
    if (!r.ok) {
      setErrors(r.errors);
      setFailedSubmits((n) => n + 1);
      return;
    }
    setErrors({});
    onSubmit(r.data);
  };

  const shown = { ...serverErrors, ...errors };
  return (
    <form onSubmit={submit} noValidate className="template-form">
      {attempted && <FormErrorSummary errors={errors} labels={{ ...LABELS, ...Object.fromEntries(placeholders.map((n) => [`variables.${n}`, `Sample for {{${n}}}`])) }} focusKey={failedSubmits} />}
      {mode === 'create' && (
        <TextField
          label="Name"
          name="name"
          value={draft.name}
          onChange={(name) => update({ name })}
          error={shown.name}
          required
          help="Lower-case letters, digits and underscores, e.g. order_shipped. New versions keep the name."
        />
      )}
      <TextField label="Language" name="language" value={draft.language} onChange={(language) => update({ language })} error={shown.language} required help="A WhatsApp language code such as en, en_US, es or pt_BR." />
      <SelectField
        label="Category"
        name="category"
        value={draft.category}
        onChange={(category) => update({ category })}
        options={templateCategorySchema.options.map((c) => ({ value: c, label: c.charAt(0) + c.slice(1).toLowerCase() }))}
        error={shown.category}
        required
        help={CATEGORY_HELP[draft.category]}
      />
      <TextArea
        label="Body"
        name="body"
        value={draft.body}
        onChange={(body) => update({ body })}
        error={shown.body}
        required
        rows={4}
        min={1}
        max={1024}
        help="Up to 1024 characters. Use {{1}}, {{2}}, … for values filled in at send time, numbered without gaps; the body may not start or end with one."
      />
      {placeholders.map((n) => (
        <TextField
          key={n}
          label={`Sample for {{${n}}}`}
          value={draft.variables[n] ?? ''}
          onChange={(v) => update({ variables: { ...draft.variables, [n]: v } })}
          error={shown[`variables.${n}`]}
          required
          help="WhatsApp reviewers read the template with these samples filled in; make them realistic."
        />
      ))}
      <p className="field-help">Submitting a template costs nothing. WhatsApp bills each template message delivered, at a rate that depends on the category and the recipient’s country.</p>
      <button type="submit" disabled={busy}>
        {busy ? 'Submitting…' : submitLabel}
      </button>
    </form>
  );
}

/** The request body a draft stands for: samples only for placeholders still in the body. */
export function payloadOf(d: TemplateDraft, mode: 'create' | 'update') {
  const placeholders = placeholdersIn(d.body);
  const variables = Object.fromEntries(placeholders.map((n) => [n, d.variables[n] ?? ''] as const).filter(([, v]) => v !== ''));
  const base = { language: d.language.trim(), category: d.category, body: d.body, variables: Object.keys(variables).length ? variables : undefined };
  return mode === 'create' ? { name: d.name.trim(), ...base } : base;
}
