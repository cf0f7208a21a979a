'use client';

import { useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useEffect, useId, useRef, useState } from 'react';
import { searchQueries } from '@/lib/api/queries';
import { SEARCH_MAX_QUERY, type SearchHit, type SearchHitKind } from '@/lib/models/search';
import { PAGE_FILTER_PARAM, pageHasFilter, setPageFilter } from '@/components/ui/page-filter';

// The top bar's search: an address, a VIP, a service, a port, a host or director name, from any
// page. "/" focuses it (on a page with its own filter, the cluster page's services filter, "/"
// stays there and Ctrl+K comes here). Arrow keys pick, Enter opens, Escape closes.

const KIND_LABEL: Record<SearchHitKind, string> = {
  cluster: 'cluster',
  director: 'director',
  service: 'service',
  'real-server': 'real server',
  host: 'host',
};

function typingElsewhere(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

/** The text typed, after the typist pauses (no request per keystroke). */
function useSettled(value: string, ms: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

export function GlobalSearch() {
  const router = useRouter();
  const inputRef = useRef<HTMLInputElement>(null);
  const listId = useId();
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const q = useSettled(text.trim(), 150);
  const query = useQuery(searchQueries.query(q));
  const hits = q && query.data?.query === q ? query.data.hits : [];
  const activeHit = Math.min(active, Math.max(hits.length - 1, 0));

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      const ctrlK = (event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k';
      const slash = event.key === '/' && !event.ctrlKey && !event.metaKey && !event.altKey;
      if (!ctrlK && !slash) return;
      if (slash && (typingElsewhere(event.target) || pageHasFilter())) return;
      event.preventDefault();
      inputRef.current?.focus();
      inputRef.current?.select();
    }
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);

  function go(hit: SearchHit | undefined) {
    if (!hit) return;
    setOpen(false);
    setText('');
    inputRef.current?.blur();
    const url = new URL(hit.href, window.location.origin);
    // A hit on the page already open: set its filter (no navigation, which would not reset it).
    if (url.pathname === window.location.pathname && !url.hash && pageHasFilter()) {
      setPageFilter(url.searchParams.get(PAGE_FILTER_PARAM) ?? '');
      return;
    }
    router.push(hit.href);
  }

  const showList = open && q.length > 0;
  const optionId = (i: number) => `${listId}-option-${i}`;
  return (
    <div className="relative w-full max-w-xs">
      <label htmlFor={`${listId}-input`} className="sr-only">
        Search clusters, services, real servers and hosts
      </label>
      <input
        ref={inputRef}
        id={`${listId}-input`}
        type="search"
        role="combobox"
        aria-expanded={showList}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={showList && hits[activeHit] ? optionId(activeHit) : undefined}
        data-testid="global-search"
        value={text}
        maxLength={SEARCH_MAX_QUERY}
        placeholder="Search address, VIP, host…  ( / )"
        autoComplete="off"
        spellCheck={false}
        onChange={(event) => {
          setText(event.target.value);
          setActive(0);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown') {
            event.preventDefault();
            setActive((i) => Math.min(i + 1, Math.max(hits.length - 1, 0)));
          } else if (event.key === 'ArrowUp') {
            event.preventDefault();
            setActive((i) => Math.max(i - 1, 0));
          } else if (event.key === 'Enter') {
            event.preventDefault();
            go(hits[activeHit]);
          } else if (event.key === 'Escape') {
            if (text) setText('');
            else inputRef.current?.blur();
          }
        }}
        className="w-full rounded-md border border-line bg-canvas px-2.5 py-1 text-sm placeholder:text-muted focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
      />
      {showList ? (
        <ul
          id={listId}
          role="listbox"
          aria-label="Search results"
          data-testid="global-search-results"
          className="absolute left-0 right-0 top-full z-40 mt-1 max-h-96 overflow-y-auto rounded-md border border-line bg-surface py-1 text-sm shadow-lg"
        >
          {query.isError ? (
            <li role="presentation" className="px-3 py-2 text-red-700 dark:text-red-300">
              Search failed: {query.error.message}
            </li>
          ) : hits.length === 0 ? (
            <li role="presentation" className="px-3 py-2 text-muted">
              {query.isFetching || q !== text.trim() ? 'Searching…' : `Nothing matches “${q}”`}
            </li>
          ) : (
            hits.map((hit, i) => (
              <li
                key={`${hit.kind} ${hit.href} ${hit.label}`}
                id={optionId(i)}
                role="option"
                aria-selected={i === activeHit}
                data-kind={hit.kind}
                // mousedown, not click: the input's blur would close the list before a click lands
                onMouseDown={(event) => {
                  event.preventDefault();
                  go(hit);
                }}
                onMouseEnter={() => setActive(i)}
                className={`flex cursor-pointer items-baseline gap-2 px-3 py-1.5 ${i === activeHit ? 'bg-sunken' : ''}`}
              >
                <span className="w-20 shrink-0 text-xs text-muted">{KIND_LABEL[hit.kind]}</span>
                <span className="min-w-0 flex-1 truncate font-mono">{hit.label}</span>
                <span className="shrink-0 truncate text-xs text-muted">{hit.detail}</span>
              </li>
            ))
          )}
          {query.data?.truncated && query.data.query === q ? (
            <li role="presentation" className="px-3 py-1 text-xs text-muted">
              More match: type more to narrow.
            </li>
          ) : null}
        </ul>
      ) : null}
    </div>
  );
}
