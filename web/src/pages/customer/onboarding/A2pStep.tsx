// Wizard step 2: A2P 10DLC brand and campaign, validated with the shared a2pRequestSchema (Twilio's limits)
// before submission, with the rules and fees next to the fields. Also used to fix and resubmit after a rejection.
import { useCallback, useEffect } from 'react';
import { a2pRequestSchema, a2pUseCaseSchema, companyTypeSchema, LOW_VOLUME_DAILY_SEGMENTS, stockExchangeSchema, type A2pRequest } from '../../../../../shared/a2p.ts';
import type { BusinessType } from '../../../../../shared/customers.ts';
import { CheckboxField, FormErrorSummary, SelectField, TextArea, TextField } from '../../../components/form.tsx';
import { humanize } from '../../../components/format.ts';
import { nest, useSchemaForm, type FormValues } from '../../../components/use-schema-form.ts';
import { HELP, USE_CASES } from './twilio-rules.ts';
import { A2pFeesTable } from '../../../components/A2pFeesTable.tsx';
import { brandChoiceOf, BRAND_CHOICE_LABELS } from '../../../../../shared/a2p-fees.ts';

const SCALAR_PATHS = [
  'brandType', 'lowVolume', 'companyType', 'stockExchange', 'stockTicker', 'areaCode',
  'campaign.useCase', 'campaign.description', 'campaign.messageFlow', 'campaign.hasEmbeddedLinks', 'campaign.hasEmbeddedPhone',
  'campaign.optInMessage', 'campaign.optOutMessage', 'campaign.helpMessage', 'campaign.privacyPolicyUrl', 'campaign.termsUrl',
] as const;
const OPTIONAL = new Set([
  'lowVolume', 'stockExchange', 'stockTicker', 'areaCode', 'campaign.optInMessage', 'campaign.optOutMessage', 'campaign.helpMessage',
  'campaign.privacyPolicyUrl', 'campaign.termsUrl',
]);

export const A2P_LABELS: Record<string, string> = {
  brandType: 'Brand type',
  lowVolume: 'Low-Volume Standard',
  companyType: 'Company type',
  stockExchange: 'Stock exchange',
  stockTicker: 'Stock ticker',
  areaCode: 'Preferred area code',
  'campaign.useCase': 'Use case',
  'campaign.description': 'Campaign description',
  'campaign.messageFlow': 'How people opt in (message flow)',
  'campaign.sampleMessages': 'Sample messages',
  'campaign.optInMessage': 'Opt-in confirmation message',
  'campaign.optOutMessage': 'Opt-out confirmation message',
  'campaign.helpMessage': 'Help message',
  'campaign.optInKeywords': 'Opt-in keywords',
  'campaign.privacyPolicyUrl': 'Privacy policy URL',
  'campaign.termsUrl': 'Terms and conditions URL',
};
for (let i = 0; i < 5; i++) A2P_LABELS[`campaign.sampleMessages.${i}`] = `Sample message ${i + 1}`;

export function a2pDefaults(businessType?: BusinessType): FormValues {
  const soleProp = businessType === 'sole_proprietor';
  return {
    brandType: soleProp ? 'SOLE_PROPRIETOR' : 'STANDARD',
    companyType: businessType === 'non_profit' ? 'non_profit' : businessType === 'government' ? 'government' : 'private',
    'campaign.useCase': soleProp ? 'SOLE_PROPRIETOR' : 'ACCOUNT_NOTIFICATION',
    'campaign.sampleMessages': ['', ''],
    'campaign.hasEmbeddedLinks': false,
    'campaign.hasEmbeddedPhone': false,
    'campaign.optInKeywords': '',
  };
}

/** The form's values for data submitted before (the fix-and-resubmit form starts from the last submission). */
export function a2pFormValues(req: A2pRequest): FormValues {
  const { campaign, ...brand } = req;
  const values: FormValues = { ...a2pDefaults(), ...brand };
  for (const [k, v] of Object.entries(campaign)) values[`campaign.${k}`] = v;
  values['campaign.optInKeywords'] = (campaign.optInKeywords ?? []).join(' ');
  return values;
}

export function a2pPayload(values: FormValues): Record<string, unknown> {
  const body = nest(values, SCALAR_PATHS, OPTIONAL);
  const campaign = (body.campaign ??= {}) as Record<string, unknown>;
  const samples = Array.isArray(values['campaign.sampleMessages']) ? (values['campaign.sampleMessages'] as string[]) : [];
  campaign.sampleMessages = samples;
  const keywords = String(values['campaign.optInKeywords'] ?? '')
    .split(/[\s,]+/)
    .map((k) => k.trim())
    .filter(Boolean);
  if (keywords.length) campaign.optInKeywords = keywords;
  // Low-Volume Standard is a choice only for standard brands of private or public companies.
  if (body.lowVolume !== true || body.brandType !== 'STANDARD' || body.companyType === 'government' || body.companyType === 'non_profit') delete body.lowVolume;
  if (body.companyType !== 'public') {
    delete body.stockExchange;
    delete body.stockTicker;
  }
  return body;
}

export function A2pStep({
  businessType,
  initial,
  busy,
  submitLabel,
  onSubmit,
  serverError,
}: {
  businessType?: BusinessType;
  initial?: FormValues;
  busy?: boolean;
  submitLabel: string;
  onSubmit: (payload: Record<string, unknown>) => void;
  serverError?: unknown;
}) {
  const toPayload = useCallback(a2pPayload, []);
  const form = useSchemaForm(a2pRequestSchema, initial ?? a2pDefaults(businessType), toPayload);
  const { showServerError } = form;
  useEffect(() => {
    if (serverError) showServerError(serverError);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [serverError]);

  const field = (path: string) => ({
    label: A2P_LABELS[path]!,
    name: path,
    value: form.str(path),
    onChange: (v: string) => form.set(path, v),
    onBlur: form.touch(path),
    error: form.errorFor(path),
  });
  const samples = form.list('campaign.sampleMessages');
  const setSample = (i: number, v: string) => form.set('campaign.sampleMessages', samples.map((s, j) => (j === i ? v : s)));
  const useCase = form.str('campaign.useCase');
  const soleProp = form.str('brandType') === 'SOLE_PROPRIETOR';
  const publicSector = form.str('companyType') === 'government' || form.str('companyType') === 'non_profit';
  const choice = brandChoiceOf({ brandType: form.str('brandType'), lowVolume: !publicSector && form.bool('lowVolume') });

  return (
    <form onSubmit={form.handleSubmit(() => onSubmit(a2pPayload(form.values)))} noValidate aria-labelledby="step-heading">
      <FormErrorSummary errors={form.summary} labels={A2P_LABELS} focusKey={form.failedSubmits} />
      <fieldset>
        <legend>Brand</legend>
        <SelectField
          {...field('brandType')}
          required
          options={[
            { value: 'STANDARD', label: 'Standard (business with an EIN)' },
            { value: 'SOLE_PROPRIETOR', label: 'Sole proprietor (no EIN)' },
          ]}
          help={HELP.brandType}
        />
        <SelectField {...field('companyType')} required options={companyTypeSchema.options.map((c) => ({ value: c, label: humanize(c) }))} help={HELP.companyType} />
        {!soleProp && !publicSector && (
          <CheckboxField name="lowVolume" label={`Low-Volume Standard (fewer than ${LOW_VOLUME_DAILY_SEGMENTS.toLocaleString('en-US')} message segments a day)`} checked={form.bool('lowVolume')} onChange={(v) => form.set('lowVolume', v)} help={HELP.lowVolume} />
        )}
        {!soleProp && publicSector && <p className="field-help">Government agencies and non-profits register Standard brands, where Twilio gives them more throughput and lower fees.</p>}
        {form.str('companyType') === 'public' && (
          <div className="grid">
            <SelectField {...field('stockExchange')} required options={[{ value: '', label: 'Choose…' }, ...stockExchangeSchema.options.filter((x) => x !== 'NONE').map((x) => ({ value: x, label: x }))]} />
            <TextField {...field('stockTicker')} required placeholder="ACME" />
          </div>
        )}
      </fieldset>
      <fieldset>
        <legend>Campaign</legend>
        <SelectField
          {...field('campaign.useCase')}
          required
          options={a2pUseCaseSchema.options.filter((u) => (soleProp ? u === 'SOLE_PROPRIETOR' : u !== 'SOLE_PROPRIETOR')).map((u) => ({ value: u, label: USE_CASES[u]?.label ?? humanize(u) }))}
          help={USE_CASES[useCase]?.help}
        />
        <TextArea {...field('campaign.description')} required rows={3} min={40} max={4096} help={HELP.description} />
        <TextArea {...field('campaign.messageFlow')} required rows={4} min={40} max={2048} help={HELP.messageFlow} />
        <fieldset className="samples">
          <legend>
            Sample messages <span className="required" aria-hidden="true">*</span>
          </legend>
          <p className="field-help">{HELP.samples}</p>
          {form.errorFor('campaign.sampleMessages') && (
            <p className="field-error" role="alert">
              {form.errorFor('campaign.sampleMessages')}
            </p>
          )}
          {samples.map((s, i) => (
            <div key={i} className="sample">
              <TextArea
                label={`Sample message ${i + 1}`}
                name={`campaign.sampleMessages.${i}`}
                value={s}
                onChange={(v) => setSample(i, v)}
                onBlur={form.touch(`campaign.sampleMessages.${i}`)}
                error={form.errorFor(`campaign.sampleMessages.${i}`)}
                required
                rows={2}
                min={20}
                max={1024}
              />
              {samples.length > 2 && (
                <button type="button" className="button-link" onClick={() => form.set('campaign.sampleMessages', samples.filter((_, j) => j !== i))}>
                  Remove sample {i + 1}
                </button>
              )}
            </div>
          ))}
          {samples.length < 5 && (
            <button type="button" className="button-secondary" onClick={() => form.set('campaign.sampleMessages', [...samples, ''])}>
              Add a sample
            </button>
          )}
        </fieldset>
        <CheckboxField label="Messages contain links" checked={form.bool('campaign.hasEmbeddedLinks')} onChange={(v) => form.set('campaign.hasEmbeddedLinks', v)} help={HELP.embeddedLinks} />
        <CheckboxField label="Messages contain phone numbers" checked={form.bool('campaign.hasEmbeddedPhone')} onChange={(v) => form.set('campaign.hasEmbeddedPhone', v)} help={HELP.embeddedPhone} />
        <TextArea {...field('campaign.optInMessage')} rows={2} max={320} help={HELP.optIn} />
        <TextArea {...field('campaign.optOutMessage')} rows={2} max={320} help={HELP.optOut} />
        <TextArea {...field('campaign.helpMessage')} rows={2} max={320} help={HELP.helpMsg} />
        <TextField {...field('campaign.optInKeywords')} error={form.errorUnder('campaign.optInKeywords')} help={HELP.keywords} />
        <div className="grid">
          <TextField {...field('campaign.privacyPolicyUrl')} type="url" placeholder="https://example.com/privacy" />
          <TextField {...field('campaign.termsUrl')} type="url" placeholder="https://example.com/terms" />
        </div>
        <TextField {...field('areaCode')} inputMode="numeric" placeholder="415" help={HELP.areaCode} />
      </fieldset>
      <section className="fees" aria-labelledby="fees-heading">
        <h3 id="fees-heading">What a submission costs</h3>
        <p className="muted">Fees of a {BRAND_CHOICE_LABELS[choice]} brand:</p>
        <A2pFeesTable choice={choice}>Our team reviews your data first; nothing is sent to Twilio, or charged, until it is approved.</A2pFeesTable>
      </section>
      <button type="submit" disabled={busy}>
        {busy ? 'Submitting…' : submitLabel}
      </button>
    </form>
  );
}
