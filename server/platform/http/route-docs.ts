// Each *.routes.ts exports RouteDoc entries next to its router; the OpenAPI document is generated from them.
import type { z } from 'zod';

export interface RouteDoc {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express-style path under /api, e.g. /isv/customers/:id */
  path: string;
  summary: string;
  auth: 'none' | 'user' | 'admin' | 'operator' | 'twilio';
  body?: z.ZodType;
  query?: z.ZodType;
  response?: z.ZodType;
  /** Success status, 200 unless given. */
  status?: number;
  tags?: string[];
}
