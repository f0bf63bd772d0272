// Wizard step 3: register a WhatsApp sender (the number and its business profile), validated with the shared
// senderCreateSchema. WhatsApp then texts or calls the number with a code that the progress page asks for.
import { useCallback, useEffect } from 'react';
import { senderCreateSchema, type SenderView } from '../../../../../shared/whatsapp.ts';
import { FormErrorSummary, TextArea, TextField } from '../../../components/form.tsx';
import { nest, useSchemaForm, type FormValues } from '../../../components/use-schema-form.ts';

const PATHS = ['phoneNumber', 'profile.name', 'profile.about', 'profile.description', 'profile.address', 'wabaId'] as const;
const OPTIONAL = new Set(['profile.about', 'profile.description', 'profile.address', 'wabaId']);

export const WHATSAPP_LABELS: Record<string, string> = {
  phoneNumber: 'WhatsApp phone number',
  'profile.name': 'Display name',
  'profile.about': 'About',
  'profile.description': 'Business description',
  'profile.address': 'Business address',
  'profile.websites': 'Website',
  'profile.websites.0': 'Website',
  'profile.emails': 'Contact email',
  'profile.emails.0': 'Contact email',
  wabaId: 'WhatsApp Business Account id',
};

/** The form's values from a sender as it was submitted: a fix starts from everything entered, not just the number. */
export function senderFormValues(sender: Pick<SenderView, 'phoneNumber' | 'profile' | 'wabaId'>): FormValues {
  const p = sender.profile;
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  return {
    phoneNumber: sender.phoneNumber,
    'profile.name': text(p.name),
    'profile.about': text(p.about),
    'profile.description': text(p.description),
    'profile.address': text(p.address),
    'profile.websites': text(p.websites?.[0]),
    'profile.emails': text(p.emails?.[0]),
    wabaId: sender.wabaId ?? '',
  };
}

export function whatsappPayload(values: FormValues): Record<string, unknown> {
  const body = nest(values, PATHS, OPTIONAL);
  const profile = (body.profile ??= {}) as Record<string, unknown>;
  const website = String(values['profile.websites'] ?? '').trim();
  const email = String(values['profile.emails'] ?? '').trim();
  if (website) profile.websites = [website];
  if (email) profile.emails = [email];
  return body;
}

export function WhatsappStep({
  initial,
  busy,
  onSubmit,
  serverError,
}: {
  initial?: FormValues;
  busy?: boolean;
  onSubmit: (payload: Record<string, unknown>) => void;
  serverError?: unknown;
}) {
  const toPayload = useCallback(whatsappPayload, []);
  const form = useSchemaForm(senderCreateSchema, initial ?? {}, toPayload);
  const { showServerError } = form;
  useEffect(() => {
    if (serverError) showServerError(serverError);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [serverError]);
  const field = (path: string) => ({
    label: WHATSAPP_LABELS[path]!,
    name: path,
    value: form.str(path),
    onChange: (v: string) => form.set(path, v),
    onBlur: form.touch(path),
    error: form.errorUnder(path),
  });

  return (
    <form onSubmit={form.handleSubmit(() => onSubmit(whatsappPayload(form.values)))} noValidate aria-labelledby="step-heading">
      <FormErrorSummary errors={form.summary} labels={WHATSAPP_LABELS} focusKey={form.failedSubmits} />
      <TextField {...field('phoneNumber')} type="tel" required placeholder="+14155550123" help="A number you control that is not already on WhatsApp; it receives a verification code by SMS." />
      <TextField {...field('profile.name')} required help="Shown to recipients; it must match your business name or brand, or Meta rejects it." />
      <TextArea {...field('profile.about')} rows={2} max={139} help="Up to 139 characters." />
      <TextArea {...field('profile.description')} rows={3} max={512} help="Up to 512 characters." />
      <TextField {...field('profile.address')} />
      <div className="grid">
        <TextField {...field('profile.websites')} type="url" placeholder="https://example.com" />
        <TextField {...field('profile.emails')} type="email" />
      </div>
      <TextField {...field('wabaId')} inputMode="numeric" help="Only if you already have a WhatsApp Business Account; otherwise one is created under our ISV account." />
      <p className="field-help">Registering a sender is free; WhatsApp bills conversations and template messages once it is online.</p>
      <button type="submit" disabled={busy}>
        {busy ? 'Registering…' : 'Register sender'}
      </button>
    </form>
  );
}
