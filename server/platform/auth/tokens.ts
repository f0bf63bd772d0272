// Bearer token verification with jose, one path for both modes. Embedded: HS256 tokens this server issues.
// Supabase: tokens from Supabase Auth, checked against the project's JWKS or its HS256 JWT secret.
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, SignJWT, errors as joseErrors, type JWTPayload } from 'jose';
import type { Config } from '../config.ts';
import type { Db } from '../db/db.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import { AppError, unauthorized } from '../errors.ts';
import { loadEmbeddedSigningKey } from './signing-key.ts';
import { UUID_PATTERN } from '../../../shared/common.ts';

export const EMBEDDED_ISSUER = 'isv-platform';
export const EMBEDDED_AUDIENCE = 'isv-api';
export const SUPABASE_AUDIENCE = 'authenticated';
export const EMBEDDED_TOKEN_TTL_SECONDS = 8 * 60 * 60;

/** What a verified token says about its holder. */
export interface TokenClaims {
  sub: string;
  email: string;
  /** Embedded tokens: the session (isv.sessions) sign-out revokes. */
  sid?: string;
  /** Supabase tokens: whether Supabase has confirmed the address (embedded accounts keep this in the database). */
  emailVerified?: boolean;
}

export interface TokenService {
  readonly mode: 'embedded' | 'supabase';
  /** Verifies signature, issuer, audience and expiry; throws the one 401 on any failure. */
  verify(token: string): Promise<TokenClaims>;
  /** Issues a token for a local account's session (embedded mode only). */
  issue(user: { id: string; email: string }, sessionId: string): Promise<string>;
}

export interface TokenServiceDeps {
  config: Pick<Config, 'supabase'>;
  db: Db;
  keyRing: KeyRing;
  now?: () => Date;
}

// Every failure gets the same answer, so a caller learns nothing about why its token was refused.
export const invalidToken = () => unauthorized('The access token is missing, invalid or expired');

function claimsFrom(payload: JWTPayload): TokenClaims {
  const email = typeof payload.email === 'string' ? payload.email.trim().toLowerCase() : '';
  if (!payload.sub || !UUID_PATTERN.test(payload.sub) || !email) throw invalidToken();
  return { sub: payload.sub.toLowerCase(), email };
}

function embeddedClaimsFrom(payload: JWTPayload): TokenClaims {
  const sid = typeof payload.sid === 'string' && UUID_PATTERN.test(payload.sid) ? payload.sid.toLowerCase() : undefined;
  if (!sid) throw invalidToken();
  return { ...claimsFrom(payload), sid };
}

/**
 * Supabase puts `email_verified` in user_metadata once the address is confirmed (or from an OAuth provider);
 * a top-level claim, when a Custom Access Token hook adds one, wins. Anonymous users are never verified.
 */
function supabaseClaimsFrom(payload: JWTPayload): TokenClaims {
  const meta = payload.user_metadata && typeof payload.user_metadata === 'object' ? (payload.user_metadata as Record<string, unknown>) : {};
  const flag = typeof payload.email_verified === 'boolean' ? payload.email_verified : meta.email_verified;
  return { ...claimsFrom(payload), emailVerified: flag === true && payload.is_anonymous !== true };
}

export function createTokenService(deps: TokenServiceDeps): TokenService {
  const now = deps.now ?? (() => new Date());
  const supabaseUrl = deps.config.supabase.url?.replace(/\/+$/, '');
  const currentDate = () => now();

  if (supabaseUrl) {
    const jwks = createRemoteJWKSet(new URL(`${supabaseUrl}/auth/v1/.well-known/jwks.json`), {
      cooldownDuration: 30_000,
      timeoutDuration: 5_000,
    });
    const secret = deps.config.supabase.jwtSecret ? new TextEncoder().encode(deps.config.supabase.jwtSecret) : undefined;
    return {
      mode: 'supabase',
      async verify(token) {
        try {
          const { alg } = decodeProtectedHeader(token);
          const options = { audience: SUPABASE_AUDIENCE, issuer: `${supabaseUrl}/auth/v1`, currentDate: currentDate(), requiredClaims: ['exp', 'sub'] };
          // Legacy projects sign with the shared secret (HS256); newer ones with asymmetric keys from the JWKS.
          if (alg === 'HS256') {
            if (!secret) throw invalidToken();
            return supabaseClaimsFrom((await jwtVerify(token, secret, { ...options, algorithms: ['HS256'] })).payload);
          }
          return supabaseClaimsFrom((await jwtVerify(token, jwks, { ...options, algorithms: ['RS256', 'ES256', 'EdDSA', 'PS256'] })).payload);
        } catch (err) {
          // The key set could not be fetched: that says nothing about the token, so it is not a 401 (which would
          // sign every user out while Supabase is unreachable).
          if (err instanceof joseErrors.JWKSTimeout || err instanceof joseErrors.JWKSInvalid || err instanceof TypeError) {
            throw new AppError(503, 'auth_unavailable', 'Sign-in cannot be checked right now; try again shortly');
          }
          if (err instanceof joseErrors.JOSEError) throw invalidToken();
          throw err;
        }
      },
      async issue() {
        throw new Error('tokens are issued by Supabase Auth in Supabase mode');
      },
    };
  }

  // Loaded on first use and kept by this service instance (not the module), so tests can build many apps.
  let key: Promise<Uint8Array> | undefined;
  const signingKey = () => {
    key ??= loadEmbeddedSigningKey(deps.db, deps.keyRing).catch((err) => {
      key = undefined;
      throw err;
    });
    return key;
  };
  return {
    mode: 'embedded',
    async verify(token) {
      const k = await signingKey();
      try {
        const { payload } = await jwtVerify(token, k, {
          algorithms: ['HS256'],
          issuer: EMBEDDED_ISSUER,
          audience: EMBEDDED_AUDIENCE,
          currentDate: currentDate(),
          requiredClaims: ['exp', 'sub', 'sid'],
        });
        return embeddedClaimsFrom(payload);
      } catch (err) {
        if (err instanceof joseErrors.JOSEError || (err as { status?: number }).status === 401) throw invalidToken();
        throw err;
      }
    },
    async issue(user, sessionId) {
      const k = await signingKey();
      const iat = Math.floor(now().getTime() / 1000);
      return new SignJWT({ email: user.email, sid: sessionId })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(user.id)
        .setIssuer(EMBEDDED_ISSUER)
        .setAudience(EMBEDDED_AUDIENCE)
        .setIssuedAt(iat)
        .setExpirationTime(iat + EMBEDDED_TOKEN_TTL_SECONDS)
        .sign(k);
    },
  };
}
