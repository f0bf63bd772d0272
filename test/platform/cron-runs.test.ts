// Several workers or instances tick the same cron schedule; a job that claims its slot runs once per slot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimCronSlot, createCronJob } from '../../server/platform/cron-job.ts';
import { createLogger } from '../../server/platform/logger.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => db.close());

describe('a cron job shared by several processes', () => {
  it('is claimed by exactly one of five processes ticking the same minute, and again by one the next minute', async () => {
    const claims = Array.from({ length: 5 }, () => claimCronSlot(db, 'connections.health'));
    const at = new Date('2026-12-07T04:17:00.250Z');
    const first = await Promise.all(claims.map((c, i) => c(new Date(at.getTime() + i * 100))));
    expect(first.filter(Boolean)).toHaveLength(1);
    const next = await Promise.all(claims.map((c) => c(new Date(at.getTime() + 60_000))));
    expect(next.filter(Boolean)).toHaveLength(1);
    const rows = await db.query<{ slot: Date }>(`SELECT slot FROM isv.cron_runs WHERE job = 'connections.health' ORDER BY slot`);
    expect(rows.map((r) => new Date(r.slot).toISOString())).toEqual(['2026-12-07T04:17:00.000Z', '2026-12-07T04:18:00.000Z']);
  });

  it('runs its work only in the process whose claim succeeded', async () => {
    let runs = 0;
    const jobs = Array.from({ length: 3 }, () =>
      createCronJob({ name: 'test.once', cron: '* * * * * *', logger: createLogger({ level: 'silent' }), claim: claimCronSlot(db, 'test.once'), run: async () => void runs++ }),
    );
    for (const j of jobs) j.start();
    await new Promise((r) => setTimeout(r, 1500));
    for (const j of jobs) await j.stop();
    // Every tick of this minute (or of two, had the clock crossed one) ran once in all three processes together.
    const slots = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM isv.cron_runs WHERE job = 'test.once'`);
    expect(runs).toBe(slots[0]!.n);
    expect(runs).toBeGreaterThanOrEqual(1);
  });
});
