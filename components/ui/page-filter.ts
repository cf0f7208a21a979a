'use client';

import { useEffect, useState } from 'react';

// A page's own filter (the cluster page's services filter) kept in the URL (?q=), so a link pasted
// in chat shows the same rows; and told by the top bar's search when it picks something on the
// page already open (no navigation, so no remount).

export const PAGE_FILTER_PARAM = 'q';
const EVENT = 'lvs:page-filter';

/** Set the open page's filter to `q` (the top bar's search, for a hit on this very page). */
export function setPageFilter(q: string): void {
  window.dispatchEvent(new CustomEvent<string>(EVENT, { detail: q }));
}

/** Whether this page has a filter of its own (then "/" is its key, not the top bar's). */
export function pageHasFilter(): boolean {
  return document.querySelector('[data-page-filter]') !== null;
}

/**
 * The filter text, its first value from the URL, and the URL following it (replaceState: no
 * history entry per keystroke, no server round trip). `written` is the value to put in the URL
 * (a deferred copy of the text, so the URL does not change on every key of a fast typist).
 */
export function useUrlFilter(initial: string): [string, (value: string) => void, (written: string) => void] {
  const [filter, setFilter] = useState(initial);
  useEffect(() => {
    const onSet = (event: Event) => setFilter((event as CustomEvent<string>).detail);
    window.addEventListener(EVENT, onSet);
    return () => window.removeEventListener(EVENT, onSet);
  }, []);
  return [filter, setFilter, writeFilterToUrl];
}

function writeFilterToUrl(value: string): void {
  const url = new URL(window.location.href);
  if ((url.searchParams.get(PAGE_FILTER_PARAM) ?? '') === value) return;
  if (value) url.searchParams.set(PAGE_FILTER_PARAM, value);
  else url.searchParams.delete(PAGE_FILTER_PARAM);
  window.history.replaceState(window.history.state, '', url);
}
