// The password policy beyond the length in shared/auth.ts: zxcvbn-ts estimates how guessable a password is,
// with its common-password, name and English dictionaries and keyboard patterns, plus the user's own email.
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';
import { AppError } from '../platform/errors.ts';

/** zxcvbn's 0–4 scale; 3 is "safely unguessable: moderate protection from offline slow-hash scenario". */
const MIN_SCORE = 3;

const zxcvbn = new ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...en.dictionary },
  graphs: common.adjacencyGraphs,
  translations: en.translations,
});

/** Throws 422 on `password` with zxcvbn's warning and suggestions when the password is too easy to guess. */
export async function assertStrongPassword(password: string, userInputs: string[] = []): Promise<void> {
  const inputs = userInputs.flatMap((u) => [u, ...u.split(/[@.+_-]/)]).filter((s) => s.length >= 3);
  const result = await zxcvbn.checkAsync(password, inputs);
  if (result.score >= MIN_SCORE) return;
  const why = result.feedback.warning || 'This password is easy to guess.';
  const tip = result.feedback.suggestions[0] ?? 'Add more words or characters that are not common patterns.';
  throw new AppError(422, 'validation_failed', 'The request body is invalid', [{ path: 'password', message: `is too easy to guess: ${why} ${tip}`.replace(/\.\./g, '.') }]);
}
