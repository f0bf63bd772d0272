// The portal end to end in Debian's Chromium against `tsx server/main.ts` (embedded database and sandbox, short
// review delay): a customer signs up and completes the wizard, an admin approves, the customer watches every flow
// reach done, sends a test message and sees it delivered, a STOP shows in opt-outs, and an operator suspends the
// subaccount. Also what issue 19 found broken: compressed immutable assets and page titles, the "Register sender"
// click, every page at 390 px, segments and price, staff pages for other roles, returned and replaced templates,
// suspended accounts, the sender fix form. Screenshots of each main page go to test-results/screenshots/.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { startServer, type RunningServer } from './server-process.ts';
import { screenshotter } from './screenshots.ts';
import { overflowAtPhoneWidth } from './phone-width.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CUSTOMER = 'owner@acme-e2e.test';
const ADMIN = 'admin@isv-e2e.test';
const OPERATOR = 'operator@isv-e2e.test';
const TEAMMATE = 'teammate@acme-e2e.test';
const PASSWORD = 'correct-horse-battery-staple';
const RECIPIENT = '+14155550142';

let server: RunningServer;
let adminPage: Page;
let operatorPage: Page;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function newPage(viewport = { width: 1280, height: 900 }): Promise<Page> {
  // bypassCSP: the axe-core check injects its script into pages served under helmet's CSP.
  const context = await browser.newContext({ viewport, bypassCSP: true });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  return page;
}

const screenshots = screenshotter();
const accessibilityProblems = screenshots.problems;
const shot = screenshots.shot;
/** Pages wider than the screen at 390 px, with what is too wide (asserted empty at the end). */
const tooWideAtPhoneWidth: string[] = [];
const checkPhoneWidth = async (page: Page, url: string, name: string) => {
  const problem = await overflowAtPhoneWidth(page, url, shot, name);
  if (problem) tooWideAtPhoneWidth.push(problem);
  await page.setViewportSize({ width: 1280, height: 900 });
};

const usedLinks = new Set<string>();

/**
 * The newest link not opened yet from the account email `subject` to `to`, read from the server's outbox
 * (DATA_DIR/outbox/*.eml, written when no SMTP server is configured). Bodies may be quoted-printable.
 */
async function mailedLink(to: string, subject: string): Promise<string> {
  const dir = path.join(server.dataDir, 'outbox');
  const deadline = Date.now() + 20_000;
  for (;;) {
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.eml')).sort().reverse() : [];
    for (const file of files) {
      const mail = readFileSync(path.join(dir, file), 'utf8').replace(/=\r?\n/g, '').replace(/=3D/gi, '=');
      if (!mail.toLowerCase().includes(`to: ${to}`) || !mail.includes(`Subject: ${subject}`)) continue;
      const link = /https?:\/\/\S+\?token=[A-Za-z0-9_-]{43}/.exec(mail)?.[0];
      if (link && !usedLinks.has(link)) {
        usedLinks.add(link);
        return link;
      }
    }
    if (Date.now() > deadline) throw new Error(`no "${subject}" mail to ${to} in ${dir}\n--- server output ---\n${server.output().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Signs up (the account starts unconfirmed), opens the mailed verification link and continues into the portal. */
async function signUp(page: Page, email: string, opts: { screenshots?: boolean } = {}): Promise<void> {
  await page.goto(`${server.url}/signup`);
  await page.getByLabel(/^Email/).fill(email);
  await page.getByLabel(/^Password/).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/signup'));
  const banner = page.getByRole('region', { name: 'Confirm your email' });
  await banner.getByText(`we sent a link to ${email}`).waitFor();
  if (opts.screenshots) await shot(page, '02-unconfirmed-email');
  await page.goto(await mailedLink(email, 'Confirm your email address'));
  await page.getByText(`${email} is confirmed`).waitFor();
  if (opts.screenshots) await shot(page, '02-email-confirmed');
  await page.getByRole('link', { name: 'Continue to your account' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/verify-email') && u.pathname !== '/');
  await banner.waitFor({ state: 'detached' });
}

/** Reloads until the locator shows up (for state another person, Twilio or a webhook changes). */
async function eventually(page: Page, locator: Locator, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = await locator.first().waitFor({ timeout: 3_000 }).then(
      () => true,
      () => false,
    );
    if (seen) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n--- server output ---\n${server.output().slice(-4000)}`);
    await page.reload();
  }
}

async function fillProfile(page: Page, legalName: string): Promise<void> {
  await page.getByLabel(/^Legal business name/).fill(legalName);
  await page.getByLabel(/^EIN/).fill('12-3456789');
  await page.getByLabel(/^Website/).fill('https://acme-widgets.example.com');
  await page.getByLabel(/^Street address/).fill('1 Market St');
  await page.getByLabel(/^City/).fill('San Francisco');
  await page.getByLabel(/^State or region/).fill('CA');
  await page.getByLabel(/^ZIP or postal code/).fill('94105');
  await page.getByLabel(/^First name/).fill('Ada');
  await page.getByLabel(/^Last name/).fill('Lovelace');
  await page.getByLabel(/^Email/).fill('ada@acme-widgets.example.com');
  await page.getByLabel(/^Mobile phone/).fill('+14155550123');
  await page.getByLabel(/^Job title/).fill('Chief Executive Officer');
}

beforeAll(async () => {
  server = await startServer({
    SANDBOX_REVIEW_DELAY_MS: '200',
    ONBOARDING_CRON: '* * * * * *',
    MESSAGE_SETTLE_CRON: '* * * * * *',
    ONBOARDING_POLL_MIN_MS: '200',
    ONBOARDING_POLL_MAX_MS: '1000',
    ISV_BOOTSTRAP_ADMINS: ADMIN,
    ISV_BOOTSTRAP_OPERATORS: OPERATOR,
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

describe('the portal', () => {
  let customerPage: Page;
  let customerId = '';
  let number = '';
  let messagePath = '';

  it('sends a visitor who is not signed in, or whose token is refused, to sign-in; works by keyboard', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/customers/00000000-0000-4000-8000-000000000000/messages`);
    await page.waitForURL(/\/signin\?next=/);
    await expect(page.getByRole('heading', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
    await shot(page, '01-sign-in');

    // Keyboard: the first Tab reaches the skip link; the form submits with Enter.
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Skip to content');
    await page.getByLabel(/^Email/).focus();
    await page.keyboard.type('nobody@e2e.test');
    await page.keyboard.press('Tab');
    await page.keyboard.type('not-the-password');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'Could not sign in' }).waitFor();

    // A token the server no longer accepts (401) sends the person to sign-in, remembering where they were.
    await page.evaluate(() => window.localStorage.setItem('isv.portal.token', 'expired.or.forged'));
    await page.goto(`${server.url}/customers/00000000-0000-4000-8000-000000000000/opt-outs`);
    await page.waitForURL(/\/signin\?next=%2Fcustomers%2F00000000-0000-4000-8000-000000000000%2Fopt-outs/);
    await expect(page.evaluate(() => window.localStorage.getItem('isv.portal.token'))).resolves.toBeNull();
  });

  it('serves the portal’s scripts and styles compressed and cached for a year, the page itself revalidated, and names each page in the tab title', async () => {
    const page = await newPage();
    const assets: { url: string; encoding: string | undefined; cacheControl: string | undefined; sent: number; size: number }[] = [];
    let indexCacheControl: string | undefined;
    page.on('response', (res) => {
      const url = new URL(res.url());
      if (url.pathname === '/signin') indexCacheControl = res.headers()['cache-control'];
      if (!/^\/assets\/.+\.(js|css)$/.test(url.pathname)) return;
      assets.push({ url: url.pathname, encoding: res.headers()['content-encoding'], cacheControl: res.headers()['cache-control'], sent: 0, size: 0 });
      const entry = assets[assets.length - 1]!;
      void res.finished().then(async () => {
        entry.sent = (await res.request().sizes()).responseBodySize;
        entry.size = (await res.body()).length;
      });
    });
    await page.goto(`${server.url}/signin`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await expect(page.title()).resolves.toBe('Sign in · Messaging onboarding portal');
    await page.getByRole('link', { name: /Create an account|Sign up/ }).first().click();
    await page.waitForURL(/\/signup$/);
    await expect(page.title()).resolves.toBe('Create an account · Messaging onboarding portal');
    await page.waitForLoadState('networkidle');

    expect(indexCacheControl).toBe('no-cache');
    const main = assets.find((a) => a.url.endsWith('.js'));
    expect(main, 'the page loads a script from /assets/').toBeDefined();
    for (const a of assets) {
      expect(a.cacheControl, a.url).toBe('public, max-age=31536000, immutable');
      expect(['br', 'gzip'], a.url).toContain(a.encoding);
    }
    // What travelled is the compressed file: the main script is well under half its size.
    expect(main!.sent).toBeGreaterThan(0);
    expect(main!.sent).toBeLessThan(main!.size * 0.45);
  });

  it('lets a customer sign up and complete the onboarding wizard, with inline errors before submit', async () => {
    customerPage = await newPage();
    const page = customerPage;
    await signUp(page, CUSTOMER, { screenshots: true });
    await page.waitForURL(/\/onboarding/);

    // Step 1: submitting empty shows the shared schema's errors and stays on the step.
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByText(/Please fix these \d+ fields/).isVisible()).resolves.toBe(true);
    await shot(page, '02-wizard-profile-errors');
    await fillProfile(page, 'Acme Widgets LLC');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/customers\/[0-9a-f-]{36}\/onboarding\?step=2/);
    customerId = /\/customers\/([0-9a-f-]{36})\//.exec(page.url())![1]!;

    // Step 2: A2P brand and campaign, with Twilio's limits checked as you type.
    await page.getByLabel(/^Campaign description/).fill('Too short');
    await page.getByLabel(/^Campaign description/).blur();
    await expect(page.getByText('must be at least 40 characters').first().isVisible()).resolves.toBe(true);
    await page.getByLabel(/^Campaign description/).fill('Order and delivery notifications for customers who bought from the Acme Widgets web shop.');
    await page
      .getByLabel(/^How people opt in/)
      .fill('Customers tick an unchecked box "Text me order updates" at checkout on https://acme-widgets.example.com/checkout; the form states message frequency, that msg & data rates may apply and that STOP opts out.');
    await page.getByLabel(/^Sample message 1/).fill('Acme Widgets: your order [order id] has shipped and arrives [date]. Reply STOP to opt out.');
    await page.getByLabel(/^Sample message 2/).fill('Acme Widgets: your order [order id] was delivered. Questions? Reply HELP. Reply STOP to opt out.');
    await page.getByLabel(/^Opt-in confirmation message/).fill('Acme Widgets: you will get order updates, up to 5 msgs/order. Msg & data rates may apply. Reply HELP for help, STOP to opt out.');
    await shot(page, '03-wizard-a2p');
    // A refused list item is named as the form names it, with a plain reason: never `campaign.optInKeywords.1`.
    await page.getByLabel(/^Opt-in keywords/).fill('START opt-in');
    await page.getByRole('button', { name: 'Submit for review' }).click();
    const a2pSummary = page.getByRole('alert').filter({ hasText: /Please fix/ });
    await a2pSummary.getByRole('link', { name: 'Opt-in keywords (item 2)' }).waitFor();
    await expect(a2pSummary.textContent()).resolves.not.toMatch(/campaign\.|optInKeywords|Too small|Invalid/);
    await shot(page, '03-wizard-a2p-keyword-error');
    await page.getByLabel(/^Opt-in keywords/).fill('START');
    await page.getByRole('button', { name: 'Submit for review' }).click();
    await page.waitForURL(/onboarding\?step=3/);

    // Step 3: WhatsApp sender. Typing a phone, clearing the display name and clicking "Register sender" straight
    // away: the click lands (the summary names the field) instead of being lost to the field's error moving the button.
    await page.getByLabel(/^WhatsApp phone number/).fill('+14155550188');
    await page.getByLabel(/^Display name/).fill('Acme');
    await page.getByLabel(/^Display name/).fill('');
    await page.getByRole('button', { name: 'Register sender' }).click();
    const summary = page.getByRole('alert').filter({ hasText: 'Please fix this field' });
    await summary.getByRole('link', { name: 'Display name' }).waitFor();
    await expect(summary.textContent()).resolves.toContain('Display name: is required');
    expect(page.url()).toMatch(/onboarding\?step=3/);
    await page.getByLabel(/^Display name/).fill('Acme Widgets');
    await page.getByLabel(/^About/).fill('Order updates from Acme Widgets');
    await page.getByRole('button', { name: 'Register sender' }).click();
    await page.waitForURL(/onboarding\?step=4/);

    // Step 4: first template.
    await page.getByLabel(/^Name/).fill('order_shipped');
    await page.getByLabel(/^Body/).fill('Hi {{1}}, your Acme Widgets order has shipped. Track it in your account.');
    await page.getByLabel(/^Sample for \{\{1\}\}/).fill('Ada');
    await shot(page, '04-wizard-template');
    await page.getByRole('button', { name: 'Submit template' }).click();
    await page.waitForURL(/\/progress$/);
    await page.getByText('Waiting for review by our team').first().waitFor();
    await shot(page, '05-progress-awaiting-approval');
  });

  it('lets an admin see the submitted data and approve the brand and the template', async () => {
    const page = await newPage();
    adminPage = page;
    await signUp(page, ADMIN);
    await page.waitForURL(/\/admin\/approvals/);
    await eventually(page, page.getByRole('region', { name: /WhatsApp template · Acme Widgets LLC/ }), 60_000, 'the template in the approval queue');
    const brand = page.getByRole('region', { name: /Brand and campaign · Acme Widgets LLC/ });
    await expect(brand.getByText('Order and delivery notifications for customers who bought from the Acme Widgets web shop.').isVisible()).resolves.toBe(true);
    await shot(page, '06-admin-approvals');
    await brand.getByRole('button', { name: 'Approve' }).click();
    await brand.waitFor({ state: 'detached' });
    const template = page.getByRole('region', { name: /WhatsApp template · Acme Widgets LLC/ });
    await template.getByRole('button', { name: 'Approve' }).click();
    await template.waitFor({ state: 'detached' });
    await page.getByText('The queue is empty').waitFor();

    await page.getByRole('link', { name: 'Customers' }).click();
    await page.getByRole('link', { name: 'Acme Widgets LLC' }).waitFor();
    await shot(page, '07-admin-customers');
  });

  it('shows the customer every flow reaching done, asking for the WhatsApp code on the way', async () => {
    const page = customerPage;
    await page.goto(`${server.url}/customers/${customerId}/progress`);
    const sender = page.getByRole('region', { name: 'WhatsApp sender' });
    await sender.getByLabel(/WhatsApp verification code/).waitFor({ timeout: 90_000 });
    await shot(page, '08-progress-otp');
    await sender.getByLabel(/WhatsApp verification code/).fill('123456');
    await sender.getByRole('button', { name: 'Submit code' }).click();
    // The page polls by itself while anything is in flight: no reload needed.
    await page.getByText('Complete: you can send messages').waitFor({ timeout: 180_000 });
    for (const kind of ['subaccount', 'a2p', 'whatsapp_sender', 'template']) {
      await expect(page.locator(`[data-flow-kind="${kind}"]`).first().getAttribute('data-flow-status')).resolves.toBe('done');
    }
    await shot(page, '09-progress-complete');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, '10-progress-phone-width');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('lists the number bought for the campaign and the approved template', async () => {
    const page = customerPage;
    await page.getByRole('link', { name: 'Numbers' }).click();
    const cell = page.locator('tbody tr td strong').first();
    await cell.waitFor();
    number = (await cell.textContent())!.trim();
    expect(number).toMatch(/^\+1\d{10}$/);
    await shot(page, '11-numbers');
    await page.getByRole('link', { name: 'Templates' }).click();
    await page.getByText('order_shipped').waitFor();
    await expect(page.locator('.badge', { hasText: 'Approved by WhatsApp' }).first().isVisible()).resolves.toBe(true);
    await shot(page, '12-templates');
  });

  it('sends a test message and shows it delivered in the logs with its status history', async () => {
    const page = customerPage;
    await page.getByRole('link', { name: 'Send test' }).click();
    await page.getByLabel(/^To/).fill(RECIPIENT);
    await page.getByLabel(/^Message/).fill('Hello from the Acme Widgets end-to-end test.');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText(/Sent\. Twilio has it as/).waitFor();
    await shot(page, '13-send');
    await page.getByRole('link', { name: 'Messages', exact: true }).click();
    const row = page.locator('tbody tr', { hasText: RECIPIENT }).first();
    await row.locator('.badge', { hasText: 'Delivered' }).waitFor({ timeout: 60_000 });
    await shot(page, '14-messages');
    await row.getByRole('link', { name: /Status history/ }).click();
    const history = page.getByRole('list', { name: 'Status history' });
    await history.locator('.badge', { hasText: 'Delivered' }).waitFor();
    messagePath = new URL(page.url()).pathname;
    // Twilio answered the send with 0 segments and no price; the page shows what Twilio reported afterwards.
    const facts = page.locator('dl');
    await facts.locator('dt:has-text("Segments") + dd', { hasText: /^1$/ }).waitFor({ timeout: 30_000 });
    await facts.locator('dt:has-text("Price") + dd', { hasText: /^-?\d+\.\d+ USD$/ }).waitFor({ timeout: 30_000 });
    await expect(history.locator('li').count()).resolves.toBeGreaterThanOrEqual(2);
    await shot(page, '15-message-history');
  });

  it('sends the approved WhatsApp template with its variable filled in', async () => {
    const page = customerPage;
    await page.getByRole('link', { name: 'Send test' }).click();
    await page.getByLabel(/^Channel/).selectOption('whatsapp');
    const template = page.getByLabel(/^Template/);
    await template.locator('option', { hasText: 'order_shipped' }).waitFor({ state: 'attached' });
    await template.selectOption({ label: 'order_shipped (v1, en)' });
    await page.getByLabel(/^To/).fill('+14155550143');
    await page.getByLabel(/^Value for \{\{1\}\}/).fill('Ada');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText(/Sent\. Twilio has it as/).waitFor();
    await page.getByRole('link', { name: 'Messages', exact: true }).click();
    const row = page.locator('tbody tr', { hasText: '+14155550143' }).first();
    await expect(row.textContent()).resolves.toContain('WhatsApp');
  });

  it('shows a recipient who texted STOP in the opt-outs', async () => {
    const res = await fetch(`${server.sandboxUrl}/sandbox/inbound`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ from: RECIPIENT, to: number, body: 'STOP' }),
    });
    expect(res.status).toBeLessThan(300);
    const page = customerPage;
    await page.getByRole('link', { name: 'Opt-outs' }).click();
    await eventually(page, page.locator('tbody tr', { hasText: RECIPIENT }), 30_000, 'the STOP in the opt-outs');
    const row = page.locator('tbody tr', { hasText: RECIPIENT });
    await expect(row.locator('.badge').textContent()).resolves.toBe('Opted out');
    await expect(row.textContent()).resolves.toContain('STOP');
    await shot(page, '16-opt-outs');

    // The send path refuses the opted-out recipient before anything reaches Twilio.
    await page.getByRole('link', { name: 'Send test' }).click();
    await page.getByLabel(/^To/).fill(RECIPIENT);
    await page.getByLabel(/^Message/).fill('Are you still there?');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('alert').filter({ hasText: 'The message was not sent' }).waitFor();
  });

  it('lets an operator suspend the subaccount, shown as suspended, and read the audit log', async () => {
    const page = await newPage();
    operatorPage = page;
    await signUp(page, OPERATOR);
    await page.waitForURL(/\/operator\/subaccounts/);
    const row = page.locator('tbody tr', { hasText: 'Acme Widgets LLC' });
    await row.waitFor({ timeout: 30_000 });
    await shot(page, '17-operator-subaccounts');
    await row.getByRole('button', { name: /^Suspend/ }).click();
    await page.getByText(/is now suspended/).waitFor();
    await row.locator('.badge', { hasText: 'Suspended' }).first().waitFor();
    await expect(row.getByRole('button', { name: /^Reactivate/ }).isVisible()).resolves.toBe(true);
    await shot(page, '18-operator-suspended');

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.locator('tbody tr', { hasText: 'suspend' }).first().waitFor();
    await shot(page, '19-audit-log');
    await expect(page.title()).resolves.toBe('Audit log · Messaging onboarding portal');

    // The admins' queue is not the operator's: the page says whose it is and where to go, not "try again".
    await page.goto(`${server.url}/admin/approvals`);
    await page.getByRole('heading', { name: 'Not available to your account' }).waitFor();
    await page.getByRole('alert').getByText('This page is for ISV admins.').waitFor();
    await expect(page.getByText(/Something went wrong|does not have the role/).count()).resolves.toBe(0);
    await shot(page, '19-operator-on-approvals');
    await page.getByRole('link', { name: 'Go to your start page' }).click();
    await page.waitForURL(/\/operator\/subaccounts$/);
  });

  it('tells the customer of the suspended account that sending is paused, in their own words', async () => {
    const page = customerPage;
    await page.goto(`${server.url}/customers/${customerId}/progress`);
    await page.locator('.overall .badge', { hasText: 'Sending is paused: your Twilio account is suspended' }).waitFor();
    await expect(page.getByText('Complete: you can send messages').count()).resolves.toBe(0);
    await shot(page, '18-progress-suspended');
    await page.getByRole('link', { name: 'Send test' }).click();
    await page.getByRole('status').filter({ hasText: 'Sending is paused.' }).waitFor();
    await page.getByLabel(/^To/).fill('+14155550144');
    await page.getByLabel(/^Message/).fill('Is anyone there?');
    await page.getByRole('button', { name: 'Send' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'The message was not sent' });
    await refusal.getByText('Your Twilio account is suspended, so nothing you send goes out.').waitFor();
    await expect(refusal.textContent()).resolves.not.toMatch(/the customer/i);
    await shot(page, '18-send-suspended');
  });

  it('lets the owner invite a teammate, who joins only by accepting once their email is confirmed', async () => {
    const owner = customerPage;
    await owner.goto(`${server.url}/customers/${customerId}/progress`);
    await owner.getByRole('link', { name: 'Team' }).click();
    await owner.getByRole('heading', { name: 'Team' }).waitFor();
    await owner.getByLabel(/^Email/).fill(TEAMMATE);
    await owner.getByLabel(/^Role/).selectOption('member');
    await owner.getByRole('button', { name: 'Send the invitation' }).click();
    await owner.getByRole('status').filter({ hasText: TEAMMATE }).waitFor();
    const pending = owner.locator('tbody tr', { hasText: TEAMMATE });
    await pending.getByText('Invitation pending').waitFor();
    await shot(owner, '23-team-owner');

    const page = await newPage();
    await signUp(page, TEAMMATE);
    await page.waitForURL(/\/onboarding/);
    const invitations = page.getByRole('region', { name: 'An invitation is waiting for you' });
    await invitations.getByText(`${CUSTOMER} invited you to join Acme Widgets LLC as a member`).waitFor();
    await shot(page, '24-invitation-waiting');
    await invitations.getByRole('button', { name: 'Accept the invitation to Acme Widgets LLC' }).click();
    await page.waitForURL(new RegExp(`/customers/${customerId}/progress$`));
    await page.getByRole('link', { name: 'Team' }).click();
    await page.getByText('Only an owner can invite or remove people').waitFor();
    await expect(page.getByRole('button', { name: /Remove/ }).count()).resolves.toBe(0);

    await owner.reload();
    const row = owner.locator('tbody tr', { hasText: TEAMMATE });
    await row.locator('.badge', { hasText: 'Member' }).waitFor();

    // Removing the last owner is refused with the reason.
    await owner.getByRole('button', { name: `Remove ${CUSTOMER}…` }).click();
    await owner.getByRole('button', { name: 'Leave the team' }).click();
    await owner.getByRole('alert').getByText('A customer needs at least one owner').waitFor();

    // "Sign out everywhere" ends the teammate's session: the old token is refused afterwards.
    const token = await page.evaluate(() => window.localStorage.getItem('isv.portal.token'));
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.waitForURL(/\/signin/);
    const after = await fetch(`${server.url}/api/auth/me`, { headers: { Authorization: `Bearer ${token}` } });
    expect(after.status).toBe(401);
  });

  it('resets a forgotten password from the mailed link, refusing a weak one with the reason', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/signin`);
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.getByLabel(/^Email/).fill(TEAMMATE);
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page.getByText(`If an account exists for ${TEAMMATE}, we sent a link`).waitFor();
    await page.goto(await mailedLink(TEAMMATE, 'Reset your password'));
    await page.getByLabel(/^New password/).fill('password1234');
    await page.getByLabel(/^Confirm the new password/).fill('password1234');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByText(/is too easy to guess/).waitFor();
    await shot(page, '25-reset-password-weak');
    await page.getByLabel(/^New password/).fill('staple-battery-horse-correct-again');
    await page.getByLabel(/^Confirm the new password/).fill('staple-battery-horse-correct-again');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.waitForURL(new RegExp(`/customers/${customerId}/progress$`));
  });
  it('fits every customer, admin and operator page into a phone’s 390 px width', async () => {
    const customer = (p: string) => `${server.url}/customers/${customerId}/${p}`;
    for (const [p, name] of [
      ['progress', 'customer-progress'],
      ['onboarding', 'customer-onboarding'],
      ['onboarding?step=2', 'customer-onboarding-a2p'],
      ['onboarding?step=3', 'customer-onboarding-whatsapp'],
      ['numbers', 'customer-numbers'],
      ['templates', 'customer-templates'],
      ['send', 'customer-send'],
      ['messages', 'customer-messages'],
      [messagePath.replace(/^\/customers\/[^/]+\//, ''), 'customer-message'],
      ['opt-outs', 'customer-opt-outs'],
      ['team', 'customer-team'],
    ] as const)
      await checkPhoneWidth(customerPage, customer(p), name);
    await checkPhoneWidth(adminPage, `${server.url}/admin/approvals`, 'admin-approvals');
    await checkPhoneWidth(adminPage, `${server.url}/admin/customers`, 'admin-customers');
    await checkPhoneWidth(operatorPage, `${server.url}/operator/subaccounts`, 'operator-subaccounts');
    await checkPhoneWidth(operatorPage, `${server.url}/operator/audit-log`, 'operator-audit-log');
    const visitor = await newPage();
    for (const [p, name] of [
      ['signin', 'sign-in'],
      ['signup', 'sign-up'],
      ['forgot-password', 'forgot-password'],
    ] as const)
      await checkPhoneWidth(visitor, `${server.url}/${p}`, name);
    expect(tooWideAtPhoneWidth).toEqual([]);
  });
});

describe('a rejection', () => {
  it('shows the customer the admin’s reason and the field to fix, and the admin what changed in the new version', async () => {
    const page = await newPage();
    await signUp(page, 'owner@bolt-e2e.test');
    await page.waitForURL(/\/onboarding/);
    await fillProfile(page, 'Bolt Bikes LLC');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/onboarding\?step=2/);
    const customerId = /\/customers\/([0-9a-f-]{36})\//.exec(page.url())![1]!;

    await page.goto(`${server.url}/customers/${customerId}/templates`);
    await page.getByRole('button', { name: 'New template' }).click();
    await page.getByLabel(/^Name/).fill('spring_sale');
    await page.getByLabel(/^Category/).selectOption('MARKETING');
    await page.getByLabel(/^Body/).fill('Hi {{1}}, everything is 50% off this weekend only!');
    await page.getByLabel(/^Sample for \{\{1\}\}/).fill('Sam');
    await page.getByRole('button', { name: 'Submit for review' }).click();
    await page.getByText('spring_sale').waitFor();

    const reason = 'Say which shop the offer is from and how to stop these messages.';
    await adminPage.goto(`${server.url}/admin/approvals`);
    const item = adminPage.getByRole('region', { name: /WhatsApp template · Bolt Bikes LLC/ });
    await eventually(adminPage, item, 30_000, 'the Bolt Bikes template in the queue');
    await item.getByRole('button', { name: 'Reject…' }).click();
    await item.getByLabel(/^Reason for rejecting/).fill(reason);
    await item.getByRole('button', { name: 'Reject', exact: true }).click();
    await item.waitFor({ state: 'detached' });

    await page.goto(`${server.url}/customers/${customerId}/progress`);
    const flow = page.getByRole('region', { name: 'WhatsApp template' });
    await flow.getByRole('alert').getByText(reason).waitFor();
    // The field by the form's name, and the step agreeing with "Your action is needed".
    await expect(flow.getByRole('alert').textContent()).resolves.toContain('Fields to fix: Template body');
    await expect(flow.locator('.badge').first().textContent()).resolves.toBe('Your action is needed');
    await expect(flow.locator('.flow-state').textContent()).resolves.toBe('Step: Returned by our team for changes');
    await shot(page, '20-progress-rejected-template');
    await flow.getByLabel(/^Body/).fill('Hi {{1}}, Bolt Bikes: everything is 50% off this weekend. Reply STOP to opt out.');
    await flow.getByRole('button', { name: 'Submit new version' }).click();

    await adminPage.reload();
    const again = adminPage.getByRole('region', { name: /WhatsApp template · Bolt Bikes LLC/ });
    await eventually(adminPage, again, 30_000, 'the new version in the queue');
    await again.getByText(`Rejected before: ${reason}`).waitFor();
    await expect(again.locator('table.changes').textContent()).resolves.toContain('Reply STOP to opt out');
    await shot(adminPage, '21-admin-approval-changes');
    await expect(overflowAtPhoneWidth(adminPage, `${server.url}/admin/approvals`, shot, '21-admin-approval-changes')).resolves.toBe('');
    await adminPage.setViewportSize({ width: 1280, height: 900 });
    await again.getByRole('button', { name: 'Approve' }).click();
    await again.waitFor({ state: 'detached' });

    // The replaced version is not a second "WhatsApp template — Done" card: one card, the new version's.
    await page.reload();
    await page.getByRole('region', { name: 'WhatsApp template' }).first().waitFor();
    await expect(page.getByRole('region', { name: 'WhatsApp template' }).count()).resolves.toBe(1);
    await expect(page.getByText('Replaced by version').count()).resolves.toBe(0);
    await shot(page, '21-progress-after-new-version');
  });

  it('tells a customer whose business profile Twilio rejected why, in plain words, and which of its fields to fix', async () => {
    const page = await newPage();
    await signUp(page, 'owner@reject-e2e.test');
    await page.waitForURL(/\/onboarding/);
    // The sandbox's documented trigger: REJECT in the business name makes Twilio reject the profile.
    await fillProfile(page, 'REJECT Foods LLC');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/onboarding\?step=2/);
    const customerId = /\/customers\/([0-9a-f-]{36})\//.exec(page.url())![1]!;
    await page.getByLabel(/^Campaign description/).fill('Order and delivery notifications for customers who bought from the Reject Foods web shop.');
    await page
      .getByLabel(/^How people opt in/)
      .fill('Customers tick an unchecked box "Text me order updates" at checkout on https://acme-widgets.example.com/checkout; the form states message frequency, that msg & data rates may apply and that STOP opts out.');
    await page.getByLabel(/^Sample message 1/).fill('Reject Foods: your order [order id] has shipped and arrives [date]. Reply STOP to opt out.');
    await page.getByLabel(/^Sample message 2/).fill('Reject Foods: your order [order id] was delivered. Questions? Reply HELP. Reply STOP to opt out.');
    await page.getByLabel(/^Opt-in confirmation message/).fill('Reject Foods: you will get order updates, up to 5 msgs/order. Msg & data rates may apply. Reply HELP for help, STOP to opt out.');
    await page.getByRole('button', { name: 'Submit for review' }).click();
    await page.waitForURL(/onboarding\?step=3/);

    await adminPage.goto(`${server.url}/admin/approvals`);
    const brand = adminPage.getByRole('region', { name: /Brand and campaign · REJECT Foods LLC/ });
    await eventually(adminPage, brand, 30_000, 'the REJECT Foods brand in the queue');
    // The admin reads the submitted data by the form's labels, not API paths.
    await brand.getByText('Campaign description', { exact: true }).waitFor();
    await expect(brand.locator('dl').textContent()).resolves.not.toMatch(/campaign\.description/);
    await brand.getByRole('button', { name: 'Approve' }).click();
    await brand.waitFor({ state: 'detached' });

    await page.goto(`${server.url}/customers/${customerId}/progress`);
    const flow = page.getByRole('region', { name: /US texting registration/ });
    const why = flow.getByRole('alert').filter({ hasText: 'Twilio rejected your business profile' });
    await why.waitFor({ timeout: 90_000 });
    const text = (await why.textContent()) ?? '';
    expect(text).toMatch(/Fields to fix: .*Legal business name/);
    expect(text).not.toMatch(/\.\.|TrustHub|legalName|contact\.|address_sids/);
    await shot(page, '27-progress-profile-rejected');
  });

  it('prefills the sender fix form with everything submitted when WhatsApp puts the sender offline', async () => {
    const page = await newPage();
    await signUp(page, 'owner@offline-e2e.test');
    await page.waitForURL(/\/onboarding/);
    await fillProfile(page, 'Offline Cafe LLC');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/onboarding\?step=2/);
    const customerId = /\/customers\/([0-9a-f-]{36})\//.exec(page.url())![1]!;
    await page.goto(`${server.url}/customers/${customerId}/onboarding?step=3`);
    // The sandbox's documented trigger: a display name with OFFLINE in it is rejected by "Meta".
    await page.getByLabel(/^WhatsApp phone number/).fill('+14155550166');
    await page.getByLabel(/^Display name/).fill('Offline Cafe OFFLINE');
    await page.getByLabel(/^About/).fill('Coffee and cake by the pier');
    await page.getByLabel(/^Business description/).fill('A small cafe that texts pickup times.');
    await page.getByLabel(/^Business address/).fill('3 Pier Rd, San Francisco');
    await page.getByLabel(/^Website/).fill('https://offline-cafe.example.com');
    await page.getByLabel(/^Contact email/).fill('hello@offline-cafe.example.com');
    await page.getByRole('button', { name: 'Register sender' }).click();
    await page.waitForURL(/onboarding\?step=4/);

    await page.goto(`${server.url}/customers/${customerId}/progress`);
    const sender = page.getByRole('region', { name: 'WhatsApp sender' });
    await sender.getByLabel(/WhatsApp verification code/).waitFor({ timeout: 90_000 });
    await sender.getByLabel(/WhatsApp verification code/).fill('123456');
    await sender.getByRole('button', { name: 'Submit code' }).click();
    const fix = sender.locator('details.fix');
    await fix.waitFor({ timeout: 60_000 });
    await sender.getByRole('alert').getByText(/WhatsApp put your sender offline: Meta rejected the display name/).waitFor();
    await expect(sender.textContent()).resolves.not.toMatch(/profile\.name|\.\./);
    await expect(fix.getByLabel(/^WhatsApp phone number/).inputValue()).resolves.toBe('+14155550166');
    await expect(fix.getByLabel(/^Display name/).inputValue()).resolves.toBe('Offline Cafe OFFLINE');
    await expect(fix.getByLabel(/^About/).inputValue()).resolves.toBe('Coffee and cake by the pier');
    await expect(fix.getByLabel(/^Business description/).inputValue()).resolves.toBe('A small cafe that texts pickup times.');
    await expect(fix.getByLabel(/^Business address/).inputValue()).resolves.toBe('3 Pier Rd, San Francisco');
    await expect(fix.getByLabel(/^Website/).inputValue()).resolves.toBe('https://offline-cafe.example.com');
    await expect(fix.getByLabel(/^Contact email/).inputValue()).resolves.toBe('hello@offline-cafe.example.com');
    await shot(page, '26-progress-sender-offline-fix');
  });
});

describe('closing a subaccount', () => {
  it('asks the operator to type the SID, refuses a wrong one, and shows the account closed', async () => {
    const page = operatorPage;
    await page.goto(`${server.url}/operator/subaccounts`);
    const row = page.locator('tbody tr', { hasText: 'Bolt Bikes LLC' });
    await row.waitFor({ timeout: 30_000 });
    const sid = (await row.getAttribute('data-sid'))!;
    await row.getByRole('button', { name: /^Close/ }).click();
    const zone = page.getByRole('region', { name: /Close Bolt Bikes LLC\?/ });
    await zone.getByLabel(/^Account SID/).fill(sid.slice(0, -1));
    await zone.getByRole('button', { name: 'Close the subaccount' }).click();
    await zone.getByText('type the account SID exactly as shown').waitFor();
    await shot(page, '22-operator-close-confirm');
    await zone.getByLabel(/^Account SID/).fill(sid);
    await zone.getByRole('button', { name: 'Close the subaccount' }).click();
    await page.getByText(`${sid} is now closed`).waitFor();
    await row.locator('.badge', { hasText: 'Closed' }).first().waitFor();
    await expect(row.getByRole('button').count()).resolves.toBe(0);
  });
});

describe('accessibility', () => {
  it('has no serious or critical WCAG 2.1 A/AA violations (axe-core) on any page screenshotted above', () => {
    expect(accessibilityProblems).toEqual([]);
  });
});
