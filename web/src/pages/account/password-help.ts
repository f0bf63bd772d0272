// The new-password help text of the sign-up and reset forms (the server's rules: shared/auth.ts and zxcvbn).
import { PASSWORD_MIN_LENGTH } from '../../../../shared/auth.ts';

export const PASSWORD_HELP = `At least ${PASSWORD_MIN_LENGTH} characters and hard to guess: a few unrelated words work well. Avoid names, dates and common passwords.`;
