import { queryOptions, replaceEqualDeep } from '@tanstack/react-query';
import type { ClusterSnapshot, HistoryPoint, HistoryResponse } from '@/lib/models/cluster';
import { getClusterRows, getClusters, getConsoles, getHistory, getHost, isApiError, search } from './client';

// Query keys and queryOptions, one factory per resource, so a key and its URL are written once. Components call
// `useQuery(clusterQueries.detail(name))` and never spell a key or a URL.
//
// Live refresh: every resource polls with refetchInterval (the snapshot's own pollIntervalMs when
// it has one). A poll on an unchanged key keeps showing the previous data until the new one lands,
// and structural sharing keeps unchanged rows referentially equal, so nothing flickers or
// re-renders needlessly. keepPreviousData is used only where the key changes for the *same*
// series (a new history window), never across resources: showing cluster A's data under cluster
// B's name would be a lie.

/** Poll interval used until a snapshot says otherwise. */
export const DEFAULT_POLL_MS = 2000;
/** Data older than this many poll intervals is stale and shown as such. */
export const STALE_AFTER_POLLS = 3;
/**
 * Above this many real servers, a snapshot's services are not structurally shared: comparing
 * 20,000 real servers deeply costs more main-thread time every poll (≈60 ms) than it saves, since
 * only the ~40 rows on screen re-render anyway. Directors, instances and findings are always shared.
 */
export const SHARE_SERVICES_MAX_REAL_SERVERS = 2000;
/** How far back sparklines look. */
export const SPARKLINE_WINDOW_MS = 5 * 60_000;

export interface HistoryKeyParams {
  cluster: string;
  service: string;
  realServer?: string | null;
  /** The window ending now. */
  windowMs?: number;
}

export const clusterKeys = {
  all: ['clusters'] as const,
  list: () => [...clusterKeys.all, 'list'] as const,
  detail: (name: string) => [...clusterKeys.all, 'detail', name] as const,
  histories: (name: string) => [...clusterKeys.detail(name), 'history'] as const,
  history: ({ cluster, service, realServer, windowMs = SPARKLINE_WINDOW_MS }: HistoryKeyParams) =>
    [...clusterKeys.histories(cluster), { service, realServer: realServer ?? null, windowMs }] as const,
};

export const hostKeys = {
  all: ['hosts'] as const,
  detail: (address: string) => [...hostKeys.all, 'detail', address] as const,
};

/** No polling for a resource that does not exist; otherwise the given interval. */
function pollUnlessMissing(intervalMs: number | undefined) {
  return (query: { state: { error: unknown } }): number | false => {
    const { error } = query.state;
    if (isApiError(error) && error.isNotFound) return false;
    return intervalMs ?? DEFAULT_POLL_MS;
  };
}

/** The consoles sharing the store (#16): every page asks, for the "store lost" banner. */
export const consoleQueries = {
  list: () =>
    queryOptions({
      queryKey: ['consoles', 'list'] as const,
      queryFn: ({ signal }) => getConsoles({ signal }),
      refetchInterval: 10_000,
    }),
};

export const clusterQueries = {
  list: () =>
    queryOptions({
      queryKey: clusterKeys.list(),
      queryFn: ({ signal }) => getClusters({ signal }),
      refetchInterval: DEFAULT_POLL_MS,
    }),

  detail: (name: string) =>
    queryOptions({
      queryKey: clusterKeys.detail(name),
      queryFn: ({ signal }) => getClusterRows(name, { signal }),
      structuralSharing: (previous: unknown, next: unknown) => shareSnapshot(previous, next),
      refetchInterval: (query) => {
        const { error, data } = query.state;
        if (isApiError(error) && error.isNotFound) return false;
        return data?.pollIntervalMs ?? DEFAULT_POLL_MS;
      },
    }),

  /**
   * One history series (a service, or one of its real servers) over the last `windowMs`, polled
   * with the cluster's interval. `enabled: false` keeps cached points visible without fetching
   * (used while the table scrolls fast, so rows flying past do not each fire a request).
   */
  history: (params: HistoryKeyParams & { pollIntervalMs?: number; enabled?: boolean }) => {
    const { cluster, service, realServer = null, windowMs = SPARKLINE_WINDOW_MS } = params;
    return queryOptions({
      queryKey: clusterKeys.history({ cluster, service, realServer, windowMs }),
      queryFn: ({ signal }) => {
        const to = Date.now();
        return getHistory({ cluster, service, realServer, from: to - windowMs, to }, { signal });
      },
      select: (response: HistoryResponse): HistoryPoint[] => seriesPoints(response, service, realServer),
      refetchInterval: pollUnlessMissing(params.pollIntervalMs),
      enabled: params.enabled ?? true,
      // Same series, new window: keep the old line until the new one arrives.
      placeholderData: (previous, previousQuery) => {
        const key = previousQuery?.queryKey[4];
        return key && key.service === service && key.realServer === realServer && previousQuery.queryKey[2] === cluster
          ? previous
          : undefined;
      },
      staleTime: params.pollIntervalMs ?? DEFAULT_POLL_MS,
    });
  },
};

export const hostQueries = {
  detail: (address: string) =>
    queryOptions({
      queryKey: hostKeys.detail(address),
      queryFn: ({ signal }) => getHost(address, { signal }),
      refetchInterval: pollUnlessMissing(DEFAULT_POLL_MS),
    }),
};

/** Structural sharing for a cluster snapshot, bounded for very large clusters (see above). */
export function shareSnapshot(previous: unknown, next: unknown): unknown {
  if (!isSnapshotLike(previous) || !isSnapshotLike(next)) return replaceEqualDeep(previous, next);
  let realServers = 0;
  for (const service of next.services) realServers += service.realServers.length;
  if (realServers <= SHARE_SERVICES_MAX_REAL_SERVERS) return replaceEqualDeep(previous, next);
  return {
    ...next,
    directors: replaceEqualDeep(previous.directors, next.directors),
    instances: replaceEqualDeep(previous.instances, next.instances),
    findings: replaceEqualDeep(previous.findings, next.findings),
  };
}

function isSnapshotLike(value: unknown): value is ClusterSnapshot {
  return typeof value === 'object' && value !== null && 'services' in value && Array.isArray(value.services) && 'directors' in value;
}

/** The points of one series of a history response (the service's own when realServer is null). */
export function seriesPoints(response: HistoryResponse, service: string, realServer: string | null): HistoryPoint[] {
  const match =
    response.series.find((s) => s.service === service && s.realServer === realServer) ??
    // Servers that answer one series per request may not echo the keys back exactly.
    (response.series.length === 1 ? response.series[0] : undefined);
  return match?.points ?? [];
}

/** True when a snapshot is older than STALE_AFTER_POLLS poll intervals at `now`. */
export function isSnapshotStale(snapshot: Pick<ClusterSnapshot, 'takenAt' | 'pollIntervalMs'>, now: number): boolean {
  return now - snapshot.takenAt > STALE_AFTER_POLLS * (snapshot.pollIntervalMs || DEFAULT_POLL_MS);
}

export const searchKeys = {
  all: ['search'] as const,
  query: (q: string) => [...searchKeys.all, q] as const,
};

/** The top bar's search: the last merge, so a short stale time and no polling. */
export const searchQueries = {
  query: (q: string) =>
    queryOptions({
      queryKey: searchKeys.query(q),
      queryFn: ({ signal }) => search(q, undefined, { signal }),
      enabled: q.trim().length > 0,
      staleTime: 5_000,
    }),
};
