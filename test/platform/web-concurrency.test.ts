import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../server/platform/config.ts';
import { workerCount } from '../../server/platform/web-concurrency.ts';

const PG = 'postgres://postgres@127.0.0.1:5432/isv';

describe('how many server processes share the port', () => {
  it('is one per core on PostgreSQL when WEB_CONCURRENCY is unset, and WEB_CONCURRENCY when it is set', () => {
    expect(workerCount(parseConfig({ DATABASE_URL: PG }), 2)).toEqual({ workers: 2 });
    expect(workerCount(parseConfig({ DATABASE_URL: PG, WEB_CONCURRENCY: '3' }), 2)).toEqual({ workers: 3 });
  });

  it('is always one on the embedded PGlite, with the reason to log', () => {
    const r = workerCount(parseConfig({ WEB_CONCURRENCY: '4' }), 8);
    expect(r.workers).toBe(1);
    expect(r.reason).toMatch(/PGlite.*cannot be shared.*DATABASE_URL/);
  });

  it('refuses a WEB_CONCURRENCY that is not a whole number from 1 to 99, naming the variable', () => {
    for (const bad of ['0', '-1', 'two', '1.5', '100']) {
      expect(() => parseConfig({ DATABASE_URL: PG, WEB_CONCURRENCY: bad })).toThrow(/WEB_CONCURRENCY/);
    }
  });
});
