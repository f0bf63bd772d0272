// Whether a mouse button or finger is down right now, so a form can hold back a layout change (an error appearing
// on blur) until the click in progress has landed where the person aimed.
let down = false;
if (typeof document !== 'undefined') {
  document.addEventListener('pointerdown', () => (down = true), true);
  // After the click that follows pointerup has been dispatched.
  const release = () => setTimeout(() => (down = false), 0);
  document.addEventListener('pointerup', release, true);
  document.addEventListener('pointercancel', release, true);
}

export const pointerIsDown = (): boolean => down;

/** Runs `fn` once the pointer is released and its click (if any) has been handled. */
export function afterPointerUp(fn: () => void): void {
  const done = new AbortController();
  const run = () => {
    done.abort();
    setTimeout(fn, 0);
  };
  document.addEventListener('pointerup', run, { capture: true, signal: done.signal });
  document.addEventListener('pointercancel', run, { capture: true, signal: done.signal });
}
