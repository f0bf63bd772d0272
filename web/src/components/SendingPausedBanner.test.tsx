// @vitest-environment jsdom
// The paused-sending banner: shown when a channel that worked is paused (a suspended A2P brand or campaign, a
// suspended account), once per reason, in the server's words; never for a registration that is not finished.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, screen } from '@testing-library/react';
import '@testing-library/jest-dom/vitest';
import { renderWithApi } from '../test/render.tsx';
import { SendingPausedBanner } from './SendingPausedBanner.tsx';

afterEach(cleanup);

const ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const ready = { ready: true, code: null, detail: null };

describe('the sending-paused banner', () => {
  it('says why texting is paused when the carriers suspended the campaign', async () => {
    const detail = 'Texting is paused: the carriers suspended your A2P 10DLC campaign, usually after complaints.';
    renderWithApi(<SendingPausedBanner customerId={ID} />, (req) =>
      req.path === `/api/isv/customers/${ID}/sending-status` ? { body: { sms: { ready: false, code: 'a2p_campaign_suspended', detail }, whatsapp: ready } } : undefined,
    );
    const banner = await screen.findByRole('region', { name: 'Sending is paused' });
    expect(banner).toHaveTextContent(detail);
    expect(screen.getByRole('link', { name: 'See your progress' })).toHaveAttribute('href', `/customers/${ID}/progress`);
  });

  it('says a suspended account once for both channels', async () => {
    const detail = 'Your Twilio account is suspended, so nothing you send goes out. Ask us to reactivate it.';
    const paused = { ready: false, code: 'subaccount_suspended', detail };
    renderWithApi(<SendingPausedBanner customerId={ID} />, () => ({ body: { sms: paused, whatsapp: paused } }));
    const banner = await screen.findByRole('region', { name: 'Sending is paused' });
    expect(banner.querySelectorAll('p strong')).toHaveLength(1);
  });

  it('stays away while the registration is simply not finished', async () => {
    const { requests } = renderWithApi(<SendingPausedBanner customerId={ID} />, () => ({
      body: { sms: { ready: false, code: 'onboarding_incomplete', detail: 'Your US texting registration is not verified yet.' }, whatsapp: ready },
    }));
    await new Promise((r) => setTimeout(r, 50));
    expect(requests.length).toBeGreaterThan(0);
    expect(screen.queryByRole('region', { name: 'Sending is paused' })).toBeNull();
  });
});
