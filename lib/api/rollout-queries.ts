import { queryOptions } from '@tanstack/react-query';
import { rolloutActive, type Rollout, type RolloutActionRequest, type RolloutRequestInput } from '@/lib/models/rollout';
import { actionApi, api, isApiError } from './client';

// Rolling maintenance's query factories (paths and response schemas live in the client). The list
// is polled every 5 s; one rollout every 2 s while the console still drives it (running or
// paused), not at all once it ended (an action on it refreshes it).

export const ROLLOUT_LIST_POLL_MS = 5000;
export const ROLLOUT_POLL_MS = 2000;

export const rolloutKeys = {
  all: (cluster: string) => ['rollouts', cluster] as const,
  list: (cluster: string, all: boolean) => [...rolloutKeys.all(cluster), 'list', all ? 'all' : 'active'] as const,
  detail: (cluster: string, id: string) => [...rolloutKeys.all(cluster), 'detail', id] as const,
};

/** How often one rollout is read again: every 2 s while active (or not read yet), never once ended or missing. */
export function rolloutPollInterval(data: Pick<Rollout, 'state'> | undefined, error: unknown): number | false {
  if (isApiError(error) && error.isNotFound) return false;
  if (data && !rolloutActive(data)) return false;
  return ROLLOUT_POLL_MS;
}

export const rolloutQueries = {
  /** The cluster's active rollouts; all: the recent ended ones as well. */
  list: (cluster: string, all = false) =>
    queryOptions({
      queryKey: rolloutKeys.list(cluster, all),
      queryFn: ({ signal }) => api.getRollouts(cluster, all, { signal }),
      refetchInterval: (query) => (isApiError(query.state.error) && query.state.error.isNotFound ? false : ROLLOUT_LIST_POLL_MS),
    }),
  detail: (cluster: string, id: string) =>
    queryOptions({
      queryKey: rolloutKeys.detail(cluster, id),
      queryFn: ({ signal }) => api.getRollout(cluster, id, { signal }),
      refetchInterval: (query) => rolloutPollInterval(query.state.data, query.state.error),
    }),
};

/** Start a rollout, or check one (dryRun): answers after the server planned it (long timeout). */
export function startRollout(cluster: string, body: RolloutRequestInput) {
  return actionApi.startRollout(cluster, body);
}

/** Pause, resume, skip, abort, done, proceed or restore-all (long timeout: restore-all touches every director). */
export function rolloutAction(cluster: string, id: string, body: RolloutActionRequest) {
  return actionApi.rolloutAction(cluster, id, body);
}
