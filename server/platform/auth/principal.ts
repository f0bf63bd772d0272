// Who is calling: set on the request by the authentication middleware, read by routes and passed to services.
import type { Request } from 'express';
import { AppError, unauthorized } from '../errors.ts';

export type PlatformRole = 'admin' | 'operator';

export interface Principal {
  userId: string;
  email: string;
  /** Empty until the email is verified, whatever the database holds. */
  roles: readonly PlatformRole[];
  emailVerified: boolean;
  /** The embedded session behind the token (sign-out revokes it); absent in Supabase mode. */
  sessionId?: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

export function getPrincipal(req: Request): Principal {
  if (!req.principal) throw unauthorized();
  return req.principal;
}

export const isStaff = (p: Principal) => p.roles.includes('admin') || p.roles.includes('operator');

/** 403 `email_unverified` for what an unverified account may not do yet (create customers, accept invitations). */
export function assertEmailVerified(p: Principal, action: string): void {
  if (p.emailVerified) return;
  throw new AppError(403, 'email_unverified', `Confirm your email address before you ${action}: open the link we sent to ${p.email}`);
}
