// Group commit: concurrent webhook requests are written in one transaction instead of one each. Every caller
// waits for the commit of the batch that holds its item, so nothing is answered before it is durable; the queue
// only ever holds requests whose HTTP client is still waiting, never work that outlives them.

export interface GroupCommitOptions<T, R> {
  /** Writes a batch in one transaction and returns one result per item, in order. */
  commit(items: T[]): Promise<R[]>;
  /** Largest batch. */
  maxBatch: number;
  /** How long the first item of an idle queue waits for company (0 = flush on the next tick). */
  maxWaitMs: number;
  /** Batches committing at the same time (each holds one database connection). */
  maxConcurrent: number;
  /** Errors worth one more try for a single item (deadlock, serialisation failure). */
  isRetryable?: (err: unknown) => boolean;
  /** Told about each committed batch (metrics). */
  onBatch?: (size: number) => void;
}

export interface GroupCommitter<T, R> {
  submit(item: T): Promise<R>;
  /** Resolves once every submitted item has been committed or rejected. */
  drain(): Promise<void>;
}

interface Pending<T, R> {
  item: T;
  resolve(r: R): void;
  reject(err: unknown): void;
}

export function createGroupCommitter<T, R>(opts: GroupCommitOptions<T, R>): GroupCommitter<T, R> {
  const queue: Pending<T, R>[] = [];
  let inFlight = 0;
  let timer: NodeJS.Timeout | undefined;
  let idleWaiters: (() => void)[] = [];

  function schedule(): void {
    if (queue.length === 0) {
      if (inFlight === 0) {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const w of waiters) w();
      }
      return;
    }
    if (inFlight >= opts.maxConcurrent) return; // the next finishing batch picks the queue up
    if (queue.length >= opts.maxBatch) {
      flush();
      return;
    }
    if (!timer) timer = setTimeout(flush, opts.maxWaitMs);
  }

  function flush(): void {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    while (queue.length > 0 && inFlight < opts.maxConcurrent) {
      const batch = queue.splice(0, opts.maxBatch);
      inFlight++;
      void run(batch).finally(() => {
        inFlight--;
        // Items queued while this batch was committing have already waited one commit: send them now.
        if (queue.length > 0) flush();
        else schedule();
      });
    }
  }

  async function run(batch: Pending<T, R>[], attempt = 1): Promise<void> {
    try {
      const results = await opts.commit(batch.map((p) => p.item));
      opts.onBatch?.(batch.length);
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch (err) {
      if (batch.length === 1) {
        if (attempt < 3 && opts.isRetryable?.(err)) return run(batch, attempt + 1);
        batch[0]!.reject(err);
        return;
      }
      // One bad item (or a deadlock with a concurrent batch) must not fail its neighbours: retry each alone,
      // one after the other, so the retry does not take more connections than the batch held.
      for (const p of batch) await run([p]);
    }
  }

  return {
    submit(item) {
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        schedule();
      });
    },
    drain() {
      if (queue.length === 0 && inFlight === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
  };
}
