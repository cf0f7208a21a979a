import { queryOptions } from '@tanstack/react-query';
import { HaproxyActionResult, HaproxyView, type HaproxyActionKind } from '@/lib/models/haproxy';
import { actionApi, api } from './client';

// HAProxy pools as the browser uses them (paths spelled here only; every answer parsed with zod).

export const haproxyPaths = {
  pools: (cluster: string): string => `/api/clusters/${encodeURIComponent(cluster)}/haproxy`,
};

export const haproxyKeys = {
  pools: (cluster: string) => ['haproxy', cluster] as const,
};

export const haproxyQueries = {
  pools: (cluster: string) =>
    queryOptions({
      queryKey: haproxyKeys.pools(cluster),
      queryFn: ({ signal }) => api.get(haproxyPaths.pools(cluster), HaproxyView, { signal }),
      refetchInterval: 2000,
    }),
};

export interface HaproxyActionBody {
  action: HaproxyActionKind;
  backend: string;
  server: string;
  weight?: number;
  reason: string;
}

export function postHaproxyAction(cluster: string, body: HaproxyActionBody): Promise<HaproxyActionResult> {
  return actionApi.post(haproxyPaths.pools(cluster), body, HaproxyActionResult);
}
