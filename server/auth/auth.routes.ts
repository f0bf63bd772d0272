// Embedded sign-up and sign-in (answered 410 in Supabase mode, where the portal uses Supabase Auth) and "who am I".
import { Router, type RequestHandler } from 'express';
import { parseInput } from '../platform/errors.ts';
import { getPrincipal } from '../platform/auth/principal.ts';
import type { RouteDoc } from '../platform/http/route-docs.ts';
import { authTokenResponseSchema, credentialsSchema, loginSchema, meResponseSchema } from '../../shared/auth.ts';
import { embeddedAuthDisabled, type AuthService } from './auth.service.ts';

export const routeDocs: RouteDoc[] = [
  { method: 'post', path: '/auth/signup', summary: 'Create a local account (embedded mode) and get a token', auth: 'none', body: credentialsSchema, response: authTokenResponseSchema, status: 201, tags: ['auth'] },
  { method: 'post', path: '/auth/login', summary: 'Sign in with email and password (embedded mode)', auth: 'none', body: loginSchema, response: authTokenResponseSchema, tags: ['auth'] },
  { method: 'get', path: '/auth/me', summary: 'The caller, its platform roles and its customers', auth: 'user', response: meResponseSchema, tags: ['auth'] },
];

export function authRoutes(deps: { auth: AuthService; authenticate: RequestHandler }): Router {
  const router = Router();
  router.use(['/signup', '/login'], (_req, _res, next) => next(deps.auth.mode === 'embedded' ? undefined : embeddedAuthDisabled()));
  router.post('/signup', async (req, res) => {
    const input = parseInput(credentialsSchema, req.body);
    res.status(201).json(await deps.auth.signup(input, req.ip ?? 'unknown'));
  });
  router.post('/login', async (req, res) => {
    const input = parseInput(loginSchema, req.body);
    res.json(await deps.auth.login(input, req.ip ?? 'unknown'));
  });
  router.get('/me', deps.authenticate, async (req, res) => {
    res.json(await deps.auth.me(getPrincipal(req)));
  });
  return router;
}
