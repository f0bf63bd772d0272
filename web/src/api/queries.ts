// Every read the portal makes, as queryOptions factories shared by the pages. Keys start with the resource
// (['customers', id, …]) so a mutation invalidates a whole family by prefix.
import { infiniteQueryOptions, queryOptions, type QueryClient } from '@tanstack/react-query';
import { a2pSubmissionSchema, numbersResponseSchema } from '../../../shared/a2p.ts';
import { meResponseSchema } from '../../../shared/auth.ts';
import { customerPageSchema, customerSchema, memberListSchema, myInvitationListSchema } from '../../../shared/customers.ts';
import { isSettledStatus, messageDetailSchema, messagePageSchema, sendingStatusSchema, type MessageListQuery } from '../../../shared/messages.ts';
import { approvalsResponseSchema, onboardingResponseSchema, type OnboardingResponse } from '../../../shared/onboarding.ts';
import { auditLogPageSchema, subaccountReconciliationSchema, type AuditLogQuery } from '../../../shared/operator.ts';
import { optOutPageSchema, type OptOutListQuery } from '../../../shared/opt-outs.ts';
import { portalConfigSchema } from '../../../shared/portal.ts';
import { templatesResponseSchema } from '../../../shared/templates.ts';
import { connectionResourcesSchema, operatorConnectionsSchema, twilioConnectionSchema } from '../../../shared/twilio-connection.ts';
import { senderViewSchema } from '../../../shared/whatsapp.ts';
import { twilioHealthSchema } from '../../../shared/twilio-health.ts';
import { z } from 'zod';
import { ApiError, type ApiClient } from './client.ts';

/**
 * Drops everything cached for the previous person (all but the public config). Call it before a sign-in or after
 * a sign-out, never while the person's pages are mounted: removing a query under a live observer strands it.
 */
export function forgetPersonalData(queryClient: QueryClient): void {
  queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== 'config' });
}

export const customerPath = (customerId: string) => `/api/isv/customers/${encodeURIComponent(customerId)}`;

export const portalConfigQuery = (api: ApiClient) =>
  queryOptions({
    queryKey: ['config'],
    queryFn: ({ signal }) => api.get('/api/config', portalConfigSchema, { signal }),
    staleTime: Infinity,
  });

export const meQuery = (api: ApiClient) =>
  queryOptions({
    queryKey: ['me'],
    queryFn: ({ signal }) => api.get('/api/auth/me', meResponseSchema, { signal }),
    staleTime: 60_000,
  });

/** Invitations waiting for the signed-in person (always empty until their email is confirmed). */
export const myInvitationsQuery = (api: ApiClient) =>
  queryOptions({
    queryKey: ['invitations'],
    queryFn: ({ signal }) => api.get('/api/isv/invitations', myInvitationListSchema, { signal }),
    staleTime: 30_000,
  });

/** A customer's members and pending invitations. */
export const membersQuery = (api: ApiClient, customerId: string) =>
  queryOptions({
    queryKey: ['customers', customerId, 'members'],
    queryFn: ({ signal }) => api.get(`${customerPath(customerId)}/members`, memberListSchema, { signal }),
  });

export type MessageFilters = Omit<MessageListQuery, 'cursor' | 'limit'>;

export const messagesQuery = (api: ApiClient, customerId: string, filters: MessageFilters, limit = 25) =>
  infiniteQueryOptions({
    queryKey: ['customers', customerId, 'messages', 'list', filters, limit],
    queryFn: ({ pageParam, signal }) =>
      api.get(`${customerPath(customerId)}/messages`, messagePageSchema, {
        query: { ...filters, limit, cursor: pageParam },
        signal,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

export const messageQuery = (api: ApiClient, customerId: string, messageId: string) =>
  queryOptions({
    queryKey: ['customers', customerId, 'messages', 'detail', messageId],
    queryFn: ({ signal }) =>
      api.get(`${customerPath(customerId)}/messages/${encodeURIComponent(messageId)}`, messageDetailSchema, { signal }),
    // After the status settles Twilio still reports segments and price (fetched by the server within a minute or
    // so): keep asking, more slowly, for a few minutes.
    refetchInterval: (q) => {
      const m = q.state.data;
      // A message whose status can still move is refetched until it settles.
      if (!m || !isSettledStatus(m.status)) return 2_000;
      const unpriced = m.direction === 'outbound' && (m.price === null || m.numSegments === null);
      return unpriced && Date.now() - new Date(m.updatedAt).getTime() < 5 * 60_000 ? 5_000 : false;
    },
  });

export type OptOutFilters = Omit<OptOutListQuery, 'cursor' | 'limit'>;

export const optOutsQuery = (api: ApiClient, customerId: string, filters: OptOutFilters, limit = 50) =>
  infiniteQueryOptions({
    queryKey: ['customers', customerId, 'opt-outs', filters, limit],
    queryFn: ({ pageParam, signal }) =>
      api.get(`${customerPath(customerId)}/opt-outs`, optOutPageSchema, {
        query: { ...filters, limit, cursor: pageParam },
        signal,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

/** Something is still moving (or about to): the progress page keeps polling while this holds. */
export function onboardingInFlight(data: OnboardingResponse | undefined): boolean {
  if (!data) return false;
  return data.flows.some((f) => f.status === 'in_progress' || f.status === 'waiting_on_twilio');
}

export const onboardingQuery = (api: ApiClient, customerId: string) =>
  queryOptions({
    queryKey: ['customers', customerId, 'onboarding'],
    queryFn: ({ signal }) => api.get(`${customerPath(customerId)}/onboarding`, onboardingResponseSchema, { signal }),
    // Poll briskly while Twilio (or the engine) is working, slowly while our team reviews (their decision shows
    // up without a reload), and not at all when everything waits on this person or is finished.
    refetchInterval: (q) => (onboardingInFlight(q.state.data) ? 2_000 : q.state.data?.flows.some((f) => f.status === 'awaiting_approval' || f.status === 'needs_attention') ? 15_000 : false),
  });

export const numbersQuery = (api: ApiClient, customerId: string) =>
  queryOptions({
    queryKey: ['customers', customerId, 'numbers'],
    queryFn: ({ signal }) => api.get(`${customerPath(customerId)}/numbers`, numbersResponseSchema, { signal }),
  });

export const templatesQuery = (api: ApiClient, customerId: string) =>
  queryOptions({
    queryKey: ['customers', customerId, 'templates'],
    queryFn: ({ signal }) => api.get(`${customerPath(customerId)}/templates`, templatesResponseSchema, { signal }),
  });

export const approvalsQuery = (api: ApiClient) =>
  queryOptions({
    queryKey: ['admin', 'approvals'],
    queryFn: ({ signal }) => api.get('/api/isv/admin/approvals', approvalsResponseSchema, { signal }),
    refetchInterval: 10_000,
  });

export const customerQuery = (api: ApiClient, customerId: string) =>
  queryOptions({
    queryKey: ['customers', customerId, 'detail'],
    queryFn: ({ signal }) => api.get(customerPath(customerId), customerSchema, { signal }),
  });

/** The latest A2P brand + campaign data submitted (to prefill a resubmission); null before any submission. */
export const a2pSubmissionQuery = (api: ApiClient, customerId: string) =>
  queryOptions({
    queryKey: ['customers', customerId, 'a2p'],
    queryFn: async ({ signal }) => {
      try {
        return await api.get(`${customerPath(customerId)}/a2p`, a2pSubmissionSchema, { signal });
      } catch (e) {
        if (e instanceof ApiError && e.status === 404 && e.code === 'a2p_not_submitted') return null;
        throw e;
      }
    },
  });

export const customersQuery = (api: ApiClient, q: string, limit = 50) =>
  infiniteQueryOptions({
    queryKey: ['customers', 'list', q, limit],
    queryFn: ({ pageParam, signal }) => api.get('/api/isv/customers', customerPageSchema, { query: { q, limit, cursor: pageParam }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

export const subaccountsQuery = (api: ApiClient) =>
  queryOptions({
    queryKey: ['operator', 'subaccounts'],
    queryFn: ({ signal }) => api.get('/api/isv/operator/subaccounts', subaccountReconciliationSchema, { signal }),
  });

/** Operators: the customers' own connected Twilio accounts. */
export const operatorConnectionsQuery = (api: ApiClient) =>
  queryOptions({
    queryKey: ['operator', 'twilio-connections'],
    queryFn: ({ signal }) => api.get('/api/isv/operator/twilio-connections', operatorConnectionsSchema, { signal }),
  });

export type AuditFilters = Omit<AuditLogQuery, 'cursor' | 'limit'>;

export const auditLogQuery = (api: ApiClient, filters: AuditFilters, limit = 50) =>
  infiniteQueryOptions({
    queryKey: ['operator', 'audit-log', filters, limit],
    queryFn: ({ pageParam, signal }) =>
      api.get('/api/isv/operator/audit-log', auditLogPageSchema, { query: { ...filters, limit, cursor: pageParam }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

const sendersResponseSchema = z.object({ items: z.array(senderViewSchema) });

export const sendersQuery = (api: ApiClient, customerId: string) =>
  queryOptions({
    queryKey: ['customers', customerId, 'whatsapp-senders'],
    queryFn: ({ signal }) => api.get(`${customerPath(customerId)}/whatsapp/senders`, sendersResponseSchema, { signal }),
  });

/** The customer's own Twilio account (bring your own account); null when none is connected (404). */
/** Whether SMS and WhatsApp can send now; re-read every minute so a suspension or a reinstatement shows up. */
export const sendingStatusQuery = (api: ApiClient, customerId: string) =>
  queryOptions({
    queryKey: ['customers', customerId, 'sending-status'],
    queryFn: ({ signal }) => api.get(`${customerPath(customerId)}/sending-status`, sendingStatusSchema, { signal }),
    refetchInterval: 60_000,
  });

export const twilioConnectionQuery = (api: ApiClient, customerId: string) =>
  queryOptions({
    queryKey: ['customers', customerId, 'twilio-connection'],
    queryFn: async ({ signal }) => {
      try {
        return await api.get(`${customerPath(customerId)}/twilio-connection`, twilioConnectionSchema, { signal });
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return null;
        throw e;
      }
    },
  });

/** What the connected account already has: messaging services (with their A2P campaign), numbers, WhatsApp senders. */
export const connectionResourcesQuery = (api: ApiClient, customerId: string) =>
  queryOptions({
    queryKey: ['customers', customerId, 'twilio-connection', 'resources'],
    queryFn: ({ signal }) => api.get(`${customerPath(customerId)}/twilio-connection/resources`, connectionResourcesSchema, { signal }),
  });

/** Operators: Twilio's health as the answering server process sees it, and the circuit breaker. */
export const twilioHealthQuery = (api: ApiClient) =>
  queryOptions({
    queryKey: ['operator', 'health'],
    queryFn: ({ signal }) => api.get('/api/isv/operator/health', twilioHealthSchema, { signal }),
    refetchInterval: 10_000,
  });
