import { queryOptions } from '@tanstack/react-query';
import { actionApi, api, type HaproxyActionBody } from './client';

// HAProxy pools' query factory (paths and response schemas live in the client).

export const haproxyKeys = {
  pools: (cluster: string) => ['haproxy', cluster] as const,
};

export const haproxyQueries = {
  pools: (cluster: string) =>
    queryOptions({
      queryKey: haproxyKeys.pools(cluster),
      queryFn: ({ signal }) => api.getHaproxyPools(cluster, { signal }),
      refetchInterval: 2000,
    }),
};

export function postHaproxyAction(cluster: string, body: HaproxyActionBody) {
  return actionApi.postHaproxyAction(cluster, body);
}
