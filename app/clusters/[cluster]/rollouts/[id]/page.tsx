import type { Metadata } from 'next';
import { RolloutView } from '@/components/rollout/rollout-view';
import { routeParam, type ParamProps } from '@/components/ui/links';

export async function generateMetadata(props: ParamProps<'cluster' | 'id'>): Promise<Metadata> {
  return { title: `Rollout #${await routeParam(props, 'id')} ${await routeParam(props, 'cluster')}` };
}

export default async function RolloutPage(props: ParamProps<'cluster' | 'id'>) {
  return <RolloutView cluster={await routeParam(props, 'cluster')} id={await routeParam(props, 'id')} />;
}
