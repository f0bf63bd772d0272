// A2P routes: submit brand + campaign data, a new verification text for a sole proprietor, and the customer's numbers. Customer access is
// checked by the /isv/customers/:id gate in features.ts before these run.
import { Router, type Request } from 'express';
import { parseInput } from '../platform/errors.ts';
import { getPrincipal } from '../platform/auth/principal.ts';
import { assertCustomerAccess } from '../customers/customer-access.ts';
import type { RouteDoc } from '../platform/http/route-docs.ts';
import type { Db } from '../platform/db/db.ts';
import { a2pRequestSchema, a2pSubmissionSchema, brandViewSchema, numbersResponseSchema } from '../../shared/a2p.ts';
import { getA2pSubmission, listNumbers, resendBrandEmail, resendBrandOtp, submitA2p } from './brands.service.ts';

const tags = ['a2p'];
export const routeDocs: RouteDoc[] = [
  { method: 'post', path: '/isv/customers/:id/a2p', summary: 'Submit (or resubmit) A2P brand and campaign details; they wait for admin approval', auth: 'user', body: a2pRequestSchema, response: brandViewSchema, status: 201, tags },
  { method: 'get', path: '/isv/customers/:id/a2p', summary: 'The latest A2P brand and campaign details submitted, with their status and rejection reason (404 a2p_not_submitted if none)', auth: 'user', response: a2pSubmissionSchema, tags },
  { method: 'post', path: '/isv/customers/:id/a2p/brand-email/resend', summary: "Ask Twilio to email a public company's brand contact a new Authentication+ verification link", auth: 'user', response: brandViewSchema, tags },
  { method: 'post', path: '/isv/customers/:id/a2p/otp/resend', summary: "Ask Twilio to text the sole proprietor's mobile again; the brand is confirmed by replying YES to it within 24 hours", auth: 'user', response: brandViewSchema, tags },
  { method: 'get', path: '/isv/customers/:id/numbers', summary: "The customer's phone numbers", auth: 'user', response: numbersResponseSchema, tags },
];

export function brandsRoutes(deps: { db: Db; now?: () => Date }): Router {
  const router = Router();
  const now = () => deps.now?.() ?? new Date();
  // The /isv/customers/:id gate in features.ts checks this too; repeated per route so the router is safe anywhere.
  const access = (req: Request) => assertCustomerAccess(deps.db, getPrincipal(req), String(req.params.id));
  router.post('/customers/:id/a2p', async (req, res) => {
    await access(req);
    const input = parseInput(a2pRequestSchema, req.body);
    const r = await submitA2p(deps.db, req.params.id, input, now());
    res.status(r.created ? 201 : 200).json(r.brand);
  });
  router.get('/customers/:id/a2p', async (req, res) => {
    await access(req);
    res.json(await getA2pSubmission(deps.db, req.params.id));
  });
  router.post('/customers/:id/a2p/otp/resend', async (req, res) => {
    await access(req);
    res.json(await resendBrandOtp(deps.db, req.params.id, now()));
  });
  router.post('/customers/:id/a2p/brand-email/resend', async (req, res) => {
    await access(req);
    res.json(await resendBrandEmail(deps.db, req.params.id, now()));
  });
  router.get('/customers/:id/numbers', async (req, res) => {
    await access(req);
    res.json(await listNumbers(deps.db, req.params.id));
  });
  return router;
}
