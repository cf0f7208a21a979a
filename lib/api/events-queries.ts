import { queryOptions } from '@tanstack/react-query';
import { EventList } from '@/lib/models/events';
import { resolveRange, type TimeRange } from '@/lib/timeline';
import { api, apiPaths } from './client';
import { DEFAULT_POLL_MS } from './queries';

// Failover history's query factory (components never spell a query key or URL). A preset range ("last hour") is resolved at fetch
// time, so the key stays stable while the window slides; polled with the collector's interval.

export interface EventsParams {
  cluster: string | null;
  range: TimeRange;
  kinds?: readonly string[] | null;
  limit?: number;
}

export const eventKeys = {
  all: ['events'] as const,
  list: (p: EventsParams) => [...eventKeys.all, 'list', { cluster: p.cluster, range: p.range, kinds: p.kinds ?? null, limit: p.limit ?? null }] as const,
};

export const eventQueries = {
  list: (p: EventsParams, pollMs: number = DEFAULT_POLL_MS) =>
    queryOptions({
      queryKey: eventKeys.list(p),
      queryFn: ({ signal }) => {
        const { from, to } = resolveRange(p.range, Date.now());
        return api.get(apiPaths.events({ cluster: p.cluster, from, to, kinds: p.kinds, limit: p.limit }), EventList, { signal });
      },
      refetchInterval: p.range.preset === 'custom' ? false : pollMs,
      placeholderData: (previous) => previous,
    }),
};

/** CSV and JSON export links for what the timeline shows (the events; the audit log has its own page). */
export function eventExportHrefs(p: EventsParams, now: number): { csv: string; json: string } {
  const { from, to } = resolveRange(p.range, now);
  const q = { cluster: p.cluster, from, to, kinds: p.kinds, limit: 10_000 };
  return { csv: apiPaths.events({ ...q, format: 'csv' }), json: apiPaths.events(q) };
}
