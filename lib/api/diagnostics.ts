import { queryOptions } from '@tanstack/react-query';
import { createApiClient } from './client';

// "Check this cluster" as the browser asks for it. The run refreshes every director and runs
// keepalived -t on each, so it gets a longer time limit than the polling reads.

const slowApi = createApiClient({ timeoutMs: 90_000 });

export const diagnosticsQueries = {
  /** Runs only when asked (refetch()): never on mount, never polled. */
  run: (cluster: string) =>
    queryOptions({
      queryKey: ['diagnostics', cluster] as const,
      queryFn: ({ signal }) => slowApi.runDiagnostics(cluster, { signal }),
      enabled: false,
      staleTime: Infinity,
      retry: false,
    }),
};
