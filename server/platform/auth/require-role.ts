// Route guard for staff-only routes: the caller must hold one of the given platform roles, else 403.
import type { RequestHandler } from 'express';
import { forbidden } from '../errors.ts';
import { getPrincipal, type PlatformRole } from './principal.ts';

export function requireRole(...roles: PlatformRole[]): RequestHandler {
  return (req, _res, next) => {
    try {
      const p = getPrincipal(req);
      next(p.roles.some((r) => roles.includes(r)) ? undefined : forbidden(`This needs the ${roles.join(' or ')} role`));
    } catch (err) {
      next(err);
    }
  };
}
