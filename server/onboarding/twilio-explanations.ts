// Plain-language explanations of the Twilio errors a customer can meet during onboarding, with the fields of our
// own forms that usually need fixing (FACTS §11 and the error docs named there).
import type { FlowError } from '../../shared/onboarding.ts';
import type { TwilioCallError } from '../twilio/gateway.ts';

const KNOWN: Record<number, { message: string; fields: string[] }> = {
  20001: { message: 'Twilio refused a value we sent. Check the highlighted details and try again.', fields: [] },
  20404: { message: 'A Twilio resource this step relies on no longer exists.', fields: [] },
  21422: { message: 'No phone number is available in the requested area code. Choose another area code.', fields: ['areaCode'] },
  21452: { message: 'No phone number is available in the requested area code. Choose another area code.', fields: ['areaCode'] },
  21476: { message: 'The ISV master account is suspended, so this subaccount cannot change.', fields: [] },
  21478: { message: 'Twilio suspended this subaccount; it cannot be changed from here.', fields: [] },
  21479: { message: 'This subaccount is closed and cannot be reopened.', fields: [] },
  21725: { message: 'The brand can only be resubmitted after Twilio has marked it failed.', fields: [] },
  30701: { message: 'The brand registration has an invalid field. Check the business details.', fields: ['legalName', 'ein', 'address', 'website'] },
  30897: { message: 'The campaign content was rejected. Make the description, message flow and samples match what you will send.', fields: ['campaign.description', 'campaign.messageFlow', 'campaign.sampleMessages'] },
  60711: { message: 'The compliance profile cannot be edited while Twilio reviews it or after approval.', fields: [] },
  10001: { message: 'This Twilio account is not active.', fields: [] },
};

export function explainTwilioError(err: TwilioCallError): FlowError {
  const known = err.twilioCode !== undefined ? KNOWN[err.twilioCode] : undefined;
  return {
    code: 'twilio_error',
    message: known?.message ?? `Twilio could not complete "${err.operation}": ${err.twilioMessage}`,
    twilioCode: err.twilioCode ?? null,
    fields: known?.fields ?? [],
  };
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
