import { queryOptions } from '@tanstack/react-query';

import type { DrainAction } from '@/lib/models/drain';
import { actionApi, api, type ActionBody, type DrainTarget } from './client';

// The drain API's query factories (paths and response schemas live in the client).

export function postAction(cluster: string, action: DrainAction, body: ActionBody) {
  return actionApi.postAction(cluster, action, body);
}

export const drainKeys = {
  all: (cluster: string) => ['drain', cluster] as const,
  intents: (cluster: string) => [...drainKeys.all(cluster), 'intents'] as const,
  plan: (cluster: string, action: DrainAction, t: DrainTarget, weight?: number) =>
    [...drainKeys.all(cluster), 'plan', action, t.target, t.service ?? null, weight ?? null] as const,
  progress: (cluster: string, t: DrainTarget) => [...drainKeys.all(cluster), 'progress', t.target, t.service ?? null] as const,
};

export const drainQueries = {
  intents: (cluster: string) =>
    queryOptions({
      queryKey: drainKeys.intents(cluster),
      queryFn: ({ signal }) => api.getIntents(cluster, { signal }),
      refetchInterval: 5000,
    }),
  plan: (cluster: string, action: DrainAction, t: DrainTarget, weight?: number) =>
    queryOptions({
      queryKey: drainKeys.plan(cluster, action, t, weight),
      queryFn: ({ signal }) => api.getDrainPlan(cluster, action, t, weight, { signal }),
      staleTime: 0,
    }),
  progress: (cluster: string, t: DrainTarget, intervalMs = 2000) =>
    queryOptions({
      queryKey: drainKeys.progress(cluster, t),
      queryFn: ({ signal }) => api.getDrainProgress(cluster, t, { connections: true }, { signal }),
      refetchInterval: intervalMs,
    }),
};
