import type { ClusterSnapshot } from '@/lib/models/cluster';
import type { IpvsRates } from '@/lib/models/ipvsadm';

/** A merged snapshot of cluster 'lab': one DR service (192.0.2.100:80) with one real server (192.0.2.11:80), both at `rates`. */
export function oneServiceSnapshot(t: number, active: number, rates: IpvsRates): ClusterSnapshot {
  return {
    name: 'lab', takenAt: t, pollIntervalMs: 2000, directors: [], instances: [], findings: [],
    services: [{
      key: 'TCP 192.0.2.100:80', protocol: 'TCP', family: 'inet', address: '192.0.2.100', port: 80, fwmark: null,
      scheduler: 'wlc', flags: [], persistent: null, pe: null, ops: false, activeDirector: 'dir1', presentOn: ['dir1'],
      stats: null, rates, differs: [],
      realServers: [{
        key: '192.0.2.11:80', address: '192.0.2.11', port: 80, forward: 'Route', weight: 1, activeConns: active,
        inactiveConns: 1, persistentConns: 0, stats: null, rates, configuredWeight: null, checkerAlive: null,
        health: 'up', perDirector: {}, differs: [],
      }],
    }],
  };
}
