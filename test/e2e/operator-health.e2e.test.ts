// The operator's Twilio health page in Chromium against `tsx server/main.ts`: faults switched on in the sandbox
// at run time (POST /sandbox/faults) while a customer's onboarding runs open the circuit breaker; the page shows
// it open with the failing operation and Twilio's errors, GET /metrics on METRICS_PORT agrees; when the faults
// stop, the probe closes it, the page says so and the customer's subaccount flow finishes, none failed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { freePort, startServer, type RunningServer } from './server-process.ts';
import { screenshotter } from './screenshots.ts';
import { overflowAtPhoneWidth } from './phone-width.ts';
import { parsePrometheusText } from '../metrics/prometheus-text.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OPERATOR = 'operator@isv-health-e2e.test';
const CUSTOMER = 'owner@acme-health-e2e.test';
const PASSWORD = 'correct-horse-battery-staple';

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let metricsPort: number;
const screenshots = screenshotter();

async function api<T = Record<string, unknown>>(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...(body ? { 'Content-Type': 'application/json' } : {}), ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as T };
}

async function setFaults(rate: number): Promise<void> {
  const res = await fetch(`${server.sandboxUrl}/sandbox/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ rate }) });
  expect(res.status).toBe(200);
}

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 500)}\n--- server output ---\n${server.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  metricsPort = await freePort();
  server = await startServer({
    METRICS_PORT: String(metricsPort),
    AUTH_EMAIL_CONFIRMATION: 'off',
    ISV_BOOTSTRAP_OPERATORS: OPERATOR,
    ONBOARDING_CRON: '* * * * * *',
    ONBOARDING_POLL_MIN_MS: '200',
    ONBOARDING_POLL_MAX_MS: '1000',
    SANDBOX_REVIEW_DELAY_MS: '200',
    TWILIO_BREAKER_MIN_REQUESTS: '3',
    TWILIO_BREAKER_OPEN_MS: '3000',
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

describe('the operator health page', () => {
  it('shows the breaker open under SANDBOX faults and closed again when they stop, with the failing operation and its errors', async () => {
    expect((await api('POST', '/api/auth/signup', undefined, { email: OPERATOR, password: PASSWORD })).status).toBe(201);
    const owner = await api<{ token: string }>('POST', '/api/auth/signup', undefined, { email: CUSTOMER, password: PASSWORD });
    expect(owner.status).toBe(201);

    // Every Twilio request fails from now on; the new customer's subaccount flow runs into it.
    await setFaults(1);
    const customer = await api<{ id: string }>('POST', '/api/isv/customers', owner.body.token, {
      legalName: 'Acme Health Checks LLC',
      displayName: 'Acme Health',
      businessType: 'llc',
      ein: '12-3456789',
      industry: 'RETAIL',
      website: 'https://acme-health.example.com',
      regionsOfOperation: ['USA_AND_CANADA'],
      address: { street: '1 Market St', city: 'San Francisco', region: 'CA', postalCode: '94105', country: 'US' },
      contact: { firstName: 'Ada', lastName: 'Baker', email: 'ada@acme-health.example.com', phone: '+14155550123', jobTitle: 'Owner' },
    });
    expect(customer.status).toBe(201);

    // The operator signs in and opens the page from the navigation.
    await page.goto(`${server.url}/signin`);
    await page.getByLabel(/^Email/).fill(OPERATOR);
    await page.getByLabel(/^Password/).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname.startsWith('/operator/'));
    await page.getByRole('link', { name: 'Twilio health' }).click();
    await page.waitForURL((u) => u.pathname === '/operator/health');
    await page.getByRole('heading', { level: 1, name: 'Twilio health' }).waitFor();
    expect(await page.title()).toMatch(/^Twilio health · /);

    const breaker = page.locator('[data-breaker-state]');
    await until('the breaker to open', async () => {
      await page.getByRole('button', { name: 'Check again' }).click();
      return breaker.getAttribute('data-breaker-state');
    }, (s) => s === 'open');
    expect(await page.getByText('Twilio is failing, so new Twilio work is paused.').isVisible()).toBe(true);
    // The operation that failed, with its error rate, and Twilio's answers in the recent errors.
    const failingRow = page.getByRole('region', { name: 'Twilio operations' }).locator('tr.row-drift').first();
    await failingRow.waitFor();
    expect(await failingRow.locator('td').nth(4).textContent()).toMatch(/^\d+ %$/);
    const errors = page.getByRole('region', { name: 'Recent Twilio errors' });
    expect(await errors.getByText(/^(Throttled \(429\)|Twilio error \(5xx\))$/).count()).toBeGreaterThan(0);
    await screenshots.shot(page, 'operator-health-open');

    // Prometheus agrees: the breaker state and the failed requests.
    const metrics = parsePrometheusText(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text());
    expect(metrics.value('isv_twilio_breaker_state')).toBe(2);
    const failed = metrics.find('isv_twilio_requests_total').filter((s) => s.labels.outcome === 'throttled' || s.labels.outcome === 'server_error');
    expect(failed.reduce((n, s) => n + s.value, 0)).toBeGreaterThan(0);
    expect(metrics.value('isv_twilio_breaker_transitions_total', { to: 'open' })).toBeGreaterThanOrEqual(1);

    // Faults stop: the engine's next tick after the open time probes Twilio and the breaker closes.
    await setFaults(0);
    await until('the breaker to close', async () => {
      await page.getByRole('button', { name: 'Check again' }).click();
      return breaker.getAttribute('data-breaker-state');
    }, (s) => s === 'closed');
    await page.getByText('Requests go to Twilio as usual.').waitFor();
    await page.getByText(/Twilio answered$/).waitFor();
    await screenshots.shot(page, 'operator-health-closed');

    // The customer's onboarding went on where it waited; nothing failed.
    const onboarding = await until(
      'the subaccount flow to finish',
      () => api<{ flows: { kind: string; status: string }[] }>('GET', `/api/isv/customers/${customer.body.id}/onboarding`, owner.body.token),
      (r) => r.status === 200 && r.body.flows.some((f) => f.kind === 'subaccount' && f.status === 'done'),
    );
    expect(onboarding.body.flows.some((f) => f.status === 'failed')).toBe(false);

    const wide = await overflowAtPhoneWidth(page, `${server.url}/operator/health`, screenshots.shot, 'operator-health');
    expect(wide).toBe('');
    expect(screenshots.problems).toEqual([]);
  });

  it('refuses the health API to a customer', async () => {
    const owner = await api<{ token: string }>('POST', '/api/auth/login', undefined, { email: CUSTOMER, password: PASSWORD });
    expect((await api('GET', '/api/isv/operator/health', owner.body.token)).status).toBe(403);
  });
});
