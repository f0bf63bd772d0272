// Business registration identifiers TrustHub accepts (`business_registration_identifier` of
// customer_profile_business_information, DOCS trust-hub api-create-secondary-customer-profile): the type follows
// from the business's country, and each type has its own number format, checked before anything is submitted.

export const registrationIdTypes = ['EIN', 'CBN', 'CN', 'ACN', 'CIN', 'VAT', 'VATRN', 'RN'] as const;
export type RegistrationIdType = (typeof registrationIdTypes)[number];

/** EU member states, whose businesses register with their VAT number (Romania has its own VATRN). */
const EU = new Set('AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT SK SI ES SE'.split(' '));

const BY_COUNTRY: Record<string, RegistrationIdType> = { US: 'EIN', CA: 'CBN', GB: 'CN', AU: 'ACN', IN: 'CIN', RO: 'VATRN', IS: 'RN' };

/**
 * The identifier type of a business in `country` (ISO 3166-1 alpha-2). Elsewhere Twilio asks for the tax ID
 * as an EIN (its secondary-profile guide: "If you have a US entity or an International Tax ID, use EIN").
 */
export function registrationIdTypeFor(country: string): RegistrationIdType {
  const c = country.toUpperCase();
  return BY_COUNTRY[c] ?? (EU.has(c) ? 'VAT' : 'EIN');
}

export const REGISTRATION_IDS: Record<RegistrationIdType, { label: string; pattern: RegExp; message: string; placeholder: string }> = {
  EIN: { label: 'EIN (US Employer Identification Number)', pattern: /^\d{2}-\d{7}$/, message: 'must be an EIN in the form NN-NNNNNNN', placeholder: '12-3456789' },
  CBN: { label: 'Business Number (Canada, CBN)', pattern: /^\d{9}$/, message: 'must be a Canadian Business Number of 9 digits', placeholder: '123456789' },
  CN: { label: 'Company number (UK Companies House)', pattern: /^([0-9]{8}|[A-Z]{2}[0-9]{6})$/, message: 'must be a UK company number of 8 digits, or 2 letters and 6 digits', placeholder: '01234567' },
  ACN: { label: 'ACN (Australian Company Number)', pattern: /^\d{3} ?\d{3} ?\d{3}$/, message: 'must be an ACN of 9 digits', placeholder: '123 456 789' },
  CIN: { label: 'CIN (India Corporate Identification Number)', pattern: /^[LU]\d{5}[A-Z]{2}\d{4}[A-Z]{3}\d{6}$/, message: 'must be a 21-character CIN such as U12345MH2020PTC123456', placeholder: 'U12345MH2020PTC123456' },
  VAT: { label: 'VAT number (EU)', pattern: /^[A-Z]{2}[A-Z0-9]{2,13}$/, message: 'must be an EU VAT number: the country prefix and 2–13 letters or digits', placeholder: 'DE123456789' },
  VATRN: { label: 'VAT registration number (Romania)', pattern: /^(RO)?\d{2,10}$/, message: 'must be a Romanian VAT number of 2–10 digits (RO prefix optional)', placeholder: 'RO1234567' },
  RN: { label: 'Registration number (Iceland, kennitala)', pattern: /^\d{6}-?\d{4}$/, message: 'must be a kennitala of 10 digits (NNNNNN-NNNN)', placeholder: '123456-7890' },
};

/** Why `number` is not a valid identifier for a business in `country`, or undefined when it is. */
export function registrationNumberProblem(country: string, number: string): string | undefined {
  const rule = REGISTRATION_IDS[registrationIdTypeFor(country)];
  return rule.pattern.test(number.trim()) ? undefined : rule.message;
}
