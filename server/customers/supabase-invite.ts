// Supabase mode: an owner's invitation is emailed by Supabase Auth (auth.admin.inviteUserByEmail with the
// service-role key). The invitee then signs in and accepts the invitation in the portal.
import { createClient } from '@supabase/supabase-js';
import { AppError } from '../platform/errors.ts';
import type { Logger } from '../platform/logger.ts';
import type { InviteSender } from './customers.service.ts';

export function createSupabaseInviteSender(opts: { url: string; serviceRoleKey: string; redirectTo: string; logger: Logger }): InviteSender {
  const client = createClient(opts.url, opts.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });
  return async ({ email }) => {
    const { error } = await client.auth.admin.inviteUserByEmail(email, { redirectTo: opts.redirectTo });
    if (!error) return;
    // Someone who already has a Supabase account is not re-invited; they find the invitation when they sign in.
    if (error.code === 'email_exists' || error.status === 422) return;
    opts.logger.warn({ status: error.status, code: error.code }, 'supabase.invite_failed');
    throw new AppError(502, 'invite_failed', 'The invitation was recorded but its email could not be sent; try again later');
  };
}
