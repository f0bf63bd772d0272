// Field paths in the words of the form: the API names fields by their dotted path ("campaign.optInKeywords.1"),
// people see "Opt-in keywords (item 2)". The reasons are already plain (shared/zod-messages.ts).

/** Names the API uses outside the onboarding forms (which pass their own labels). */
const COMMON_LABELS: Record<string, string> = {
  code: 'Verification code',
  profile: 'Sender profile',
  'profile.name': 'Display name',
  phoneNumber: 'Phone number',
  to: 'To',
  body: 'Body',
  name: 'Name',
  language: 'Language',
  category: 'Category',
  variables: 'Sample values',
  channel: 'Channel',
  contentSid: 'Template',
  templateId: 'Template',
  contentVariables: 'Template values',
  email: 'Email',
  password: 'Password',
  reason: 'Reason',
  role: 'Role',
  legalName: 'Legal business name',
  displayName: 'Name customers know you by',
  ein: 'EIN (US tax ID)',
  website: 'Website',
  address: 'Business address',
  contact: 'Contact person',
  brandType: 'Brand type',
  campaign: 'Campaign',
  accountSid: 'Account SID',
  authToken: 'Auth Token',
};

/** "optInKeywords" → "Opt in keywords": the last resort for a path no form names. */
function words(segment: string): string {
  const s = segment
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase()
    .trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The label of a field path; list items are "<list label> (item n)". Never the raw path. */
export function fieldLabel(path: string, labels: Record<string, string> = {}): string {
  const known = labels[path] ?? COMMON_LABELS[path];
  if (known) return known;
  // Template variables are keyed by their placeholder number, not a list position.
  const placeholder = /^(variables|contentVariables)\.(\d+)$/.exec(path);
  if (placeholder) return `${placeholder[1] === 'variables' ? 'Sample for' : 'Value for'} {{${placeholder[2]}}}`;
  const item = /^(.*)\.(\d+)$/.exec(path);
  if (item) return `${fieldLabel(item[1]!, labels)} (item ${Number(item[2]) + 1})`;
  if (path === '(root)' || path === '(form)' || path === '(body)' || path === '') return 'The form';
  const parent = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '';
  const last = words(path.slice(path.lastIndexOf('.') + 1));
  const parentLabel = parent ? labels[parent] ?? COMMON_LABELS[parent] : undefined;
  return parentLabel ? `${parentLabel}: ${last.toLowerCase()}` : last;
}
