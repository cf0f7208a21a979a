import { ClusterOverview } from '@/components/clusters/cluster-overview';
import { OVERVIEW_VIEW_PARAM, parseOverviewView } from '@/lib/overview-health';

export default async function OverviewPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  return <ClusterOverview view={parseOverviewView((await searchParams)[OVERVIEW_VIEW_PARAM])} />;
}
