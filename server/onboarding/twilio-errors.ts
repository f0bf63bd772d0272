// Who acts on each Twilio error the onboarding flows can meet (FACTS §11 and the error pages named there), and
// what the customer sees. A customer is asked to fix only what they typed; everything else is the platform's
// (automatic recovery: backoff, re-adoption, re-assembly) or an operator's (the needs_attention queue, Retry).
// docs/errors.md holds this table, generated from here (test/onboarding/who-acts.test.ts fails when it is stale).
import type { FlowError } from '../../shared/onboarding.ts';
import type { TwilioCallError } from '../twilio/gateway.ts';

export type WhoActs = 'customer' | 'platform' | 'operator';

export interface ErrorHandling {
  /** Twilio's meaning, short. */
  meaning: string;
  who: WhoActs;
  /** What the platform does about it. */
  action: string;
  /** For customer errors: the sentence the customer reads and the fields of our forms to fix. */
  message?: string;
  fields?: string[];
}

/** What a customer reads while an operator or the platform deals with a fault that is not theirs. */
export const ON_IT_MESSAGE = 'We ran into a problem on our side at this step. Our team has been told and is on it; there is nothing for you to do.';

const OPERATOR = 'Moves the flow to needs_attention: the operator queue shows the error and the step, with Retry.';
const BACKOFF = 'Retries the step with exponential backoff (the attempts are in the timeline).';

export const TWILIO_ERRORS: Record<number, ErrorHandling> = {
  10001: { meaning: 'Account is not active', who: 'operator', action: OPERATOR },
  20001: { meaning: 'Invalid parameter (one the platform composed)', who: 'operator', action: OPERATOR },
  20003: { meaning: 'Authentication failed (master or subaccount credentials)', who: 'operator', action: OPERATOR },
  20005: { meaning: 'Account not active', who: 'operator', action: OPERATOR },
  20008: { meaning: 'Forbidden for this account', who: 'operator', action: OPERATOR },
  20404: {
    meaning: 'Resource not found',
    who: 'platform',
    action: 'For a SID the flow recorded: forgets it and goes back to the step that makes it, which adopts a copy by friendly name or creates one (never two). Any other SID: needs_attention.',
  },
  20429: { meaning: 'Too many requests', who: 'platform', action: BACKOFF },
  20500: { meaning: 'Twilio internal error', who: 'platform', action: BACKOFF },
  20503: { meaning: 'Service unavailable', who: 'platform', action: BACKOFF },
  21421: { meaning: 'Phone number is invalid', who: 'operator', action: OPERATOR },
  21422: { meaning: 'Phone number is not available', who: 'platform', action: 'Searches again and buys another number (up to 5 times), then needs_attention.' },
  21451: { meaning: 'Invalid area code', who: 'customer', action: 'Asks the customer for another area code.', message: 'That area code does not exist. Choose another area code.', fields: ['areaCode'] },
  21452: { meaning: 'No numbers found in the area code', who: 'platform', action: 'Falls back to any US local number; if there is none at all, needs_attention.' },
  21475: { meaning: 'Subaccount limit reached', who: 'operator', action: OPERATOR },
  21476: { meaning: 'The master account is suspended', who: 'operator', action: OPERATOR },
  21478: { meaning: 'The subaccount is suspended', who: 'operator', action: OPERATOR },
  21479: { meaning: 'The subaccount is closed', who: 'operator', action: OPERATOR },
  21710: { meaning: 'Number already in a Messaging Service', who: 'operator', action: OPERATOR },
  21724: { meaning: 'Brand resubmission limit reached', who: 'operator', action: 'needs_attention: only Twilio support can reopen the brand.' },
  21725: { meaning: 'Brand can only be resubmitted while FAILED', who: 'operator', action: OPERATOR },
  21740: {
    meaning: 'Invalid brand contact email domain (Authentication+ for public companies)',
    who: 'customer',
    action: 'Asks for a contact email on the company’s own domain (also checked before submission).',
    message: 'A public company’s brand contact email must be on the company’s own domain, not a free e-mail provider. Change the contact email in your business profile.',
    fields: ['contact.email'],
  },
  21737: {
    meaning: 'Authentication+ 2FA verification expired (public companies)',
    who: 'customer',
    action: 'Parks the brand for "send the email again" (POST /v1/a2p/BrandRegistrations/{sid}/2fa); it continues once the new link is opened.',
    message: 'The email Twilio sent to verify your brand was not opened in time. Send it again, then open the link in it.',
    fields: [],
  },
  30701: {
    meaning: 'Brand registration has an invalid field',
    who: 'customer',
    action: 'Parks for a customer fix of the business details; the brand is resubmitted after it.',
    message: 'The brand registration has an invalid field. Check the business details.',
    fields: ['legalName', 'ein', 'address', 'website'],
  },
  30752: {
    meaning: 'Sole proprietor OTP wrong or expired',
    who: 'customer',
    action: 'Asks the customer for the latest code.',
    message: 'The code was wrong or has expired. Enter the latest code Twilio texted you.',
    fields: ['code'],
  },
  30897: {
    meaning: 'Campaign content rejected',
    who: 'customer',
    action: 'Parks for a customer fix of the campaign; it is recreated after it.',
    message: 'The campaign content was rejected. Make the description, message flow and samples match what you will send.',
    fields: ['campaign.description', 'campaign.messageFlow', 'campaign.sampleMessages'],
  },
  30994: {
    meaning: "Campaign registration failed: the brand is pending (its Authentication+ email verification is not finished)",
    who: 'customer',
    action: 'Nothing in the campaign is changed: the flow waits for the brand’s email verification (with "send the email again"), then submits the campaign again.',
    message: 'Finish your brand’s email verification: open the link Twilio emailed your brand contact, or send the email again from your progress page. Your campaign is then submitted again for you; you do not need to change it.',
    fields: [],
  },
  60711: { meaning: 'Bundle cannot be edited in its current status', who: 'operator', action: OPERATOR },
};

/** Outcomes Twilio reports in a resource's status rather than as an error code; the flows handle them in their steps. */
export const STATUS_OUTCOMES: { outcome: string; who: WhoActs; action: string; customerSees: string }[] = [
  { outcome: 'Customer profile / A2P profile `twilio-rejected`', who: 'customer', action: "Parks for a fix of the fields TrustHub named; the bundle's end users and address are updated and it is resubmitted.", customerSees: "Twilio's reasons and the fields to fix" },
  { outcome: 'Evaluation `noncompliant` naming fields', who: 'customer', action: 'Parks for a fix of those fields.', customerSees: "Twilio's reasons and the fields to fix" },
  { outcome: 'Evaluation `noncompliant` with an assignment missing', who: 'platform', action: 'Re-runs the assignments step, then evaluates again.', customerSees: 'Nothing (a timeline event)' },
  { outcome: 'Evaluation `noncompliant` naming no field of ours', who: 'operator', action: 'needs_attention.', customerSees: '"We are on it" (no form)' },
  { outcome: 'Brand `FAILED`', who: 'customer', action: 'Parks for a fix; the brand is resubmitted after it.', customerSees: "Twilio's reasons and the fields to fix" },
  { outcome: 'Brand `APPROVED`, public company, `identity_status` not verified (Authentication+)', who: 'customer', action: 'Waits for the brand contact to open the verification email; "send the email again" asks Twilio for a new one.', customerSees: 'Twilio emailed the brand contact a link to open, and a "Send the email again" button' },
  { outcome: 'Number registration `failed` (Event Streams number-registration event)', who: 'platform', action: 'Takes the number out of the messaging service and adds it again (once); a second failure goes to needs_attention.', customerSees: 'Nothing (a timeline event); sends meanwhile are refused with the reason' },
  { outcome: 'Campaign `FAILED`', who: 'customer', action: 'Parks for a fix; the campaign is deleted and created again after it.', customerSees: "Twilio's reasons and the fields to fix" },
  { outcome: 'WhatsApp sender `OFFLINE` with a reason', who: 'customer', action: 'Parks for a fix of the sender profile.', customerSees: "Twilio's offline reason" },
  { outcome: 'WhatsApp template `rejected`', who: 'customer', action: 'Parks for an edit; a new version is submitted.', customerSees: "WhatsApp's rejection reason" },
  { outcome: 'No answer, a timeout, HTTP 5xx or 429', who: 'platform', action: BACKOFF, customerSees: 'Nothing (timeline events)' },
  { outcome: 'Any other code', who: 'operator', action: OPERATOR, customerSees: '"We are on it" (no form)' },
];

export function handlingOf(code: number | undefined): ErrorHandling {
  return (code !== undefined ? TWILIO_ERRORS[code] : undefined) ?? { meaning: 'Unknown', who: 'operator', action: OPERATOR };
}

/** The customer's fix for a Twilio error they can act on. */
export function explainTwilioError(err: TwilioCallError): FlowError {
  const h = handlingOf(err.twilioCode);
  return {
    code: 'twilio_error',
    message: h.message ?? `Twilio could not complete "${err.operation}": ${err.twilioMessage}`,
    twilioCode: err.twilioCode ?? null,
    fields: h.fields ?? [],
  };
}

/** What the customer reads while the platform's operators handle a fault (the details go to the operator queue). */
export function onItError(twilioCode: number | null): FlowError {
  return { code: 'platform_fault', message: ON_IT_MESSAGE, twilioCode, fields: [] };
}

/** How the docs name the customer's view of an operator case (the sentence itself is ON_IT_MESSAGE). */
const ON_IT = '"We are on it" (no form)';

/** docs/errors.md's generated part. */
export function errorTables(): string {
  const seen = (h: ErrorHandling) => (h.who === 'customer' ? h.message! : h.who === 'operator' ? ON_IT : 'Nothing (timeline events)');
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const codes = Object.entries(TWILIO_ERRORS).map(
    ([code, h]) => `| [${code}](https://www.twilio.com/docs/api/errors/${code}) | ${esc(h.meaning)} | ${h.who} | ${esc(h.action)} | ${esc(seen(h))} |`,
  );
  const statuses = STATUS_OUTCOMES.map((o) => `| ${esc(o.outcome)} | ${o.who} | ${esc(o.action)} | ${esc(o.customerSees)} |`);
  return [
    '| Twilio code | Meaning | Who acts | What the platform does | What the customer sees |',
    '| --- | --- | --- | --- | --- |',
    ...codes,
    '',
    '| Outcome in a resource status | Who acts | What the platform does | What the customer sees |',
    '| --- | --- | --- | --- |',
    ...statuses,
  ].join('\n');
}

/** Maps Twilio's brand/campaign field names (e.g. MESSAGE_FLOW, 30701 fields) to our form's field paths. */
export function mapTwilioFields(fields: readonly unknown[]): string[] {
  const map: Record<string, string> = {
    MESSAGE_FLOW: 'campaign.messageFlow',
    DESCRIPTION: 'campaign.description',
    MESSAGE_SAMPLES: 'campaign.sampleMessages',
    SAMPLE_MESSAGES: 'campaign.sampleMessages',
    OPT_IN_MESSAGE: 'campaign.optInMessage',
    OPT_OUT_MESSAGE: 'campaign.optOutMessage',
    HELP_MESSAGE: 'campaign.helpMessage',
    EIN: 'ein',
    TAX_ID: 'ein',
    BUSINESS_NAME: 'legalName',
    COMPANY_NAME: 'legalName',
    WEBSITE: 'website',
    ADDRESS: 'address',
    EMAIL: 'contact.email',
    PHONE: 'contact.phone',
  };
  return [...new Set(fields.map((f) => map[String(f).toUpperCase()] ?? String(f)))];
}
