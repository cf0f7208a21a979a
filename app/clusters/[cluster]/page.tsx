import type { Metadata } from 'next';
import { preload } from 'react-dom';
import { apiPaths } from '@/lib/api/client';
import { ClusterView } from '@/components/clusters/cluster-view';
import { decodeParam } from '@/components/ui/links';

type Props = { params: Promise<{ cluster: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { cluster } = await params;
  return { title: decodeParam(cluster) };
}

export default async function ClusterPage({ params }: Props) {
  const { cluster } = await params;
  // The snapshot is the page: let the browser start fetching it from the <head>, in parallel with
  // the scripts, instead of after hydration. The first query fetch takes the preloaded response.
  preload(apiPaths.cluster(decodeParam(cluster)), { as: 'fetch', crossOrigin: 'anonymous' });
  return <ClusterView name={decodeParam(cluster)} />;
}
