import type { ClusterInstance } from '@/lib/models/cluster';
import { ClockAndAge } from '@/components/ui/relative-time';
import { StatusPill } from '@/components/ui/status-pill';
import { Table, Td, Th, Tr } from '@/components/ui/table';
import { vrrpTone } from '@/components/ui/tones';

// VRRP instances across the cluster: who holds the VIPs (the ground truth from `ip addr`), since
// when, and each director's own claim. Two holders is split brain; none is no master.

export function InstancesPanel({ instances, directors }: { instances: readonly ClusterInstance[]; directors: readonly string[] }) {
  if (instances.length === 0) return <p className="text-sm text-muted">No VRRP instances reported by any director.</p>;
  return (
    <Table aria-label="VRRP instances" data-testid="instances-table">
      <thead>
        <tr>
          <Th>Instance</Th>
          <Th>Master (holds the VIPs)</Th>
          <Th>Since</Th>
          <Th>VIPs</Th>
          {directors.map((d) => (
            <Th key={d} className="font-mono">
              {d}
            </Th>
          ))}
        </tr>
      </thead>
      <tbody>
        {instances.map((instance) => {
          const splitBrain = instance.holders.length > 1;
          return (
            <Tr key={instance.name} data-testid={`instance-row-${instance.name}`} aria-label={instance.name}>
              <Td className="font-mono text-xs">{instance.name}</Td>
              <Td>
                {splitBrain ? (
                  <span data-testid={`master-${instance.name}`} data-split-brain="true">
                    <StatusPill tone="critical">split brain: {instance.holders.join(' and ')}</StatusPill>
                  </span>
                ) : instance.master ? (
                  <span data-testid={`master-${instance.name}`} className="font-semibold">
                    {instance.master}
                  </span>
                ) : (
                  <span data-testid={`master-${instance.name}`}>
                    <StatusPill tone="critical">no master</StatusPill>
                  </span>
                )}
              </Td>
              <Td className="whitespace-nowrap text-xs">
                {instance.master && instance.masterSince ? <ClockAndAge at={instance.masterSince} /> : <span className="text-faint">—</span>}
              </Td>
              <Td className="font-mono text-xs">{instance.vips.join(', ') || '—'}</Td>
              {directors.map((d) => {
                const state = instance.states[d];
                return (
                  <Td key={d} data-testid={`vrrp-state-${instance.name}-${d}`}>
                    {state ? (
                      <StatusPill tone={vrrpTone(state)} plain>
                        {state}
                      </StatusPill>
                    ) : (
                      <span className="text-faint">—</span>
                    )}
                  </Td>
                );
              })}
            </Tr>
          );
        })}
      </tbody>
    </Table>
  );
}
