import { queryOptions } from '@tanstack/react-query';
import { actionApi, api, type HaproxyActionBody } from './client';

// HAProxy pools' query factory (paths and response schemas live in the client).

export const haproxyKeys = {
  pools: (cluster: string) => ['haproxy', cluster] as const,
  /** Under the pools' key: an action's invalidation refreshes both. */
  holds: (cluster: string) => ['haproxy', cluster, 'holds'] as const,
};

export const haproxyQueries = {
  pools: (cluster: string) =>
    queryOptions({
      queryKey: haproxyKeys.pools(cluster),
      queryFn: ({ signal }) => api.getHaproxyPools(cluster, { signal }),
      refetchInterval: 2000,
    }),
  /** The open holds alone, from the console's store (the overview's list: no instance is read). */
  holds: (cluster: string) =>
    queryOptions({
      queryKey: haproxyKeys.holds(cluster),
      queryFn: ({ signal }) => api.getHaproxyHolds(cluster, { signal }),
      refetchInterval: 5000,
    }),
};

export function postHaproxyAction(cluster: string, body: HaproxyActionBody) {
  return actionApi.postHaproxyAction(cluster, body);
}
