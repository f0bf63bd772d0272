// Wire contract of embedded sign-up and sign-in and of "who am I".
import { z } from 'zod';

export const platformRoleSchema = z.enum(['admin', 'operator']);
export type PlatformRoleName = z.infer<typeof platformRoleSchema>;

export const credentialsSchema = z.object({
  email: z
    .email('must be an email address')
    .max(254)
    .transform((e) => e.trim().toLowerCase()),
  password: z.string().min(10, 'must be at least 10 characters').max(256),
});
export type Credentials = z.input<typeof credentialsSchema>;

/** Login does not tell the caller the password rules (that helps guessing); it only needs a string. */
export const loginSchema = z.object({
  email: z
    .email('must be an email address')
    .max(254)
    .transform((e) => e.trim().toLowerCase()),
  password: z.string().min(1).max(256),
});

export const authUserSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  roles: z.array(platformRoleSchema),
});
export type AuthUser = z.infer<typeof authUserSchema>;

export const authTokenResponseSchema = z.object({ token: z.string(), user: authUserSchema });
export type AuthTokenResponse = z.infer<typeof authTokenResponseSchema>;

export const meResponseSchema = z.object({
  user: authUserSchema,
  memberships: z.array(z.object({ customerId: z.uuid(), customerName: z.string(), role: z.enum(['owner', 'member']) })),
  authMode: z.enum(['embedded', 'supabase']),
});
export type MeResponse = z.infer<typeof meResponseSchema>;
