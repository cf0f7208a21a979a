import { queryOptions } from '@tanstack/react-query';
import { DiagnosticsReport } from '@/lib/models/diagnostics';
import { createApiClient } from './client';

// "Check this cluster" as the browser asks for it. The run refreshes every director and runs
// keepalived -t on each, so it gets a longer time limit than the polling reads.

const slowApi = createApiClient({ timeoutMs: 90_000 });

export const diagnosticsPaths = {
  run: (cluster: string): string => `/api/clusters/${encodeURIComponent(cluster)}/diagnostics`,
};

export const diagnosticsKeys = {
  run: (cluster: string) => ['diagnostics', cluster] as const,
};

export const diagnosticsQueries = {
  /** Runs only when asked (refetch()): never on mount, never polled. */
  run: (cluster: string) =>
    queryOptions({
      queryKey: diagnosticsKeys.run(cluster),
      queryFn: ({ signal }) => slowApi.get(diagnosticsPaths.run(cluster), DiagnosticsReport, { signal }),
      enabled: false,
      staleTime: Infinity,
      retry: false,
    }),
};
