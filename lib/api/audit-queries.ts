import { queryOptions } from '@tanstack/react-query';
import { AuditList } from '@/lib/models/audit';
import { api, apiPaths } from './client';

// The audit log's query factory (components never spell a query key or URL): newest entries first, refreshed every 10 s.

export const auditKeys = {
  all: ['audit'] as const,
  list: (cluster: string | null) => [...auditKeys.all, 'list', cluster] as const,
};

export const auditQueries = {
  list: (cluster: string | null = null) =>
    queryOptions({
      queryKey: auditKeys.list(cluster),
      queryFn: ({ signal }) => api.get(apiPaths.audit({ limit: 500, cluster: cluster ?? undefined }), AuditList, { signal }),
      refetchInterval: 10_000,
    }),
};
