// Display helpers for dates, durations and identifiers shown on several pages.

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/** "in 12 s", "in 3 min", "5 min ago": relative to `now` so tests can pin it. */
export function formatRelative(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return '—';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const diff = Math.round((t - now.getTime()) / 1000);
  const abs = Math.abs(diff);
  const amount = abs < 60 ? `${abs} s` : abs < 3600 ? `${Math.round(abs / 60)} min` : abs < 86_400 ? `${Math.round(abs / 3600)} h` : `${Math.round(abs / 86_400)} d`;
  if (abs < 2) return 'now';
  return diff > 0 ? `in ${amount}` : `${amount} ago`;
}

export function humanize(value: string): string {
  const s = value.replace(/[_-]+/g, ' ').trim().toLowerCase();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export const BUSINESS_TYPE_LABEL: Record<string, string> = {
  sole_proprietor: 'Sole proprietor',
  llc: 'LLC',
  corporation: 'Corporation',
  partnership: 'Partnership',
  non_profit: 'Non-profit',
  government: 'Government',
};

export const FLOW_SHORT_LABEL: Record<string, string> = {
  subaccount: 'Subaccount',
  a2p: 'US texting (A2P 10DLC)',
  whatsapp_sender: 'WhatsApp sender',
  template: 'WhatsApp template',
};
