// @vitest-environment jsdom
// The operator's Twilio health page: an open breaker says what is paused and when it is probed; failing
// operations are highlighted with their error rate and p95; Twilio's errors are listed by what happened.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, screen, within } from '@testing-library/react';
import '@testing-library/jest-dom/vitest';
import type { TwilioHealthResponse } from '../../../../shared/twilio-health.ts';
import { renderWithApi } from '../../test/render.tsx';
import HealthPage from './HealthPage.tsx';

afterEach(cleanup);

const open: TwilioHealthResponse = {
  checkedAt: '2026-12-07T12:00:00Z',
  windowMs: 300_000,
  pid: 4242,
  instances: [{ instance: 'web-1:4242:ab12cd34', pid: 4242, self: true, reportedAt: '2026-12-07T12:00:00Z', breaker: 'open', requests: 10, failures: 8, opened: 1, refused: 3 }],
  operations: [
    { operation: 'accounts.create', requests: 8, failures: 8, clientErrors: 0, errorRate: 1, p95LatencyMs: 120, lastAt: '2026-12-07T11:59:58Z' },
    { operation: 'messages.create', requests: 40, failures: 0, clientErrors: 2, errorRate: 0, p95LatencyMs: 85, lastAt: '2026-12-07T11:59:00Z' },
  ],
  breaker: {
    state: 'open',
    since: '2026-12-07T11:59:58Z',
    retryAt: '2026-12-07T12:00:13Z',
    retryAfterSeconds: 13,
    window: { ms: 30_000, requests: 10, failures: 8, failureRate: 0.8 },
    thresholds: { failureRate: 0.7, minRequests: 20, openMs: 15_000 },
    opened: 1,
    refused: 3,
    lastProbe: null,
  },
  recentErrors: [
    { at: '2026-12-07T11:59:58Z', operation: 'accounts.create', outcome: 'server_error', httpStatus: 503, twilioCode: 20503, message: 'Service Unavailable', countsAsFailure: true },
    { at: '2026-12-07T11:59:00Z', operation: 'messages.create', outcome: 'client_error', httpStatus: 400, twilioCode: 21211, message: "The 'To' number is not a valid phone number.", countsAsFailure: false },
  ],
};

describe('Twilio health page', () => {
  it('shows an open breaker with what is paused, the failing operation highlighted and the errors by what happened', async () => {
    renderWithApi(<HealthPage />, (req) => (req.path === '/api/isv/operator/health' ? { body: open } : undefined));
    await screen.findByText('Twilio is failing, so new Twilio work is paused.');
    expect(screen.getByText('Open')).toHaveClass('badge-bad');
    expect(screen.getByText(/in about 13 s/)).toBeInTheDocument();
    expect(screen.getByText('8 failed of 10 requests (80 %)')).toBeInTheDocument();
    const operations = within(screen.getByRole('region', { name: 'Twilio operations' })).getAllByRole('row').slice(1);
    expect(operations.map((r) => r.classList.contains('row-drift'))).toEqual([true, false]);
    expect(within(operations[0]!).getByText('100 %')).toBeInTheDocument();
    expect(within(operations[0]!).getByText('120 ms')).toBeInTheDocument();
    const errors = within(screen.getByRole('region', { name: 'Recent Twilio errors' }));
    expect(errors.getByText('Twilio error (5xx)')).toHaveClass('badge-bad');
    expect(errors.getByText('Refused (4xx)')).toHaveClass('badge-warn');
    expect(errors.getByText('21211')).toBeInTheDocument();
  });

  it('says so plainly when the breaker is closed and nothing failed', async () => {
    const closed: TwilioHealthResponse = {
      ...open,
      operations: [],
      recentErrors: [],
      breaker: { ...open.breaker, state: 'closed', retryAt: null, retryAfterSeconds: null, lastProbe: { at: '2026-12-07T11:58:00Z', ok: true, message: null } },
    };
    renderWithApi(<HealthPage />, (req) => (req.path === '/api/isv/operator/health' ? { body: closed } : undefined));
    await screen.findByText('Requests go to Twilio as usual.');
    expect(screen.getByText('Closed')).toHaveClass('badge-ok');
    expect(screen.getByText('No requests to Twilio in this window.')).toBeInTheDocument();
    expect(screen.getByText('No errors from Twilio since this server started.')).toBeInTheDocument();
    expect(screen.getByText(/Twilio answered$/)).toBeInTheDocument();
  });

  it('lists every server process with its own breaker when there are several', async () => {
    const several: TwilioHealthResponse = {
      ...open,
      instances: [...open.instances, { instance: 'web-2:5151:ef56ab78', pid: 5151, self: false, reportedAt: '2026-12-07T11:59:57Z', breaker: 'closed', requests: 4, failures: 0, opened: 0, refused: 0 }],
    };
    renderWithApi(<HealthPage />, (req) => (req.path === '/api/isv/operator/health' ? { body: several } : undefined));
    const table = within(await screen.findByRole('region', { name: 'Server processes' }));
    const rows = table.getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(within(rows[0]!).getByText(/web-1:4242/)).toBeInTheDocument();
    expect(within(rows[0]!).getByText('Open')).toHaveClass('badge-bad');
    expect(rows[0]).toHaveClass('row-drift');
    expect(within(rows[1]!).getByText('Closed')).toHaveClass('badge-ok');
    expect(within(rows[1]!).getByText('0 failed of 4')).toBeInTheDocument();
  });
});
