// The TrustHub catalogue the sandbox serves: the four A2P policies of FACTS §5, their end-user and
// supporting-document types, and the field rules the sandbox's Evaluations check (what Twilio's reviewers check).
import { createHash } from 'node:crypto';
import { REGISTRATION_IDS, registrationIdTypes, type RegistrationIdType } from '../../../shared/registration-ids.ts';

export const POLICY = {
  /** Secondary Customer Profile of type Business (the ISV's own primary profile uses it too). */
  secondaryCustomerProfile: 'RNdfbf3fae0e1107f8aded0e7cead80bf5',
  /** A2P Messaging Profile (the trust product of a standard brand). */
  a2pMessagingProfile: 'RNb0d4771c2c98518d916a3d4cd70a8f8b',
  /** Starter Customer Profile of type Business (sole proprietor path). */
  starterCustomerProfile: 'RN806dd6cd175f314e1f96a9727ee271f4',
  /** Sole Proprietor TrustProduct. */
  soleProprietorTrustProduct: 'RN670d5d2e282a6130ae063b234b6019c8',
} as const;

export type BundleKind = 'customer_profile' | 'trust_product';

export interface FieldDef {
  machine_name: string;
  friendly_name: string;
  constraint: 'String' | 'List' | 'Email' | 'PhoneNumber' | 'Url' | 'Enum';
  /** Whether an evaluation fails without it; a function for conditional requirements. */
  required: boolean | ((attrs: Record<string, unknown>) => boolean);
  allowed?: readonly string[];
  /** A rule on the value beyond its constraint (e.g. a number's format for its identifier type). */
  check?: (value: string, attrs: Record<string, unknown>) => string | undefined;
}

export interface TypeDef {
  machine_name: string;
  friendly_name: string;
  fields: FieldDef[];
}

const str = (machine_name: string, friendly_name: string, required: FieldDef['required'] = true): FieldDef => ({
  machine_name,
  friendly_name,
  constraint: 'String',
  required,
});

const representative = (n: 1 | 2): TypeDef => ({
  machine_name: `authorized_representative_${n}`,
  friendly_name: `Authorized Representative ${n === 1 ? 'one' : 'two'}`,
  fields: [
    str('first_name', 'First Name'),
    str('last_name', 'Last Name'),
    { machine_name: 'email', friendly_name: 'Email', constraint: 'Email', required: true },
    { machine_name: 'phone_number', friendly_name: 'Phone Number', constraint: 'PhoneNumber', required: true },
    str('business_title', 'Business Title'),
    str('job_position', 'Job Position'),
  ],
});

/** The company types exactly as the us_a2p_messaging_profile_information end-user type lists them. */
export const COMPANY_TYPES = ['private', 'public', 'non-profit', 'government'] as const;

/** business_type values of customer_profile_business_information (DOCS api-create-secondary-customer-profile). */
export const BUSINESS_TYPES = ['Sole Proprietorship', 'Partnership', 'Limited Liability Corporation', 'Co-operative', 'Non-profit Corporation', 'Corporation'] as const;

/**
 * What a government or non-profit A2P profile needs in its customer profile's business information (Twilio's
 * mapping, DOCS onboarding-for-government-and-non-profit-agencies): an inconsistent pair fails the evaluation.
 */
export const PUBLIC_SECTOR_MAPPING: Record<string, { business_type: string; business_industry: string }> = {
  government: { business_type: 'Non-profit Corporation', business_industry: 'GOVERNMENT' },
  'non-profit': { business_type: 'Non-profit Corporation', business_industry: 'NOT_FOR_PROFIT' },
};

const registrationNumberRule = (value: string, attrs: Record<string, unknown>): string | undefined => {
  const rule = REGISTRATION_IDS[String(attrs.business_registration_identifier) as RegistrationIdType];
  return !rule || rule.pattern.test(value) ? undefined : `The Business Registration Number ${rule.message} (${String(attrs.business_registration_identifier)}).`;
};

export const END_USER_TYPES: TypeDef[] = [
  {
    machine_name: 'customer_profile_business_information',
    friendly_name: 'Business Information',
    fields: [
      str('business_name', 'Business Name'),
      str('business_identity', 'Business Identity'),
      { machine_name: 'business_type', friendly_name: 'Business Type', constraint: 'Enum', required: true, allowed: BUSINESS_TYPES },
      str('business_industry', 'Business Industry'),
      { machine_name: 'business_registration_identifier', friendly_name: 'Business Registration ID Type', constraint: 'Enum', required: true, allowed: registrationIdTypes },
      { ...str('business_registration_number', 'Business Registration Number'), check: registrationNumberRule },
      { machine_name: 'business_regions_of_operation', friendly_name: 'Business Regions of Operation', constraint: 'List', required: true },
      { machine_name: 'website_url', friendly_name: 'Website URL', constraint: 'Url', required: true },
      { machine_name: 'social_media_profile_urls', friendly_name: 'Social Media Profile URLs', constraint: 'String', required: false },
    ],
  },
  representative(1),
  representative(2),
  {
    machine_name: 'us_a2p_messaging_profile_information',
    friendly_name: 'US A2P Messaging Profile Information',
    fields: [
      { machine_name: 'company_type', friendly_name: 'Company Type', constraint: 'Enum', required: true, allowed: COMPANY_TYPES },
      str('stock_exchange', 'Stock Exchange', (a) => a.company_type === 'public'),
      str('stock_ticker', 'Stock Ticker', (a) => a.company_type === 'public'),
      { machine_name: 'brand_contact_email', friendly_name: 'Brand Contact Email', constraint: 'Email', required: (a) => a.company_type === 'public' },
    ],
  },
  {
    machine_name: 'starter_customer_profile_information',
    friendly_name: 'Information',
    fields: [
      str('first_name', 'First Name'),
      str('last_name', 'Last Name'),
      { machine_name: 'email', friendly_name: 'Email Address', constraint: 'Email', required: true },
      { machine_name: 'phone_number', friendly_name: 'Phone Number', constraint: 'PhoneNumber', required: true },
    ],
  },
  {
    machine_name: 'sole_proprietor_information',
    friendly_name: 'Sole Proprietor Information',
    fields: [
      str('brand_name', 'Brand Name'),
      { machine_name: 'mobile_phone_number', friendly_name: 'Mobile Phone Number', constraint: 'PhoneNumber', required: true },
      str('vertical', 'Vertical'),
    ],
  },
];

export const SUPPORTING_DOCUMENT_TYPES: TypeDef[] = [
  {
    machine_name: 'customer_profile_address',
    friendly_name: 'Customer profile address',
    fields: [{ machine_name: 'address_sids', friendly_name: 'Address Sids', constraint: 'List', required: true }],
  },
  {
    machine_name: 'starter_customer_profile_address',
    friendly_name: 'Starter customer profile address',
    fields: [{ machine_name: 'address_sids', friendly_name: 'Address Sids', constraint: 'List', required: true }],
  },
];

/** Type SIDs are stable across restarts: OY + the first 32 hex digits of the machine name's MD5. */
export const typeSid = (machineName: string): string => `OY${createHash('md5').update(machineName).digest('hex')}`;

export const endUserType = (name: string) => END_USER_TYPES.find((t) => t.machine_name === name);
export const supportingDocumentType = (name: string) => SUPPORTING_DOCUMENT_TYPES.find((t) => t.machine_name === name);

export interface EndUserRequirement {
  type: string;
  name: string;
  requirement_name: string;
  optional?: boolean;
}

export interface DocumentRequirement {
  requirement_name: string;
  name: string;
  description: string;
  accepted: string[];
}

export interface BundleRequirement {
  requirement_name: string;
  name: string;
  type: string;
  /** Policies an assigned customer profile may have. */
  policies: string[];
  /** 'approved': must be twilio-approved; 'submitted': pending-review, in-review or twilio-approved. */
  status: 'approved' | 'submitted';
  /** The primary profile may come from the parent account (the ISV's own approved profile). */
  fromParent?: boolean;
  /** A main account's own profile (the ISV's master, or a business's own account) is the primary: it does not need one itself. */
  notForMainAccount?: boolean;
}

export interface PolicyDef {
  sid: string;
  friendly_name: string;
  bundleKind: BundleKind;
  endUsers: EndUserRequirement[];
  documents: DocumentRequirement[];
  customerProfiles: BundleRequirement[];
}

const addressRequirement = (accepted: string[]): DocumentRequirement => ({
  requirement_name: 'customer_profile_address',
  name: 'Physical Business Address',
  description: 'Customer Profile HQ Physical Address',
  accepted,
});

const primaryProfile: BundleRequirement = {
  requirement_name: 'primary_customer_profile',
  name: 'Primary Customer Profile Bundle',
  type: 'primary_customer_profile_type_business',
  policies: [POLICY.secondaryCustomerProfile],
  status: 'approved',
  fromParent: true,
  notForMainAccount: true,
};

export const POLICIES: PolicyDef[] = [
  {
    sid: POLICY.secondaryCustomerProfile,
    friendly_name: 'Secondary Customer Profile of type Business',
    bundleKind: 'customer_profile',
    endUsers: [
      { type: 'customer_profile_business_information', name: 'Business Information', requirement_name: 'customer_profile_business_information' },
      { type: 'authorized_representative_1', name: 'Authorized Representative 1', requirement_name: 'authorized_representative_1' },
      { type: 'authorized_representative_2', name: 'Authorized Representative 2', requirement_name: 'authorized_representative_2', optional: true },
    ],
    documents: [addressRequirement(['customer_profile_address'])],
    customerProfiles: [primaryProfile],
  },
  {
    sid: POLICY.a2pMessagingProfile,
    friendly_name: 'A2P Messaging Profile',
    bundleKind: 'trust_product',
    endUsers: [
      { type: 'us_a2p_messaging_profile_information', name: 'US A2P Messaging Profile Information', requirement_name: 'us_a2p_messaging_profile_information' },
    ],
    documents: [],
    customerProfiles: [
      {
        requirement_name: 'customer_profile',
        name: 'Secondary Customer Profile Bundle',
        type: 'secondary_customer_profile_type_business',
        policies: [POLICY.secondaryCustomerProfile],
        status: 'submitted',
      },
    ],
  },
  {
    sid: POLICY.starterCustomerProfile,
    friendly_name: 'Starter Customer Profile of type Business',
    bundleKind: 'customer_profile',
    endUsers: [{ type: 'starter_customer_profile_information', name: 'Information', requirement_name: 'starter_customer_profile_information' }],
    documents: [
      { ...addressRequirement(['customer_profile_address', 'starter_customer_profile_address']), name: 'Customer Profile Address', description: 'Customer Profile Address' },
    ],
    customerProfiles: [primaryProfile],
  },
  {
    sid: POLICY.soleProprietorTrustProduct,
    friendly_name: 'Sole Proprietor TrustProduct',
    bundleKind: 'trust_product',
    endUsers: [{ type: 'sole_proprietor_information', name: 'Sole Proprietor Information', requirement_name: 'sole_proprietor_information' }],
    documents: [],
    customerProfiles: [
      {
        requirement_name: 'customer_profile',
        name: 'Starter Customer Profile(isv customers) Proof',
        type: 'starter_customer_profile_type_business',
        policies: [POLICY.starterCustomerProfile],
        status: 'submitted',
      },
    ],
  },
];

export const policy = (sid: string) => POLICIES.find((p) => p.sid === sid);

/** The `requirements` object of a Policy resource, in the shape of the spec's examples. */
export function renderRequirements(p: PolicyDef): Record<string, unknown> {
  const fieldsOf = (t: TypeDef | undefined) => (t ? t.fields.map((f) => f.machine_name) : []);
  return {
    end_user: p.endUsers.map((r) => ({
      url: `/EndUserTypes/${r.type}`,
      fields: fieldsOf(endUserType(r.type)),
      type: r.type,
      name: r.name,
      requirement_name: r.requirement_name,
    })),
    supporting_trust_products: [],
    supporting_document: [
      p.documents.map((d) => ({
        description: d.description,
        type: 'document',
        name: d.name,
        accepted_documents: d.accepted.map((a) => ({
          url: `/SupportingDocumentTypes/${a}`,
          fields: fieldsOf(supportingDocumentType(a)),
          type: a,
          name: supportingDocumentType(a)?.friendly_name ?? a,
        })),
        requirement_name: d.requirement_name,
      })),
    ],
    supporting_customer_profiles: p.customerProfiles.map((c) => ({ type: c.type, name: c.name, requirement_name: c.requirement_name })),
  };
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const E164 = /^\+[1-9]\d{6,14}$/;
const URL_RE = /^https?:\/\/[^\s/$.?#].\S*$/i;

/** Why a field value fails its rule, or undefined when it passes (missing optional fields pass). */
export function fieldProblem(f: FieldDef, attrs: Record<string, unknown>): string | undefined {
  const v = attrs[f.machine_name];
  const required = typeof f.required === 'function' ? f.required(attrs) : f.required;
  const empty = v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);
  if (empty) return required ? `The ${f.friendly_name} is missing.` : undefined;
  const s = Array.isArray(v) ? v.map(String).join(',') : String(v);
  const extra = f.check?.(s, attrs);
  if (extra) return extra;
  switch (f.constraint) {
    case 'Email':
      return EMAIL.test(s) ? undefined : `The ${f.friendly_name} is not a valid email address.`;
    case 'PhoneNumber':
      return E164.test(s) ? undefined : `The ${f.friendly_name} must be in E.164 format (e.g. +14155550100).`;
    case 'Url':
      return URL_RE.test(s) ? undefined : `The ${f.friendly_name} must be an http(s) URL.`;
    case 'Enum':
      return f.allowed?.includes(s) ? undefined : `The ${f.friendly_name} must be one of ${f.allowed?.join(', ')}.`;
    default:
      return undefined;
  }
}
