// What each A2P 10DLC brand choice costs, the one table the customer's A2P form and the admin's approval card
// both show before anything is submitted (Twilio charges per submission). Figures as Twilio publishes them.
import { z } from 'zod';

/** When these figures were last compared with Twilio's A2P 10DLC pricing; shown next to them. */
export const A2P_FEES_CHECKED_ON = '2026-11-23';

export const A2P_FEES_CAVEAT =
  'Fees as published by Twilio; they are billed to the Twilio account the registration runs in, and carriers add per-message fees.';

/** The brand a customer registers: Low-Volume Standard is a STANDARD brand created with SkipAutomaticSecVet=true. */
export const brandChoiceSchema = z.enum(['STANDARD', 'LOW_VOLUME_STANDARD', 'SOLE_PROPRIETOR']);
export type BrandChoice = z.infer<typeof brandChoiceSchema>;

export interface A2pFee {
  what: 'Brand registration' | 'Secondary vetting' | 'Campaign vetting' | 'Monthly campaign fee';
  amount: string;
  note: string;
}

const BRAND: A2pFee = { what: 'Brand registration', amount: '$4 one-time', note: 'charged when the brand is submitted to The Campaign Registry' };
const CAMPAIGN_VETTING: A2pFee = { what: 'Campaign vetting', amount: '$15 per submission', note: 'charged again if a rejected campaign is resubmitted' };

export const A2P_FEES: Record<BrandChoice, readonly A2pFee[]> = {
  STANDARD: [
    BRAND,
    { what: 'Secondary vetting', amount: '$40 one-time', note: 'run automatically for standard brands; a vetted brand gets more throughput' },
    CAMPAIGN_VETTING,
    { what: 'Monthly campaign fee', amount: '$1.50–$10 a month', note: 'depends on the use case' },
  ],
  LOW_VOLUME_STANDARD: [
    BRAND,
    { what: 'Secondary vetting', amount: 'none', note: 'skipped (SkipAutomaticSecVet); throughput stays at the unvetted level' },
    CAMPAIGN_VETTING,
    { what: 'Monthly campaign fee', amount: '$1.50–$10 a month', note: 'depends on the use case' },
  ],
  SOLE_PROPRIETOR: [
    // Sole-proprietor brands have no secondary vetting at all, so the table has no row for it.
    BRAND,
    CAMPAIGN_VETTING,
    { what: 'Monthly campaign fee', amount: '$2 a month', note: 'the SOLE_PROPRIETOR use case' },
  ],
};

/** The choice an A2P request makes (brandType plus the Low-Volume Standard flag). */
export function brandChoiceOf(req: { brandType?: unknown; lowVolume?: unknown }): BrandChoice {
  if (req.brandType === 'SOLE_PROPRIETOR') return 'SOLE_PROPRIETOR';
  return req.lowVolume === true ? 'LOW_VOLUME_STANDARD' : 'STANDARD';
}

export const BRAND_CHOICE_LABELS: Record<BrandChoice, string> = {
  STANDARD: 'Standard',
  LOW_VOLUME_STANDARD: 'Low-Volume Standard',
  SOLE_PROPRIETOR: 'Sole proprietor',
};
