// The Twilio operations the platform calls, and which contract test covers each. The table in docs/twilio-contract.md is
// generated from here: `npx tsx test/twilio/operations.ts --write` (contract-coverage.test.ts fails when stale).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { specDocument } from '../helpers/openapi.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '../..');

export type SpecFile = 'api_v2010' | 'messaging_v1' | 'messaging_v2' | 'trusthub_v1' | 'content_v1' | 'events_v1';

/**
 * Every operation the platform calls (issue 3's sandbox list and the SDK calls in server/) or offers as a fix
 * path (editing a FAILED campaign, replacing an unsubmitted template), by Twilio's operationId. Keep in step with
 * the features: a new Twilio call needs an entry here and a contract test.
 */
export const PLATFORM_OPERATIONS: { spec: SpecFile; operationId: string }[] = [
  // Subaccounts (FACTS §1)
  ...['CreateAccount', 'FetchAccount', 'ListAccount', 'UpdateAccount'].map((operationId) => ({ spec: 'api_v2010' as const, operationId })),
  // Addresses and numbers (FACTS §2)
  ...['CreateAddress', 'FetchAddress', 'ListAddress', 'ListAvailablePhoneNumberLocal'].map((operationId) => ({ spec: 'api_v2010' as const, operationId })),
  ...['CreateIncomingPhoneNumber', 'FetchIncomingPhoneNumber', 'ListIncomingPhoneNumber', 'DeleteIncomingPhoneNumber'].map((operationId) => ({
    spec: 'api_v2010' as const,
    operationId,
  })),
  // Messages and usage (FACTS §3)
  ...['CreateMessage', 'FetchMessage', 'ListMessage', 'ListUsageRecordThisMonth'].map((operationId) => ({ spec: 'api_v2010' as const, operationId })),
  // Messaging Services, sender pool, use cases (FACTS §4)
  ...['CreateService', 'FetchService', 'ListService', 'UpdateService', 'DeleteService', 'CreatePhoneNumber', 'ListPhoneNumber', 'DeletePhoneNumber', 'FetchUsecase'].map(
    (operationId) => ({ spec: 'messaging_v1' as const, operationId }),
  ),
  // A2P brand and campaign (FACTS §6)
  ...[
    'CreateBrandRegistrations',
    'FetchBrandRegistrations',
    'ListBrandRegistrations',
    'UpdateBrandRegistrations',
    'CreateBrandRegistrationOtp',
    'CreateUsAppToPerson',
    'FetchUsAppToPerson',
    'ListUsAppToPerson',
    'DeleteUsAppToPerson',
    'UpdateUsAppToPerson',
    'FetchUsAppToPersonUsecase',
  ].map((operationId) => ({ spec: 'messaging_v1' as const, operationId })),
  // TrustHub (FACTS §5)
  ...[
    'ListPolicies',
    'FetchPolicies',
    'CreateEndUser',
    'FetchEndUser',
    'ListEndUser',
    'UpdateEndUser',
    'CreateSupportingDocument',
    'FetchSupportingDocument',
    'ListSupportingDocument',
    'CreateCustomerProfile',
    'FetchCustomerProfile',
    'ListCustomerProfile',
    'UpdateCustomerProfile',
    'CreateCustomerProfileEntityAssignment',
    'ListCustomerProfileEntityAssignment',
    'CreateCustomerProfileEvaluation',
    'CreateTrustProduct',
    'FetchTrustProduct',
    'ListTrustProduct',
    'UpdateTrustProduct',
    'CreateTrustProductEntityAssignment',
    'ListTrustProductEntityAssignment',
    'CreateTrustProductEvaluation',
  ].map((operationId) => ({ spec: 'trusthub_v1' as const, operationId })),
  // Content (FACTS §7)
  ...['CreateContent', 'FetchContent', 'ListContent', 'UpdateContent', 'DeleteContent', 'CreateApprovalCreate', 'FetchApprovalFetch'].map((operationId) => ({
    spec: 'content_v1' as const,
    operationId,
  })),
  // WhatsApp senders (FACTS §8)
  ...['CreateChannelsSender', 'FetchChannelsSender', 'ListChannelsSender', 'UpdateChannelsSender'].map((operationId) => ({ spec: 'messaging_v2' as const, operationId })),
  // Event Streams sink + subscription for A2P number-registration events (#14)
  ...['CreateSink', 'ListSink', 'CreateSubscription', 'ListSubscription'].map((operationId) => ({ spec: 'events_v1' as const, operationId })),
];

export interface SpecOperation {
  spec: SpecFile;
  operationId: string;
  method: string;
  template: string;
  host: string;
}

const HOSTS: Record<SpecFile, string> = {
  api_v2010: 'api.twilio.com',
  messaging_v1: 'messaging.twilio.com',
  messaging_v2: 'messaging.twilio.com',
  trusthub_v1: 'trusthub.twilio.com',
  content_v1: 'content.twilio.com',
  events_v1: 'events.twilio.com',
};

const specCache = new Map<string, { paths: Record<string, Record<string, { operationId?: string }>> }>();
function spec(file: SpecFile) {
  let doc = specCache.get(file);
  if (!doc) {
    doc = specDocument(file) as unknown as { paths: Record<string, Record<string, { operationId?: string }>> };
    specCache.set(file, doc);
  }
  return doc;
}

/** Resolves an operationId to its method and path template in the spec; undefined when the spec lacks it. */
export function findOperation(file: SpecFile, operationId: string): SpecOperation | undefined {
  for (const [template, item] of Object.entries(spec(file).paths)) {
    for (const method of ['get', 'post', 'put', 'delete']) {
      if (item[method]?.operationId === operationId) return { spec: file, operationId, method: method.toUpperCase(), template, host: HOSTS[file] };
    }
  }
  return undefined;
}

export function operationIdOf(file: SpecFile, method: string, template: string): string | undefined {
  return spec(file).paths[template]?.[method.toLowerCase()]?.operationId;
}

export interface CoveredOperation {
  spec: SpecFile;
  method: string;
  template: string;
  operationId: string | undefined;
  file: string;
}

/** Every `expectContract(spec, method, template, status)` in the contract test files. */
export function discoverContractChecks(dir = here): CoveredOperation[] {
  const found: CoveredOperation[] = [];
  for (const name of readdirSync(dir).filter((f) => /^contract-.*\.test\.ts$/.test(f)).sort()) {
    const text = readFileSync(path.join(dir, name), 'utf8');
    for (const m of text.matchAll(/expectContract\(\s*'([a-z0-9_]+)',\s*'([A-Z]+)',\s*'([^']+)',\s*\d+\s*\)/g)) {
      const file = m[1] as SpecFile;
      found.push({ spec: file, method: m[2]!, template: m[3]!, operationId: operationIdOf(file, m[2]!, m[3]!), file: `test/twilio/${name}` });
    }
  }
  return found;
}

/** The docs/twilio-contract.md table: one row per platform operation with the contract test files that check it. */
export function operationsTable(): string {
  const checks = discoverContractChecks();
  const rows = PLATFORM_OPERATIONS.map(({ spec: file, operationId }) => {
    const op = findOperation(file, operationId);
    const files = [...new Set(checks.filter((c) => c.spec === file && c.operationId === operationId).map((c) => c.file))];
    const where = op ? `\`${op.method} https://${op.host}${op.template}\`` : '(not in the spec)';
    const tests = files.length ? files.map((f) => `[${path.basename(f)}](../${f})`).join(', ') : '**missing**';
    return `| ${operationId} | ${where} | ${file} | ${tests} |`;
  });
  return ['| Operation | Request | Spec | Contract test |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** Where the generated table lives, relative to the repository root. */
export const OPERATIONS_DOC = 'docs/twilio-contract.md';
export const TABLE_START = '<!-- twilio-operations:start -->';
export const TABLE_END = '<!-- twilio-operations:end -->';

/** The document's text with the generated table between the markers. */
export function docWithTable(doc: string): string {
  const start = doc.indexOf(TABLE_START);
  const end = doc.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`${OPERATIONS_DOC} has no ${TABLE_START} … ${TABLE_END} block`);
  return `${doc.slice(0, start + TABLE_START.length)}\n${operationsTable()}\n${doc.slice(end)}`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--write')) {
    const file = path.join(REPO_ROOT, OPERATIONS_DOC);
    writeFileSync(file, docWithTable(readFileSync(file, 'utf8')));
    console.log(`updated the Twilio operations table in ${file}`);
  } else {
    console.log(operationsTable());
  }
}

/** The platform operation a request to `url` (an absolute Twilio URL) performs; literal path segments win. */
export function operationForRequest(method: string, url: string): SpecOperation | undefined {
  const u = new URL(url);
  const candidates = PLATFORM_OPERATIONS.map((o) => findOperation(o.spec, o.operationId)).filter(
    (o): o is SpecOperation => !!o && o.method === method.toUpperCase() && o.host === u.host,
  );
  const matching = candidates.filter((o) => {
    const source = o.template
      .split(/(\{[A-Za-z0-9_]+\})/)
      .map((part) => (/^\{[A-Za-z0-9_]+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    return new RegExp(`^${source}$`).test(u.pathname);
  });
  const literal = (t: string) => t.replace(/\{[A-Za-z0-9_]+\}/g, '').length;
  return matching.sort((a, b) => literal(b.template) - literal(a.template))[0];
}
