// Wire contract of customers (the ISV's business customers) and their members. The portal's onboarding
// wizard validates with the same schemas the server parses with.
import { z } from 'zod';
import { e164Schema, filterText, pageSchema } from './common.ts';
import { twilioModeSchema } from './twilio-connection.ts';
import { registrationNumberProblem } from './registration-ids.ts';

export const businessTypes = ['sole_proprietor', 'llc', 'corporation', 'partnership', 'non_profit', 'government'] as const;
export const businessTypeSchema = z.enum(businessTypes);
export type BusinessType = z.infer<typeof businessTypeSchema>;

/** TrustHub's business_industry values (customer_profile_business_information). */
export const industries = [
  'AGRICULTURE', 'AUTOMOTIVE', 'BANKING', 'CONSTRUCTION', 'CONSUMER', 'EDUCATION', 'ELECTRONICS', 'ENGINEERING',
  'ENERGY', 'OIL_AND_GAS', 'FAST_MOVING_CONSUMER_GOODS', 'FINANCIAL', 'FINTECH', 'FOOD_AND_BEVERAGE', 'GOVERNMENT',
  'HEALTHCARE', 'HOSPITALITY', 'INSURANCE', 'JEWELRY', 'LEGAL', 'MANUFACTURING', 'MEDIA', 'NOT_FOR_PROFIT', 'ONLINE',
  'PROFESSIONAL_SERVICES', 'RAW_MATERIALS', 'REAL_ESTATE', 'RELIGION', 'RETAIL', 'TECHNOLOGY', 'TELECOMMUNICATIONS',
  'TRANSPORTATION', 'TRAVEL',
] as const;
export const industrySchema = z.enum(industries);

/** TrustHub's business_regions_of_operation values. */
export const regionsOfOperation = ['AFRICA', 'ASIA', 'EUROPE', 'LATIN_AMERICA', 'USA_AND_CANADA'] as const;
export const regionOfOperationSchema = z.enum(regionsOfOperation);

/** ISO 3166-1 alpha-2 country codes. */
export const countryCodes = new Set(
  ('AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC ' +
    'CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD ' +
    'GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH ' +
    'KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW ' +
    'MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC ' +
    'SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY ' +
    'UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW').split(' '),
);

/** US states, DC and the territories with US addresses (USPS codes). */
export const usStates = new Set(
  ('AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA ' +
    'RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI AS MP').split(' '),
);

const text = (max: number) => z.string().trim().min(1, 'is required').max(max);

/**
 * `ein` holds the business registration number of the business's country (registration-ids.ts): an EIN in the
 * US, a CBN in Canada, and so on; its format is checked against the address's country.
 */
const registrationNumberSchema = z.string().trim().min(1, 'is required').max(30);

export const addressSchema = z
  .object({
    street: text(200),
    city: text(100),
    region: text(100),
    postalCode: text(20),
    country: z
      .string()
      .trim()
      .transform((c) => c.toUpperCase())
      .refine((c) => countryCodes.has(c), 'must be an ISO 3166-1 alpha-2 country code such as US'),
  })
  .superRefine((a, ctx) => {
    if (a.country !== 'US') return;
    if (!usStates.has(a.region.toUpperCase())) ctx.addIssue({ code: 'custom', path: ['region'], message: 'must be a US state code such as CA' });
    if (!/^\d{5}(-\d{4})?$/.test(a.postalCode)) ctx.addIssue({ code: 'custom', path: ['postalCode'], message: 'must be a US ZIP code such as 94105' });
  })
  .transform((a) => (a.country === 'US' ? { ...a, region: a.region.toUpperCase() } : a));
export type Address = z.output<typeof addressSchema>;

export const contactSchema = z.object({
  firstName: text(100),
  lastName: text(100),
  email: z.email('must be an email address').max(254),
  phone: e164Schema,
  jobTitle: text(100),
});
export type Contact = z.output<typeof contactSchema>;

const websiteSchema = z.url({ protocol: /^https?$/, hostname: z.regexes.domain, message: 'must be an http(s) URL such as https://example.com' }).max(2048);

const customerFields = {
  legalName: text(200),
  displayName: text(200).optional(),
  businessType: businessTypeSchema,
  ein: registrationNumberSchema.optional(),
  industry: industrySchema,
  website: websiteSchema,
  regionsOfOperation: z.array(regionOfOperationSchema).min(1, 'name at least one region').max(5),
  address: addressSchema,
  contact: contactSchema,
};

/**
 * Twilio's sole-proprietor brands are for people without a tax ID in the US or Canada; with a registration
 * number the business registers a Standard or Low-Volume Standard brand instead. The problem, or undefined.
 */
export function soleProprietorProblem(businessType: BusinessType | undefined, ein: string | null | undefined, country: string | undefined): { path: string; message: string } | undefined {
  if (businessType !== 'sole_proprietor') return undefined;
  if (ein) return { path: 'ein', message: 'a sole proprietor registers without a tax ID: with a registration number, choose your business type (LLC, corporation or partnership) for a Standard or Low-Volume Standard registration' };
  if (country && country !== 'US' && country !== 'CA') return { path: 'businessType', message: 'Twilio registers sole proprietors only in the US and Canada; elsewhere, register the business with its registration number' };
  return undefined;
}

function einRule(c: { businessType?: BusinessType; ein?: string | null; address?: { country: string } }, ctx: z.RefinementCtx) {
  if (c.businessType && c.businessType !== 'sole_proprietor' && !c.ein) {
    ctx.addIssue({ code: 'custom', path: ['ein'], message: 'is required unless the business is a sole proprietor' });
  }
  const sole = soleProprietorProblem(c.businessType, c.ein, c.address?.country);
  if (sole) ctx.addIssue({ code: 'custom', path: [sole.path], message: sole.message });
  const problem = c.ein && c.address ? registrationNumberProblem(c.address.country, c.ein) : undefined;
  if (problem) ctx.addIssue({ code: 'custom', path: ['ein'], message: problem });
}

/**
 * `twilioMode`: `subaccount` (default) has the platform make a Twilio subaccount now; `byoa` waits for the
 * customer to connect a Twilio account of its own (PUT …/twilio-connection).
 */
export const createCustomerSchema = z.strictObject({ ...customerFields, twilioMode: twilioModeSchema.default('subaccount') }).superRefine(einRule);
export type CreateCustomerInput = z.input<typeof createCustomerSchema>;
export type CreateCustomer = z.output<typeof createCustomerSchema>;

/**
 * PATCH: any subset of the fields; `displayName` and `ein` may be null to clear them. The EIN rule is checked
 * again on the merged record by the service (the business type may be unchanged and not in the patch).
 */
export const updateCustomerSchema = z
  .strictObject({
    ...customerFields,
    displayName: customerFields.displayName.unwrap().nullable().optional(),
    ein: registrationNumberSchema.nullable().optional(),
  })
  .partial()
  .refine((p) => Object.keys(p).length > 0, 'name at least one field to change');
export type UpdateCustomer = z.output<typeof updateCustomerSchema>;

export const customerStatusSchema = z.enum(['onboarding', 'active', 'suspended', 'closed']);

export const customerSchema = z.object({
  id: z.uuid(),
  legalName: z.string(),
  displayName: z.string().nullable(),
  businessType: businessTypeSchema,
  ein: z.string().nullable(),
  industry: z.string(),
  website: z.string(),
  regionsOfOperation: z.array(z.string()),
  address: z.object({ street: z.string(), city: z.string(), region: z.string(), postalCode: z.string(), country: z.string() }),
  contact: z.object({ firstName: z.string(), lastName: z.string(), email: z.string(), phone: z.string(), jobTitle: z.string() }),
  status: customerStatusSchema,
  /** Where the customer's Twilio account comes from: a platform subaccount or its own connected account. */
  twilioMode: twilioModeSchema,
  /** The caller's relation to this customer. */
  myRole: z.enum(['owner', 'member', 'staff']),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Customer = z.infer<typeof customerSchema>;

export const customerPageSchema = pageSchema(customerSchema);

export const listCustomersQuerySchema = z.object({
  q: filterText(200).optional(),
  cursor: filterText(512).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const memberRoleSchema = z.enum(['owner', 'member']);

export const inviteMemberSchema = z.strictObject({
  email: z
    .email('must be an email address')
    .max(254)
    .transform((e) => e.trim().toLowerCase()),
  role: memberRoleSchema.default('member'),
});
export type InviteMemberInput = z.input<typeof inviteMemberSchema>;

export const memberSchema = z.object({
  userId: z.uuid().nullable(),
  email: z.string(),
  role: memberRoleSchema,
  status: z.enum(['active', 'invited']),
  /** The pending invitation behind an `invited` row (revoke or resend it by this id); null for members. */
  invitationId: z.uuid().nullable(),
  since: z.string(),
});
export type Member = z.infer<typeof memberSchema>;

export const memberListSchema = z.object({ items: z.array(memberSchema) });
/** An invitation always waits for the invitee's consent: `invitation_emailed` when a mail went out. */
export const inviteResultSchema = z.object({ member: memberSchema, delivery: z.enum(['invitation_recorded', 'invitation_emailed']) });

/** An invitation waiting for the caller (GET /api/isv/invitations): accept or decline it. */
export const myInvitationSchema = z.object({
  id: z.uuid(),
  customerId: z.uuid(),
  customerName: z.string(),
  role: memberRoleSchema,
  invitedBy: z.string().nullable(),
  createdAt: z.string(),
});
export type MyInvitation = z.infer<typeof myInvitationSchema>;
export const myInvitationListSchema = z.object({ items: z.array(myInvitationSchema) });
export const acceptInvitationResultSchema = z.object({ customerId: z.uuid(), role: memberRoleSchema });

/** PUT /api/isv/users/:userId/customer-limit (staff). */
export const customerLimitSchema = z.strictObject({ maxCustomers: z.number().int().min(0).max(10000).nullable() });
