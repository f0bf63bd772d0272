// A coloured, text-labelled badge for statuses (colour is never the only signal: the word is always there).
import { humanize } from './format.ts';

const TONE: Record<string, 'ok' | 'warn' | 'bad' | 'info' | 'muted'> = {
  done: 'ok',
  complete: 'ok',
  approved: 'ok',
  delivered: 'ok',
  read: 'ok',
  received: 'ok',
  active: 'ok',
  online: 'ok',
  opted_in: 'ok',
  twilio_approved: 'ok',
  registered: 'ok',
  verified: 'ok',
  submitted: 'info',
  pending_verification: 'warn',
  rejected_by_admin: 'bad',
  twilio_rejected: 'bad',
  offline: 'bad',
  superseded: 'muted',
  in_progress: 'info',
  waiting_on_twilio: 'info',
  sending: 'info',
  sent: 'info',
  queued: 'info',
  accepted: 'info',
  pending: 'info',
  awaiting_approval: 'warn',
  action_required: 'warn',
  needs_attention: 'info',
  suspended: 'warn',
  opted_out: 'warn',
  failed: 'bad',
  rejected: 'bad',
  undelivered: 'bad',
  closed: 'muted',
  canceled: 'muted',
};

export function StatusBadge({ status, label }: { status: string; label?: string }) {
  const tone = TONE[status.toLowerCase()] ?? 'muted';
  return <span className={`badge badge-${tone}`}>{label ?? humanize(status)}</span>;
}
