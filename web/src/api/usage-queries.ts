// Queries and mutations of usage, limits and alerts, kept apart from queries.ts so the usage pages
// (lazy-loaded) carry them.
import { queryOptions } from '@tanstack/react-query';
import type { ApiClient } from './client.ts';
import { customerPath } from './queries.ts';
import { alertListSchema, alertSchema, limitsSchema, operatorUsageSchema, usageRefreshResultSchema, usageReportSchema, type LimitValues } from '../../../shared/usage.ts';

export const usageQuery = (api: ApiClient, customerId: string, granularity: 'day' | 'month' = 'day') =>
  queryOptions({
    queryKey: ['customers', customerId, 'usage', granularity],
    queryFn: ({ signal }) => api.get(`${customerPath(customerId)}/usage`, usageReportSchema, { query: { granularity }, signal }),
  });

export const limitsQuery = (api: ApiClient, customerId: string) =>
  queryOptions({
    queryKey: ['customers', customerId, 'limits'],
    queryFn: ({ signal }) => api.get(`${customerPath(customerId)}/limits`, limitsSchema, { signal }),
  });

export const alertsQuery = (api: ApiClient, customerId: string) =>
  queryOptions({
    queryKey: ['customers', customerId, 'alerts'],
    queryFn: ({ signal }) => api.get(`${customerPath(customerId)}/alerts`, alertListSchema, { signal }),
    refetchInterval: 60_000,
  });

export const operatorUsageQuery = (api: ApiClient, sort: 'spend' | '-spend' | 'name') =>
  queryOptions({
    queryKey: ['operator', 'usage', sort],
    queryFn: ({ signal }) => api.get('/api/isv/operator/usage', operatorUsageSchema, { query: { sort }, signal }),
  });

export const putLimits = (api: ApiClient, customerId: string, body: Partial<LimitValues>) => api.put(`${customerPath(customerId)}/limits`, body, limitsSchema);
export const refreshUsage = (api: ApiClient, customerId: string) => api.post(`${customerPath(customerId)}/usage/refresh`, {}, usageRefreshResultSchema);
export const refreshAllUsage = (api: ApiClient) => api.post('/api/isv/operator/usage/refresh', {}, usageRefreshResultSchema);
export const markAlertRead = (api: ApiClient, customerId: string, alertId: string) => api.post(`${customerPath(customerId)}/alerts/${encodeURIComponent(alertId)}/read`, {}, alertSchema);
