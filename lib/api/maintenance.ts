import { queryOptions } from '@tanstack/react-query';
import type { MaintenanceAction } from '@/lib/models/maintenance';
import { actionApi, api, type MaintenanceBody } from './client';

// Director maintenance's query factories (paths and response schemas live in the client).

export function maintenanceAction(cluster: string, director: string, action: MaintenanceAction, body: MaintenanceBody) {
  return actionApi.maintenance(cluster, director, action, body);
}

export const maintenanceKeys = {
  all: (cluster: string) => ['maintenance', cluster] as const,
  status: (cluster: string) => [...maintenanceKeys.all(cluster), 'status'] as const,
  preflight: (cluster: string, director: string, action: MaintenanceAction) => [...maintenanceKeys.all(cluster), 'preflight', director, action] as const,
};

export const maintenanceQueries = {
  status: (cluster: string, intervalMs = 5000) =>
    queryOptions({
      queryKey: maintenanceKeys.status(cluster),
      queryFn: ({ signal }) => api.getMaintenanceStatus(cluster, { signal }),
      refetchInterval: intervalMs,
    }),
  /**
   * Reads both directors' connection tables: fetched when the dialog opens, not polled. Unforced:
   * what force would allow is judged from this answer (blockingRefusals), not asked again.
   */
  preflight: (cluster: string, director: string, action: MaintenanceAction) =>
    queryOptions({
      queryKey: maintenanceKeys.preflight(cluster, director, action),
      queryFn: ({ signal }) => actionApi.getMaintenancePreflight(cluster, director, action, false, { signal }),
      staleTime: 0,
      refetchOnWindowFocus: false,
    }),
};
