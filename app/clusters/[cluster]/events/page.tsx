import { TimelineView } from '@/components/events/timeline-view';
import { ClusterBreadcrumb } from '@/components/ui/breadcrumb';
import { routeParam, titleFromParam, type ParamProps } from '@/components/ui/links';

export const generateMetadata = titleFromParam('cluster', (cluster) => `${cluster} timeline`);

export default async function ClusterEventsPage(props: ParamProps<'cluster'>) {
  const name = await routeParam(props, 'cluster');
  return (
    <div>
      <ClusterBreadcrumb cluster={name} page="Timeline" />
      <TimelineView cluster={name} title={`Timeline: ${name}`} />
    </div>
  );
}
