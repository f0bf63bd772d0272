// Wire contract of "bring your own Twilio account": a customer either gets a platform-made subaccount
// (`subaccount`, the default) or connects a Twilio account it already has (`byoa`). Credentials are checked with
// Twilio before anything is stored, sealed like subaccount tokens, and never answered back (only the last 4).
import { z } from 'zod';
import { e164Schema } from './common.ts';
import { subaccountUsageSchema } from './operator.ts';

export const twilioModeSchema = z.enum(['subaccount', 'byoa']);
export type TwilioMode = z.infer<typeof twilioModeSchema>;

export const accountSidSchema = z
  .string()
  .trim()
  .regex(/^AC[0-9a-f]{32}$/, 'must be an Account SID: AC followed by 32 lower-case hex characters (Twilio Console › Account info)');

export const connectTwilioSchema = z.strictObject({
  accountSid: accountSidSchema,
  authToken: z
    .string()
    .trim()
    .regex(/^[0-9a-f]{32}$/, 'must be the 32-character Auth Token shown under Account info in the Twilio Console'),
});
export type ConnectTwilio = z.infer<typeof connectTwilioSchema>;

/** `connected`: the credentials worked at the last check; `credentials_invalid`: Twilio refused them (20003). */
export const connectionStatusSchema = z.enum(['connected', 'credentials_invalid']);
export type ConnectionStatus = z.infer<typeof connectionStatusSchema>;

export const twilioConnectionSchema = z.object({
  mode: z.literal('byoa'),
  accountSid: z.string(),
  friendlyName: z.string(),
  status: connectionStatusSchema,
  /** The account's own status in Twilio at the last check. */
  accountStatus: z.enum(['active', 'suspended', 'closed']),
  tokenLast4: z.string(),
  /** The messaging service chosen as the customer's sender; null until one is chosen. */
  messagingServiceSid: z.string().nullable(),
  /**
   * Twilio's `campaign_status` of that service's A2P 10DLC campaign when last read (null: it has none). Anything
   * but VERIFIED: the customer is offered the A2P registration, run in its own account.
   */
  senderCampaignStatus: z.string().nullable(),
  /** The customer's own WhatsApp sender that sends its WhatsApp messages (`whatsapp:+…`); null: none chosen. */
  whatsappFrom: z.string().nullable(),
  connectedAt: z.string(),
  lastCheckedAt: z.string(),
  /** Why the last check failed, in plain words; null when it passed. */
  lastError: z.string().nullable(),
});
export type TwilioConnection = z.infer<typeof twilioConnectionSchema>;

export const testConnectionSchema = z.strictObject({ to: e164Schema.optional() });

export const connectionCapabilitiesSchema = z.object({
  phoneNumbers: z.number(),
  messagingServices: z.number(),
  a2pVerifiedServices: z.number(),
  whatsappSenders: z.number(),
});

export const testConnectionResponseSchema = z.object({
  connection: twilioConnectionSchema,
  capabilities: connectionCapabilitiesSchema,
  /** Present when `to` was given: the test message Twilio accepted. */
  testMessage: z.object({ sid: z.string(), status: z.string() }).optional(),
});
export type TestConnectionResponse = z.infer<typeof testConnectionResponseSchema>;

export const connectionResourcesSchema = z.object({
  messagingServices: z.array(
    z.object({
      sid: z.string(),
      friendlyName: z.string(),
      /** The service's A2P 10DLC campaign status (Twilio's `campaign_status`), null when it has none. */
      campaignStatus: z.string().nullable(),
      phoneNumbers: z.array(z.string()),
      inboundRequestUrl: z.string().nullable(),
      statusCallback: z.string().nullable(),
    }),
  ),
  phoneNumbers: z.array(z.object({ sid: z.string(), phoneNumber: z.string(), friendlyName: z.string() })),
  whatsappSenders: z.array(z.object({ sid: z.string(), senderId: z.string(), status: z.string() })),
});
export type ConnectionResources = z.infer<typeof connectionResourcesSchema>;

export const chooseSenderSchema = z.strictObject({
  messagingServiceSid: z.string().trim().regex(/^MG[0-9a-f]{32}$/, 'must be a Messaging Service SID: MG followed by 32 hex characters'),
  /** One of the account's WhatsApp senders (Senders API) to send WhatsApp messages; omitted or null: none. */
  whatsappSenderSid: z.string().trim().regex(/^XE[0-9a-f]{32}$/, 'must be a WhatsApp sender SID: XE followed by 32 hex characters').nullish(),
});
export type ChooseSender = z.infer<typeof chooseSenderSchema>;

/** Operators: every connected account beside the platform's subaccounts. */
export const operatorConnectionsSchema = z.object({
  items: z.array(
    twilioConnectionSchema.extend({
      customerId: z.uuid(),
      customerName: z.string(),
      /** This month's usage, read with the account's own token; null when its credentials do not allow it. */
      usage: subaccountUsageSchema.nullable(),
    }),
  ),
});

export const accountSidParamsSchema = z.object({ accountSid: accountSidSchema });
