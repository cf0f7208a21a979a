import 'server-only';
import { coversCluster, type Actor } from '@/lib/models/auth';
import type { ClusterList, HostMembership } from '@/lib/models/cluster';
import { ApiError } from '@/server/api/errors';
import { getHost, listClusters } from './clusters';
import { getEvents } from './events';

// Reads that span clusters, cut to what a cluster-scoped role covers. (Routes for one cluster are
// checked by handle()'s `cluster` param.)

/** GET /api/clusters: only the clusters the caller's role covers. */
export function listClustersFor(actor: Actor | null): ClusterList {
  const list = listClusters();
  return actor?.clusters == null ? list : { ...list, clusters: list.clusters.filter((c) => coversCluster(actor?.clusters, c.name)) };
}

/** GET /api/hosts/:address: only memberships in covered clusters. */
export function getHostFor(address: string, actor: Actor | null): HostMembership {
  return getHost(address, (cluster) => coversCluster(actor?.clusters, cluster));
}

/** GET /api/events (every cluster): a cluster-scoped role asks per cluster instead. */
export function getAllEventsFor(actor: Actor | null, search: URLSearchParams): ReturnType<typeof getEvents> {
  if (actor?.clusters != null) {
    throw new ApiError('forbidden', `your role covers only ${actor.clusters.join(', ')}: use /api/clusters/NAME/events`);
  }
  return getEvents(null, search);
}
