import { clusterHealth, type ClusterSnapshot, type ClusterSummary, type HostMembership } from '@/lib/models/cluster';
import { canonicalIP } from '@/lib/address';

// Pure reductions of merged snapshots for the overview and host views.

export function summarize(s: ClusterSnapshot): ClusterSummary {
  const counts = { up: 0, drained: 0, down: 0, unknown: 0 };
  for (const svc of s.services) for (const rs of svc.realServers) counts[rs.health]++;
  return {
    name: s.name,
    takenAt: s.takenAt,
    health: clusterHealth(s.findings),
    directors: s.directors.map((d) => ({
      name: d.name,
      live: d.live,
      takenAt: d.takenAt,
      error: d.error ? `${d.error.code}: ${d.error.message}` : null,
    })),
    instances: s.instances.map((i) => ({ name: i.name, master: i.master, vips: i.vips, masterSince: i.masterSince })),
    serviceCount: s.services.length,
    realServers: counts,
    findings: s.findings,
  };
}

/** Every service, in every cluster, that has `address` as a real server. */
export function hostMembership(address: string, snapshots: readonly ClusterSnapshot[]): HostMembership {
  const want = canonicalIP(address);
  const entries: HostMembership['entries'] = [];
  for (const s of snapshots) {
    for (const svc of s.services) {
      for (const rs of svc.realServers) {
        if (canonicalIP(rs.address) === want) entries.push({ cluster: s.name, service: svc.key, realServer: rs, activeDirector: svc.activeDirector });
      }
    }
  }
  return { address: want, names: [], entries };
}
