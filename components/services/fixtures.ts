import type { MergedRealServer, MergedService } from '@/lib/models/cluster';

// Hand-made services for tests and benchmarks of the table (not the lab's captured outputs:
// the table is about size and shape, not about parsing).

const HEALTHS = ['up', 'up', 'up', 'up', 'up', 'up', 'up', 'drained', 'down', 'up'] as const;

export function makeRealServer(s: number, r: number, port = 80): MergedRealServer {
  // Documentation range only (2001:db8::/32), one /64 per service: 2001:db8:0:S::R.
  const address = `2001:db8:${Math.floor(s / 250)}:${s % 250}::${r + 10}`;
  const health = HEALTHS[(s + r) % HEALTHS.length] ?? 'up';
  const weight = health === 'drained' || health === 'down' ? 0 : 100;
  const differs = (s * 20 + r) % 97 === 0 ? ['weight'] : [];
  return {
    key: `[${address}]:${port}`,
    address,
    port,
    forward: s % 3 === 0 ? 'Route' : 'Masq',
    weight,
    activeConns: (s * 7 + r * 13) % 300,
    inactiveConns: (s * 3 + r * 5) % 900,
    persistentConns: s % 4 === 0 ? (s + r) % 20 : null,
    stats: { conns: 1000 + s * r, inPkts: 10_000, outPkts: 9_000, inBytes: 1_000_000, outBytes: 20_000_000 },
    rates: { cps: (s + r) % 50, inPps: 100 + r, outPps: 90 + r, inBps: 12_000 + r * 100, outBps: 900_000 + s },
    configuredWeight: health === 'drained' ? 100 : weight,
    checkerAlive: health !== 'down',
    health,
    perDirector: {
      dir1: { present: true, forward: 'Masq', weight, activeConns: 1, inactiveConns: 2, persistentConns: null },
      dir2: { present: true, forward: 'Masq', weight: differs.length ? 100 : weight, activeConns: 0, inactiveConns: 0, persistentConns: null },
    },
    differs,
  };
}

export function makeService(s: number, realServers = 20): MergedService {
  const address = `192.0.${Math.floor(s / 250) + 2}.${s % 250}`;
  const port = 80 + (s % 3) * 363; // 80, 443, 806
  return {
    key: `TCP ${address}:${port}`,
    protocol: 'TCP',
    family: 'inet',
    address,
    port,
    fwmark: null,
    scheduler: ['wlc', 'rr', 'wrr', 'sh'][s % 4] ?? 'wlc',
    flags: s % 5 === 0 ? ['persistent'] : [],
    persistent: s % 5 === 0 ? { timeout: 300, netmask: null } : null,
    pe: null,
    ops: false,
    activeDirector: 'dir1',
    presentOn: ['dir1', 'dir2'],
    stats: null,
    rates: { cps: s % 100, inPps: 2000, outPps: 1800, inBps: 240_000, outBps: 18_000_000 },
    realServers: Array.from({ length: realServers }, (_, r) => makeRealServer(s, r, port)),
    differs: [],
  };
}

export function makeServices(count: number, realServers = 20): MergedService[] {
  return Array.from({ length: count }, (_, s) => makeService(s, realServers));
}
