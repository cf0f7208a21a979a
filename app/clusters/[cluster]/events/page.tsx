import type { Metadata } from 'next';
import { TimelineView } from '@/components/events/timeline-view';
import { ClusterBreadcrumb } from '@/components/ui/breadcrumb';
import { decodeParam } from '@/components/ui/links';

type Props = { params: Promise<{ cluster: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { cluster } = await params;
  return { title: `${decodeParam(cluster)} timeline` };
}

export default async function ClusterEventsPage({ params }: Props) {
  const { cluster } = await params;
  const name = decodeParam(cluster);
  return (
    <div>
      <ClusterBreadcrumb cluster={name} page="Timeline" />
      <TimelineView cluster={name} title={`Timeline: ${name}`} />
    </div>
  );
}
