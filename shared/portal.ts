// Wire contract of GET /api/config: what the portal needs to know before anyone signs in.
import { z } from 'zod';

export const portalConfigSchema = z.object({
  /** `supabase` when SUPABASE_URL and SUPABASE_ANON_KEY are set; the portal then signs in with Supabase Auth. */
  authMode: z.enum(['embedded', 'supabase']),
  supabase: z.object({ url: z.string(), anonKey: z.string() }).nullable(),
  twilioMode: z.enum(['live', 'sandbox']),
});
export type PortalConfig = z.infer<typeof portalConfigSchema>;
