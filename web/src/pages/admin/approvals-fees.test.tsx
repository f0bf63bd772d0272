// @vitest-environment jsdom
// The admin's approval card shows what approving a brand will cost, from the same fees table as the customer's form.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, screen, within } from '@testing-library/react';
import '@testing-library/jest-dom/vitest';
import { renderWithApi } from '../../test/render.tsx';
import { A2P_FEES_CHECKED_ON } from '../../../../shared/a2p-fees.ts';
import ApprovalsPage from './ApprovalsPage.tsx';

afterEach(cleanup);

const item = (id: string, customerName: string, data: Record<string, unknown>) => ({
  type: 'brand',
  id,
  customerId: '00000000-0000-4000-8000-0000000000aa',
  customerName,
  submittedAt: '2026-12-07T10:00:00.000Z',
  data,
  previousRejection: null,
  changes: [],
});

describe('the approval card', () => {
  it('shows each brand choice’s fees with the date they were checked: Standard with secondary vetting, Low-Volume Standard without', async () => {
    renderWithApi(<ApprovalsPage />, (req) =>
      req.path.startsWith('/api/isv/admin/approvals')
        ? {
            body: {
              items: [
                item('00000000-0000-4000-8000-000000000001', 'Acme Standard', { brandType: 'STANDARD', companyType: 'private' }),
                item('00000000-0000-4000-8000-000000000002', 'Acme Small', { brandType: 'STANDARD', companyType: 'private', lowVolume: true }),
              ],
            },
          }
        : undefined,
    );
    const standard = await screen.findByRole('region', { name: /Approving submits a Standard brand/ });
    expect(within(standard).getByText('$40 one-time')).toBeInTheDocument();
    expect(within(standard).getByText(new RegExp(`checked on ${A2P_FEES_CHECKED_ON}`))).toBeInTheDocument();
    const lowVolume = screen.getByRole('region', { name: /Approving submits a Low-Volume Standard brand/ });
    expect(within(lowVolume).queryByText('$40 one-time')).toBeNull();
    expect(within(lowVolume).getByText(/skipped \(SkipAutomaticSecVet\)/)).toBeInTheDocument();
    expect(within(lowVolume).getByText('$15 per submission')).toBeInTheDocument();
  });
});
