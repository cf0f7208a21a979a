import type { Metadata } from 'next';
import { HaproxyPools } from '@/components/haproxy/haproxy-pools';
import { decodeParam } from '@/components/ui/links';

type Props = { params: Promise<{ cluster: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { cluster } = await params;
  return { title: `HAProxy ${decodeParam(cluster)}` };
}

export default async function HaproxyPage({ params }: Props) {
  const { cluster } = await params;
  return <HaproxyPools cluster={decodeParam(cluster)} />;
}
