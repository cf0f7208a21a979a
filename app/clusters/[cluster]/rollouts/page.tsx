import { RolloutsPage } from '@/components/rollout/rollout-list';
import { routeParam, titleFromParam, type ParamProps } from '@/components/ui/links';

export const generateMetadata = titleFromParam('cluster', (cluster) => `Rollouts ${cluster}`);

export default async function ClusterRolloutsPage(props: ParamProps<'cluster'>) {
  return <RolloutsPage cluster={await routeParam(props, 'cluster')} />;
}
