'use client';

import { useVirtualizer } from '@tanstack/react-virtual';
import { useSearchParams } from 'next/navigation';
import { useCallback, useDeferredValue, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { DirectorView, MergedService } from '@/lib/models/cluster';
import { formatCount } from '@/lib/format';
import { EmptyState } from '@/components/ui/empty-state';
import { PAGE_FILTER_PARAM, useUrlFilter } from '@/components/ui/page-filter';
import { COLUMNS, GRID_COLUMNS, HEADER_HEIGHT, MIN_TABLE_WIDTH, REAL_SERVER_ROW_HEIGHT, SERVICE_ROW_HEIGHT } from './columns';
import { buildRows, countShown, indexServices, parseFilter, sameLayout, type Row } from './service-rows';
import { RealServerRow, ServiceHeaderRow } from './service-table-rows';
import { ServicesTableContext, SparklineGateContext, type ServicesTableContextValue } from './table-context';

// The main cluster view: every virtual service with its real servers, as one flattened and
// virtualized list (header row per service, then its real servers). 1,000 services × 20 real
// servers stay smooth: only the rows on screen exist in the DOM, the filter is deferred so typing
// never waits for the list, and rows are memoized on their data.

export interface ServicesTableProps {
  cluster: string;
  services: readonly MergedService[];
  directors: readonly DirectorView[];
  pollIntervalMs: number;
  /** The figures are old: dim them (the page says why). */
  stale?: boolean;
  /**
   * Set while only the first screen is loaded: the cluster's real number of services. The filter
   * waits for them all (a filter over the first screen would answer wrongly).
   */
  loadingTotal?: number;
}

const rowHeight = (row: Row | undefined): number => (row?.kind === 'service' ? SERVICE_ROW_HEIGHT : REAL_SERVER_ROW_HEIGHT);

/** Where a virtual row sits: its aria-rowindex (after the header row) and its offset below the header. */
function placement(item: { index: number; start: number; size: number }): { rowIndex: number; start: number; height: number } {
  return { rowIndex: item.index + 2, start: item.start - HEADER_HEIGHT, height: item.size };
}

export function ServicesTable({ cluster, services, directors, pollIntervalMs, stale = false, loadingTotal }: ServicesTableProps) {
  const partial = loadingTotal !== undefined;
  // null outside the App Router (component tests render the table alone)
  const searchParams: URLSearchParams | null = useSearchParams();
  const [filter, setFilter, writeFilterToUrl] = useUrlFilter(searchParams?.get(PAGE_FILTER_PARAM) ?? '');
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const deferredFilter = useDeferredValue(filter);
  const filtering = filter !== deferredFilter;
  const inputRef = useRef<HTMLInputElement>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const helpId = useId();

  const indexed = useMemo(() => indexServices(services), [services]);
  // While only the first screen is here, a filter would answer over part of the services: it waits.
  const tokens = useMemo(() => (partial ? [] : parseFilter(deferredFilter)), [deferredFilter, partial]);
  const rows = useMemo(() => buildRows(indexed, tokens, collapsed), [indexed, tokens, collapsed]);
  const shown = useMemo(() => countShown(rows), [rows]);

  // The virtualizer recomputes every row's offset whenever getItemKey changes. A poll brings new
  // row objects but usually the same rows in the same order: keep the previous list as the layout
  // then, so 21,000 offsets are not recomputed every two seconds (or every scroll frame).
  const [layout, setLayout] = useState(rows);
  if (layout !== rows && !sameLayout(layout, rows)) setLayout(rows);
  const getItemKey = useCallback((index: number) => layout[index]?.id ?? index, [layout]);
  const estimateSize = useCallback((index: number) => rowHeight(layout[index]), [layout]);
  const totalRealServers = useMemo(() => services.reduce((n, s) => n + s.realServers.length, 0), [services]);

  // TanStack Virtual returns fresh functions each render by design; the React Compiler lint warns
  // about that, but this project does not run the compiler and the rows below are memoized by hand.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: layout.length,
    getScrollElement: () => scrollRef.current,
    estimateSize,
    getItemKey,
    overscan: 10,
    // The sticky column header sits above the first row inside the scroll container.
    scrollMargin: HEADER_HEIGHT,
    scrollPaddingStart: HEADER_HEIGHT,
    // Before the container is measured (the server render, hydration): a laptop screen's worth of
    // rows, so a server-rendered first screen shows rows and hydration renders the same ones.
    initialRect: { width: 1280, height: 900 },
  });

  const onToggle = useCallback((key: string) => {
    setCollapsed((previous) => {
      const next = new Set(previous);
      if (!next.delete(key)) next.add(key);
      return next;
    });
  }, []);

  const directorLive = useMemo(() => Object.fromEntries(directors.map((d) => [d.name, d.live])), [directors]);
  const context = useMemo<ServicesTableContextValue>(
    () => ({ cluster, pollIntervalMs, directorLive, onToggle }),
    [cluster, pollIntervalMs, directorLive, onToggle],
  );

  // "/" focuses the filter from anywhere on the page (unless typing elsewhere).
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) return;
      const target = event.target as HTMLElement | null;
      if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
      event.preventDefault();
      inputRef.current?.focus();
      inputRef.current?.select();
    }
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);

  // The filter is in the URL (?q=): a link shows the same rows.
  useEffect(() => writeFilterToUrl(deferredFilter), [deferredFilter, writeFilterToUrl]);

  // A new filter starts at the top of the list.
  useEffect(() => {
    virtualizer.scrollToOffset(0);
  }, [deferredFilter, virtualizer]);

  const items = virtualizer.getVirtualItems();
  const allCollapsed = collapsed.size > 0 && collapsed.size >= services.length;

  return (
    <ServicesTableContext.Provider value={context}>
      <div className="mb-2 flex flex-wrap items-center gap-x-3 gap-y-2">
        <div className="relative w-full max-w-md">
          <input
            ref={inputRef}
            type="search"
            value={filter}
            onChange={(event) => setFilter(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Escape' && filter) {
                event.preventDefault();
                setFilter('');
              }
            }}
            aria-label="Filter services and real servers"
            data-page-filter=""
            aria-describedby={helpId}
            disabled={partial}
            placeholder={partial ? `Loading all ${formatCount(loadingTotal)} services…` : 'Filter: address, port, scheduler, health…'}
            spellCheck={false}
            autoComplete="off"
            className="h-8 w-full rounded-md border border-line-strong bg-surface pl-2.5 pr-9 text-sm placeholder:text-faint focus:border-accent focus:outline-none focus-visible:outline-2 focus-visible:outline-offset-0"
          />
          <kbd
            aria-hidden="true"
            className="pointer-events-none absolute right-2 top-1/2 -translate-y-1/2 rounded border border-line bg-sunken px-1.5 font-mono text-[0.7rem] text-muted"
          >
            /
          </kbd>
        </div>
        <p
          role="status"
          data-testid="services-count"
          className="text-xs text-muted tabular-nums"
          data-services={shown.services}
          data-real-servers={shown.realServers}
          data-loading-total={loadingTotal}
        >
          {partial
            ? `first ${formatCount(services.length)} of ${formatCount(loadingTotal)} services · loading the rest…`
            : deferredFilter
            ? `${formatCount(shown.services)} of ${formatCount(services.length)} services · ${formatCount(shown.realServers)} of ${formatCount(totalRealServers)} real servers`
            : `${formatCount(services.length)} services · ${formatCount(totalRealServers)} real servers`}
          {filtering ? <span aria-hidden="true"> · filtering…</span> : null}
        </p>
        <div className="ml-auto flex gap-1.5">
          <button
            type="button"
            disabled={partial}
            onClick={() => setCollapsed(allCollapsed ? new Set() : new Set(services.map((s) => s.key)))}
            className="h-7 rounded-md border border-line-strong bg-surface px-2.5 text-xs font-medium hover:bg-hover disabled:opacity-50"
          >
            {allCollapsed ? 'Expand all' : 'Collapse all'}
          </button>
        </div>
        <p id={helpId} className="w-full text-xs text-faint">
          Every word must match. Words find addresses, ports, schedulers and health (up, drained, down, differs); fields match exactly:{' '}
          <code className="font-mono">health:down</code> <code className="font-mono">fwd:dr</code> <code className="font-mono">sched:wlc</code>{' '}
          <code className="font-mono">port:443</code> <code className="font-mono">weight:0</code>. Esc clears.
        </p>
      </div>

      {services.length === 0 ? (
        <EmptyState title="No virtual services">No director of this cluster has an IPVS service configured.</EmptyState>
      ) : (
        <div
          ref={scrollRef}
          role="region"
          aria-label="Virtual services table (scrollable)"
          tabIndex={0}
          data-testid="services-scroll"
          data-stale={stale}
          className="relative max-h-[calc(100dvh-7rem)] overflow-auto rounded-lg border border-line bg-surface focus-visible:outline-offset-0"
        >
          <div
            role="table"
            aria-label="Virtual services"
            aria-rowcount={rows.length + 1}
            aria-busy={filtering}
            data-testid="services-table"
            style={{ minWidth: MIN_TABLE_WIDTH }}
            className="text-ink tabular-nums"
          >
            <div role="rowgroup" className="sticky top-0 z-10">
              <div
                role="row"
                aria-rowindex={1}
                className="grid items-center border-b border-line-strong bg-surface text-xs font-medium text-muted"
                style={{ gridTemplateColumns: GRID_COLUMNS, height: HEADER_HEIGHT }}
              >
                {COLUMNS.map((column, i) => (
                  <div
                    key={column.id}
                    role="columnheader"
                    title={column.title}
                    className={`truncate px-2 ${column.numeric ? 'text-right' : ''} ${i === 0 ? 'pl-9' : ''}`}
                  >
                    {column.label}
                  </div>
                ))}
              </div>
            </div>
            {rows.length === 0 ? (
              <div className="p-6">
                <EmptyState
                  title={`Nothing matches “${deferredFilter}”`}
                  action={
                    <button
                      type="button"
                      onClick={() => {
                        setFilter('');
                        inputRef.current?.focus();
                      }}
                      className="rounded-md border border-line-strong px-3 py-1 text-sm hover:bg-hover"
                    >
                      Clear the filter
                    </button>
                  }
                />
              </div>
            ) : (
              <SparklineGateContext.Provider value={!virtualizer.isScrolling}>
                <div
                  role="rowgroup"
                  className={`relative transition-opacity ${stale ? 'opacity-60' : ''}`}
                  style={{ height: virtualizer.getTotalSize() }}
                >
                  {items.map((item) => {
                    const row = rows[item.index];
                    if (!row) return null;
                    return row.kind === 'service' ? (
                      <ServiceHeaderRow
                        key={item.key}
                        service={row.service}
                        totals={row.totals}
                        shownRealServers={row.shownRealServers}
                        collapsed={row.collapsed}
                        {...placement(item)}
                        directorCount={directors.length}
                      />
                    ) : (
                      <RealServerRow
                        key={item.key}
                        service={row.service}
                        realServer={row.realServer}
                        last={row.last}
                        {...placement(item)}
                      />
                    );
                  })}
                </div>
              </SparklineGateContext.Provider>
            )}
          </div>
        </div>
      )}
    </ServicesTableContext.Provider>
  );
}
