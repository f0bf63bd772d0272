// @vitest-environment jsdom
// A failed message in the customer's log and on its own page: the Twilio code said in plain words, with Twilio's page.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, screen } from '@testing-library/react';
import '@testing-library/jest-dom/vitest';
import type { Message } from '../../../../shared/messages.ts';
import { MessageDetailPage } from './MessageDetailPage.tsx';
import { MessagesPage } from './MessagesPage.tsx';
import { renderWithApi } from '../../test/render.tsx';

afterEach(cleanup);

const customerId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const filtered: Message = {
  id: '0b6f7a52-3c1e-4f0a-9d55-6d8e2b1a9c01', sid: 'SM' + 'a'.repeat(32), direction: 'outbound', channel: 'sms', from: '+14155550100', to: '+14155550123',
  contentSid: null, messagingServiceSid: null, status: 'undelivered', errorCode: 30007, errorMessage: 'Message filtered', price: '-0.00790', priceUnit: 'USD',
  numSegments: 1, numMedia: 0, createdAt: '2026-12-07T09:00:00.000Z', updatedAt: '2026-12-07T09:00:05.000Z',
};

describe('a message Twilio could not deliver', () => {
  it('says on the message page what the carrier did and what to change, and links Twilio’s page on the code', async () => {
    renderWithApi(<MessageDetailPage customerId={customerId} messageId={filtered.id} />, (req) =>
      req.path === `/api/isv/customers/${customerId}/messages/${filtered.id}` ? { body: { ...filtered, history: [] } } : undefined,
    );
    expect(await screen.findByText(/The carrier filtered this text as unwanted/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Twilio’s page on error 30007' })).toHaveAttribute('href', 'https://www.twilio.com/docs/api/errors/30007');
  });

  it('names the failure in a few words in the log, and keeps the bare code for one without an entry', async () => {
    const unknown = { ...filtered, id: '0b6f7a52-3c1e-4f0a-9d55-6d8e2b1a9c02', to: '+14155550124', errorCode: 39999 };
    renderWithApi(<MessagesPage customerId={customerId} />, (req) =>
      req.path.startsWith(`/api/isv/customers/${customerId}/messages`) ? { body: { items: [filtered, unknown], nextCursor: null } } : undefined,
    );
    expect(await screen.findByText(/error 30007: Filtered by the carrier/)).toBeInTheDocument();
    expect(screen.getByText((_, el) => el?.tagName === 'SPAN' && el.textContent?.trim() === 'error 39999')).toBeInTheDocument();
  });
});
