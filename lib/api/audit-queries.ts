import { queryOptions } from '@tanstack/react-query';
import { AuditList } from '@/lib/models/audit';
import { api, apiPaths } from './client';

// The audit log's query factory (components never spell a query key or URL): newest entries first, refreshed every 10 s.

export const auditKeys = {
  all: ['audit'] as const,
  list: (cluster: string | null) => [...auditKeys.all, 'list', cluster] as const,
  rollout: (cluster: string, id: string) => [...auditKeys.all, 'rollout', cluster, id] as const,
};

export const auditQueries = {
  list: (cluster: string | null = null) =>
    queryOptions({
      queryKey: auditKeys.list(cluster),
      queryFn: ({ signal }) => api.get(apiPaths.audit({ limit: 500, cluster: cluster ?? undefined }), AuditList, { signal }),
      refetchInterval: 10_000,
    }),
  /** What one rollout caused: its drains, re-weights and restores, its start and the actions on it. */
  rollout: (cluster: string, id: string, intervalMs: number | false = 5000) =>
    queryOptions({
      queryKey: auditKeys.rollout(cluster, id),
      queryFn: ({ signal }) => api.get(apiPaths.audit({ limit: 500, cluster, rollout: id }), AuditList, { signal }),
      refetchInterval: intervalMs,
    }),
};
