// Wire contract of US A2P 10DLC registration (brand + campaign data) and of the customer's phone numbers.
// Limits are Twilio's own (FACTS §6), checked here so nothing Twilio would refuse is ever submitted (or paid for).
import { z } from 'zod';

export const brandTypeSchema = z.enum(['STANDARD', 'SOLE_PROPRIETOR']);
export type BrandType = z.infer<typeof brandTypeSchema>;

/** `company_type` of the us_a2p_messaging_profile_information end user. */
export const companyTypeSchema = z.enum(['private', 'public', 'non_profit', 'government']);

export const stockExchangeSchema = z.enum([
  'NONE', 'NASDAQ', 'NYSE', 'AMEX', 'AMX', 'ASX', 'B3', 'BME', 'BSE', 'FRA', 'ICEX', 'JPX', 'JSE', 'KRX', 'LON',
  'NSE', 'OMX', 'SEHK', 'SGX', 'SSE', 'STO', 'SWX', 'SZSE', 'TSX', 'TWSE', 'VSE', 'OTHER',
]);

/** Campaign use case codes (GET …/Compliance/Usa2p/Usecases). */
export const a2pUseCaseSchema = z.enum([
  '2FA', 'ACCOUNT_NOTIFICATION', 'CUSTOMER_CARE', 'DELIVERY_NOTIFICATION', 'FRAUD_ALERT', 'HIGHER_EDUCATION',
  'LOW_VOLUME', 'MARKETING', 'MIXED', 'POLLING_VOTING', 'PUBLIC_SERVICE_ANNOUNCEMENT', 'SECURITY_ALERT',
  'SOLE_PROPRIETOR',
]);

const keyword = z.string().trim().min(1).max(255).regex(/^[A-Za-z0-9]+$/, 'keywords are single alphanumeric words');
// TCR accepts opt-in/opt-out/help messages of 20–320 characters.
const campaignMessage = z.string().trim().min(20, 'must be at least 20 characters').max(320, 'must be at most 320 characters');

export const campaignSchema = z.object({
  useCase: a2pUseCaseSchema,
  description: z.string().trim().min(40, 'must be at least 40 characters').max(4096, 'must be at most 4096 characters'),
  messageFlow: z.string().trim().min(40, 'must be at least 40 characters').max(2048, 'must be at most 2048 characters'),
  sampleMessages: z
    .array(z.string().trim().min(20, 'must be at least 20 characters').max(1024, 'must be at most 1024 characters'))
    .min(2, 'give at least 2 sample messages')
    .max(5, 'give at most 5 sample messages'),
  hasEmbeddedLinks: z.boolean(),
  hasEmbeddedPhone: z.boolean(),
  optInMessage: campaignMessage.optional(),
  optOutMessage: campaignMessage.optional(),
  helpMessage: campaignMessage.optional(),
  optInKeywords: z.array(keyword).max(10).optional(),
  privacyPolicyUrl: z.url({ protocol: /^https?$/ }).optional(),
  termsUrl: z.url({ protocol: /^https?$/ }).optional(),
});
export type CampaignData = z.infer<typeof campaignSchema>;

/** Twilio's low-volume threshold: Low-Volume Standard brands are for fewer message segments a day than this. */
export const LOW_VOLUME_DAILY_SEGMENTS = 6000;

export const LOW_VOLUME_REFUSED_FOR_PUBLIC_SECTOR =
  'government and non-profit organisations register Standard brands (not Low-Volume Standard) to keep the throughput and pricing benefits Twilio gives them';

export const a2pRequestSchema = z
  .object({
    brandType: brandTypeSchema,
    companyType: companyTypeSchema,
    stockExchange: stockExchangeSchema.optional(),
    stockTicker: z.string().trim().min(1).max(10).regex(/^[A-Z0-9.]+$/, 'upper-case letters, digits and dots').optional(),
    /**
     * Low-Volume Standard: a STANDARD brand created with SkipAutomaticSecVet=true (no secondary vetting fee,
     * unvetted throughput), for businesses sending under Twilio's low-volume threshold.
     */
    lowVolume: z.boolean().optional(),
    campaign: campaignSchema,
    /** US area code for the number bought at the end (a preference; any US number if none is free). */
    areaCode: z.string().regex(/^[2-9]\d{2}$/, 'must be a 3-digit US area code').optional(),
  })
  .superRefine((v, ctx) => {
    if (v.companyType === 'public') {
      if (!v.stockExchange || v.stockExchange === 'NONE')
        ctx.addIssue({ code: 'custom', path: ['stockExchange'], message: 'is required for a public company' });
      if (!v.stockTicker) ctx.addIssue({ code: 'custom', path: ['stockTicker'], message: 'is required for a public company' });
    }
    // Twilio: government and non-profit organisations register Standard brands, not Low-Volume Standard, to get
    // their throughput and pricing benefits (DOCS onboarding-for-government-and-non-profit-agencies).
    if (v.lowVolume && (v.companyType === 'government' || v.companyType === 'non_profit'))
      ctx.addIssue({ code: 'custom', path: ['lowVolume'], message: LOW_VOLUME_REFUSED_FOR_PUBLIC_SECTOR });
    if (v.lowVolume && v.brandType === 'SOLE_PROPRIETOR')
      ctx.addIssue({ code: 'custom', path: ['lowVolume'], message: 'Low-Volume Standard is a kind of STANDARD brand; sole proprietors register SOLE_PROPRIETOR brands' });
    // Sole-proprietor brands may only run the SOLE_PROPRIETOR use case, and only they may (TCR rule).
    if (v.brandType === 'SOLE_PROPRIETOR' && v.campaign.useCase !== 'SOLE_PROPRIETOR')
      ctx.addIssue({ code: 'custom', path: ['campaign', 'useCase'], message: 'a sole-proprietor brand must use SOLE_PROPRIETOR' });
    if (v.brandType === 'STANDARD' && v.campaign.useCase === 'SOLE_PROPRIETOR')
      ctx.addIssue({ code: 'custom', path: ['campaign', 'useCase'], message: 'SOLE_PROPRIETOR is only for sole-proprietor brands' });
  });
export type A2pRequest = z.infer<typeof a2pRequestSchema>;

/** Status of the brand/campaign data (the review by an admin, then Twilio's registration). */
export const brandStatusSchema = z.enum(['awaiting_approval', 'rejected_by_admin', 'approved', 'submitted', 'registered', 'failed']);

/** The customer's latest A2P submission (exactly what was POSTed, to prefill a resubmission), its status and why it was rejected. */
export const a2pSubmissionSchema = z.object({
  brandId: z.uuid(),
  request: a2pRequestSchema,
  status: brandStatusSchema,
  rejectionReason: z.string().nullable(),
});
export type A2pSubmission = z.infer<typeof a2pSubmissionSchema>;

export const otpSchema = z.object({ code: z.string().trim().regex(/^\d{4,8}$/, 'must be the 4–8 digit code you received') });
export type OtpBody = z.infer<typeof otpSchema>;

export const brandViewSchema = z.object({
  id: z.uuid(),
  brandType: brandTypeSchema,
  status: z.string(),
  twilioStatus: z.string().nullable(),
  rejectionReason: z.string().nullable(),
  attempts: z.number().int(),
  flowId: z.uuid(),
});
export type BrandView = z.infer<typeof brandViewSchema>;

export const numberViewSchema = z.object({
  id: z.uuid(),
  phoneNumber: z.string(),
  phoneNumberSid: z.string(),
  messagingServiceSid: z.string().nullable(),
  status: z.enum(['active', 'released']),
  createdAt: z.string(),
});
export const numbersResponseSchema = z.object({ items: z.array(numberViewSchema) });

/** Operators: registered brands whose live brand or campaign status the platform does not know. */
export const a2pWatchAttentionSchema = z.object({
  items: z.array(
    z.object({
      brandId: z.uuid(),
      customerId: z.uuid(),
      customerName: z.string(),
      brandSid: z.string(),
      /** What the watch found: `{ reason: 'unknown_a2p_status', statuses: [...] }`. */
      attention: z.record(z.string(), z.unknown()),
      watchedAt: z.string(),
    }),
  ),
});
