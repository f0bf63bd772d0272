// Free e-mail providers: Authentication+ (public companies' A2P brands) refuses a brand contact email on one of
// these (Twilio error 21740, "Invalid Brand Contact Email Domain", e.g. gmail.com); it must be on the company's
// own domain. Checked before submission so the customer fixes it where they typed it.
const FREE_MAIL = new Set([
  'gmail.com', 'googlemail.com', 'yahoo.com', 'ymail.com', 'hotmail.com', 'outlook.com', 'live.com', 'msn.com', 'aol.com',
  'icloud.com', 'me.com', 'mac.com', 'proton.me', 'protonmail.com', 'gmx.com', 'gmx.net', 'mail.com', 'yandex.com', 'zoho.com',
  'comcast.net', 'att.net', 'verizon.net', 'sbcglobal.net',
]);

export function isFreeMailAddress(email: string): boolean {
  const domain = email.trim().toLowerCase().split('@').pop() ?? '';
  return FREE_MAIL.has(domain);
}
