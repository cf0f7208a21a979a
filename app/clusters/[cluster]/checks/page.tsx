import { ClusterChecks } from '@/components/diagnostics/cluster-checks';
import { routeParam, titleFromParam, type ParamProps } from '@/components/ui/links';

export const generateMetadata = titleFromParam('cluster', (cluster) => `Check ${cluster}`);

export default async function ClusterChecksPage(props: ParamProps<'cluster'>) {
  return <ClusterChecks cluster={await routeParam(props, 'cluster')} />;
}
