// Form state keyed by dotted field paths ("address.postalCode"), validated on every change with a shared/ zod
// schema. A field's error shows once it was left (blur) or a submit was attempted; nothing invalid is submitted.
import { useMemo, useState, type FormEvent } from 'react';
import type { z } from 'zod';
import { ApiError } from '../api/client.ts';
import { validateWith, type BlurLike, type FieldErrors } from './form.tsx';
import { afterPointerUp, pointerIsDown } from './pointer.ts';

export type FormValues = Record<string, unknown>;

export interface SchemaForm<S extends z.ZodType> {
  values: FormValues;
  str(path: string): string;
  list(path: string): string[];
  bool(path: string): boolean;
  set(path: string, value: unknown): void;
  /** A field's blur handler: its error shows from now on (not when focus moves to the submit button, see below). */
  touch(path: string): (e?: BlurLike) => void;
  /** The error to show for a field right now (after blur or a submit attempt; server errors always). */
  errorFor(path: string): string | undefined;
  /** Like errorFor, but also the first error of any sub-field (list fields such as keywords). */
  errorUnder(path: string): string | undefined;
  /** Errors to list in the summary after a failed submit. */
  summary: FieldErrors;
  attempted: boolean;
  /** Counts submits refused for invalid fields; the error summary takes focus on each. */
  failedSubmits: number;
  handleSubmit(onValid: (data: z.output<S>) => void): (e: FormEvent) => void;
  /** Shows the field errors of a 422 from the server next to their fields. */
  showServerError(err: unknown): void;
}

export function useSchemaForm<S extends z.ZodType>(schema: S, initial: FormValues, toPayload: (values: FormValues) => unknown): SchemaForm<S> {
  const [values, setValues] = useState<FormValues>(initial);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [attempted, setAttempted] = useState(false);
  const [failedSubmits, setFailedSubmits] = useState(0);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const result = useMemo(() => validateWith(schema, toPayload(values)), [schema, values, toPayload]);
  const errors: FieldErrors = result.ok ? {} : result.errors;

  const str = (path: string) => (typeof values[path] === 'string' ? (values[path] as string) : '');
  const list = (path: string) => (Array.isArray(values[path]) ? (values[path] as string[]) : []);
  const bool = (path: string) => values[path] === true;
  const set = (path: string, value: unknown) => {
    setValues((v) => ({ ...v, [path]: value }));
    setServerErrors((e) => {
      if (!(path in e)) return e;
      const { [path]: _gone, ...rest } = e;
      return rest;
    });
  };
  // Focus moving to a submit button means a click on it is under way: showing the error now would move the button
  // between mousedown and mouseup and the click would be lost. The submit itself shows every error.
  // A pointer still held down (a click on something that does not take focus, as buttons in Safari): the error shows
  // once the click is over, so nothing moves under the pointer.
  const touch = (path: string) => (e?: BlurLike) => {
    const next = e?.relatedTarget;
    if (next && (next as HTMLButtonElement).type === 'submit' && (next as HTMLElement).tagName === 'BUTTON') return;
    const mark = () => setTouched((t) => (t.has(path) ? t : new Set(t).add(path)));
    if (pointerIsDown()) afterPointerUp(mark);
    else mark();
  };
  const visible = (path: string) => attempted || touched.has(path) || [...touched].some((t) => path.startsWith(`${t}.`));
  const errorFor = (path: string) => serverErrors[path] ?? (visible(path) ? errors[path] : undefined);

  const errorUnder = (path: string) => {
    const own = errorFor(path);
    if (own) return own;
    const child = Object.keys({ ...errors, ...serverErrors }).find((k) => k.startsWith(`${path}.`));
    return child ? errorFor(child) ?? (touched.has(path) ? errors[child] : undefined) : undefined;
  };

  return {
    values,
    errorUnder,
    str,
    list,
    bool,
    set,
    touch,
    errorFor,
    summary: attempted ? { ...errors, ...serverErrors } : serverErrors,
    attempted,
    failedSubmits,
    handleSubmit: (onValid) => (e) => {
      e.preventDefault();
      setAttempted(true);
      if (result.ok) onValid(result.data);
      else setFailedSubmits((n) => n + 1);
    },
    showServerError: (err) => {
      if (err instanceof ApiError && err.errors.length) setServerErrors(err.fieldErrors());
    },
  };
}

/**
 * "a.b.c" keys → nested objects. Blank optional fields are left out; blank required ones are sent as "" so the
 * schema answers with its own "is required" message rather than a type error.
 */
export function nest(values: FormValues, paths: readonly string[], optional: ReadonlySet<string> = new Set()): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const path of paths) {
    let v = values[path];
    if (v === undefined || (typeof v === 'string' && v.trim() === '')) v = optional.has(path) ? undefined : '';
    if (v === undefined) continue;
    const parts = path.split('.');
    let node = out;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[parts[parts.length - 1]!] = v;
  }
  return out;
}
