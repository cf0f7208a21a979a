import type { Metadata } from 'next';
import { ClusterView } from '@/components/clusters/cluster-view';
import { decodeParam } from '@/components/ui/links';

type Props = { params: Promise<{ cluster: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { cluster } = await params;
  return { title: decodeParam(cluster) };
}

export default async function ClusterPage({ params }: Props) {
  const { cluster } = await params;
  return <ClusterView name={decodeParam(cluster)} />;
}
