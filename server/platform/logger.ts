// The one pino logger. Redaction keeps tokens, passwords, auth headers and message bodies out of every log line.
import { pino, type Logger } from 'pino';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-twilio-signature"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.authToken',
  '*.auth_token',
  '*.AuthToken',
  '*.accessToken',
  '*.body',
  '*.Body',
  '*.ciphertext',
  'password',
  'token',
  'authToken',
  'body',
];

export function createLogger(opts: { level: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: opts.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'isv-platform' },
    },
    opts.destination,
  );
}

/**
 * A human-readable destination for a terminal: pino-pretty, synchronous so the last lines before process.exit
 * are not lost. pino-pretty is a devDependency; where it is not installed (`npm ci --omit=dev`) this returns
 * undefined and the logger writes JSON. Redaction happens before the line reaches it.
 */
export async function prettyDestination(): Promise<pino.DestinationStream | undefined> {
  try {
    const { default: pretty } = await import('pino-pretty');
    return pretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' });
  } catch {
    return undefined;
  }
}

/** +14155550123 → +1415•••0123: enough to tell numbers apart in logs, not enough to identify a person. */
export function maskPhone(phone: string | undefined | null): string | undefined {
  if (!phone) return undefined;
  const m = /^(whatsapp:)?(\+\d{4})(\d*)(\d{4})$/.exec(phone);
  return m ? `${m[1] ?? ''}${m[2]}•••${m[4]}` : '•••';
}

export type { Logger };
