// The sandbox's whole world as one JSON document (accounts, resources, pending transitions and callbacks,
// module meta such as opt-outs), optionally persisted to a file. Durable before acknowledged: commit() writes
// the snapshot (temp file, fsync, rename, fsync of the directory) and the request handler awaits it before it
// answers, the lifecycle after each step and the callback loop before each delivery, so a SIGKILL never loses
// anything Twilio would have acknowledged. Concurrent commits share one write (group commit). Files are 0600
// in a 0700 directory.
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { PendingCallback, StateStore, StoredRecord, Transition } from './framework.ts';

export interface SandboxStateData {
  version: 1;
  resources: Record<string, Record<string, StoredRecord>>;
  transitions: Transition[];
  callbacks: PendingCallback[];
  meta: Record<string, unknown>;
}

export const emptyState = (): SandboxStateData => ({ version: 1, resources: {}, transitions: [], callbacks: [], meta: {} });

export interface PersistentState {
  data: SandboxStateData;
  store: StateStore;
  /** Records that the state changed; a background commit follows shortly (for changes nobody awaits). */
  markDirty(): void;
  /** Resolves once every change made before the call is on disk (no-op in memory or when nothing changed). */
  commit(): Promise<void>;
  /** Same as commit(); kept for close(). */
  flush(): Promise<void>;
}

export async function loadState(file: string | undefined): Promise<SandboxStateData> {
  if (!file) return emptyState();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw err;
  }
  const parsed = JSON.parse(text) as Partial<SandboxStateData>;
  if (parsed.version !== 1) throw new Error(`unsupported sandbox state version in ${file}`);
  return { ...emptyState(), ...parsed } as SandboxStateData;
}

/** Writes `text` to `file` atomically and durably: temp file (0600) + fsync + rename + fsync of the directory. */
export async function writeDurably(file: string, text: string): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

export function createPersistentState(data: SandboxStateData, file: string | undefined, debounceMs = 20): PersistentState {
  let timer: NodeJS.Timeout | undefined;
  // Every change bumps `changed`; a write records the value it snapshotted as `durable`.
  let changed = 0;
  let durable = 0;
  let writing: Promise<void> | undefined;

  const writeOnce = async (): Promise<void> => {
    const upTo = changed;
    await writeDurably(file!, JSON.stringify(data));
    durable = Math.max(durable, upTo);
  };

  const commit = async (): Promise<void> => {
    if (!file) return;
    const target = changed;
    while (durable < target) {
      // One write at a time; whoever arrives while it runs waits and, if still behind, shares the next one.
      writing ??= writeOnce().finally(() => (writing = undefined));
      await writing;
    }
  };

  const markDirty = () => {
    changed += 1;
    if (!file || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void commit().catch(() => undefined);
    }, debounceMs);
    timer.unref();
  };

  const bucket = (kind: string) => (data.resources[kind] ??= {});

  const store: StateStore = {
    get: <T extends StoredRecord>(kind: string, sid: string) => data.resources[kind]?.[sid] as T | undefined,
    list: <T extends StoredRecord>(kind: string, filter?: (r: T) => boolean) => {
      const all = Object.values(data.resources[kind] ?? {}) as T[];
      return filter ? all.filter(filter) : all;
    },
    insert: <T extends StoredRecord>(kind: string, record: T) => {
      const b = bucket(kind);
      if (b[record.sid]) throw new Error(`duplicate ${kind} ${record.sid}`);
      b[record.sid] = record;
      markDirty();
      return record;
    },
    update: <T extends StoredRecord>(kind: string, sid: string, patch: Partial<T>) => {
      const b = bucket(kind);
      const current = b[sid];
      if (!current) throw new Error(`no ${kind} ${sid}`);
      const next = { ...current, ...patch, sid: current.sid, account_sid: current.account_sid } as T;
      b[sid] = next;
      markDirty();
      return next;
    },
    remove: (kind: string, sid: string) => {
      const b = data.resources[kind];
      if (!b?.[sid]) return false;
      delete b[sid];
      markDirty();
      return true;
    },
    getMeta: <T>(key: string) => data.meta[key] as T | undefined,
    setMeta: <T>(key: string, value: T) => {
      data.meta[key] = value;
      markDirty();
    },
    touch: markDirty,
  };

  return {
    data,
    store,
    markDirty,
    commit,
    flush: async () => {
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
      }
      await commit();
    },
  };
}
