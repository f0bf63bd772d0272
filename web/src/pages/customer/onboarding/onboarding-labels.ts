// Every field of the onboarding forms by its API path, for the places that name fields outside the form itself:
// "Fields to fix" on a rejected flow, the admin's approval card and its changes since the last rejection.
import { A2P_LABELS } from './A2pStep.tsx';
import { PROFILE_LABELS } from './BusinessProfileStep.tsx';
import { WHATSAPP_LABELS } from './WhatsappStep.tsx';

export const ONBOARDING_LABELS: Record<string, string> = {
  ...PROFILE_LABELS,
  ...A2P_LABELS,
  ...WHATSAPP_LABELS,
  'campaign.hasEmbeddedLinks': 'Messages contain links',
  'campaign.hasEmbeddedPhone': 'Messages contain phone numbers',
  body: 'Template body',
  language: 'Language',
  category: 'Category',
  variables: 'Sample values',
};
