// Embedded accounts (answered 410 in Supabase mode, where the portal uses Supabase Auth): sign-up, sign-in,
// email verification, password reset, sign-out; and "who am I" in both modes.
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { parseInput } from '../platform/errors.ts';
import { getPrincipal } from '../platform/auth/principal.ts';
import type { RouteDoc } from '../platform/http/route-docs.ts';
import {
  acceptedSchema,
  authTokenResponseSchema,
  authUserSchema,
  credentialsSchema,
  loginSchema,
  meResponseSchema,
  passwordResetConfirmSchema,
  passwordResetRequestSchema,
  verifyEmailSchema,
} from '../../shared/auth.ts';
import { embeddedAuthDisabled, type AuthService } from './auth.service.ts';

const tags = ['auth'];
const EMBEDDED = ['/signup', '/login', '/verify-email', '/resend-verification', '/password-reset', '/password-reset/confirm', '/logout', '/logout-all'];
export const routeDocs: RouteDoc[] = [
  { method: 'post', path: '/auth/signup', summary: 'Create a local account (embedded mode; unverified until the mailed link is opened) and get a token', auth: 'none', body: credentialsSchema, response: authTokenResponseSchema, status: 201, tags },
  { method: 'post', path: '/auth/login', summary: 'Sign in with email and password (embedded mode)', auth: 'none', body: loginSchema, response: authTokenResponseSchema, tags },
  { method: 'post', path: '/auth/verify-email', summary: 'Confirm the email address with the token from the verification link', auth: 'none', body: verifyEmailSchema, response: z.object({ user: authUserSchema }), tags },
  { method: 'post', path: '/auth/resend-verification', summary: 'Mail a new verification link to the caller', auth: 'user', response: acceptedSchema, status: 202, tags },
  { method: 'post', path: '/auth/password-reset', summary: 'Mail a password-reset link (the answer is the same whether or not the account exists)', auth: 'none', body: passwordResetRequestSchema, response: acceptedSchema, status: 202, tags },
  { method: 'post', path: '/auth/password-reset/confirm', summary: 'Set a new password with the token from the reset link; signs out every other session', auth: 'none', body: passwordResetConfirmSchema, response: authTokenResponseSchema, tags },
  { method: 'post', path: '/auth/logout', summary: 'Sign out: revokes the token of this session', auth: 'user', status: 204, tags },
  { method: 'post', path: '/auth/logout-all', summary: 'Sign out everywhere: revokes every session of the caller', auth: 'user', status: 204, tags },
  { method: 'get', path: '/auth/me', summary: 'The caller, its platform roles and its customers', auth: 'user', response: meResponseSchema, tags },
];

export function authRoutes(deps: { auth: AuthService; authenticate: RequestHandler }): Router {
  const router = Router();
  const { auth, authenticate } = deps;
  const ip = (req: { ip?: string }) => req.ip ?? 'unknown';
  router.use(EMBEDDED, (_req, _res, next) => next(auth.mode === 'embedded' ? undefined : embeddedAuthDisabled()));
  router.post('/signup', async (req, res) => {
    const input = parseInput(credentialsSchema, req.body);
    res.status(201).json(await auth.signup(input, ip(req)));
  });
  router.post('/login', async (req, res) => {
    const input = parseInput(loginSchema, req.body);
    res.json(await auth.login(input, ip(req)));
  });
  router.post('/verify-email', async (req, res) => {
    const { token } = parseInput(verifyEmailSchema, req.body);
    res.json(await auth.verifyEmail(token));
  });
  router.post('/resend-verification', authenticate, async (req, res) => {
    await auth.resendVerification(getPrincipal(req), ip(req));
    res.status(202).json({ accepted: true });
  });
  router.post('/password-reset', async (req, res) => {
    const { email } = parseInput(passwordResetRequestSchema, req.body);
    await auth.requestPasswordReset(email, ip(req));
    res.status(202).json({ accepted: true });
  });
  router.post('/password-reset/confirm', async (req, res) => {
    const input = parseInput(passwordResetConfirmSchema, req.body);
    res.json(await auth.confirmPasswordReset(input));
  });
  router.post('/logout', authenticate, async (req, res) => {
    await auth.logout(getPrincipal(req));
    res.status(204).end();
  });
  router.post('/logout-all', authenticate, async (req, res) => {
    await auth.logoutEverywhere(getPrincipal(req));
    res.status(204).end();
  });
  router.get('/me', authenticate, async (req, res) => {
    res.json(await auth.me(getPrincipal(req)));
  });
  return router;
}
