// Who is calling: set on the request by the authentication middleware, read by routes and passed to services.
import type { Request } from 'express';
import { unauthorized } from '../errors.ts';

export type PlatformRole = 'admin' | 'operator';

export interface Principal {
  userId: string;
  email: string;
  roles: readonly PlatformRole[];
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
