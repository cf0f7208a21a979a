'use client';

import { useQueryClient, type Query } from '@tanstack/react-query';
import { useCallback, useSyncExternalStore } from 'react';
import { formatRelative } from '@/lib/format';
import { describeError } from './error-state';
import { useNow } from './use-now';

// The global "data age" indicator: how long ago this page last heard from the console, and
// whether the last attempt failed, on every page that polls: clusters, hosts, HAProxy pools, the
// timeline and the audit log. Sparkline (history) queries are ignored: they are decoration.

const POLLED_ROOTS: ReadonlySet<unknown> = new Set(['clusters', 'hosts', 'haproxy', 'events', 'audit']);

export function isMainQuery(query: Pick<Query, 'queryKey' | 'getObserversCount'>): boolean {
  const [root, kind] = query.queryKey;
  return POLLED_ROOTS.has(root) && kind !== undefined && query.queryKey.length <= 3 && query.getObserversCount() > 0;
}

interface Status {
  /** Oldest successful update among the queries this page shows (epoch ms), 0 if none yet. */
  oldestUpdate: number;
  /** The failure of the last attempt, if the last attempt failed. */
  failure: string | null;
  count: number;
}

function computeStatus(queries: readonly Query[]): string {
  let oldest = Infinity;
  let failure: string | null = null;
  let count = 0;
  for (const query of queries) {
    if (!isMainQuery(query)) continue;
    count += 1;
    const { dataUpdatedAt, errorUpdatedAt, error } = query.state;
    if (dataUpdatedAt < oldest) oldest = dataUpdatedAt;
    if (error && errorUpdatedAt >= dataUpdatedAt) failure ??= describeError(error).title;
  }
  // A string snapshot: useSyncExternalStore compares by value, so nothing re-renders needlessly.
  return [count && Number.isFinite(oldest) ? oldest : 0, count, failure ?? ''].join('\u0000');
}

function parseStatus(snapshot: string): Status {
  const [oldest = '0', count = '0', failure = ''] = snapshot.split('\u0000');
  return { oldestUpdate: Number(oldest), count: Number(count), failure: failure || null };
}

export function ConsoleStatus() {
  const client = useQueryClient();
  const cache = client.getQueryCache();
  const subscribe = useCallback((onChange: () => void) => cache.subscribe(onChange), [cache]);
  const snapshot = useSyncExternalStore(
    subscribe,
    () => computeStatus(cache.getAll()),
    () => '',
  );
  const now = useNow();
  const status = parseStatus(snapshot);
  if (status.count === 0 || now === 0) return <span data-testid="console-status" className="text-xs text-faint" />;

  const age = status.oldestUpdate ? formatRelative(status.oldestUpdate, now) : null;
  const failing = status.failure !== null;
  return (
    <span
      data-testid="console-status"
      data-state={failing ? 'failing' : status.oldestUpdate ? 'live' : 'loading'}
      title={failing ? `Last request failed: ${status.failure}` : 'Time since this page last received data from the console'}
      className={`inline-flex items-center gap-1.5 text-xs tabular-nums ${failing ? 'font-medium text-red-700 dark:text-red-300' : 'text-muted'}`}
    >
      <span aria-hidden="true" className={failing ? 'text-red-600 dark:text-red-400' : 'text-emerald-600 dark:text-emerald-400'}>
        {failing ? '■' : '●'}
      </span>
      {failing
        ? `Console unreachable${age ? ` · last data ${age}` : ''}`
        : age
          ? `Updated ${age}`
          : 'Loading…'}
    </span>
  );
}
