// A mailer that keeps what it sends, so tests read the links a user would click. The outbox and SMTP
// mailers themselves are tested in test/auth/account-trust.test.ts.
import type { Mailer, MailMessage } from '../../server/platform/mail/mailer.ts';

export interface MemoryMailer extends Mailer {
  sent: MailMessage[];
  /** The token of the newest link mailed to `to` for that page (verify-email, reset-password). */
  tokenFor(to: string, page: 'verify-email' | 'reset-password'): string;
}

export function createMemoryMailer(): MemoryMailer {
  const sent: MailMessage[] = [];
  return {
    destination: 'memory',
    sent,
    async send(m) {
      sent.push(m);
    },
    tokenFor(to, page) {
      const m = [...sent].reverse().find((x) => x.to === to && x.link.includes(`/${page}?token=`));
      if (!m) throw new Error(`no ${page} mail to ${to}`);
      return new URL(m.link).searchParams.get('token')!;
    },
  };
}
