import type { ClusterSnapshot, DirectorView, MergedRealServer, MergedService, TrackFileRef } from '@/lib/models/cluster';
import type { Intent } from '@/lib/models/drain';

// Small hand-made snapshots for the drain unit tests: the lab's shape (dir1 master, dir2 backup).

export const NOW = 1_800_000_000_000;

export function director(name: string, o: Partial<DirectorView> = {}): DirectorView {
  return {
    name,
    endpoint: `127.0.0.1:22`,
    live: true,
    takenAt: NOW - 500,
    refreshMs: 400,
    error: null,
    keepalivedRunning: true,
    keepalivedPid: 10,
    instances: [],
    heldVips: [],
    health: { ipForward: true, expireQuiescentTemplate: true, expireNodestConn: false, conntrackCount: 1, conntrackMax: 100 },
    ipvsadmVersion: '1.31',
    ...o,
  };
}

export interface RsSpec {
  key: string;
  weight: number | null;
  /** Per-director weights (null = absent there); default: `weight` on both. */
  on?: Record<string, number | null>;
  forward?: string;
  alive?: boolean | null;
  configured?: number | null;
  trackFile?: TrackFileRef | null;
  active?: number;
  inactive?: number;
  persistent?: number;
}

export function rs(spec: RsSpec, dirs: string[] = ['dir1', 'dir2']): MergedRealServer {
  const m = /^\[?(.*?)\]?:(\d+)$/.exec(spec.key);
  const on = spec.on ?? Object.fromEntries(dirs.map((d) => [d, spec.weight]));
  const perDirector = Object.fromEntries(
    Object.entries(on).map(([d, w]) => [
      d,
      {
        present: w !== null,
        forward: w !== null ? (spec.forward ?? 'Route') : null,
        weight: w,
        activeConns: w !== null ? (spec.active ?? 0) : null,
        inactiveConns: w !== null ? (spec.inactive ?? 0) : null,
        persistentConns: w !== null ? (spec.persistent ?? 0) : null,
      },
    ]),
  );
  return {
    key: spec.key,
    address: m?.[1] ?? spec.key,
    port: Number(m?.[2] ?? 0),
    forward: spec.forward ?? 'Route',
    weight: spec.weight,
    activeConns: spec.active ?? 0,
    inactiveConns: spec.inactive ?? 0,
    persistentConns: spec.persistent ?? 0,
    stats: null,
    rates: null,
    configuredWeight: spec.configured === undefined ? spec.weight : spec.configured,
    checkerAlive: spec.alive === undefined ? true : spec.alive,
    health: spec.alive === false ? 'down' : spec.weight === 0 ? 'drained' : spec.weight === null ? 'unknown' : 'up',
    trackFile: spec.trackFile ?? null,
    perDirector,
    differs: [],
  };
}

export function service(key: string, realServers: MergedRealServer[], o: Partial<MergedService> = {}): MergedService {
  const m = /^(TCP|UDP|SCTP) \[?(.*?)\]?:(\d+)$/.exec(key);
  const fwm = /^FWM (\d+)/.exec(key);
  return {
    key,
    protocol: (m?.[1] as 'TCP' | 'UDP' | 'SCTP' | undefined) ?? 'FWM',
    family: key.includes('[') || key.endsWith('IPv6') ? 'inet6' : 'inet',
    address: m?.[2] ?? null,
    port: m ? Number(m[3]) : null,
    fwmark: fwm ? Number(fwm[1]) : null,
    scheduler: 'wlc',
    flags: [],
    persistent: null,
    pe: null,
    ops: false,
    activeDirector: 'dir1',
    presentOn: ['dir1', 'dir2'],
    stats: null,
    rates: null,
    realServers,
    differs: [],
    ...o,
  };
}

/** The lab's web services: TCP 192.0.2.100:80 (rs1, rs2 at 100), :8080 persistent, NAT 192.0.2.102:80 with rs3 track file. */
export function labSnapshot(o: { services?: MergedService[]; directors?: DirectorView[] } = {}): ClusterSnapshot {
  return {
    name: 'lab',
    takenAt: NOW,
    pollIntervalMs: 2000,
    directors: o.directors ?? [director('dir1'), director('dir2')],
    instances: [],
    findings: [],
    services: o.services ?? [
      service('TCP 192.0.2.100:80', [rs({ key: '192.0.2.11:80', weight: 100 }), rs({ key: '192.0.2.12:80', weight: 100 })]),
      service('TCP 192.0.2.100:8080', [rs({ key: '192.0.2.11:8080', weight: 1 }), rs({ key: '192.0.2.12:8080', weight: 1 })], {
        persistent: { timeout: 300, netmask: '255.255.255.0' },
      }),
      service('TCP 192.0.2.102:80', [
        rs({ key: '198.51.100.13:80', weight: 1, forward: 'Masq', configured: 0, trackFile: { path: '/var/lib/lvs-console/track/rs3-80', multiplier: 1, base: 0 } }),
        rs({ key: '198.51.100.13:8081', weight: 1, forward: 'Masq' }),
        rs({ key: '198.51.100.13:8080', weight: null, on: { dir1: null, dir2: null }, forward: 'Masq', configured: 0, alive: false }),
      ]),
    ],
  };
}

export const DIRECTORS = [
  { name: 'dir1', sudo: true },
  { name: 'dir2', sudo: true },
];

export function intent(o: Partial<Intent> & Pick<Intent, 'service' | 'realServer'>): Intent {
  return {
    id: '1',
    cluster: 'lab',
    kind: 'drain',
    weight: 0,
    restoreWeight: 100,
    mechanism: 'ipvsadm',
    actor: 'alice',
    reason: 'kernel update',
    ticket: null,
    createdAt: NOW - 60_000,
    expiresAt: null,
    onExpiry: null,
    endedAt: null,
    endedBy: null,
    endReason: null,
    ...o,
  };
}
