// Usage, limits and alerts (#18) end to end in Debian's Chromium against `tsx server/main.ts`: the demo customer
// has a business on its own sandbox Twilio account (set up through the API, as the BYOA test does it through the
// wizard), sends a few texts, and its usage page shows the messages chart and the spend against its budget; the
// demo operator's usage dashboard lists the business with its spend and delivery rate.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startServer, type RunningServer } from './server-process.ts';
import { screenshotter } from './screenshots.ts';
import { overflowAtPhoneWidth } from './phone-width.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const BUSINESS = 'Lighthouse Books LLC';

let server: RunningServer;
let browser: Browser;
const screenshots = screenshotter();
const accessibilityProblems = screenshots.problems;

/** The demo accounts the server made on first start (DATA_DIR/demo-users.txt: email, password, role). */
async function demoUsers(): Promise<Record<string, { email: string; password: string }>> {
  const file = path.join(server.dataDir, 'demo-users.txt');
  for (let i = 0; i < 100 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 100));
  const out: Record<string, { email: string; password: string }> = {};
  for (const line of readFileSync(file, 'utf8').trim().split('\n')) {
    const [email, password, role] = line.split('\t');
    out[role!] = { email: email!, password: password! };
  }
  return out;
}

async function api<T>(token: string | null, method: string, p: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}${p}`, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as T };
}

/** The sandbox's Twilio REST API as the account itself would call it. */
async function twilio<T>(account: { sid: string; token: string }, method: 'GET' | 'POST', hostAndPath: string, form?: Record<string, string>): Promise<T> {
  const res = await fetch(`${server.sandboxUrl}/${hostAndPath}`, {
    method,
    headers: { Authorization: `Basic ${Buffer.from(`${account.sid}:${account.token}`).toString('base64')}`, ...(form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}) },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  const body = (await res.json()) as T;
  if (!res.ok) throw new Error(`${method} ${hostAndPath} answered ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

async function signIn(context: BrowserContext, user: { email: string; password: string }): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${server.url}/signin`);
  await page.getByLabel(/^Email/).fill(user.email);
  await page.getByLabel(/^Password/).fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
  return page;
}

beforeAll(async () => {
  server = await startServer({});
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('usage in the portal', () => {
  let customerId: string;
  let users: Record<string, { email: string; password: string }>;

  it('shows the customer a messages chart and its spend against its budget after it sends', async () => {
    users = await demoUsers();
    const login = await api<{ token: string }>(null, 'POST', '/api/auth/login', users.customer);
    expect(login.status).toBe(200);
    const token = login.body.token;

    // A business on its own sandbox Twilio account, with a number in a messaging service.
    const created = await api<{ id: string }>(token, 'POST', '/api/isv/customers', {
      legalName: BUSINESS, displayName: 'Lighthouse Books', businessType: 'llc', ein: '12-3456780', industry: 'RETAIL', website: 'https://lighthouse-books.example.com',
      regionsOfOperation: ['USA_AND_CANADA'], address: { street: '3 Harbor St', city: 'Portland', region: 'ME', postalCode: '04101', country: 'US' },
      contact: { firstName: 'Ida', lastName: 'Lewis', email: 'ida@lighthouse-books.example.com', phone: '+14155550125', jobTitle: 'Owner' }, twilioMode: 'byoa',
    });
    expect(created.status).toBe(201);
    customerId = created.body.id;
    const acc = await fetch(`${server.sandboxUrl}/sandbox/accounts`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ friendlyName: 'Lighthouse Books' }) });
    const own = (await acc.json()) as { account_sid: string; auth_token: string };
    const account = { sid: own.account_sid, token: own.auth_token };
    const base = `api.twilio.com/2010-04-01/Accounts/${account.sid}`;
    const available = await twilio<{ available_phone_numbers: { phone_number: string }[] }>(account, 'GET', `${base}/AvailablePhoneNumbers/US/Local.json?AreaCode=207`);
    const bought = await twilio<{ sid: string }>(account, 'POST', `${base}/IncomingPhoneNumbers.json`, { PhoneNumber: available.available_phone_numbers[0]!.phone_number });
    const service = await twilio<{ sid: string }>(account, 'POST', 'messaging.twilio.com/v1/Services', { FriendlyName: 'Lighthouse notifications' });
    await twilio(account, 'POST', `messaging.twilio.com/v1/Services/${service.sid}/PhoneNumbers`, { PhoneNumberSid: bought.sid });
    expect((await api(token, 'PUT', `/api/isv/customers/${customerId}/twilio-connection`, { accountSid: account.sid, authToken: account.token })).status).toBe(200);
    expect((await api(token, 'PUT', `/api/isv/customers/${customerId}/twilio-connection/sender`, { messagingServiceSid: service.sid })).status).toBe(200);

    // A $1 budget of its own, then four texts: three arrive, one does not.
    expect((await api(token, 'PUT', `/api/isv/customers/${customerId}/limits`, { monthlyBudgetUsd: 1 })).status).toBe(200);
    for (const to of ['+14155550181', '+14155550182', '+14155550183', '+15005550010']) {
      const sent = await api(token, 'POST', `/api/isv/customers/${customerId}/messages`, { to, body: 'Your book is ready for pickup.' });
      expect(sent.status).toBe(201);
    }
    // The sandbox's status callbacks arrive on their own; wait until every message is final.
    for (let i = 0; i < 100; i++) {
      const log = await api<{ items: { status: string }[] }>(token, 'GET', `/api/isv/customers/${customerId}/messages`);
      if (log.body.items.length === 4 && log.body.items.every((m) => ['delivered', 'undelivered'].includes(m.status))) break;
      await new Promise((r) => setTimeout(r, 200));
    }

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const page = await signIn(context, users.customer!);
    await page.getByRole('link', { name: 'Usage' }).first().click();
    await page.waitForURL(new RegExp(`/customers/${customerId}/usage$`));
    await page.getByRole('heading', { name: 'Usage', level: 1 }).waitFor();

    // The chart: an SVG whose text alternative counts the four messages, with bars for delivered and not delivered.
    const chart = page.getByRole('img', { name: /Messages per day/ });
    await chart.waitFor();
    await expect(chart.getAttribute('aria-label')).resolves.toMatch(/4 in all \(3 delivered, 0 on the way, 1 not delivered, 0 failed\)/);
    await expect(chart.locator('rect.bar-delivered').count()).resolves.toBeGreaterThan(0);
    await expect(chart.locator('rect.bar-undelivered').count()).resolves.toBeGreaterThan(0);

    // The budget bar: spend (the four texts, estimated until Twilio reports them) against the $1 budget.
    const meter = page.getByRole('meter', { name: 'Spend against your monthly budget' });
    await meter.waitFor();
    await expect(meter.getAttribute('aria-valuemax')).resolves.toBe('1');
    expect(Number(await meter.getAttribute('aria-valuenow'))).toBeGreaterThan(0);
    await page.getByText(/of your \$1\.00 monthly budget/).waitFor();

    // Reading Twilio's usage now fills the category table (the number and the texts, as the sandbox charged them).
    await page.getByRole('button', { name: 'Read it now' }).click();
    await page.getByRole('region', { name: 'Usage by day and category' }).getByText('Phone numbers').waitFor();
    await page.getByRole('button', { name: 'Export CSV' }).waitFor();
    // The header's alerts menu is there for the business.
    await page.locator('summary', { hasText: 'Alerts' }).waitFor();
    await screenshots.shot(page, '60-usage-page');
    expect(await overflowAtPhoneWidth(page, page.url(), screenshots.shot, '61-usage-page')).toBe('');
    await context.close();
  });

  it("lists the customer on the operator's usage dashboard with its spend and delivery rate", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const page = await signIn(context, users.operator!);
    await page.goto(`${server.url}/operator/usage`);
    await page.getByRole('heading', { name: 'Usage dashboard' }).waitFor();
    const row = page.getByRole('region', { name: 'Spend and delivery rate per customer' }).getByRole('row').filter({ hasText: BUSINESS });
    await row.waitFor();
    await expect(row.getByRole('cell').nth(3).textContent()).resolves.toBe('4');
    await expect(row.getByRole('cell').nth(6).textContent()).resolves.toBe('75%');
    await page.getByRole('region', { name: 'Top Twilio error codes' }).getByText('30003').waitFor();
    await screenshots.shot(page, '62-operator-usage');
    await context.close();
    expect(accessibilityProblems).toEqual([]);
  });
});
