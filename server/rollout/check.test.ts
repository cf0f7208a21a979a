import { describe, expect, it } from 'vitest';
import type { IpvsService } from '@/lib/models/ipvsadm';
import type { RolloutServer } from '@/lib/models/rollout';
import type { DirectorObservation } from '@/server/collector/observation';
import { checkHost, connectionGrowth, hostCounters } from './check';

const SERVERS: RolloutServer[] = [
  { service: 'TCP 192.0.2.100:80', realServer: '192.0.2.11:80', restoreWeight: 100 },
  { service: 'TCP 192.0.2.100:8080', realServer: '192.0.2.11:8080', restoreWeight: 100 },
];

function svc(port: number, conns: Record<string, number>): IpvsService {
  return {
    protocol: 'TCP', family: 'inet', address: '192.0.2.100', port, fwmark: null, scheduler: 'wlc', flags: [], persistent: null, pe: null, ops: false, stats: null, rates: null, approximate: false,
    realServers: Object.entries(conns).map(([a, n]) => ({
      address: a, port, forward: 'route', weight: 100, activeConns: 0, inactiveConns: 0, persistentConns: 0, upperThreshold: null, lowerThreshold: null,
      stats: { conns: n, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 }, rates: null, approximate: false,
    })),
  };
}

function obs(name: string, services: IpvsService[], alive = true): DirectorObservation {
  return {
    name, endpoint: '127.0.0.1:22', error: null,
    data: {
      takenAt: 10, durationMs: 1, ipvsadmVersion: null, services, addresses: [], keepalivedPid: 1, vrrp: null, keepalivedDumpAt: 10, health: null,
      checkers: [{ service: 'TCP 192.0.2.100:80', realServer: '192.0.2.11:80', alive, configuredWeight: 100 }],
    },
  };
}

describe('hostCounters', () => {
  it('sums the host\'s servers per director, leaving out other real servers and directors that show none', () => {
    const o = [
      obs('dir1', [svc(80, { '192.0.2.11': 5, '192.0.2.12': 900 }), svc(8080, { '192.0.2.11': 2 })]),
      obs('dir2', [svc(80, { '192.0.2.12': 1 })]),
    ];
    expect(hostCounters(o, SERVERS)).toEqual({ dir1: 7 });
  });
});

describe('connectionGrowth', () => {
  it('adds the growth of each director in the baseline; a fall (services re-created) is not growth', () => {
    expect(connectionGrowth({ dir1: 10, dir2: 3 }, { dir1: 12, dir2: 4 })).toBe(3);
    expect(connectionGrowth({ dir1: 10 }, { dir1: 2, dir2: 50 })).toBe(0);
  });
});

describe('checkHost', () => {
  const opts = { since: 5, newConnections: true };

  it('passes when keepalived says up and the counters grew on the director the traffic now goes through', () => {
    const c = checkHost([obs('dir1', [svc(80, { '192.0.2.11': 10 })]), obs('dir2', [svc(80, { '192.0.2.11': 6 })])], SERVERS, { ...opts, baseline: { dir1: 10, dir2: 3 } });
    expect(c).toMatchObject({ ok: true, passed: ["keepalived's checkers say up on dir1, dir2", 'new connections reach it (3 since the restore)'] });
  });

  it('names the counters while none grew, and re-bases a director whose counters went back or that is new', () => {
    const c = checkHost([obs('dir1', [svc(80, { '192.0.2.11': 0 })]), obs('dir2', [svc(80, { '192.0.2.11': 3 })])], SERVERS, { ...opts, baseline: { dir1: 10 } });
    expect(c.ok).toBe(false);
    expect(c.waiting).toEqual(['new connections (none since the restore: counters dir1 0, dir2 3)']);
    expect(c.baseline).toEqual({ dir1: 0, dir2: 3 });
    // After the re-base, the re-created service's first connection counts.
    expect(checkHost([obs('dir1', [svc(80, { '192.0.2.11': 1 })]), obs('dir2', [svc(80, { '192.0.2.11': 3 })])], SERVERS, { ...opts, baseline: c.baseline }).ok).toBe(true);
  });

  it('waits for a first reading, for a fresh dump, and reports a checker that says down', () => {
    expect(checkHost([obs('dir1', [svc(80, { '192.0.2.11': 1 })])], SERVERS, { ...opts, baseline: {} }).waiting).toEqual(['a first reading of its connection counters']);
    const stale = obs('dir2', [svc(80, { '192.0.2.11': 9 })]);
    if (stale.data) stale.data.keepalivedDumpAt = 1;
    expect(checkHost([stale], SERVERS, { ...opts, baseline: { dir2: 1 } }).waiting).toEqual(['a keepalived dump of dir2 taken after the restore']);
    expect(checkHost([obs('dir1', [svc(80, { '192.0.2.11': 9 })], false)], SERVERS, { ...opts, baseline: { dir1: 1 } }).waiting).toEqual(['keepalived on dir1 says 192.0.2.11:80 in TCP 192.0.2.100:80 is down']);
    expect(checkHost([obs('dir1', [])], SERVERS, { ...opts, baseline: {} }).waiting).toEqual(['connection counters (no director shows its servers)']);
  });

  it('without the new-connections condition, keepalived\'s word is enough', () => {
    expect(checkHost([obs('dir1', [])], SERVERS, { since: 5, newConnections: false, baseline: {} })).toMatchObject({ ok: true, waiting: [] });
  });
});
