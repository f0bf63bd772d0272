// /api/isv/customers: create, list, read and fix a customer; list and invite its members.
import { Router } from 'express';
import { z } from 'zod';
import { parseInput } from '../platform/errors.ts';
import { getPrincipal } from '../platform/auth/principal.ts';
import type { RouteDoc } from '../platform/http/route-docs.ts';
import {
  createCustomerSchema,
  customerPageSchema,
  customerSchema,
  inviteMemberSchema,
  inviteResultSchema,
  listCustomersQuerySchema,
  memberListSchema,
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
  { method: 'post', path: '/isv/customers/:id/members', summary: 'Invite a member by email (owners only)', auth: 'user', body: inviteMemberSchema, response: inviteResultSchema, status: 201, tags },
];

const idParam = z.object({ id: z.string() });

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
  return router;
}
