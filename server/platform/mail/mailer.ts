// Account emails (verification, password reset, invitations). SMTP through nodemailer when SMTP_URL is set;
// otherwise, on the embedded default, each message is written to DATA_DIR/outbox/ as an .eml file (owner-only)
// and its link printed on the terminal, never in the log, so a local user can still click it.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** The one link the message is about (printed on the terminal by the outbox mailer). */
  link: string;
}

export interface Mailer {
  /** Where mail goes, for the start banner: `smtp` or the outbox folder. */
  readonly destination: string;
  send(message: MailMessage): Promise<void>;
}

export function createSmtpMailer(opts: { smtpUrl: string; from: string }): Mailer {
  const transport = nodemailer.createTransport(opts.smtpUrl);
  return {
    destination: 'smtp',
    async send(m) {
      await transport.sendMail({ from: opts.from, to: m.to, subject: m.subject, text: m.text });
    },
  };
}

/** `print` receives a line for the terminal (stderr by default), not the structured log. */
export function createOutboxMailer(opts: { dataDir: string; from: string; print?: (line: string) => void }): Mailer {
  const dir = join(opts.dataDir, 'outbox');
  const print = opts.print ?? ((line: string) => process.stderr.write(`${line}\n`));
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    destination: dir,
    async send(m) {
      const info = await transport.sendMail({ from: opts.from, to: m.to, subject: m.subject, text: m.text });
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}.eml`);
      await writeFile(file, info.message as Buffer, { mode: 0o600, flag: 'wx' });
      print(`[mail] ${m.subject} → ${m.to}: ${m.link}`);
    },
  };
}

export function createMailer(opts: { smtpUrl?: string; from: string; dataDir: string }): Mailer {
  return opts.smtpUrl ? createSmtpMailer({ smtpUrl: opts.smtpUrl, from: opts.from }) : createOutboxMailer(opts);
}
