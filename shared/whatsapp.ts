// Wire contract of WhatsApp sender registration (Senders v2) and its OTP verification.
import { z } from 'zod';
import { e164Schema } from './common.ts';

// WhatsApp Business profile limits: about ≤ 139, description ≤ 512, address ≤ 256, at most 2 websites.
export const whatsappProfileSchema = z.object({
  name: z.string().trim().min(1).max(128),
  about: z.string().trim().max(139).optional(),
  address: z.string().trim().max(256).optional(),
  description: z.string().trim().max(512).optional(),
  vertical: z.string().trim().max(64).optional(),
  logoUrl: z.url({ protocol: /^https$/ }).optional(),
  emails: z.array(z.email()).max(2).optional(),
  websites: z.array(z.url({ protocol: /^https?$/ })).max(2).optional(),
});
export type WhatsappProfile = z.infer<typeof whatsappProfileSchema>;

export const senderCreateSchema = z.object({
  phoneNumber: e164Schema,
  profile: whatsappProfileSchema,
  wabaId: z.string().regex(/^\d{5,20}$/, 'must be the numeric WhatsApp Business Account id').optional(),
});
export type SenderCreate = z.infer<typeof senderCreateSchema>;

export const senderVerifySchema = z.object({ code: z.string().trim().regex(/^\d{4,8}$/, 'must be the 4–8 digit code you received') });

export const senderViewSchema = z.object({
  id: z.uuid(),
  phoneNumber: z.string(),
  status: z.string(),
  senderSid: z.string().nullable(),
  offlineReasons: z.array(z.object({ code: z.unknown().optional(), message: z.string().optional() }).loose()).nullable(),
  flowId: z.uuid(),
  /** The profile and WABA id as last submitted, so a fix form starts from them. */
  profile: whatsappProfileSchema.partial().loose(),
  wabaId: z.string().nullable(),
});
export type SenderView = z.infer<typeof senderViewSchema>;
