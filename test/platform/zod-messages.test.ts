// The reasons the API and the portal's forms give for a bad field: one set of plain words (shared/zod-messages.ts).
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import '../../shared/zod-messages.ts';

const reason = (schema: z.ZodType, value: unknown) => {
  const r = schema.safeParse(value);
  if (r.success) throw new Error('expected a failure');
  return r.error.issues[0]!.message;
};

describe('plain field messages', () => {
  it('says zod’s developer wording the way a form does', () => {
    expect(reason(z.string().min(1), '')).toBe('is required');
    expect(reason(z.string().min(40), 'short')).toBe('must be at least 40 characters');
    expect(reason(z.string().max(139), 'x'.repeat(140))).toBe('must be at most 139 characters');
    expect(reason(z.object({ name: z.string() }), {})).toBe('is required');
    expect(reason(z.uuid(), 'abc')).toBe('is not one of the choices offered; pick it again from the list');
    expect(reason(z.email(), 'nope')).toBe('must be an email address such as name@example.com');
    expect(reason(z.enum(['a', 'b']), 'c')).toBe('must be one of: a, b');
  });

  it('passes messages already written for people unchanged', () => {
    expect(reason(z.string().min(40, 'must be at least 40 characters'), 'short')).toBe('must be at least 40 characters');
    expect(reason(z.string().regex(/^\d{4,8}$/, 'must be the 4–8 digit code you received'), 'x')).toBe('must be the 4–8 digit code you received');
  });
});
