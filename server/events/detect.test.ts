import { describe, expect, it } from 'vitest';
import type { ClusterInstance, ClusterSnapshot, DirectorView, Finding, MergedRealServer, RealServerHealth } from '@/lib/models/cluster';
import { detectEvents, missedTransitionsSince, rememberMasters } from './detect';

// Hand-built snapshots: only the fields detection reads are meaningful.

const T0 = 1_790_000_000_000;

function director(name: string, o: Partial<DirectorView> = {}): DirectorView {
  return {
    name, endpoint: `${name}:22`, live: true, takenAt: T0, refreshMs: 100, error: null, keepalivedRunning: true, keepalivedPid: 1,
    instances: [], heldVips: [], health: null, ipvsadmVersion: null, ...o,
  };
}

function instance(name: string, holders: string[], o: Partial<ClusterInstance> = {}): ClusterInstance {
  return { name, vips: ['192.0.2.100'], master: holders.length === 1 ? (holders[0] ?? null) : null, holders, masterSince: null, states: {}, ...o };
}

function rs(key: string, health: RealServerHealth, checkerAlive: boolean | null = null): MergedRealServer {
  return {
    key, address: key.split(':')[0] ?? key, port: 80, forward: 'Route', weight: 1, activeConns: 0, inactiveConns: 0, persistentConns: 0,
    stats: null, rates: null, configuredWeight: 1, checkerAlive, health, perDirector: {}, differs: [],
  };
}

function snap(t: number, o: { directors?: DirectorView[]; instances?: ClusterInstance[]; rs?: MergedRealServer[]; findings?: Finding[] } = {}): ClusterSnapshot {
  return {
    name: 'lab', takenAt: t, pollIntervalMs: 2000,
    directors: o.directors ?? [director('dir1'), director('dir2')],
    instances: o.instances ?? [instance('VI_1', ['dir1'])],
    services: [{
      key: 'TCP 192.0.2.100:80', protocol: 'TCP', family: 'inet', address: '192.0.2.100', port: 80, fwmark: null, scheduler: 'wlc', flags: [],
      persistent: null, pe: null, ops: false, activeDirector: 'dir1', presentOn: ['dir1', 'dir2'], stats: null, rates: null, differs: [],
      realServers: o.rs ?? [rs('192.0.2.11:80', 'up', true)],
    }],
    findings: o.findings ?? [],
  };
}

function finding(id: string, since: number): Finding {
  const kind = id.split(':')[0] as Finding['kind'];
  return { id, kind, severity: 'critical', message: id, director: null, service: null, realServer: null, since };
}

const T1 = T0 + 2000;

const onDirector = (present: boolean) => ({ present, forward: present ? ('Route' as const) : null, weight: present ? 1 : null, activeConns: null, inactiveConns: null, persistentConns: null });
/** Absent from the active director dir1 (still on dir2), or present on both. */
const gone = { dir1: onDirector(false), dir2: onDirector(true) };
const here = { dir1: onDirector(true), dir2: onDirector(true) };

describe('detectEvents', () => {
  it('reports nothing without a previous snapshot or without change', () => {
    expect(detectEvents(null, snap(T0))).toEqual([]);
    expect(detectEvents(snap(T0), snap(T1))).toEqual([]);
  });

  const cases: { name: string; prev: ClusterSnapshot; next: ClusterSnapshot; lastMasters?: Map<string, string>; expected: Record<string, unknown>[] }[] = [
    {
      name: 'failover dir1 -> dir2, timed by keepalived on the new master',
      prev: snap(T0),
      next: snap(T1, { instances: [instance('VI_1', ['dir2'], { masterSince: T1 - 700 })] }),
      expected: [{ kind: 'failover', instance: 'VI_1', fromMaster: 'dir1', toMaster: 'dir2', director: 'dir2', at: T1 - 700, endedAt: null }],
    },
    {
      name: 'failover with a stale keepalived transition time falls back to the observation time',
      prev: snap(T0),
      next: snap(T1, { instances: [instance('VI_1', ['dir2'], { masterSince: T0 - 3_600_000 })] }),
      expected: [{ kind: 'failover', fromMaster: 'dir1', toMaster: 'dir2', at: T1 }],
    },
    {
      name: 'failover whose keepalived dump predates what the new master last showed (an older transition) is timed by observation',
      prev: snap(T0, { directors: [director('dir1'), director('dir2', { takenAt: T0 - 100 })] }),
      next: snap(T1, { instances: [instance('VI_1', ['dir2'], { masterSince: T0 - 5000 })] }),
      expected: [{ kind: 'failover', fromMaster: 'dir1', toMaster: 'dir2', at: T1 }],
    },
    {
      name: 'no-master gap starts (timed by the finding)',
      prev: snap(T0),
      next: snap(T1, { instances: [instance('VI_1', [])], findings: [finding('no-master:VI_1', T0 + 500)] }),
      expected: [{ kind: 'no-master', instance: 'VI_1', fromMaster: 'dir1', at: T0 + 500, endedAt: null, durationMs: null }],
    },
    {
      name: 'no-master gap ends on another director: gap closed with its length, and a failover across it',
      prev: snap(T1, { instances: [instance('VI_1', [])], findings: [finding('no-master:VI_1', T0 + 500)] }),
      next: snap(T1 + 2000, { instances: [instance('VI_1', ['dir2'])] }),
      lastMasters: new Map([['VI_1', 'dir1']]),
      expected: [
        { kind: 'failover', fromMaster: 'dir1', toMaster: 'dir2', at: T1 + 2000 },
        { kind: 'no-master', instance: 'VI_1', toMaster: 'dir2', at: T0 + 500, endedAt: T1 + 2000, durationMs: 3500 },
      ],
    },
    {
      name: 'no-master gap ends on the same master: no failover',
      prev: snap(T1, { instances: [instance('VI_1', [])], findings: [finding('no-master:VI_1', T1)] }),
      next: snap(T1 + 2000),
      lastMasters: new Map([['VI_1', 'dir1']]),
      expected: [{ kind: 'no-master', at: T1, endedAt: T1 + 2000, durationMs: 2000 }],
    },
    {
      name: 'start-up: the first master out of a gap with no master known before is an initial election, not a failover',
      prev: snap(T1, { instances: [instance('VI_1', [])], findings: [finding('no-master:VI_1', T0)] }),
      next: snap(T1 + 2000, { instances: [instance('VI_1', ['dir1'], { masterSince: T1 + 1500 })] }),
      expected: [
        { kind: 'initial-election', instance: 'VI_1', director: 'dir1', fromMaster: null, toMaster: 'dir1', fromState: null, toState: 'MASTER', at: T1 + 1500, cause: null },
        { kind: 'no-master', instance: 'VI_1', toMaster: 'dir1', at: T0, endedAt: T1 + 2000 },
      ],
    },
    {
      name: 'split brain starts',
      prev: snap(T0),
      next: snap(T1, { instances: [instance('VI_1', ['dir1', 'dir2'])], findings: [finding('split-brain:VI_1', T1)] }),
      expected: [{ kind: 'split-brain', instance: 'VI_1', at: T1, endedAt: null, cause: 'dir1 and dir2 all hold 192.0.2.100' }],
    },
    {
      name: 'split brain ends with dir2 alone: closed, and a failover from unknown to dir2',
      prev: snap(T1, { instances: [instance('VI_1', ['dir1', 'dir2'])], findings: [finding('split-brain:VI_1', T0)] }),
      next: snap(T1 + 1000, { instances: [instance('VI_1', ['dir2'])] }),
      lastMasters: new Map([['VI_1', 'dir1']]),
      expected: [
        { kind: 'failover', fromMaster: null, toMaster: 'dir2' },
        { kind: 'split-brain', at: T0, endedAt: T1 + 1000, durationMs: 3000, toMaster: 'dir2' },
      ],
    },
    {
      name: 'director becomes unreachable, with its error',
      prev: snap(T0),
      next: snap(T1, {
        directors: [director('dir1'), director('dir2', { live: false, error: { code: 'command-timeout', message: 'no answer', since: T0 + 900 } })],
        findings: [finding('director-unreachable:dir2', T0 + 900)],
      }),
      expected: [{ kind: 'director-unreachable', director: 'dir2', at: T0 + 900, cause: 'command-timeout: no answer', endedAt: null }],
    },
    {
      name: 'director reachable again: outage closed and a reachable event',
      prev: snap(T1, { directors: [director('dir1'), director('dir2', { live: false })], findings: [finding('director-unreachable:dir2', T0)] }),
      next: snap(T1 + 4000, { directors: [director('dir1'), director('dir2', { takenAt: T1 + 3900 })] }),
      expected: [
        { kind: 'director-unreachable', director: 'dir2', at: T0, endedAt: T1 + 4000, durationMs: 6000 },
        { kind: 'director-reachable', director: 'dir2', at: T1 + 3900 },
      ],
    },
    {
      name: 'keepalived stops on dir1 (VIP left behind) and keepalived reports FAULT -> gone',
      prev: snap(T0, { directors: [director('dir1', { instances: [{ name: 'VI_1', state: 'MASTER', priority: 150, effectivePriority: 150, lastTransitionAt: null, vips: [], vipsHeld: 1, syncGroup: null }] }), director('dir2')] }),
      next: snap(T1, {
        directors: [director('dir1', { keepalivedRunning: false, heldVips: ['192.0.2.100'], takenAt: T1 - 100 }), director('dir2')],
        findings: [finding('keepalived-down:dir1', T1 - 50)],
      }),
      expected: [{ kind: 'keepalived-down', director: 'dir1', at: T1 - 50, fromState: 'running', toState: 'stopped', cause: 'keepalived stopped but dir1 still holds 192.0.2.100' }],
    },
    {
      name: 'keepalived back on dir1',
      prev: snap(T1, { directors: [director('dir1', { keepalivedRunning: false }), director('dir2')], findings: [finding('keepalived-down:dir1', T0)] }),
      next: snap(T1 + 2000, { directors: [director('dir1', { takenAt: T1 + 1900 }), director('dir2')] }),
      expected: [
        { kind: 'keepalived-down', director: 'dir1', at: T0, endedAt: T1 + 2000, durationMs: 4000 },
        { kind: 'keepalived-up', director: 'dir1', at: T1 + 1900 },
      ],
    },
    {
      name: 'keepalived state change on one director',
      prev: snap(T0, { directors: [director('dir1', { instances: [{ name: 'VI_1', state: 'MASTER', priority: 150, effectivePriority: 150, lastTransitionAt: T0 - 99_000, vips: [], vipsHeld: 1, syncGroup: null }] }), director('dir2')] }),
      next: snap(T1, { directors: [director('dir1', { instances: [{ name: 'VI_1', state: 'FAULT', priority: 150, effectivePriority: 150, lastTransitionAt: T1 - 300, vips: [], vipsHeld: 0, syncGroup: null }] }), director('dir2')] }),
      expected: [{ kind: 'vrrp-transition', director: 'dir1', instance: 'VI_1', fromState: 'MASTER', toState: 'FAULT', at: T1 - 300 }],
    },
    {
      name: 'real server goes down (checker)',
      prev: snap(T0),
      next: snap(T1, { rs: [rs('192.0.2.11:80', 'down', false)] }),
      expected: [{ kind: 'real-server-down', service: 'TCP 192.0.2.100:80', realServer: '192.0.2.11:80', director: null, at: T1, fromState: 'up', toState: 'down', cause: 'keepalived health check failed' }],
    },
    {
      name: 'real server back up: down closed and an up event; drained counts as up',
      prev: snap(T0, { rs: [rs('192.0.2.11:80', 'down', false)] }),
      next: snap(T1, { rs: [rs('192.0.2.11:80', 'drained', true)] }),
      expected: [
        { kind: 'real-server-down', realServer: '192.0.2.11:80', at: T0, endedAt: T1 },
        { kind: 'real-server-up', realServer: '192.0.2.11:80', at: T1, fromState: 'down', toState: 'drained' },
      ],
    },
    {
      name: 'real servers removed from the IPVS table one at a time, and all at once from the active director (keepalived stopping there)',
      prev: snap(T0, { rs: [rs('192.0.2.11:80', 'up', true), rs('192.0.2.12:80', 'up', true)] }),
      next: snap(T1, { rs: [{ ...rs('192.0.2.11:80', 'down', true), perDirector: gone }, { ...rs('192.0.2.12:80', 'up', true), perDirector: here }] }),
      expected: [{ kind: 'real-server-down', realServer: '192.0.2.11:80', cause: 'removed from the IPVS table' }],
    },
    {
      name: 'every real server of a service gone from the active director at once',
      prev: snap(T0, { rs: [rs('192.0.2.11:80', 'up', true), rs('192.0.2.12:80', 'up', true)] }),
      next: snap(T1, { rs: [{ ...rs('192.0.2.11:80', 'down', true), perDirector: gone }, { ...rs('192.0.2.12:80', 'down', true), perDirector: gone }] }),
      expected: ['192.0.2.11:80', '192.0.2.12:80'].map((realServer) => ({
        kind: 'real-server-down', realServer, cause: "left dir1's IPVS table with every other real server of the service at once (keepalived stopping or reloading there)",
      })),
    },
    {
      name: 'drain and unknown health are not health events',
      prev: snap(T0, { rs: [rs('192.0.2.11:80', 'up'), rs('192.0.2.12:80', 'unknown')] }),
      next: snap(T1, { rs: [rs('192.0.2.11:80', 'drained'), rs('192.0.2.12:80', 'down')] }),
      expected: [],
    },
    {
      name: 'every director unreachable: no master/split-brain/health guesses, only the outages',
      prev: snap(T0),
      next: snap(T1, { directors: [director('dir1', { live: false }), director('dir2', { live: false })], instances: [instance('VI_1', [])], rs: [rs('192.0.2.11:80', 'down')] }),
      expected: [
        { kind: 'director-unreachable', director: 'dir1', at: T1, cause: 'no answer for 3 poll intervals' },
        { kind: 'director-unreachable', director: 'dir2', at: T1 },
      ],
    },
    {
      name: 'start-up: a director answering for the first time is not a recovery',
      prev: snap(T0, { directors: [director('dir1', { live: false, takenAt: null, keepalivedRunning: null }), director('dir2')] }),
      next: snap(T1),
      expected: [],
    },
    {
      name: 'start-up: a director that failed from the start and now answers closes its outage',
      prev: snap(T0, { directors: [director('dir1', { live: false, takenAt: null, error: { code: 'auth-failed', message: 'x', since: T0 - 5000 } }), director('dir2')], findings: [finding('director-unreachable:dir1', T0 - 5000)] }),
      next: snap(T1, { directors: [director('dir1', { takenAt: T1 }), director('dir2')] }),
      expected: [
        { kind: 'director-unreachable', director: 'dir1', at: T0 - 5000, endedAt: T1, durationMs: 7000 },
        { kind: 'director-reachable', director: 'dir1', at: T1 },
      ],
    },
  ];

  it.each(cases)('$name', ({ prev, next, lastMasters, expected }) => {
    const got = detectEvents(prev, next, { lastMasters });
    expect(got).toHaveLength(expected.length);
    got.forEach((e, i) => {
      expect(e).toMatchObject({ cluster: 'lab', source: 'observed', logLines: [], ...expected[i] });
    });
  });

  it('a keepalived stop seen only after a refresh blip is still reported, against the last live view', () => {
    // Snapshot 1: dir1 live, keepalived running. Snapshot 2: dir1's refresh is late (not live), and
    // its last data already says stopped. Snapshot 3: dir1 answers again, still stopped.
    const s1 = snap(T0);
    const s2 = snap(T1, { directors: [director('dir1', { live: false, keepalivedRunning: false }), director('dir2')] });
    const s3 = snap(T1 + 2000, { directors: [director('dir1', { keepalivedRunning: false, takenAt: T1 + 2000 }), director('dir2')] });
    const lastLive = new Map([['dir1', s1.directors[0] as DirectorView]]);
    const kinds = (e: ReturnType<typeof detectEvents>) => e.filter((x) => x.kind.startsWith('keepalived')).map((x) => [x.kind, x.director]);
    expect(kinds(detectEvents(s1, s2, { lastLive }))).toEqual([]);
    expect(kinds(detectEvents(s2, s3, { lastLive }))).toEqual([['keepalived-down', 'dir1']]);
    // Without the memory (the old behaviour) the stop is lost.
    expect(kinds(detectEvents(s2, s3, {}))).toEqual([]);
  });

  it('forgets the last master when keepalived stops on every director: the next master is an initial election', () => {
    const stopped = (t: number) => snap(t, { directors: [director('dir1', { keepalivedRunning: false }), director('dir2', { keepalivedRunning: false })], instances: [instance('VI_1', [])] });
    let masters = rememberMasters(new Map(), snap(T0));
    expect([...masters]).toEqual([['VI_1', 'dir1']]);
    // One director still running keepalived (or one not answering): the memory stays.
    masters = rememberMasters(masters, snap(T1, { directors: [director('dir1', { keepalivedRunning: false }), director('dir2')], instances: [instance('VI_1', [])] }));
    expect([...masters]).toEqual([['VI_1', 'dir1']]);
    masters = rememberMasters(masters, snap(T1, { directors: [director('dir1', { keepalivedRunning: false }), director('dir2', { live: false, keepalivedRunning: false })], instances: [instance('VI_1', [])] }));
    expect([...masters]).toEqual([['VI_1', 'dir1']]);
    // Stopped everywhere: nothing is remembered, and dir1 coming back is elected, not failed over to.
    masters = rememberMasters(masters, stopped(T1 + 2000));
    expect(masters.size).toBe(0);
    const back = snap(T1 + 6000, { instances: [instance('VI_1', ['dir1'])] });
    // (keepalived-up events on both directors aside)
    const vrrp = (events: ReturnType<typeof detectEvents>) => events.filter((e) => !e.kind.startsWith('keepalived'));
    expect(vrrp(detectEvents(stopped(T1 + 4000), back, { lastMasters: masters })).map((e) => [e.kind, e.fromMaster, e.toMaster])).toEqual([
      ['initial-election', null, 'dir1'],
      ['no-master', null, 'dir1'],
    ]);
    // With the memory (keepalived still ran somewhere) the same return of dir1 is no event at all but the gap's end.
    expect(vrrp(detectEvents(stopped(T1 + 4000), back, { lastMasters: new Map([['VI_1', 'dir1']]) })).map((e) => e.kind)).toEqual(['no-master']);
    // ...and to another director it is a failover from the remembered master.
    expect(vrrp(detectEvents(stopped(T1 + 4000), snap(T1 + 6000, { instances: [instance('VI_1', ['dir2'])] }), { lastMasters: new Map([['VI_1', 'dir1']]) })).map((e) => [e.kind, e.fromMaster])).toEqual([
      ['failover', 'dir1'],
      ['no-master', null],
    ]);
  });
});

describe('missedTransitionsSince', () => {
  const inst = (state: 'MASTER' | 'BACKUP', lastTransitionAt: number | null) => ({
    name: 'VI_V4', state, priority: 100, effectivePriority: 100, lastTransitionAt, vips: ['192.0.2.100'], vipsHeld: 1, syncGroup: null,
  });
  const at = (t: number, state: 'MASTER' | 'BACKUP', last: number | null, live = true) => snap(t, { directors: [director('dir1', { live, instances: [inst(state, last)] })] });

  it('a newer keepalived transition with the same state is a flap no poll saw: since its time', () => {
    expect(missedTransitionsSince(at(T0, 'MASTER', T0 - 60_000), at(T0 + 2000, 'MASTER', T0 + 1500))).toBe(T0 + 1500);
  });

  it('nothing when the state changed (the poll saw it), the time did not move, or is unknown, or no baseline', () => {
    expect(missedTransitionsSince(at(T0, 'MASTER', T0 - 60_000), at(T0 + 2000, 'BACKUP', T0 + 1500))).toBeNull();
    expect(missedTransitionsSince(at(T0, 'MASTER', T0 - 60_000), at(T0 + 2000, 'MASTER', T0 - 60_000))).toBeNull();
    expect(missedTransitionsSince(at(T0, 'MASTER', null), at(T0 + 2000, 'MASTER', T0 + 1500))).toBeNull();
    expect(missedTransitionsSince(at(T0, 'MASTER', T0 - 60_000), at(T0 + 2000, 'MASTER', T0 + 1500, false))).toBeNull();
    expect(missedTransitionsSince(null, at(T0 + 2000, 'MASTER', T0 + 1500))).toBeNull();
  });
});
