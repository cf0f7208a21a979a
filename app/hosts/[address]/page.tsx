import type { Metadata } from 'next';
import { HostView } from '@/components/hosts/host-view';
import { decodeParam } from '@/components/ui/links';

type Props = { params: Promise<{ address: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { address } = await params;
  return { title: decodeParam(address) };
}

export default async function HostPage({ params }: Props) {
  const { address } = await params;
  return <HostView address={decodeParam(address)} />;
}
