// @vitest-environment jsdom
// The operator's subaccount audit: drifted rows are highlighted and say what disagrees; actions follow the status.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, screen, within } from '@testing-library/react';
import '@testing-library/jest-dom/vitest';
import type { SubaccountReconciliation } from '../../../../shared/operator.ts';
import { renderWithApi } from '../../test/render.tsx';
import SubaccountsPage from './SubaccountsPage.tsx';

afterEach(cleanup);

const sid = (n: number) => `AC${String(n).padStart(32, '0')}`;

const reconciliation: SubaccountReconciliation = {
  checkedAt: '2026-11-23T12:00:00Z',
  summary: { total: 3, drifted: 2 },
  items: [
    { customerId: '00000000-0000-4000-8000-000000000001', customerName: 'In Sync Ltd', accountSid: sid(1), friendlyName: 'isv:1', dbStatus: 'active', twilioStatus: 'active', usage: { count: 12, price: 0.09, priceUnit: 'USD' }, drift: [], deletionDueAt: null, deleted: false },
    { customerId: '00000000-0000-4000-8000-000000000002', customerName: 'Mismatch Inc', accountSid: sid(2), friendlyName: 'isv:2', dbStatus: 'active', twilioStatus: 'suspended', usage: null, drift: ['status_mismatch'], deletionDueAt: null, deleted: false },
    { customerId: null, customerName: null, accountSid: sid(3), friendlyName: 'isv:ghost', dbStatus: null, twilioStatus: 'active', usage: null, drift: ['orphan_in_twilio'], deletionDueAt: null, deleted: false },
  ],
};

describe('subaccounts page', () => {
  it('highlights drifted rows, names the drift, and offers the actions each status allows', async () => {
    renderWithApi(<SubaccountsPage />, (req) => (req.path === '/api/isv/operator/subaccounts' ? { body: reconciliation } : undefined));
    await screen.findByText('3 subaccounts, 2 with drift', { exact: false });
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows.map((r) => r.classList.contains('row-drift'))).toEqual([false, true, true]);
    expect(within(rows[1]!).getByText(/Status differs between our database and Twilio/)).toBeInTheDocument();
    expect(within(rows[2]!).getByText(/In Twilio \(isv:\*\) with no customer here/)).toBeInTheDocument();
    expect(within(rows[0]!).getByText('12 messages')).toBeInTheDocument();
    expect(within(rows[0]!).getByRole('button', { name: /^Suspend/ })).toBeInTheDocument();
    expect(within(rows[1]!).getByRole('button', { name: /^Reactivate/ })).toBeInTheDocument();
    expect(within(rows[1]!).queryByRole('button', { name: /^Suspend/ })).toBeNull();
  });

  it('shows a closed subaccount with its deletion date, and one Twilio deleted as deleted, not as drift', async () => {
    const closed = (n: number, over: Partial<SubaccountReconciliation['items'][number]>) => ({
      customerId: `00000000-0000-4000-8000-00000000000${n}`, customerName: `Closed ${n}`, accountSid: sid(n), friendlyName: `isv:${n}`, dbStatus: 'closed' as const,
      twilioStatus: 'closed' as const, usage: null, drift: [], deletionDueAt: '2026-12-20T12:00:00Z', deleted: false, ...over,
    });
    const body: SubaccountReconciliation = { checkedAt: '2026-11-23T12:00:00Z', summary: { total: 2, drifted: 0 }, items: [closed(4, {}), closed(5, { twilioStatus: null, deleted: true })] };
    renderWithApi(<SubaccountsPage />, (req) => (req.path === '/api/isv/operator/subaccounts' ? { body } : undefined));
    await screen.findByText('2 subaccounts, 0 with drift', { exact: false });
    const rows = screen.getAllByRole('row').slice(1);
    expect(within(rows[0]!).getByText(/deletion due/)).toBeInTheDocument();
    expect(within(rows[1]!).getByText('deleted')).toBeInTheDocument();
    expect(rows.map((r) => r.classList.contains('row-drift'))).toEqual([false, false]);
    expect(within(rows[1]!).queryByRole('button', { name: /^Close/ })).toBeNull();
  });

  it('shows the empty state when there are no subaccounts', async () => {
    renderWithApi(<SubaccountsPage />, () => ({ body: { checkedAt: '2026-11-23T12:00:00Z', summary: { total: 0, drifted: 0 }, items: [] } }));
    expect(await screen.findByText('No subaccounts yet.')).toBeInTheDocument();
  });
});
