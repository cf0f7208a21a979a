import { QueryClient, isServer } from '@tanstack/react-query';
import { isApiError } from './client';

// The one QueryClient factory, so retries and freshness are decided once. Live views poll through refetchInterval set per resource
// in queries.ts; the defaults here only decide retries and freshness.

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // A poll result is fresh until the next poll; no refetch storm on every mount.
        staleTime: 1000,
        gcTime: 5 * 60_000,
        structuralSharing: true,
        refetchOnWindowFocus: true,
        // Never retry what will not change (4xx, a response of the wrong shape); retry network
        // and 5xx errors twice, quickly: a poll comes again in two seconds anyway.
        retry: (failureCount, error) => {
          if (isApiError(error) && ((error.status >= 400 && error.status < 500) || error.code === 'invalid-response')) {
            return false;
          }
          return failureCount < 2;
        },
        retryDelay: (attempt) => Math.min(500 * 2 ** attempt, 4000),
      },
    },
  });
}

let browserQueryClient: QueryClient | undefined;

/** A new client per server render; one client for the life of the browser tab. */
export function getQueryClient(): QueryClient {
  if (isServer) return makeQueryClient();
  browserQueryClient ??= makeQueryClient();
  return browserQueryClient;
}
