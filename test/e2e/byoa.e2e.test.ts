// Bring your own Twilio account (#17) end to end in Debian's Chromium against `tsx server/main.ts`: a customer
// signs up, chooses "Connect my own Twilio account" in the wizard, connects an independent sandbox account set up
// the way a real account already is (a number in a messaging service, made through the Twilio REST API of the
// sandbox), picks that service as its sender, sends a text on the send page and sees it delivered; when Twilio stops accepting
// the token, the banner's reconnect form brings sending back.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServer, type RunningServer } from './server-process.ts';
import { screenshotter } from './screenshots.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OWNER = 'owner@own-account-e2e.test';
const PASSWORD = 'correct-horse-battery-staple';
const RECIPIENT = '+14155550177';
const SERVICE_NAME = 'Harbor Cafe notifications';

let server: RunningServer;
let browser: Browser;
let page: Page;

const screenshots = screenshotter();
const accessibilityProblems = screenshots.problems;
const shot = (name: string) => screenshots.shot(page, name);

/** The verification link mailed to `to`, read from the server's outbox (quoted-printable bodies). */
async function verificationLink(to: string): Promise<string> {
  const dir = path.join(server.dataDir, 'outbox');
  const deadline = Date.now() + 20_000;
  for (;;) {
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.eml')) : [];
    for (const file of files) {
      const mail = readFileSync(path.join(dir, file), 'utf8').replace(/=\r?\n/g, '').replace(/=3D/gi, '=');
      if (!mail.toLowerCase().includes(`to: ${to}`) || !mail.includes('Subject: Confirm your email address')) continue;
      const link = /https?:\/\/\S+\?token=[A-Za-z0-9_-]{43}/.exec(mail)?.[0];
      if (link) return link;
    }
    if (Date.now() > deadline) throw new Error(`no confirmation mail to ${to} in ${dir}\n--- server output ---\n${server.output().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The sandbox's Twilio REST API as the account itself would call it (Basic auth with its SID and token). */
async function twilio<T>(account: { sid: string; token: string }, method: 'GET' | 'POST', hostAndPath: string, form?: Record<string, string>): Promise<T> {
  const res = await fetch(`${server.sandboxUrl}/${hostAndPath}`, {
    method,
    headers: {
      Authorization: `Basic ${Buffer.from(`${account.sid}:${account.token}`).toString('base64')}`,
      ...(form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
    },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  const body = (await res.json()) as T;
  if (!res.ok) throw new Error(`${method} ${hostAndPath} answered ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

/** A Twilio account of the customer's own, independent of the platform, with a number in a messaging service. */
async function ownTwilioAccount(): Promise<{ sid: string; token: string; number: string; serviceSid: string }> {
  const res = await fetch(`${server.sandboxUrl}/sandbox/accounts`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ friendlyName: 'Harbor Cafe' }),
  });
  expect(res.status).toBe(201);
  const created = (await res.json()) as { account_sid: string; auth_token: string };
  const account = { sid: created.account_sid, token: created.auth_token };
  const base = `api.twilio.com/2010-04-01/Accounts/${account.sid}`;
  const available = await twilio<{ available_phone_numbers: { phone_number: string }[] }>(account, 'GET', `${base}/AvailablePhoneNumbers/US/Local.json?AreaCode=415`);
  const bought = await twilio<{ sid: string; phone_number: string }>(account, 'POST', `${base}/IncomingPhoneNumbers.json`, { PhoneNumber: available.available_phone_numbers[0]!.phone_number });
  const service = await twilio<{ sid: string }>(account, 'POST', 'messaging.twilio.com/v1/Services', { FriendlyName: SERVICE_NAME });
  await twilio(account, 'POST', `messaging.twilio.com/v1/Services/${service.sid}/PhoneNumbers`, { PhoneNumberSid: bought.sid });
  return { ...account, number: bought.phone_number, serviceSid: service.sid };
}

beforeAll(async () => {
  server = await startServer({ ONBOARDING_CRON: '* * * * * *', ONBOARDING_POLL_MIN_MS: '200', ONBOARDING_POLL_MAX_MS: '1000' });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('a customer on its own Twilio account', () => {
  let own: Awaited<ReturnType<typeof ownTwilioAccount>>;

  it('connects its account in the wizard, picks its messaging service, and sees a text it sends delivered', async () => {
    own = await ownTwilioAccount();

    // Sign up and confirm the email address.
    await page.goto(`${server.url}/signup`);
    await page.getByLabel(/^Email/).fill(OWNER);
    await page.getByLabel(/^Password/).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/signup'));
    await page.goto(await verificationLink(OWNER));
    await page.getByText(`${OWNER} is confirmed`).waitFor();
    await page.getByRole('link', { name: 'Continue to your account' }).click();
    await page.waitForURL(/\/onboarding/);

    // Step 1: the business profile, choosing to connect an own Twilio account.
    const choice = page.getByRole('group', { name: 'How will you use Twilio?' });
    await expect(choice.getByRole('radio', { name: 'Create a Twilio account for me' }).isChecked()).resolves.toBe(true);
    await choice.getByRole('radio', { name: 'Connect my own Twilio account' }).check();
    await page.getByLabel(/^Legal business name/).fill('Harbor Cafe LLC');
    await page.getByLabel(/^EIN/).fill('98-7654321');
    await page.getByLabel(/^Website/).fill('https://harbor-cafe.example.com');
    await page.getByLabel(/^Street address/).fill('2 Pier Rd');
    await page.getByLabel(/^City/).fill('San Francisco');
    await page.getByLabel(/^State or region/).fill('CA');
    await page.getByLabel(/^ZIP or postal code/).fill('94111');
    await page.getByLabel(/^First name/).fill('Grace');
    await page.getByLabel(/^Last name/).fill('Hopper');
    await page.getByLabel(/^Email/).fill('grace@harbor-cafe.example.com');
    await page.getByLabel(/^Mobile phone/).fill('+14155550124');
    await page.getByLabel(/^Job title/).fill('Owner');
    await shot('30-byoa-profile-choice');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/customers\/[0-9a-f-]{36}\/onboarding\?step=2/);
    const customerId = /\/customers\/([0-9a-f-]{36})\//.exec(page.url())![1]!;

    // Step 2: connect. A malformed SID is refused at its field; a wrong token is refused by Twilio, in plain words.
    await page.getByRole('heading', { name: 'Step 2 of 3: Connect your Twilio account' }).waitFor();
    await page.getByLabel(/^Account SID/).fill('AC123');
    await page.getByLabel(/^Auth Token/).fill(own.token);
    await page.getByRole('button', { name: 'Connect account' }).click();
    await page.getByText('must be an Account SID').first().waitFor();
    await page.getByLabel(/^Account SID/).fill(own.sid);
    await page.getByLabel(/^Auth Token/).fill(own.token.replace(/.$/, (c) => (c === '0' ? '1' : '0')));
    await page.getByRole('button', { name: 'Connect account' }).click();
    await page.getByRole('alert').filter({ hasText: 'Your Twilio account was not connected' }).waitFor();
    await shot('31-byoa-connect-refused');
    await page.getByLabel(/^Auth Token/).fill(own.token);
    await page.getByRole('button', { name: 'Connect account' }).click();

    // Connected: the account is shown masked, and its messaging service is offered as the sender.
    await page.getByRole('heading', { name: 'Choose your sender' }).waitFor();
    await page.getByText(`••••${own.token.slice(-4)}`).waitFor();
    await expect(page.getByText(own.token).count()).resolves.toBe(0);
    const service = page.getByRole('radio', { name: SERVICE_NAME });
    await service.waitFor();
    await page.getByText(`Numbers: ${own.number}`).waitFor();
    await shot('32-byoa-choose-sender');
    await service.check();
    await page.getByRole('button', { name: 'Use this sender' }).click();
    // The service has no verified campaign: the A2P registration is offered, to run in the customer's own account.
    await page.getByRole('heading', { name: 'Step 3 of 3: A2P brand and campaign' }).waitFor();
    await page.getByText(/register your brand and campaign in your own Twilio account/).waitFor();
    await shot('33-byoa-a2p-in-own-account');

    // The Twilio account page (in the navigation): the chosen sender and a connection test.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Twilio account' }).click();
    await page.getByRole('heading', { name: 'Twilio account', level: 1 }).waitFor();
    await page.getByText(own.serviceSid).waitFor();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByRole('status').filter({ hasText: 'The connection works' }).waitFor();
    await expect(page.getByRole('status').filter({ hasText: 'The connection works' }).textContent()).resolves.toContain('1 phone number');
    await shot('34-byoa-twilio-account');

    // Send a text through the own account and watch it delivered (status callbacks from the account's service).
    await page.getByRole('link', { name: 'Send test' }).click();
    await page.getByLabel(/^To/).fill(RECIPIENT);
    await page.getByLabel(/^Message/).fill('Harbor Cafe: your table is ready.');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText(/Sent\. Twilio has it as/).waitFor();
    await shot('35-byoa-send');
    await page.getByRole('link', { name: 'Messages', exact: true }).click();
    const row = page.locator('tbody tr', { hasText: RECIPIENT }).first();
    const deadline = Date.now() + 60_000;
    for (;;) {
      const delivered = await row.locator('.badge', { hasText: 'Delivered' }).waitFor({ timeout: 3_000 }).then(
        () => true,
        () => false,
      );
      if (delivered) break;
      if (Date.now() > deadline) throw new Error(`the message was not delivered\n--- server output ---\n${server.output().slice(-4000)}`);
      await page.reload();
    }
    await shot('36-byoa-messages');

    // The message went out from the customer's own account (the sandbox saw it under that account).
    const sent = await twilio<{ messages: { to: string; from: string | null; messaging_service_sid: string | null }[] }>(own, 'GET', `api.twilio.com/2010-04-01/Accounts/${own.sid}/Messages.json?To=${encodeURIComponent(RECIPIENT)}`);
    expect(sent.messages.length).toBeGreaterThanOrEqual(1);
    expect(customerId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('asks the owner to reconnect once Twilio stops accepting the token, and sends again after reconnecting', async () => {
    // The owner rotates the Auth Token in the Twilio Console: the saved one stops working at once.
    const res = await fetch(`${server.sandboxUrl}/sandbox/accounts/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ account_sid: own.sid }),
    });
    expect(res.status).toBe(200);
    const rotated = ((await res.json()) as { auth_token: string }).auth_token;

    await page.getByRole('link', { name: 'Send test' }).click();
    await page.getByLabel(/^To/).fill(RECIPIENT);
    await page.getByLabel(/^Message/).fill('Harbor Cafe: we are open until 10 tonight.');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('alert').filter({ hasText: 'The message was not sent' }).getByText(/no longer accepts/).waitFor();
    const banner = page.getByRole('region', { name: 'Reconnect your Twilio account' });
    await banner.getByText(`Twilio refuses the credentials of your account ${own.sid}`).waitFor();
    await shot('37-byoa-reconnect-banner');

    await banner.getByLabel(/^Auth Token/).fill(rotated);
    await banner.getByRole('button', { name: 'Reconnect' }).click();
    await banner.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText(/Sent\. Twilio has it as/).waitFor();
  });

  it('has no serious or critical WCAG 2.1 A/AA violations (axe-core) on the pages screenshotted above', () => {
    expect(accessibilityProblems).toEqual([]);
  });
});
