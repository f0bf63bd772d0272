// The group committer on its own: batching while a commit is in flight, answers only after the commit, a bad
// item failing alone, and the cap on concurrent batches. Commits are gated promises, so nothing depends on time.
import { describe, expect, it } from 'vitest';
import { createGroupCommitter } from '../../server/webhooks/group-commit.ts';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('group commit', () => {
  it('sends what queued up during a commit as one batch, and answers each caller only after its commit', async () => {
    const batches: string[][] = [];
    const first = gate();
    const firstCalled = gate();
    const committer = createGroupCommitter<string, string>({
      maxBatch: 100,
      maxWaitMs: 0,
      maxConcurrent: 1,
      async commit(items) {
        batches.push(items);
        if (batches.length === 1) {
          firstCalled.open();
          await first.opened;
        }
        return items.map((i) => `ok:${i}`);
      },
    });
    const a = committer.submit('a');
    await firstCalled.opened;
    let settled = false;
    const rest = Promise.all(['b', 'c', 'd', 'e'].map((x) => committer.submit(x))).then((r) => {
      settled = true;
      return r;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    first.open();
    expect(await a).toBe('ok:a');
    expect(await rest).toEqual(['ok:b', 'ok:c', 'ok:d', 'ok:e']);
    expect(batches).toEqual([['a'], ['b', 'c', 'd', 'e']]);
    await committer.drain();
  });

  it('retries a failed batch item by item, so only the bad item fails', async () => {
    const batches: string[][] = [];
    const first = gate();
    const firstCalled = gate();
    const committer = createGroupCommitter<string, string>({
      maxBatch: 100,
      maxWaitMs: 0,
      maxConcurrent: 1,
      async commit(items) {
        batches.push(items);
        if (batches.length === 1) {
          firstCalled.open();
          await first.opened;
        }
        if (items.includes('bad')) throw new Error('poison');
        return items;
      },
    });
    const warmup = committer.submit('w');
    await firstCalled.opened;
    const results = Promise.allSettled(['x', 'bad', 'y'].map((i) => committer.submit(i)));
    first.open();
    await warmup;
    const [x, bad, y] = await results;
    expect(x).toEqual({ status: 'fulfilled', value: 'x' });
    expect(bad).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: 'poison' }) });
    expect(y).toEqual({ status: 'fulfilled', value: 'y' });
    expect(batches).toEqual([['w'], ['x', 'bad', 'y'], ['x'], ['bad'], ['y']]);
  });

  it('never runs more batches at once than maxConcurrent and splits at maxBatch', async () => {
    let running = 0;
    let peak = 0;
    const sizes: number[] = [];
    const gates: (() => void)[] = [];
    const committer = createGroupCommitter<number, number>({
      maxBatch: 3,
      maxWaitMs: 0,
      maxConcurrent: 2,
      async commit(items) {
        running++;
        peak = Math.max(peak, running);
        sizes.push(items.length);
        await new Promise<void>((resolve) => gates.push(resolve));
        running--;
        return items;
      },
    });
    const all = Promise.all(Array.from({ length: 10 }, (_, i) => committer.submit(i)));
    // Release commits one by one until everything has been answered.
    let done = false;
    void all.then(() => (done = true));
    while (!done) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      gates.shift()?.();
    }
    expect(await all).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(peak).toBeLessThanOrEqual(2);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(3);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(10);
  });
});
