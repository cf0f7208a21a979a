import { queryOptions } from '@tanstack/react-query';
import { chartRefetchMs, resolveChartRange, type ChartRange } from '@/lib/chart';
import { EventList } from '@/lib/models/events';
import { api, apiPaths } from './client';
import { clusterKeys, DEFAULT_POLL_MS } from './queries';

// Traffic charts' query factory (components never spell a query key or URL). A preset range is
// resolved at fetch time, so the key stays put while the window slides; a long range is re-read
// rarely, a brushed one never.

/** What a chart shows: the whole cluster, a service stacked by real server, or a host across its services. */
export type ChartScope = { kind: 'cluster' } | { kind: 'service'; service: string } | { kind: 'host'; host: string };

export const chartKeys = {
  history: (cluster: string, scope: ChartScope, range: ChartRange) => [...clusterKeys.histories(cluster), 'chart', scope, range] as const,
  events: (cluster: string, range: ChartRange) => ['events', 'chart', cluster, range] as const,
};

export const chartQueries = {
  history: (cluster: string, scope: ChartScope, range: ChartRange, pollMs = DEFAULT_POLL_MS) =>
    queryOptions({
      queryKey: chartKeys.history(cluster, scope, range),
      queryFn: ({ signal }) => {
        const { from, to } = resolveChartRange(range, Date.now());
        const which = scope.kind === 'service' ? { service: scope.service, by: 'realServer' as const } : scope.kind === 'host' ? { host: scope.host } : {};
        return api.getHistory({ cluster, ...which, from, to }, { signal });
      },
      refetchInterval: chartRefetchMs(range, pollMs),
      // Same chart, new range: keep the old lines until the new ones arrive.
      placeholderData: (previous, previousQuery) =>
        previousQuery && JSON.stringify(previousQuery.queryKey.slice(0, 6)) === JSON.stringify(chartKeys.history(cluster, scope, range).slice(0, 6)) ? previous : undefined,
    }),
  /** Every event of the cluster in the range (the chart picks what it marks). */
  events: (cluster: string, range: ChartRange, pollMs = DEFAULT_POLL_MS) =>
    queryOptions({
      queryKey: chartKeys.events(cluster, range),
      queryFn: ({ signal }) => {
        const { from, to } = resolveChartRange(range, Date.now());
        return api.get(apiPaths.events({ cluster, from, to, limit: 2000 }), EventList, { signal });
      },
      refetchInterval: chartRefetchMs(range, pollMs),
      placeholderData: (previous) => previous,
    }),
};
