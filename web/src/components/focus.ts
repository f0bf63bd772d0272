// Moves keyboard focus to what a screen-reader or keyboard user must read next: the first invalid field of a
// form after a refused submit, or a result box that replaced the form.
import { useEffect, useRef, type RefObject } from 'react';

/** After the next paint (the error has rendered by then), focuses the first field marked aria-invalid. */
export function focusFirstInvalid(root: HTMLElement | null): void {
  setTimeout(() => root?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), 0);
}

/** A ref whose element takes focus each time `key` changes to a truthy value. */
export function useFocusWhen<T extends HTMLElement>(key: unknown): RefObject<T | null> {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (key) ref.current?.focus();
  }, [key]);
  return ref;
}
