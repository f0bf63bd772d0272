// Every write the portal makes, one function each, so paths and response schemas live in one place.
// Pages call these from useMutation and invalidate the query families they affect.
import { a2pRequestSchema, brandViewSchema, otpSchema } from '../../../shared/a2p.ts';
import {
  acceptedSchema,
  authTokenResponseSchema,
  authUserSchema,
  passwordResetConfirmSchema,
  passwordResetRequestSchema,
  verifyEmailSchema,
} from '../../../shared/auth.ts';
import {
  acceptInvitationResultSchema,
  createCustomerSchema,
  customerSchema,
  inviteMemberSchema,
  inviteResultSchema,
  updateCustomerSchema,
} from '../../../shared/customers.ts';
import { IDEMPOTENCY_KEY_HEADER, sendMessageResponseSchema } from '../../../shared/messages.ts';
import { closeSubaccountSchema, subaccountActionResultSchema, subaccountActionSchema } from '../../../shared/operator.ts';
import { approvalDecisionResponseSchema, rejectBodySchema } from '../../../shared/onboarding.ts';
import { templateCreateSchema, templateUpdateSchema, templateViewSchema } from '../../../shared/templates.ts';
import {
  chooseSenderSchema,
  connectTwilioSchema,
  testConnectionResponseSchema,
  testConnectionSchema,
  twilioConnectionSchema,
} from '../../../shared/twilio-connection.ts';
import { senderCreateSchema, senderVerifySchema, senderViewSchema } from '../../../shared/whatsapp.ts';
import { z } from 'zod';
import type { ApiClient } from './client.ts';
import { customerPath } from './queries.ts';

export const createCustomer = (api: ApiClient, body: unknown) => api.post('/api/isv/customers', createCustomerSchema.parse(body), customerSchema);

export const updateCustomer = (api: ApiClient, customerId: string, body: unknown) =>
  api.patch(customerPath(customerId), updateCustomerSchema.parse(body), customerSchema);

export const submitA2p = (api: ApiClient, customerId: string, body: unknown) =>
  api.post(`${customerPath(customerId)}/a2p`, a2pRequestSchema.parse(body), brandViewSchema);

/** A sole proprietor's brand: Twilio texts the mobile again; the owner confirms by replying YES. */
export const resendBrandText = (api: ApiClient, customerId: string) => api.post(`${customerPath(customerId)}/a2p/otp/resend`, {}, brandViewSchema);
export const resendBrandEmail = (api: ApiClient, customerId: string) => api.post(`${customerPath(customerId)}/a2p/brand-email/resend`, {}, brandViewSchema);

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

/** The body of a 204: nothing. */
const noContent = z.null();

// Accounts (embedded mode). Sign-in, sign-up and sign-out themselves live in auth/session.ts.
export const verifyEmail = (api: ApiClient, token: string) =>
  api.post('/api/auth/verify-email', verifyEmailSchema.parse({ token }), z.object({ user: authUserSchema }));

export const resendVerification = (api: ApiClient) => api.post('/api/auth/resend-verification', {}, acceptedSchema);

export const requestPasswordReset = (api: ApiClient, email: string) =>
  api.post('/api/auth/password-reset', passwordResetRequestSchema.parse({ email }), acceptedSchema);

/** Sets the new password; the answer signs the person in (every other session of theirs is signed out). */
export const confirmPasswordReset = (api: ApiClient, token: string, password: string) =>
  api.post('/api/auth/password-reset/confirm', passwordResetConfirmSchema.parse({ token, password }), authTokenResponseSchema);

// Invitations waiting for the signed-in person.
const myInvitationPath = (invitationId: string) => `/api/isv/invitations/${encodeURIComponent(invitationId)}`;

export const acceptInvitation = (api: ApiClient, invitationId: string) => api.post(`${myInvitationPath(invitationId)}/accept`, {}, acceptInvitationResultSchema);

export const declineInvitation = (api: ApiClient, invitationId: string) => api.post(`${myInvitationPath(invitationId)}/decline`, {}, noContent);

// A customer's team.
const invitationPath = (customerId: string, invitationId: string) => `${customerPath(customerId)}/invitations/${encodeURIComponent(invitationId)}`;

export const inviteMember = (api: ApiClient, customerId: string, body: unknown) =>
  api.post(`${customerPath(customerId)}/members`, inviteMemberSchema.parse(body), inviteResultSchema);

export const revokeInvitation = (api: ApiClient, customerId: string, invitationId: string) => api.delete(invitationPath(customerId, invitationId), noContent);

export const resendInvitation = (api: ApiClient, customerId: string, invitationId: string) =>
  api.post(`${invitationPath(customerId, invitationId)}/resend`, {}, acceptedSchema);

export const removeMember = (api: ApiClient, customerId: string, userId: string) =>
  api.delete(`${customerPath(customerId)}/members/${encodeURIComponent(userId)}`, noContent);

// Bring your own Twilio account: connect (or reconnect with a new token), test, choose the sender, disconnect.
const connectionPath = (customerId: string) => `${customerPath(customerId)}/twilio-connection`;

export const connectTwilio = (api: ApiClient, customerId: string, body: unknown) =>
  api.put(connectionPath(customerId), connectTwilioSchema.parse(body), twilioConnectionSchema);

export const testTwilioConnection = (api: ApiClient, customerId: string, body: unknown = {}) =>
  api.post(`${connectionPath(customerId)}/test`, testConnectionSchema.parse(body), testConnectionResponseSchema);

export const chooseSender = (api: ApiClient, customerId: string, choice: { messagingServiceSid: string; whatsappSenderSid: string | null }) =>
  api.put(`${connectionPath(customerId)}/sender`, chooseSenderSchema.parse(choice), twilioConnectionSchema);

export const disconnectTwilio = (api: ApiClient, customerId: string) => api.delete(connectionPath(customerId), noContent);

/** Operators: disconnect a customer's own Twilio account (never suspended or closed: it is not the platform's). */
export const disconnectConnectedAccount = (api: ApiClient, accountSid: string) =>
  api.post(`/api/isv/operator/twilio-connections/${encodeURIComponent(accountSid)}/disconnect`, {}, noContent);
