import { describe, expect, it } from 'vitest';
import { z } from 'zod/mini';
import { ClusterSnapshot, type MergedRealServer, type MergedService } from './cluster';
import { CompactClusterSnapshot, REAL_SERVER_COLUMNS, decodeRealServer, encodeCompactSnapshot, encodeRealServer } from './compact-snapshot';

const on = (weight: number | null, present = true) => ({ present, forward: present ? 'Masq' : null, weight, activeConns: 1, inactiveConns: 2, persistentConns: 0 });

function rs(key: string, address: string, port: number, over: Partial<MergedRealServer> = {}): MergedRealServer {
  return {
    key, address, port, forward: 'Masq', weight: 100, activeConns: 7, inactiveConns: 12, persistentConns: 3,
    stats: { conns: 123456789012, inPkts: 5, outPkts: 6, inBytes: 7.5e12, outBytes: 0 },
    rates: { cps: 0.5, inPps: 3, outPps: 2, inBps: 1200, outBps: 0 },
    configuredWeight: 100, checkerAlive: true, health: 'up',
    perDirector: { dir1: on(100), dir2: on(100) }, differs: [], ...over,
  };
}

function service(key: string, realServers: MergedRealServer[], over: Partial<MergedService> = {}): MergedService {
  return {
    key, protocol: 'TCP', family: 'inet', address: '192.0.2.100', port: 80, fwmark: null, scheduler: 'wlc', flags: ['persistent'],
    persistent: { timeout: 300, netmask: null }, pe: null, ops: false, activeDirector: 'dir1', presentOn: ['dir1', 'dir2'],
    stats: null, rates: null, realServers, differs: [], ...over,
  };
}

// Every kind of value a real server can carry: IPv6, nulls for an absent director's figures, a
// hold, a track file (present, null and absent), directors that disagree (perDirector kept).
const SNAP: ClusterSnapshot = {
  name: 'lab', takenAt: 1_800_000_000_000, pollIntervalMs: 2000, directors: [], instances: [],
  findings: [{ id: 'f1', kind: 'directors-disagree', severity: 'warning', message: 'weights differ', director: null, service: 'TCP 192.0.2.100:80', realServer: '192.0.2.12:80', since: 1 }],
  services: [
    service('TCP 192.0.2.100:80', [
      rs('192.0.2.11:80', '192.0.2.11', 80),
      rs('192.0.2.12:80', '192.0.2.12', 80, {
        weight: 0, health: 'drained', differs: ['weight'], perDirector: { dir1: on(0), dir2: on(100) },
        hold: { intentId: 'i-1', kind: 'drain', weight: 0, mechanism: 'ipvsadm', actor: 'alice', reason: 'kernel update', createdAt: 5, expiresAt: null },
        trackFile: null,
      }),
      rs('192.0.2.13:80', '192.0.2.13', 80, {
        forward: null, weight: null, activeConns: null, inactiveConns: null, persistentConns: null, stats: null, rates: null,
        configuredWeight: null, checkerAlive: null, health: 'unknown', hold: null,
        trackFile: { path: '/var/lib/lvs-console/track/rs3-80', multiplier: 100, base: 0 },
        perDirector: { dir1: on(null, false), dir2: on(100) }, differs: ['present'],
      }),
    ]),
    service('TCP [2001:db8::1]:80', [rs('[2001:db8::11]:80', '2001:db8::11', 80, { checkerAlive: false, health: 'down' })], { family: 'inet6', address: '2001:db8::1' }),
    service('FWM 1', [], { protocol: 'FWM', address: null, port: null, fwmark: 1 }),
  ],
};

/** What the browser gets from the full form: the wire shape (perDirector left out where they agree), parsed. */
function fullForm(s: ClusterSnapshot): ClusterSnapshot {
  const wire = {
    ...s,
    services: s.services.map((svc) => ({
      ...svc,
      realServers: svc.realServers.map(({ perDirector, ...rest }) => (rest.differs.length > 0 ? { ...rest, perDirector } : rest)),
    })),
  };
  return ClusterSnapshot.parse(JSON.parse(JSON.stringify(wire)));
}

const decode = (wire: unknown) => z.parse(CompactClusterSnapshot, JSON.parse(JSON.stringify(wire)));

describe('the rows form of a cluster snapshot', () => {
  it('decodes to exactly what the full form parses to', () => {
    expect(decode(encodeCompactSnapshot(SNAP))).toEqual(fullForm(SNAP));
    const cut = { ...SNAP, services: SNAP.services.slice(0, 1), servicesTotal: 3 };
    expect(decode(encodeCompactSnapshot(cut))).toEqual(fullForm(cut));
  });

  it('keeps absent and null apart for the track file and the hold', () => {
    const [a, b, c] = decode(encodeCompactSnapshot(SNAP)).services[0]?.realServers ?? [];
    expect(a).not.toHaveProperty('trackFile');
    expect(a).not.toHaveProperty('hold');
    expect(b?.trackFile).toBeNull();
    expect(b?.hold?.actor).toBe('alice');
    expect(c?.hold).toBeNull();
    expect(c?.trackFile?.path).toBe('/var/lib/lvs-console/track/rs3-80');
  });

  it('is much smaller than the full form at size', () => {
    const big: ClusterSnapshot = {
      ...SNAP,
      services: Array.from({ length: 50 }, (_, i) =>
        service(`TCP 192.0.2.${i}:80`, Array.from({ length: 20 }, (_, j) => rs(`198.51.100.${j}:80`, `198.51.100.${j}`, 80)), { address: `192.0.2.${i}` }),
      ),
    };
    const full = JSON.stringify(fullForm(big)).length;
    const rows = JSON.stringify(encodeCompactSnapshot(big)).length;
    expect(rows).toBeLessThan(full * 0.6);
  });

  it('refuses a bad row, naming its place and column', () => {
    const row = () => encodeRealServer(rs('192.0.2.11:80', '192.0.2.11', 80));
    const cases: [(r: unknown[]) => unknown, RegExp][] = [
      [(r) => r.slice(1), /expected a row of 17 columns/],
      [(r) => ((r[4] = 1.5), r), /column 4 \(weight\): expected an integer/],
      [(r) => ((r[2] = '80'), r), /column 2 \(port\)/],
      [(r) => ((r[8] = [1, 2, 3]), r), /column 8 \(stats\): expected null or 5 figures/],
      [(r) => ((r[9] = [1, 2, 3, 4, -5]), r), /column 9 \(rates\): expected 5 non-negative figures/],
      [(r) => ((r[11] = 'yes'), r), /column 11 \(checkerAlive\)/],
      [(r) => ((r[12] = 'sleeping'), r), /column 12 \(health\): expected up, drained, down, unknown/],
      [(r) => ((r[14] = { intentId: 1 }), r), /column 14 \(hold\)/],
      [(r) => ((r[15] = { dir1: 'x' }), r), /column 15 \(perDirector\)/],
      [(r) => ((r[16] = [1]), r), /column 16 \(differs\)/],
    ];
    for (const [spoil, message] of cases) {
      expect(() => decodeRealServer(spoil(row()), 'services[0].realServers[0]'), String(message)).toThrow(message);
    }
    expect(REAL_SERVER_COLUMNS).toHaveLength(17);
  });

  it('fails the whole answer on one bad row, with the row named, and on the full form sent instead', () => {
    const wire = encodeCompactSnapshot(SNAP) as { services: { realServers: unknown[][] }[] };
    (wire.services[1]?.realServers[0] as unknown[])[12] = 'sleeping';
    const r = z.safeParse(CompactClusterSnapshot, wire);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/services\[1\]\.realServers\[0\] column 12 \(health\)/);
    expect(z.safeParse(CompactClusterSnapshot, fullForm(SNAP)).success).toBe(false);
  });
});
