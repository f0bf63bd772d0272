// Twilio's and Meta's rejection texts as the customer reads them: joined into one sentence without doubled
// periods ("…resubmit the brand.. Correct…"), Twilio's product names (TrustHub bundle, TCR) in the customer's words,
// and API field paths ("(profile.name)", "business_registration_number") as the names of the portal's fields.

/** TrustHub attribute names that reach reason texts, in the words of the portal's forms. */
const TWILIO_FIELD_WORDS: Record<string, string> = {
  business_name: 'legal business name',
  business_registration_number: 'EIN',
  website_url: 'website',
  business_industry: 'industry',
  business_regions_of_operation: 'regions of operation',
  business_title: 'job title',
  brand_contact_email: 'contact email',
  mobile_phone_number: 'mobile phone',
  address_sids: 'business address',
  company_type: 'company type',
  stock_exchange: 'stock exchange',
  stock_ticker: 'stock ticker',
  brand_name: 'brand name',
};

const JARGON: [RegExp, string | ((match: string) => string)][] = [
  [/\s*\((?:[a-z][A-Za-z0-9]*\.)+[a-z][A-Za-z0-9]*\)/g, ''],
  [/\bin the TrustHub (?:bundle|customer profile)\b/gi, 'in your business details'],
  [/\bTrustHub (?:bundle|customer profile)\b/gi, 'business profile'],
  [/\bsecondary customer profile\b/gi, 'business profile'],
  [/\bA2P trust product\b|\btrust product\b/gi, 'A2P messaging profile'],
  [/\bTrustHub\b/g, 'Twilio'],
  [/\bTCR\b/g, 'The Campaign Registry'],
  [/^Brand Registration Failure:\s*/i, ''],
  [/\b[a-z]+(?:_[a-z]+)+\b/g, (name) => TWILIO_FIELD_WORDS[name] ?? name.replace(/_/g, ' ')],
];

/** One reason in the customer's words, without its closing punctuation (the sentence around it adds its own). */
export function plainReason(text: string): string {
  let s = text.replace(/\s+/g, ' ').trim();
  for (const [re, to] of JARGON) s = typeof to === 'string' ? s.replace(re, to) : s.replace(re, to);
  return s.replace(/[\s.;,:]+$/, '').trim();
}

/** Reasons joined with "; ", duplicates dropped; `fallback` when Twilio gave none. */
export function plainReasons(texts: readonly (string | null | undefined)[], fallback = 'no reason given'): string {
  const seen = new Set<string>();
  for (const t of texts) {
    const r = t ? plainReason(t) : '';
    if (r && ![...seen].some((s) => s.toLowerCase() === r.toLowerCase())) seen.add(r);
  }
  // After a semicolon a reason goes on in lower case ("…verified; the address…"); names (The Campaign Registry) stay.
  const lowerable = /^(The|A|An|This|That|Your|Unable|Invalid|Missing)\b(?! Campaign Registry)/;
  const joined = [...seen].map((r, i) => (i > 0 && lowerable.test(r) ? r.charAt(0).toLowerCase() + r.slice(1) : r));
  return joined.length ? joined.join('; ') : fallback;
}
