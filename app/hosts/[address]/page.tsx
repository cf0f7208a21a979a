import { HostView } from '@/components/hosts/host-view';
import { routeParam, titleFromParam, type ParamProps } from '@/components/ui/links';

export const generateMetadata = titleFromParam('address', (address) => address);

export default async function HostPage(props: ParamProps<'address'>) {
  return <HostView address={await routeParam(props, 'address')} />;
}
