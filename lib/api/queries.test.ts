import { describe, expect, it } from 'vitest';
import type { ClusterSnapshot } from '@/lib/models/cluster';
import { makeServices } from '@/components/services/fixtures';
import { clusterKeys, hostKeys, isSnapshotStale, seriesPoints, shareSnapshot } from './queries';

function snapshot(services: ClusterSnapshot['services'], takenAt = 1): ClusterSnapshot {
  return { name: 'lab', takenAt, pollIntervalMs: 2000, directors: [], instances: [], services, findings: [] };
}

describe('query keys', () => {
  it('nest history under its cluster so invalidating a cluster reaches its sparklines', () => {
    expect(clusterKeys.history({ cluster: 'lab', service: 'TCP 192.0.2.100:80' }).slice(0, 3)).toEqual(clusterKeys.detail('lab'));
    expect(clusterKeys.list()).toEqual(['clusters', 'list']);
    expect(hostKeys.detail('2001:db8::11')).toEqual(['hosts', 'detail', '2001:db8::11']);
  });
});

describe('shareSnapshot', () => {
  it('keeps unchanged services and real servers as the same objects (small clusters)', () => {
    const a = snapshot(makeServices(3, 2));
    const b = structuredClone(a);
    b.takenAt = 2;
    const rs = b.services[1]?.realServers[0];
    if (rs) rs.activeConns = 999;
    const shared = shareSnapshot(a, b) as ClusterSnapshot;
    expect(shared).toEqual(b);
    expect(shared.services[0]).toBe(a.services[0]);
    expect(shared.services[1]).not.toBe(a.services[1]);
    expect(shared.services[1]?.realServers[1]).toBe(a.services[1]?.realServers[1]);
  });

  it('shares only directors, instances and findings for very large clusters, and stays equal', () => {
    const a = snapshot(makeServices(110, 20));
    const b = structuredClone(a);
    const shared = shareSnapshot(a, b) as ClusterSnapshot;
    expect(shared).toEqual(b);
    expect(shared.services).toBe(b.services);
    expect(shared.directors).toBe(a.directors);
  });
});

describe('staleness and series', () => {
  it('is stale after three poll intervals', () => {
    expect(isSnapshotStale({ takenAt: 0, pollIntervalMs: 2000 }, 6000)).toBe(false);
    expect(isSnapshotStale({ takenAt: 0, pollIntervalMs: 2000 }, 6001)).toBe(true);
  });
  it('picks the requested series', () => {
    const point = { t: 1, activeConns: 1, inactiveConns: 0, cps: 1, inPps: 1, outPps: 1, inBps: 1, outBps: 1 };
    const response = {
      from: 0,
      to: 1,
      series: [
        { cluster: 'lab', service: 'S', realServer: null, points: [point] },
        { cluster: 'lab', service: 'S', realServer: 'R', points: [point, point] },
      ],
    };
    expect(seriesPoints(response, 'S', 'R')).toHaveLength(2);
    expect(seriesPoints(response, 'S', null)).toHaveLength(1);
    expect(seriesPoints(response, 'S', 'other')).toEqual([]);
  });
});
