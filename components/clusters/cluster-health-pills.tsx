import type { ClusterHealth } from '@/lib/models/cluster';
import { StatusPill } from '@/components/ui/status-pill';
import { CLUSTER_HEALTH } from '@/components/ui/tones';

/** A cluster's health pill, and a "stale" pill when its snapshot is older than it should be. */
export function ClusterHealthPills({ health, stale }: { health: ClusterHealth; stale: boolean }) {
  const h = CLUSTER_HEALTH[health];
  return (
    <>
      <StatusPill tone={h.tone} data-testid="cluster-health">
        {h.label}
      </StatusPill>
      {stale ? (
        <StatusPill tone="warning" data-testid="cluster-stale">
          stale
        </StatusPill>
      ) : null}
    </>
  );
}
