// /api/isv/customers: create, list, read and fix a customer; its team (members and invitations); the caller's
// own invitations (/api/isv/invitations); staff set a user's customer limit.
import { Router } from 'express';
import { z } from 'zod';
import { parseInput } from '../platform/errors.ts';
import { getPrincipal } from '../platform/auth/principal.ts';
import { requireRole } from '../platform/auth/require-role.ts';
import type { RouteDoc } from '../platform/http/route-docs.ts';
import { acceptedSchema } from '../../shared/auth.ts';
import {
  acceptInvitationResultSchema,
  createCustomerSchema,
  customerLimitSchema,
  customerPageSchema,
  customerSchema,
  inviteMemberSchema,
  inviteResultSchema,
  listCustomersQuerySchema,
  memberListSchema,
  myInvitationListSchema,
  updateCustomerSchema,
} from '../../shared/customers.ts';
import type { CustomersService } from './customers.service.ts';

const tags = ['customers'];
export const routeDocs: RouteDoc[] = [
  { method: 'post', path: '/isv/customers', summary: 'Create a customer (the caller becomes its owner) and start its subaccount onboarding', auth: 'user', body: createCustomerSchema, response: customerSchema, status: 201, tags },
  { method: 'get', path: '/isv/customers', summary: 'Customers the caller belongs to (staff: all, searchable with q), newest first, keyset pages', auth: 'user', query: listCustomersQuerySchema, response: customerPageSchema, tags },
  { method: 'get', path: '/isv/customers/:id', summary: 'One customer', auth: 'user', response: customerSchema, tags },
  { method: 'patch', path: '/isv/customers/:id', summary: 'Fix customer data; flows waiting on a fix resume', auth: 'user', body: updateCustomerSchema, response: customerSchema, tags },
  { method: 'get', path: '/isv/customers/:id/members', summary: 'Members and pending invitations', auth: 'user', response: memberListSchema, tags },
  { method: 'post', path: '/isv/customers/:id/members', summary: 'Invite someone by email (owners only); it waits for the invitee to accept', auth: 'user', body: inviteMemberSchema, response: inviteResultSchema, status: 201, tags },
  { method: 'delete', path: '/isv/customers/:id/members/:userId', summary: 'Remove a member (owners; anyone may leave); never the last owner', auth: 'user', status: 204, tags },
  { method: 'delete', path: '/isv/customers/:id/invitations/:invitationId', summary: 'Revoke a pending invitation (owners only)', auth: 'user', status: 204, tags },
  { method: 'post', path: '/isv/customers/:id/invitations/:invitationId/resend', summary: 'Email a pending invitation again (owners only)', auth: 'user', response: acceptedSchema, status: 202, tags },
  { method: 'get', path: '/isv/invitations', summary: 'Invitations waiting for the caller (a verified email)', auth: 'user', response: myInvitationListSchema, tags },
  { method: 'post', path: '/isv/invitations/:invitationId/accept', summary: 'Accept an invitation addressed to the caller’s verified email', auth: 'user', response: acceptInvitationResultSchema, tags },
  { method: 'post', path: '/isv/invitations/:invitationId/decline', summary: 'Decline an invitation addressed to the caller', auth: 'user', status: 204, tags },
  { method: 'put', path: '/isv/users/:userId/customer-limit', summary: 'Set how many customers one user may create (admins; null follows ISV_MAX_CUSTOMERS_PER_USER)', auth: 'admin', body: customerLimitSchema, response: z.object({ userId: z.uuid(), maxCustomers: z.number().int() }), tags },
];

const idParam = z.object({ id: z.string() });
const memberParams = z.object({ id: z.string(), userId: z.string() });
const invitationParams = z.object({ id: z.string(), invitationId: z.string() });
const myInvitationParams = z.object({ invitationId: z.string() });
const userParam = z.object({ userId: z.string() });

export function customersRoutes(deps: { customers: CustomersService }): Router {
  const router = Router();
  const { customers } = deps;

  router.post('/customers', async (req, res) => {
    const input = parseInput(createCustomerSchema, req.body);
    res.status(201).json(await customers.create(getPrincipal(req), input));
  });
  router.get('/customers', async (req, res) => {
    const q = parseInput(listCustomersQuerySchema, req.query, 'query');
    res.json(await customers.list(getPrincipal(req), q));
  });
  router.get('/customers/:id', async (req, res) => {
    const { id } = parseInput(idParam, req.params, 'path');
    res.json(await customers.get(getPrincipal(req), id));
  });
  router.patch('/customers/:id', async (req, res) => {
    const principal = getPrincipal(req);
    const { id } = parseInput(idParam, req.params, 'path');
    const patch = parseInput(updateCustomerSchema, req.body);
    res.json(await customers.update(principal, id, patch));
  });
  router.get('/customers/:id/members', async (req, res) => {
    const { id } = parseInput(idParam, req.params, 'path');
    res.json(await customers.listMembers(getPrincipal(req), id));
  });
  router.post('/customers/:id/members', async (req, res) => {
    const principal = getPrincipal(req);
    const { id } = parseInput(idParam, req.params, 'path');
    const input = parseInput(inviteMemberSchema, req.body);
    res.status(201).json(await customers.invite(principal, id, input));
  });
  router.delete('/customers/:id/members/:userId', async (req, res) => {
    const { id, userId } = parseInput(memberParams, req.params, 'path');
    await customers.removeMember(getPrincipal(req), id, userId);
    res.status(204).end();
  });
  router.delete('/customers/:id/invitations/:invitationId', async (req, res) => {
    const { id, invitationId } = parseInput(invitationParams, req.params, 'path');
    await customers.revokeInvitation(getPrincipal(req), id, invitationId);
    res.status(204).end();
  });
  router.post('/customers/:id/invitations/:invitationId/resend', async (req, res) => {
    const { id, invitationId } = parseInput(invitationParams, req.params, 'path');
    await customers.resendInvitation(getPrincipal(req), id, invitationId);
    res.status(202).json({ accepted: true });
  });
  router.get('/invitations', async (req, res) => {
    res.json(await customers.myInvitations(getPrincipal(req)));
  });
  router.post('/invitations/:invitationId/accept', async (req, res) => {
    const { invitationId } = parseInput(myInvitationParams, req.params, 'path');
    res.json(await customers.acceptInvitation(getPrincipal(req), invitationId));
  });
  router.post('/invitations/:invitationId/decline', async (req, res) => {
    const { invitationId } = parseInput(myInvitationParams, req.params, 'path');
    await customers.declineInvitation(getPrincipal(req), invitationId);
    res.status(204).end();
  });
  router.put('/users/:userId/customer-limit', requireRole('admin'), async (req, res) => {
    const { userId } = parseInput(userParam, req.params, 'path');
    const { maxCustomers } = parseInput(customerLimitSchema, req.body);
    res.json(await customers.setCustomerLimit(getPrincipal(req), userId, maxCustomers));
  });
  return router;
}
