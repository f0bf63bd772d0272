// Labelled form controls with help text and inline errors (aria-describedby/aria-invalid), plus the bridge from
// a shared/ zod schema's issues to per-field messages.
import { useEffect, useId, useRef, type ChangeEvent, type ReactNode } from 'react';
import type { z } from 'zod';
import { fieldLabel } from './field-labels.ts';
import '../../../shared/zod-messages.ts';

export type FieldErrors = Record<string, string>;

/** First message per dotted path ("address.postalCode", "campaign.sampleMessages.1"). */
export function issuesToFieldErrors(issues: readonly z.core.$ZodIssue[]): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of issues) {
    const key = issue.path.map(String).join('.') || '(form)';
    out[key] ??= friendly(issue);
  }
  return out;
}

/** A bad choice in a form is a picker left on the wrong option: say so rather than list every value. */
function friendly(issue: z.core.$ZodIssue): string {
  return issue.code === 'invalid_value' ? 'choose one of the options' : issue.message;
}

/** Validates a value with a shared schema; returns the parsed value or the errors by field path. */
export function validateWith<S extends z.ZodType>(schema: S, value: unknown): { ok: true; data: z.output<S> } | { ok: false; errors: FieldErrors } {
  const result = schema.safeParse(value);
  return result.success ? { ok: true, data: result.data } : { ok: false, errors: issuesToFieldErrors(result.error.issues) };
}

interface FieldShellProps {
  label: string;
  /** No "(optional)" marker: for filters and searches, where every field is optional. */
  plain?: boolean;
  help?: ReactNode;
  error?: string;
  required?: boolean;
  counter?: { length: number; min?: number; max?: number };
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
}

export function FieldShell({ label, plain, help, error, required, counter, children }: FieldShellProps) {
  const id = useId();
  const helpId = help ? `${id}-help` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const counterId = counter ? `${id}-count` : undefined;
  const describedBy = [errorId, helpId, counterId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>
        {label}
        {required ? <span className="required" aria-hidden="true"> *</span> : plain ? null : <span className="optional"> (optional)</span>}
      </label>
      {children({ id, describedBy, invalid: Boolean(error) })}
      {counter && (
        <p id={counterId} className="field-counter">
          {counter.length} characters
          {counter.min !== undefined && counter.max !== undefined ? ` (between ${counter.min} and ${counter.max})` : ''}
        </p>
      )}
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
      {help && (
        <div id={helpId} className="field-help">
          {help}
        </div>
      )}
    </div>
  );
}

/** The part of a blur event the form needs: where focus went. */
export interface BlurLike {
  relatedTarget: EventTarget | null;
}

/** What every text-like control takes: a label, a string value and the shell's help and error. */
interface ControlProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  onBlur?: (e: BlurLike) => void;
  error?: string;
  help?: ReactNode;
  required?: boolean;
  name?: string;
}

type ShellIds = Parameters<FieldShellProps['children']>[0];

/** The attributes shared by <input>, <textarea> and <select>: the shell's id, description and validity, the value and its handlers. */
function controlProps({ id, describedBy, invalid }: ShellIds, { value, onChange, onBlur, required }: ControlProps) {
  return {
    id,
    value,
    onChange: (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) => onChange(e.target.value),
    onBlur,
    'aria-describedby': describedBy,
    'aria-invalid': invalid || undefined,
    required,
  };
}

interface InputProps extends ControlProps {
  type?: 'text' | 'email' | 'password' | 'tel' | 'url' | 'search' | 'datetime-local';
  autoComplete?: string;
  placeholder?: string;
  inputMode?: 'text' | 'numeric' | 'tel' | 'email' | 'url';
  plain?: boolean;
}

export function TextField(props: InputProps) {
  const { label, value: _v, onChange: _c, onBlur: _b, error, help, required, plain, type = 'text', ...rest } = props;
  return (
    <FieldShell label={label} plain={plain} help={help} error={error} required={required}>
      {(ids) => <input {...controlProps(ids, props)} type={type} {...rest} />}
    </FieldShell>
  );
}

interface TextAreaProps extends ControlProps {
  rows?: number;
  min?: number;
  max?: number;
}

export function TextArea(props: TextAreaProps) {
  const { label, value, error, help, required, rows = 4, min, max, name } = props;
  return (
    <FieldShell label={label} help={help} error={error} required={required} counter={max !== undefined ? { length: value.trim().length, min, max } : undefined}>
      {(ids) => <textarea {...controlProps(ids, props)} name={name} rows={rows} />}
    </FieldShell>
  );
}

interface SelectProps extends ControlProps {
  options: readonly { value: string; label: string }[];
  plain?: boolean;
}

export function SelectField(props: SelectProps) {
  const { label, options, error, help, required, name, plain } = props;
  return (
    <FieldShell label={label} plain={plain} help={help} error={error} required={required}>
      {(ids) => (
        <select {...controlProps(ids, props)} name={name}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </FieldShell>
  );
}

export function CheckboxField({ label, checked, onChange, help, name }: { label: string; checked: boolean; onChange: (v: boolean) => void; help?: ReactNode; name?: string }) {
  const id = useId();
  return (
    <div className="field field-checkbox">
      <input id={id} name={name} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} aria-describedby={help ? `${id}-help` : undefined} />
      <label htmlFor={id}>{label}</label>
      {help && (
        <div id={`${id}-help`} className="field-help">
          {help}
        </div>
      )}
    </div>
  );
}

/** A summary of errors at the top of a form after a failed submit; each entry jumps to its field. */
export function FormErrorSummary({ errors, labels, focusKey = 0 }: { errors: FieldErrors; labels: Record<string, string>; focusKey?: number }) {
  const entries = Object.entries(errors);
  const ref = useRef<HTMLDivElement>(null);
  // After each refused submit, bring the summary into view (long forms are submitted from the bottom).
  useEffect(() => {
    if (focusKey > 0) ref.current?.focus();
  }, [focusKey]);
  if (!entries.length) return null;
  return (
    <div className="state state-error" role="alert" ref={ref} tabIndex={-1}>
      <strong>Please fix {entries.length === 1 ? 'this field' : `these ${entries.length} fields`} before continuing:</strong>
      <ul>
        {entries.map(([path, message]) => (
          <li key={path}>
            <a
              href={`#${path}`}
              onClick={(e) => {
                // Fields are named by their path; jump to the one this error is about.
                const field = document.querySelector<HTMLElement>(`[name="${CSS.escape(path)}"]`);
                if (!field) return;
                e.preventDefault();
                field.focus();
                field.scrollIntoView({ block: 'center' });
              }}
            >
              {fieldLabel(path, labels)}
            </a>
            : {message}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A labelled choice of one option: a fieldset whose legend names the question, one radio (with optional help) per option. */
export function RadioGroup({
  legend,
  name,
  value,
  onChange,
  options,
  error,
  help,
}: {
  legend: ReactNode;
  name: string;
  value: string;
  onChange: (value: string) => void;
  options: readonly { value: string; label: ReactNode; help?: ReactNode }[];
  error?: string;
  help?: ReactNode;
}) {
  const id = useId();
  const describedBy = [error ? `${id}-error` : undefined, help ? `${id}-help` : undefined].filter(Boolean).join(' ') || undefined;
  return (
    <fieldset className="radio-group" aria-describedby={describedBy}>
      <legend>{legend}</legend>
      {help && (
        <div id={`${id}-help`} className="field-help">
          {help}
        </div>
      )}
      {options.map((o, i) => (
        <div className="field field-checkbox" key={o.value}>
          <input
            id={`${id}-${i}`}
            type="radio"
            name={name}
            value={o.value}
            checked={value === o.value}
            onChange={() => onChange(o.value)}
            aria-describedby={o.help ? `${id}-${i}-help` : undefined}
          />
          <label htmlFor={`${id}-${i}`}>{o.label}</label>
          {o.help && (
            <div id={`${id}-${i}-help`} className="field-help">
              {o.help}
            </div>
          )}
        </div>
      ))}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}
