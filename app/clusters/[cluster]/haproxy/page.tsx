import { HaproxyPools } from '@/components/haproxy/haproxy-pools';
import { routeParam, titleFromParam, type ParamProps } from '@/components/ui/links';

export const generateMetadata = titleFromParam('cluster', (cluster) => `HAProxy ${cluster}`);

export default async function HaproxyPage(props: ParamProps<'cluster'>) {
  return <HaproxyPools cluster={await routeParam(props, 'cluster')} />;
}
