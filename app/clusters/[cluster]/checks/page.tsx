import type { Metadata } from 'next';
import { ClusterChecks } from '@/components/diagnostics/cluster-checks';
import { decodeParam } from '@/components/ui/links';

type Props = { params: Promise<{ cluster: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { cluster } = await params;
  return { title: `Check ${decodeParam(cluster)}` };
}

export default async function ClusterChecksPage({ params }: Props) {
  const { cluster } = await params;
  return <ClusterChecks cluster={decodeParam(cluster)} />;
}
