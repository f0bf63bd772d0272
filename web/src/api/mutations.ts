// Every write the portal makes, one function each, so paths and response schemas live in one place.
// Pages call these from useMutation and invalidate the query families they affect.
import { a2pRequestSchema, brandViewSchema, otpSchema } from '../../../shared/a2p.ts';
import { createCustomerSchema, customerSchema, updateCustomerSchema } from '../../../shared/customers.ts';
import { IDEMPOTENCY_KEY_HEADER, sendMessageResponseSchema } from '../../../shared/messages.ts';
import { closeSubaccountSchema, subaccountActionResultSchema, subaccountActionSchema } from '../../../shared/operator.ts';
import { approvalDecisionResponseSchema, rejectBodySchema } from '../../../shared/onboarding.ts';
import { templateCreateSchema, templateUpdateSchema, templateViewSchema } from '../../../shared/templates.ts';
import { senderCreateSchema, senderVerifySchema, senderViewSchema } from '../../../shared/whatsapp.ts';
import type { ApiClient } from './client.ts';
import { customerPath } from './queries.ts';

export const createCustomer = (api: ApiClient, body: unknown) => api.post('/api/isv/customers', createCustomerSchema.parse(body), customerSchema);

export const updateCustomer = (api: ApiClient, customerId: string, body: unknown) =>
  api.patch(customerPath(customerId), updateCustomerSchema.parse(body), customerSchema);

export const submitA2p = (api: ApiClient, customerId: string, body: unknown) =>
  api.post(`${customerPath(customerId)}/a2p`, a2pRequestSchema.parse(body), brandViewSchema);

export const submitBrandOtp = (api: ApiClient, customerId: string, code: string) =>
  api.post(`${customerPath(customerId)}/a2p/otp`, otpSchema.parse({ code }), brandViewSchema);

export const registerSender = (api: ApiClient, customerId: string, body: unknown) =>
  api.post(`${customerPath(customerId)}/whatsapp/senders`, senderCreateSchema.parse(body), senderViewSchema);

export const verifySender = (api: ApiClient, customerId: string, senderId: string, code: string) =>
  api.post(
    `${customerPath(customerId)}/whatsapp/senders/${encodeURIComponent(senderId)}/verify`,
    senderVerifySchema.parse({ code }),
    senderViewSchema,
  );

export const createTemplate = (api: ApiClient, customerId: string, body: unknown) =>
  api.post(`${customerPath(customerId)}/templates`, templateCreateSchema.parse(body), templateViewSchema);

export const updateTemplate = (api: ApiClient, customerId: string, templateId: string, body: unknown) =>
  api.put(`${customerPath(customerId)}/templates/${encodeURIComponent(templateId)}`, templateUpdateSchema.parse(body), templateViewSchema);

export const sendMessage = (api: ApiClient, customerId: string, body: unknown, idempotencyKey: string) =>
  api.post(`${customerPath(customerId)}/messages`, body, sendMessageResponseSchema, {
    headers: { [IDEMPOTENCY_KEY_HEADER]: idempotencyKey },
  });

export type ApprovalType = 'brand' | 'template';
const approvalBase = (type: ApprovalType, id: string) => `/api/isv/admin/${type === 'brand' ? 'brands' : 'templates'}/${encodeURIComponent(id)}`;

export const approve = (api: ApiClient, type: ApprovalType, id: string) => api.post(`${approvalBase(type, id)}/approve`, {}, approvalDecisionResponseSchema);

export const reject = (api: ApiClient, type: ApprovalType, id: string, reason: string) =>
  api.post(`${approvalBase(type, id)}/reject`, rejectBodySchema.parse({ reason }), approvalDecisionResponseSchema);

export type SubaccountAction = 'suspend' | 'reactivate' | 'close';

/** Close repeats the SID in `confirm`: Twilio cannot reopen a closed account. */
export const changeSubaccount = (api: ApiClient, sid: string, action: SubaccountAction, confirmSid?: string) =>
  api.post(
    `/api/isv/operator/subaccounts/${encodeURIComponent(sid)}/${action}`,
    action === 'close' ? closeSubaccountSchema.parse({ confirm: confirmSid ?? '' }) : subaccountActionSchema.parse({}),
    subaccountActionResultSchema,
  );
