// The authentication middleware: turns `Authorization: Bearer <JWT>` into req.principal or answers 401.
// Who the principal is (user row, roles, invitations) is resolved by the auth feature and passed in.
import type { RequestHandler } from 'express';
import type { Principal } from './principal.ts';
import { invalidToken, type TokenClaims, type TokenService } from './tokens.ts';

export type PrincipalResolver = (claims: TokenClaims) => Promise<Principal>;

export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer ([A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]+\.[A-Za-z0-9_=+/-]*)$/.exec(header?.trim() ?? '');
  return m?.[1];
}

export function createAuthenticator(deps: { tokens: TokenService; resolvePrincipal: PrincipalResolver }): RequestHandler {
  return async (req, _res, next) => {
    try {
      const token = bearerToken(req.headers.authorization);
      if (!token) throw invalidToken();
      const claims = await deps.tokens.verify(token);
      req.principal = await deps.resolvePrincipal(claims);
      req.log = req.log?.child({ userId: req.principal.userId });
      next();
    } catch (err) {
      next(err);
    }
  };
}
