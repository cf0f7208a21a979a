'use client';

import { useSyncExternalStore } from 'react';

// One shared clock for every "12 s ago" on the page: a single interval, ticking only while
// something is subscribed. On the server and during hydration the time is 0 ("unknown"), so
// server and client render the same markup; the first client tick fills it in.

const TICK_MS = 1000;
const listeners = new Set<() => void>();
let now = 0;
let timer: ReturnType<typeof setInterval> | undefined;

function tick(): void {
  now = Date.now();
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (timer === undefined) {
    now = Date.now();
    timer = setInterval(tick, TICK_MS);
    // Let the first subscriber see the fresh time at once.
    queueMicrotask(() => {
      for (const l of listeners) l();
    });
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

const getSnapshot = (): number => now;
const getServerSnapshot = (): number => 0;

/** The current time in epoch ms, updated every second; 0 before the first client tick. */
export function useNow(): number {
  return useSyncExternalStore(subscribe, getSnapshot, getServerSnapshot);
}
