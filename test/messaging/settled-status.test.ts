import { describe, expect, it } from 'vitest';
import { isSettledStatus, messageStatusSchema } from '../../shared/messages.ts';

describe('a settled message status, as the server ranks it and the portal polls it', () => {
  it('counts partially_delivered and canceled as final, so the portal stops refetching such a message', () => {
    const settled = messageStatusSchema.options.filter(isSettledStatus).sort();
    expect(settled).toEqual(['canceled', 'delivered', 'failed', 'partially_delivered', 'read', 'received', 'undelivered']);
  });
});
