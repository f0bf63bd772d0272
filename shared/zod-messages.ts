// zod's messages said the way a person reads them ("is required", "must be at most 80 characters") instead of
// its developer wording ("Too small: expected string to have >=1 characters"), for the API's field errors and
// the portal's forms alike. Messages a schema writes itself take precedence over these.
import { z } from 'zod';

const plural = (n: number | bigint, one: string, many: string) => `${n} ${Number(n) === 1 ? one : many}`;

export function plainIssueMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}`;
    case 'too_small': {
      const n = issue.minimum as number | bigint;
      if (issue.origin === 'string') return Number(n) <= 1 ? 'is required' : `must be at least ${plural(n, 'character', 'characters')}`;
      if (issue.origin === 'array' || issue.origin === 'set') return Number(n) <= 1 ? 'needs at least one entry' : `needs at least ${plural(n, 'entry', 'entries')}`;
      return issue.inclusive === false ? `must be more than ${n}` : `must be at least ${n}`;
    }
    case 'too_big': {
      const n = issue.maximum as number | bigint;
      if (issue.origin === 'string') return `must be at most ${plural(n, 'character', 'characters')}`;
      if (issue.origin === 'array' || issue.origin === 'set') return `can have at most ${plural(n, 'entry', 'entries')}`;
      return issue.inclusive === false ? `must be less than ${n}` : `must be at most ${n}`;
    }
    case 'invalid_format':
      switch (issue.format) {
        case 'email':
          return 'must be an email address such as name@example.com';
        case 'url':
          return 'must be a web address such as https://example.com';
        case 'uuid':
        case 'guid':
          return 'is not one of the choices offered; pick it again from the list';
        case 'datetime':
          return 'must be a date and time such as 2026-12-07T09:30:00Z';
        default:
          return 'is not in the expected format';
      }
    case 'invalid_value':
      if (issue.input === undefined) return 'is required';
      return issue.values.length <= 8 ? `must be one of: ${issue.values.map(String).join(', ')}` : 'is not one of the allowed values';
    case 'unrecognized_keys':
      return `${issue.keys.length === 1 ? 'has a field' : 'has fields'} this request does not take: ${issue.keys.join(', ')}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    default:
      return undefined;
  }
}

z.config({ customError: plainIssueMessage });
