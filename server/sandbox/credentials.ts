// The sandbox's master credentials, apart from the sandbox itself: a platform worker using a shared sandbox
// (TWILIO_SANDBOX_URL) reads them without loading the sandbox's code.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Sandbox master credentials kept in `<dataDir>/sandbox-credentials.json`, generated on first use. */
export async function loadOrCreateSandboxCredentials(dataDir: string): Promise<{ accountSid: string; authToken: string }> {
  const file = path.join(dataDir, 'sandbox-credentials.json');
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { accountSid?: unknown; authToken?: unknown };
    if (typeof parsed.accountSid === 'string' && /^AC[0-9a-f]{32}$/.test(parsed.accountSid) && typeof parsed.authToken === 'string') {
      return { accountSid: parsed.accountSid, authToken: parsed.authToken };
    }
    throw new Error(`${file} is not a sandbox credentials file`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const creds = { accountSid: `AC${randomBytes(16).toString('hex')}`, authToken: randomBytes(16).toString('hex') };
  await mkdir(dataDir, { recursive: true });
  // 'wx' so two processes starting at once cannot both write; the loser reads the winner's file.
  try {
    await writeFile(file, JSON.stringify(creds, null, 2) + '\n', { encoding: 'utf8', mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateSandboxCredentials(dataDir);
    throw err;
  }
  return creds;
}
