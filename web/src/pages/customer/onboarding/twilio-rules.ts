// Help text drawn from Twilio's and the carriers' A2P 10DLC rules (limits as in FACTS §6), shown next to the
// wizard's fields so customers get it right the first (charged) time. The fees: shared/a2p-fees.ts.

/** What each campaign use case means (Twilio's Usecases list, in plain words). */
export const USE_CASES: Record<string, { label: string; help: string }> = {
  '2FA': { label: 'Two-factor authentication', help: 'One-time passwords and login or verification codes.' },
  ACCOUNT_NOTIFICATION: { label: 'Account notifications', help: 'Updates for account holders: password resets, balance or status changes, renewals.' },
  CUSTOMER_CARE: { label: 'Customer care', help: 'Support conversations and account management with existing customers.' },
  DELIVERY_NOTIFICATION: { label: 'Delivery notifications', help: 'Where a product or service ordered by the recipient is, and when it arrives.' },
  FRAUD_ALERT: { label: 'Fraud alerts', help: 'Warnings about possibly fraudulent activity on the recipient’s account.' },
  HIGHER_EDUCATION: { label: 'Higher education', help: 'Messages from colleges, universities and school districts.' },
  LOW_VOLUME: { label: 'Low-volume mixed', help: 'A few messages of several kinds; small throughput, lower monthly fee.' },
  MARKETING: { label: 'Marketing', help: 'Promotions, offers, sales and newsletters. Needs explicit marketing consent.' },
  MIXED: { label: 'Mixed', help: 'Several of these use cases in one campaign (for example notifications and customer care).' },
  POLLING_VOTING: { label: 'Polling and voting', help: 'Surveys and polls that are not political campaigns.' },
  PUBLIC_SERVICE_ANNOUNCEMENT: { label: 'Public service announcements', help: 'Information that raises awareness of a public topic.' },
  SECURITY_ALERT: { label: 'Security alerts', help: 'Notice that a system or account may have been compromised and what to do.' },
  SOLE_PROPRIETOR: { label: 'Sole proprietor', help: 'The only use case for sole-proprietor brands: one number, low volume, any lawful purpose.' },
};

export const HELP = {
  description: 'What the campaign is for, who receives the messages and why (40–4096 characters). Reviewers compare it with your samples.',
  messageFlow:
    'How a person agrees to receive these messages (40–2048 characters): where they give their number (web form with an unchecked box, keyword, paper form, in person), what they are told (brand, kind and frequency of messages, “Msg & data rates may apply”, “Reply STOP to opt out”), and a link to the form or a screenshot of it. Missing consent details are the most common reason campaigns are rejected.',
  samples:
    'Two to five real examples of what you will send, each 20–1024 characters. Name your business, use [brackets] for the parts that change, and include “Reply STOP to opt out” in at least one.',
  optIn: 'Sent when someone opts in, 20–320 characters. Include your brand, what they will receive, how often, “Msg & data rates may apply” and “Reply HELP for help, STOP to opt out”.',
  optOut: 'Sent after STOP, 20–320 characters, e.g. “Acme: you are unsubscribed and will receive no more messages. Reply START to resubscribe.”',
  helpMsg: 'Sent after HELP, 20–320 characters: your brand and how to reach you, e.g. “Acme support: help@acme.com or +1 415 555 0100. Reply STOP to opt out.”',
  keywords: 'Single words people text to opt in (e.g. JOIN, START), separated by commas. Leave empty if people only opt in on a form.',
  embeddedLinks: 'Tick if any message contains a link. Use your own domain; public link shorteners get messages filtered.',
  embeddedPhone: 'Tick if any message contains a phone number.',
  brandType:
    'Standard: a registered business with an EIN (any volume). Sole proprietor: a person or business without an EIN, in the US or Canada; one number, low volume, and the owner confirms with a code texted to their mobile.',
  lowVolume:
    'Low-Volume Standard: for businesses sending fewer than 6,000 message segments a day. The brand skips secondary vetting (no vetting fee) and keeps the unvetted throughput. Government agencies and non-profits register Standard brands.',
  companyType: 'Public companies also give their stock exchange and ticker; non-profits and government agencies are vetted differently.',
  areaCode: 'Preferred US area code for the phone number bought at the end when your sender has none yet (any US number if none is free).',
} as const;
