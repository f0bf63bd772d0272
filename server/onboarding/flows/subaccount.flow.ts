// The subaccount flow: one Twilio subaccount per customer, named `isv:<customer id>` so a rerun after a crash finds
// (adopts) the one it made instead of creating a second; its auth token is stored encrypted.
import type { FlowDefinition, StepContext, StepResult } from '../flow-definition.ts';
import { findSubaccountByCustomer, insertSubaccount } from '../../subaccounts/subaccounts.dao.ts';

export const subaccountFriendlyName = (customerId: string) => `isv:${customerId}`;

async function createSubaccount(s: StepContext): Promise<StepResult> {
  const existing = await findSubaccountByCustomer(s.db, s.flow.customer_id);
  if (existing) return { type: 'goto', to: 'done', message: `Subaccount ${existing.account_sid} is ready` };
  const friendlyName = subaccountFriendlyName(s.flow.customer_id);
  const found = await s.call('accounts.list', () => s.twilio.master.api.v2010.accounts.list({ friendlyName, limit: 20 }));
  let account = found.find((a) => a.friendlyName === friendlyName && a.status !== 'closed' && a.sid !== s.twilio.masterAccountSid);
  let adopted = true;
  if (!account) {
    adopted = false;
    account = await s.call('accounts.create', () => s.twilio.master.api.v2010.accounts.create({ friendlyName }), { once: true });
    await s.created('account', account.sid);
  }
  let authToken = account.authToken;
  if (!authToken) {
    const sid = account.sid;
    authToken = (await s.call('accounts.fetch', () => s.twilio.master.api.v2010.accounts(sid).fetch())).authToken;
  }
  const accountSid = account.sid;
  return {
    type: 'goto',
    to: 'done',
    message: adopted ? `Adopted the existing subaccount ${accountSid}` : `Created subaccount ${accountSid}`,
    patch: { accountSid },
    record: async (tx) => {
      if (await findSubaccountByCustomer(tx, s.flow.customer_id)) return;
      await insertSubaccount(tx, s.keyRing, { customerId: s.flow.customer_id, accountSid, friendlyName, authToken });
    },
  };
}

export const subaccountFlow: FlowDefinition = {
  kind: 'subaccount',
  initial: 'create_subaccount',
  terminal: ['done'],
  order: ['create_subaccount', 'done'],
  states: {
    create_subaccount: { label: 'Creating the Twilio subaccount', step: createSubaccount, to: ['done'] },
    done: { label: 'Subaccount ready', to: [] },
  },
};
