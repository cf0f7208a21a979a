import { ClusterOverview } from '@/components/clusters/cluster-overview';

export default function OverviewPage() {
  return <ClusterOverview />;
}
