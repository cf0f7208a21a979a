'use client';

import { useEffect, useRef, type RefObject } from 'react';

// Keyboard contract of a modal dialog: focus moves in when it opens, Tab and Shift+Tab cycle inside
// it (never reaching the page behind), Escape asks the dialog to close, and when it closes focus goes
// back to the control that opened it (or, if that control is gone, to the nearest part of the page
// around it that is still there).

const TABBABLE = [
  'a[href]',
  'button:not([disabled])',
  'input:not([disabled]):not([type="hidden"])',
  'select:not([disabled])',
  'textarea:not([disabled])',
  'summary',
  '[tabindex]:not([tabindex="-1"])',
].join(', ');

/**
 * Where Tab (or Shift+Tab) goes among `count` tabbable elements when focus is at `current`
 * (-1: on none of them): the next (previous) one, wrapping round at either end. -1 when there is none.
 */
export function nextFocusIndex(count: number, current: number, backwards: boolean): number {
  if (count <= 0) return -1;
  if (current < 0 || current >= count) return backwards ? count - 1 : 0;
  return backwards ? (current - 1 + count) % count : (current + 1) % count;
}

/** The elements of `root` that Tab reaches, in document order (visible ones only). */
export function tabbables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(TABBABLE)].filter((el) => el.getClientRects().length > 0 && !el.closest('[inert]'));
}

/** The first focus target at or inside `el`: itself if tabbable, else its first tabbable descendant. */
function focusTarget(el: HTMLElement): HTMLElement | null {
  if (el.matches(TABBABLE)) return el;
  return tabbables(el)[0] ?? null;
}

export interface ModalFocusOptions {
  /** Escape was pressed (the dialog decides whether to close). */
  onEscape: () => void;
  /** What to focus first; default the first text field, else the first tabbable element. */
  initialFocus?: string;
  /** The control that opened the dialog, when known before it mounts (a dialog whose code loads on open); default: what has focus at mount. */
  opener?: HTMLElement | null;
}

export function useModalFocus(ref: RefObject<HTMLElement | null>, { onEscape, initialFocus = 'textarea, input:not([type="checkbox"]):not([type="radio"])', opener: given }: ModalFocusOptions): void {
  const escape = useRef(onEscape);
  useEffect(() => {
    escape.current = onEscape;
  }, [onEscape]);

  useEffect(() => {
    const opener = given ?? (document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null);
    // The opener may be re-rendered away while the dialog is open (a Drain button becomes Restore):
    // remember the way up so focus can go back to what is left of it.
    const ancestors: HTMLElement[] = [];
    for (let el = opener?.parentElement ?? null; el && el !== document.body; el = el.parentElement) ancestors.push(el);

    const root = ref.current;
    if (root) (root.querySelector<HTMLElement>(initialFocus) ?? tabbables(root)[0] ?? root).focus();

    const onKey = (e: KeyboardEvent) => {
      const dialog = ref.current;
      if (!dialog) return;
      if (e.key === 'Escape') {
        e.preventDefault();
        escape.current();
        return;
      }
      if (e.key !== 'Tab') return;
      const items = tabbables(dialog);
      const at = items.indexOf(document.activeElement as HTMLElement);
      const next = nextFocusIndex(items.length, at, e.shiftKey);
      // Inside the list and not at an end: the browser's own order is the same; let it move.
      if (at >= 0 && next === (e.shiftKey ? at - 1 : at + 1)) return;
      e.preventDefault();
      (items[next] ?? dialog).focus();
    };
    // Focus that reaches the page behind anyway (a click on it, a scroller the browser made
    // focusable) is brought back in.
    const onFocusIn = (e: FocusEvent) => {
      const dialog = ref.current;
      if (dialog && e.target instanceof Node && !dialog.contains(e.target)) (tabbables(dialog)[0] ?? dialog).focus();
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('focusin', onFocusIn);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('focusin', onFocusIn);
      if (opener?.isConnected) {
        opener.focus();
        return;
      }
      for (const el of ancestors) {
        if (!el.isConnected) continue;
        const target = focusTarget(el);
        if (target) {
          target.focus();
          return;
        }
      }
    };
    // Once per opening: the options are read through refs.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
}
