// The sandbox's whole world as one JSON document (accounts, resources, pending transitions and callbacks,
// module meta such as opt-outs), optionally persisted to a file with debounced atomic writes.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
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
  /** Schedules a write (debounced). */
  markDirty(): void;
  /** Writes now if anything is pending and waits for it. */
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

export function createPersistentState(data: SandboxStateData, file: string | undefined, debounceMs = 20): PersistentState {
  let timer: NodeJS.Timeout | undefined;
  let dirty = false;
  let writing: Promise<void> = Promise.resolve();

  const write = (): Promise<void> => {
    if (!file || !dirty) return writing;
    dirty = false;
    const snapshot = JSON.stringify(data);
    // Write-then-rename so a crash mid-write never leaves a truncated state file behind.
    writing = writing.then(async () => {
      await mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, snapshot, 'utf8');
      await rename(tmp, file);
    });
    return writing;
  };

  const markDirty = () => {
    dirty = true;
    if (!file || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void write();
    }, debounceMs);
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
    flush: async () => {
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
      }
      await write();
      await writing;
    },
  };
}
