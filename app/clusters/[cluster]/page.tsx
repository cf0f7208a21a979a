import { preload } from 'react-dom';
import { apiPaths } from '@/lib/api/client';
import { coversCluster } from '@/lib/models/auth';
import { ClusterView } from '@/components/clusters/cluster-view';
import { routeParam, titleFromParam, type ParamProps } from '@/components/ui/links';
import { currentUser } from '@/server/api/page-actor';
import { firstScreenSnapshot } from '@/server/api/read/clusters';

export const generateMetadata = titleFromParam('cluster', (cluster) => cluster);

export default async function ClusterPage(props: ParamProps<'cluster'>) {
  const name = await routeParam(props, 'cluster');
  // The snapshot is the page: let the browser start fetching it from the <head>, in parallel with
  // the scripts, instead of after hydration. The first query fetch takes the preloaded response.
  preload(apiPaths.clusterRows(name), { as: 'fetch', crossOrigin: 'anonymous' });
  // A large cluster's snapshot is megabytes: its first screen (the first services alone) is
  // rendered into this HTML, so the first rows show before any script runs; the full snapshot
  // replaces it on arrival. Only for someone who may see this cluster (as the API would check).
  const me = await currentUser();
  const firstScreen = me && coversCluster(me.clusters, name) ? firstScreenSnapshot(name) : null;
  return <ClusterView name={name} firstScreen={firstScreen} />;
}
