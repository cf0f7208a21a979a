import { queryOptions } from '@tanstack/react-query';

import { ActionResult, DrainPlan, DrainProgress, IntentList, type DrainAction } from '@/lib/models/drain';
import { actionApi, api } from './client';

// The drain API as the browser uses it (paths spelled here only; every answer parsed with zod).

const base = (cluster: string) => `/api/clusters/${encodeURIComponent(cluster)}`;

export interface DrainTarget {
  /** "192.0.2.11:80" (one real server) or "192.0.2.11" (a host: every service it serves). */
  target: string;
  /** Service key ("TCP 192.0.2.100:80"); omitted: every service the target serves. */
  service?: string;
}

export const drainPaths = {
  plan: (cluster: string, action: DrainAction, t: DrainTarget, weight?: number): string => {
    const q = new URLSearchParams({ action, target: t.target });
    if (t.service) q.set('service', t.service);
    if (weight !== undefined) q.set('weight', String(weight));
    return `${base(cluster)}/drain/plan?${q.toString()}`;
  },
  progress: (cluster: string, t: DrainTarget, connections = true): string => {
    const q = new URLSearchParams({ target: t.target });
    if (t.service) q.set('service', t.service);
    if (connections) q.set('connections', '1');
    return `${base(cluster)}/drain/progress?${q.toString()}`;
  },
  intents: (cluster: string): string => `${base(cluster)}/intents`,
  action: (cluster: string, action: DrainAction): string => `${base(cluster)}/${action}`,
};

export interface ActionBody extends DrainTarget {
  reason?: string;
  ticket?: string;
  weight?: number;
  expiresInMinutes?: number;
  onExpiry?: 'restore' | 'alert';
  force?: boolean;
}

export function postAction(cluster: string, action: DrainAction, body: ActionBody): Promise<ActionResult> {
  return actionApi.post(drainPaths.action(cluster, action), body, ActionResult);
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
      queryFn: ({ signal }) => api.get(drainPaths.intents(cluster), IntentList, { signal }),
      refetchInterval: 5000,
    }),
  plan: (cluster: string, action: DrainAction, t: DrainTarget, weight?: number) =>
    queryOptions({
      queryKey: drainKeys.plan(cluster, action, t, weight),
      queryFn: ({ signal }) => api.get(drainPaths.plan(cluster, action, t, weight), DrainPlan, { signal }),
      staleTime: 0,
    }),
  progress: (cluster: string, t: DrainTarget, intervalMs = 2000) =>
    queryOptions({
      queryKey: drainKeys.progress(cluster, t),
      queryFn: ({ signal }) => api.get(drainPaths.progress(cluster, t), DrainProgress, { signal }),
      refetchInterval: intervalMs,
    }),
};

/** "192.0.2.11:80" -> true; "192.0.2.11" / "2001:db8::11" -> false. */
export function isRealServerTarget(target: string): boolean {
  return /^\[.*\]:\d+$/.test(target) || /^[^:]+:\d+$/.test(target);
}

