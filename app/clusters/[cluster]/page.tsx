import type { Metadata } from 'next';
import { preload } from 'react-dom';
import { apiPaths } from '@/lib/api/client';
import { FIRST_SCREEN_SERVICES } from '@/lib/api/queries';
import { ClusterView } from '@/components/clusters/cluster-view';
import { decodeParam } from '@/components/ui/links';
import { serviceCount } from '@/server/read/clusters';

type Props = { params: Promise<{ cluster: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { cluster } = await params;
  return { title: decodeParam(cluster) };
}

export default async function ClusterPage({ params }: Props) {
  const name = decodeParam((await params).cluster);
  // The snapshot is the page: let the browser start fetching it from the <head>, in parallel with
  // the scripts, instead of after hydration. The first query fetch takes the preloaded response.
  // A large cluster's snapshot is megabytes: its first screen (the first services alone) comes
  // first, so the first rows show without waiting for the whole (which replaces it on arrival).
  const firstScreen = serviceCount(name) > FIRST_SCREEN_SERVICES ? FIRST_SCREEN_SERVICES : null;
  if (firstScreen !== null) preload(apiPaths.clusterFirstScreen(name, firstScreen), { as: 'fetch', crossOrigin: 'anonymous' });
  preload(apiPaths.cluster(name), { as: 'fetch', crossOrigin: 'anonymous' });
  return <ClusterView name={name} firstScreen={firstScreen} />;
}
