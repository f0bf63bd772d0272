// What Twilio's live A2P statuses mean for sending. Brand statuses (FACTS §6): APPROVED can send; later
// SUSPENDED, DELETION_PENDING, DELETION_FAILED. Campaign `campaign_status` (not an enum): VERIFIED can send;
// SUSPENDED, EXPIRED, FAILED and a deleted campaign cannot. Anything else is unknown: an operator looks.

export const BRAND_OK = 'APPROVED';
export const CAMPAIGN_OK = 'VERIFIED';
/** How the watch records a resource Twilio answers 404 for. */
export const GONE = 'DELETED';

/** Older status names from Twilio's error docs mean the same as today's (FACTS §6). */
export const normalizeBrandStatus = (s: string) => (s === 'REGISTERED' ? BRAND_OK : s === 'REGISTRATION_FAILED' ? 'FAILED' : s);

const KNOWN_BRAND = new Set([BRAND_OK, 'SUSPENDED', 'DELETION_PENDING', 'DELETION_FAILED', 'FAILED', 'IN_REVIEW', 'PENDING', GONE]);
const KNOWN_CAMPAIGN = new Set([CAMPAIGN_OK, 'SUSPENDED', 'EXPIRED', 'FAILED', 'IN_PROGRESS', 'PENDING', GONE]);

export const isKnownBrandStatus = (s: string) => KNOWN_BRAND.has(s);
export const isKnownCampaignStatus = (s: string) => KNOWN_CAMPAIGN.has(s);

export interface SendBlock {
  code: 'a2p_brand_suspended' | 'a2p_brand_deleted' | 'a2p_brand_inactive' | 'a2p_campaign_suspended' | 'a2p_campaign_inactive';
  /** For the customer: why sending is paused and what to do. */
  detail: string;
}

/**
 * Why an approved registration no longer lets the customer text, or undefined when it does. `null` statuses
 * (never read after approval) count as the approval the flow saw.
 */
export function a2pSendBlock(brandStatus: string | null, campaignStatus: string | null): SendBlock | undefined {
  const brand = normalizeBrandStatus(brandStatus ?? BRAND_OK);
  const campaign = campaignStatus ?? CAMPAIGN_OK;
  if (brand === 'SUSPENDED')
    return { code: 'a2p_brand_suspended', detail: 'Texting is paused: the carriers suspended your business’s A2P 10DLC brand registration. Our team is working on it with Twilio; you do not need to register again. Texts work again as soon as the brand is reinstated.' };
  if (brand === 'DELETION_PENDING' || brand === 'DELETION_FAILED' || brand === GONE)
    return { code: 'a2p_brand_deleted', detail: 'Texting is stopped: your business’s A2P 10DLC brand registration is being deleted or no longer exists. Contact us to register it again.' };
  if (brand !== BRAND_OK)
    return { code: 'a2p_brand_inactive', detail: `Texting is paused: your business’s A2P 10DLC brand registration is ${brand.toLowerCase().replace(/_/g, ' ')} with Twilio. Our team is looking into it.` };
  if (campaign === 'SUSPENDED')
    return { code: 'a2p_campaign_suspended', detail: 'Texting is paused: the carriers suspended your A2P 10DLC campaign, usually after complaints or messages that do not match the registered use case. Our team is working on it with Twilio; texts work again once the campaign is reinstated.' };
  if (campaign !== CAMPAIGN_OK)
    return { code: 'a2p_campaign_inactive', detail: `Texting is stopped: your A2P 10DLC campaign is no longer active (${campaign.toLowerCase().replace(/_/g, ' ')}). Contact us to register it again.` };
  return undefined;
}
