// Send a test message (SMS text, or a WhatsApp template) through the customer's own subaccount.
// Each draft carries one Idempotency-Key, so a retried click never sends twice.
import { useState, type FormEvent, type ReactNode } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { sendMessageRequestSchema, type SendMessageResponse } from '../../../../shared/messages.ts';
import { useApi } from '../../app/context.tsx';
import { ApiError } from '../../api/client.ts';
import { sendMessage } from '../../api/mutations.ts';
import { customerQuery, onboardingQuery, templatesQuery } from '../../api/queries.ts';
import { SelectField, TextArea, TextField, validateWith, type FieldErrors } from '../../components/form.tsx';
import { ErrorNotice } from '../../components/states.tsx';
import { StatusBadge } from '../../components/status.tsx';
import { Link } from '../../router.tsx';

const newKey = () => (globalThis.crypto?.randomUUID ? globalThis.crypto.randomUUID() : `${Date.now()}-${Math.random()}`);

type Paused = 'suspended' | 'closed' | null;

const PAUSED_TEXT = {
  suspended: 'Your Twilio account is suspended, so nothing you send goes out. Ask us to reactivate it.',
  closed: 'Your Twilio account is closed, so it cannot send messages any more.',
} as const;

/** "Not ready to send" (409 onboarding_incomplete): the server says what is missing; the progress page shows it. */
function refusalForYou(err: unknown, customerId: string): ReactNode | undefined {
  if (!(err instanceof ApiError) || err.code !== 'onboarding_incomplete') return undefined;
  return (
    <>
      {err.detail} <Link to={`/customers/${customerId}/progress`}>See your progress</Link>.
    </>
  );
}

export function SendPage({ customerId }: { customerId: string }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [channel, setChannel] = useState<'sms' | 'whatsapp'>('sms');
  const [to, setTo] = useState('');
  const [body, setBody] = useState('');
  const [contentSid, setContentSid] = useState('');
  const [variables, setVariables] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<FieldErrors>({});
  const [key, setKey] = useState(newKey);
  const [sent, setSent] = useState<SendMessageResponse | null>(null);
  const templates = useQuery({ ...templatesQuery(api, customerId), enabled: channel === 'whatsapp' });
  const onboarding = useQuery(onboardingQuery(api, customerId));
  const customer = useQuery(customerQuery(api, customerId));
  const overall = onboarding.data?.overall;
  const paused: Paused = overall === 'suspended' || overall === 'closed' ? overall : null;
  // Only templates WhatsApp approved can be sent (our own approval comes first and is not enough).
  const approved = (templates.data?.items ?? []).filter((t) => t.contentSid && t.status === 'twilio_approved');
  const chosen = approved.find((t) => t.contentSid === contentSid);

  const send = useMutation({
    mutationFn: (payload: unknown) => sendMessage(api, customerId, payload, key),
    onSuccess: (res) => {
      setSent(res);
      setKey(newKey());
      void queryClient.invalidateQueries({ queryKey: ['customers', customerId, 'messages'] });
    },
    onError: (err) => {
      // Twilio refused the connected account's token: the connection's new status brings up the reconnect banner.
      if (err instanceof ApiError && err.code === 'twilio_credentials_invalid') void queryClient.invalidateQueries({ queryKey: ['customers', customerId, 'twilio-connection'] });
      // A refusal may come from an account or registration paused since the page loaded: the banners follow.
      if (err instanceof ApiError && err.status === 409) {
        void queryClient.invalidateQueries({ queryKey: ['customers', customerId, 'onboarding'] });
        void queryClient.invalidateQueries({ queryKey: ['customers', customerId, 'sending-status'] });
      }
    },
  });

  const payload = () =>
    channel === 'sms' || !contentSid
      ? { channel, to: to.trim(), body }
      : { channel, to: to.trim(), contentSid, contentVariables: Object.keys(variables).length ? variables : undefined };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSent(null);
    const checked = validateWith(sendMessageRequestSchema, payload());
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    send.mutate(checked.data);
  };

  const change = <T,>(setter: (v: T) => void) => (v: T) => {
    setter(v);
    // Any edit makes a new message: a new key. Resubmitting the same draft reuses the key.
    setKey(newKey());
  };

  return (
    <>
      <h1>Send a test message</h1>
      <p className="lede">
        Messages go out from your own number through your registered campaign. Recipients who replied STOP are refused before anything is sent.
      </p>
      {paused && (
        <div className="state state-error" role="status">
          <strong>Sending is paused.</strong> {PAUSED_TEXT[paused]}
        </div>
      )}
      <form className="card" onSubmit={submit} noValidate>
        {send.isError && (
          <ErrorNotice error={send.error} title="The message was not sent" message={refusalForYou(send.error, customerId)} />
        )}
        {sent && (
          <div className="state state-success" role="status">
            Sent. Twilio has it as <StatusBadge status={sent.status} /> (<code>{sent.sid}</code>).{' '}
            <Link to={`/customers/${customerId}/messages/${sent.id}`}>Follow its delivery</Link> or open the{' '}
            <Link to={`/customers/${customerId}/messages`}>message log</Link>.
          </div>
        )}
        <SelectField
          label="Channel"
          value={channel}
          onChange={change((v: string) => setChannel(v as 'sms' | 'whatsapp'))}
          options={[
            { value: 'sms', label: 'SMS' },
            { value: 'whatsapp', label: 'WhatsApp' },
          ]}
          error={errors.channel}
        />
        <TextField
          label="To"
          type="tel"
          name="to"
          value={to}
          onChange={change(setTo)}
          error={errors.to}
          required
          placeholder="+14155550123"
          help="The recipient's number in international format (E.164): a plus sign, the country code, then the number."
        />
        {channel === 'whatsapp' && (
          <SelectField
            label="Template"
            value={contentSid}
            onChange={change((v: string) => {
              setContentSid(v);
              setVariables({});
            })}
            options={[{ value: '', label: approved.length ? 'No template (reply within 24 hours only)' : 'No approved template yet' }, ...approved.map((t) => ({ value: t.contentSid!, label: `${t.name} (v${t.version}, ${t.language})` }))]}
            error={errors.contentSid}
            help="Outside a 24-hour customer-service window WhatsApp only delivers approved templates."
          />
        )}
        {chosen ? (
          Object.keys(chosen.variables).map((n) => (
            <TextField
              key={n}
              label={`Value for {{${n}}}`}
              value={variables[n] ?? ''}
              onChange={change((v: string) => setVariables((prev) => ({ ...prev, [n]: v })))}
              error={errors[`contentVariables.${n}`]}
              placeholder={chosen.variables[n]}
            />
          ))
        ) : (
          <TextArea label="Message" name="body" value={body} onChange={change(setBody)} error={errors.body} required rows={4} max={1600} help="Up to 1600 characters; long texts are split into segments and each segment is billed." />
        )}
        <button type="submit" disabled={send.isPending}>
          {send.isPending ? 'Sending…' : 'Send'}
        </button>
      </form>
    </>
  );
}
