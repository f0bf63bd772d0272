// Wire contract of embedded sign-up and sign-in and of "who am I".
import { z } from 'zod';

export const platformRoleSchema = z.enum(['admin', 'operator']);
export type PlatformRoleName = z.infer<typeof platformRoleSchema>;

/** Same minimum as supabase/config.toml's minimum_password_length; the server also refuses weak ones (zxcvbn). */
export const PASSWORD_MIN_LENGTH = 12;
export const newPasswordSchema = z.string().min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`).max(256);

const emailSchema = z
  .email('must be an email address')
  .max(254)
  .transform((e) => e.trim().toLowerCase());

export const credentialsSchema = z.object({ email: emailSchema, password: newPasswordSchema });
export type Credentials = z.input<typeof credentialsSchema>;

/** Login does not tell the caller the password rules (that helps guessing); it only needs a string. */
export const loginSchema = z.object({ email: emailSchema, password: z.string().min(1).max(256) });

/** The token from a verification or reset link (base64url, 32 random bytes). */
const linkToken = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'is not a valid link token');
export const verifyEmailSchema = z.strictObject({ token: linkToken });
export const passwordResetRequestSchema = z.strictObject({ email: emailSchema });
export const passwordResetConfirmSchema = z.strictObject({ token: linkToken, password: newPasswordSchema });
export const acceptedSchema = z.object({ accepted: z.literal(true) });

export const authUserSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  roles: z.array(platformRoleSchema),
  /** Until true (the link in the verification email was opened) the account gets no role, invitation or customer. */
  emailVerified: z.boolean(),
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
