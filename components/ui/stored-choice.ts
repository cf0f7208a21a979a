'use client';

import { useSyncExternalStore } from 'react';

// A display preference kept in this browser's localStorage (theme, time zone): read with
// useSyncExternalStore so every component using it re-renders when it changes, in this tab (a
// custom event) or another (the storage event). On the server and during hydration it is the
// default, so server and client render the same markup.

export interface StoredChoice<T extends string> {
  /** The current choice (the default before hydration). */
  use: () => T;
  /** Keep a choice (the default is stored as nothing) and tell every user of it. */
  set: (choice: T) => void;
}

export function storedChoice<T extends string>(key: string, parse: (stored: string | null) => T, fallback: T): StoredChoice<T> {
  const changed = `lvs-choice-change:${key}`;
  const read = (): T => {
    try {
      return parse(window.localStorage.getItem(key));
    } catch {
      return fallback;
    }
  };
  const subscribe = (onChange: () => void): (() => void) => {
    window.addEventListener('storage', onChange);
    window.addEventListener(changed, onChange);
    return () => {
      window.removeEventListener('storage', onChange);
      window.removeEventListener(changed, onChange);
    };
  };
  return {
    use: () => useSyncExternalStore(subscribe, read, () => fallback),
    set: (choice) => {
      try {
        if (choice === fallback) window.localStorage.removeItem(key);
        else window.localStorage.setItem(key, choice);
      } catch {
        // Storage refused (privacy mode): the choice still applies until the page is left.
      }
      window.dispatchEvent(new Event(changed));
    },
  };
}
