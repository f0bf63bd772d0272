// Wizard step 1: the business profile (legal details, address, authorised contact), validated with the shared
// createCustomerSchema before anything is sent. Used for the first submission and, prefilled, for corrections.
// A new business also chooses how it uses Twilio (a platform subaccount, or its own account); that is fixed once created.
import { useCallback, useEffect } from 'react';
import { REGISTRATION_IDS, registrationIdTypeFor } from '../../../../../shared/registration-ids.ts';
import { businessTypes, createCustomerSchema, industries, regionsOfOperation, type Customer } from '../../../../../shared/customers.ts';
import { CheckboxField, FormErrorSummary, RadioGroup, SelectField, TextField } from '../../../components/form.tsx';
import { BUSINESS_TYPE_LABEL, humanize } from '../../../components/format.ts';
import { nest, useSchemaForm, type FormValues } from '../../../components/use-schema-form.ts';

export const PROFILE_PATHS = [
  'legalName', 'displayName', 'businessType', 'ein', 'industry', 'website', 'regionsOfOperation',
  'address.street', 'address.city', 'address.region', 'address.postalCode', 'address.country',
  'contact.firstName', 'contact.lastName', 'contact.email', 'contact.phone', 'contact.jobTitle',
] as const;
const OPTIONAL = new Set(['displayName', 'ein']);
const REGION_LABEL: Record<string, string> = {
  AFRICA: 'Africa',
  ASIA: 'Asia',
  EUROPE: 'Europe',
  LATIN_AMERICA: 'Latin America',
  USA_AND_CANADA: 'USA and Canada',
};

export const PROFILE_LABELS: Record<string, string> = {
  legalName: 'Legal business name',
  displayName: 'Name customers know you by',
  businessType: 'Business type',
  ein: 'EIN (US tax ID)',
  industry: 'Industry',
  website: 'Website',
  regionsOfOperation: 'Regions of operation',
  'address.street': 'Street address',
  'address.city': 'City',
  'address.region': 'State or region',
  'address.postalCode': 'ZIP or postal code',
  'address.country': 'Country',
  'contact.firstName': 'First name',
  'contact.lastName': 'Last name',
  'contact.email': 'Email',
  'contact.phone': 'Mobile phone',
  'contact.jobTitle': 'Job title',
  twilioMode: 'How will you use Twilio?',
};

export function profileValues(c?: Customer): FormValues {
  if (!c) return { businessType: 'llc', industry: 'TECHNOLOGY', regionsOfOperation: ['USA_AND_CANADA'], 'address.country': 'US', twilioMode: 'subaccount' };
  return {
    legalName: c.legalName,
    displayName: c.displayName ?? '',
    businessType: c.businessType,
    ein: c.ein ?? '',
    industry: c.industry,
    website: c.website,
    regionsOfOperation: c.regionsOfOperation,
    'address.street': c.address.street,
    'address.city': c.address.city,
    'address.region': c.address.region,
    'address.postalCode': c.address.postalCode,
    'address.country': c.address.country,
    'contact.firstName': c.contact.firstName,
    'contact.lastName': c.contact.lastName,
    'contact.email': c.contact.email,
    'contact.phone': c.contact.phone,
    'contact.jobTitle': c.contact.jobTitle,
  };
}

export function profilePayload(values: FormValues): Record<string, unknown> {
  const body = nest(values, PROFILE_PATHS, OPTIONAL);
  if (body.businessType === 'sole_proprietor') delete body.ein;
  // Only a new business chooses (the form for an existing one has no such value): a PATCH cannot change it.
  if (typeof values.twilioMode === 'string') body.twilioMode = values.twilioMode;
  return body;
}

export function BusinessProfileStep({
  customer,
  busy,
  submitLabel,
  onSubmit,
  serverError,
}: {
  customer?: Customer;
  busy?: boolean;
  submitLabel: string;
  onSubmit: (payload: Record<string, unknown>) => void;
  serverError?: unknown;
}) {
  const toPayload = useCallback(profilePayload, []);
  const form = useSchemaForm(createCustomerSchema, profileValues(customer), toPayload);
  const { showServerError } = form;
  useEffect(() => {
    if (serverError) showServerError(serverError);
    // showServerError only calls a state setter; re-run for a new error only.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [serverError]);
  const field = (path: string) => ({
    label: PROFILE_LABELS[path]!,
    name: path,
    value: form.str(path),
    onChange: (v: string) => form.set(path, v),
    onBlur: form.touch(path),
    error: form.errorFor(path),
  });
  const soleProp = form.str('businessType') === 'sole_proprietor';
  // The registration number Twilio asks for follows the business's country (an EIN in the US, a CBN in Canada…).
  const country = (form.str('address.country') || 'US').toUpperCase();
  const idType = registrationIdTypeFor(country);
  const regions = form.list('regionsOfOperation');

  return (
    <form onSubmit={form.handleSubmit(() => onSubmit(profilePayload(form.values)))} noValidate aria-labelledby="step-heading">
      <FormErrorSummary errors={form.summary} labels={PROFILE_LABELS} focusKey={form.failedSubmits} />
      {!customer && (
        <RadioGroup
          legend={PROFILE_LABELS.twilioMode}
          name="twilioMode"
          value={form.str('twilioMode')}
          onChange={(v) => form.set('twilioMode', v)}
          error={form.errorFor('twilioMode')}
          options={[
            { value: 'subaccount', label: 'Create a Twilio account for me', help: 'We make a Twilio account for your business, buy your number and register your US texting campaign.' },
            {
              value: 'byoa',
              label: 'Connect my own Twilio account',
              help: 'You already have a Twilio account with a messaging service and numbers: you connect it with its Account SID and Auth Token, and we send through it.',
            },
          ]}
        />
      )}
      <fieldset>
        <legend>Your business</legend>
        <p className="field-help">Enter the details exactly as registered with the IRS (or your country’s registry): mismatches are the first reason brands are rejected.</p>
        <TextField {...field('legalName')} required autoComplete="organization" />
        <TextField {...field('displayName')} />
        <SelectField {...field('businessType')} required options={businessTypes.map((b) => ({ value: b, label: BUSINESS_TYPE_LABEL[b] ?? humanize(b) }))} help="Sole proprietors have no EIN and register with the sole-proprietor brand type." />
        {!soleProp &&
          (idType === 'EIN' ? (
            <TextField {...field('ein')} required inputMode="numeric" placeholder="12-3456789" help="Nine digits, written NN-NNNNNNN." />
          ) : (
            <TextField
              {...field('ein')}
              label={REGISTRATION_IDS[idType].label}
              required
              placeholder={REGISTRATION_IDS[idType].placeholder}
              help={`The registration number of a business in ${country}: it ${REGISTRATION_IDS[idType].message}.`}
            />
          ))}
        <SelectField {...field('industry')} required options={industries.map((i) => ({ value: i, label: humanize(i) }))} />
        <TextField {...field('website')} type="url" required placeholder="https://example.com" help="A live site showing the business name; reviewers visit it." />
        <fieldset className="checkbox-group" aria-describedby={form.errorFor('regionsOfOperation') ? 'regions-error' : undefined}>
          <legend>
            Regions of operation <span className="required" aria-hidden="true">*</span>
          </legend>
          {regionsOfOperation.map((r) => (
            <CheckboxField
              key={r}
              label={REGION_LABEL[r] ?? humanize(r)}
              checked={regions.includes(r)}
              onChange={(on) => {
                form.set('regionsOfOperation', on ? [...regions, r] : regions.filter((x) => x !== r));
                form.touch('regionsOfOperation')();
              }}
            />
          ))}
          {form.errorFor('regionsOfOperation') && (
            <p id="regions-error" className="field-error">
              {form.errorFor('regionsOfOperation')}
            </p>
          )}
        </fieldset>
      </fieldset>
      <fieldset>
        <legend>Business address</legend>
        <TextField {...field('address.street')} required autoComplete="street-address" />
        <div className="grid">
          <TextField {...field('address.city')} required autoComplete="address-level2" />
          <TextField {...field('address.region')} required autoComplete="address-level1" help="For the US, the two-letter state code, e.g. CA." />
          <TextField {...field('address.postalCode')} required autoComplete="postal-code" />
          <TextField {...field('address.country')} required autoComplete="country" help="Two-letter code, e.g. US." />
        </div>
      </fieldset>
      <fieldset>
        <legend>Authorised representative</legend>
        <p className="field-help">The person who can speak for the business. Sole proprietors receive a confirmation code on this mobile number.</p>
        <div className="grid">
          <TextField {...field('contact.firstName')} required autoComplete="given-name" />
          <TextField {...field('contact.lastName')} required autoComplete="family-name" />
          <TextField {...field('contact.email')} type="email" required autoComplete="email" />
          <TextField {...field('contact.phone')} type="tel" required autoComplete="tel" placeholder="+14155550123" help="International format: +1 then the number." />
          <TextField {...field('contact.jobTitle')} required autoComplete="organization-title" />
        </div>
      </fieldset>
      <button type="submit" disabled={busy}>
        {busy ? 'Saving…' : submitLabel}
      </button>
    </form>
  );
}
