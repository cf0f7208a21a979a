import { describe, expect, it } from 'vitest';
import type { IpvsRealServer, IpvsService } from '@/lib/models/ipvsadm';
import { ClusterSnapshot } from '@/lib/models/cluster';
import { mergeSnapshot } from './merge-snapshot';
import { summarize, hostMembership } from './summarize';
import type { DirectorObservation, ObservedDirectorData } from './observation';

const NOW = 1_800_000_000_000;
const POLL = 2000;

function rs(address: string, port: number, weight: number, active = 0): IpvsRealServer {
  return {
    address, port, forward: 'Route', weight, activeConns: active, inactiveConns: 0, persistentConns: 0,
    upperThreshold: null, lowerThreshold: null, stats: null, rates: null, approximate: false,
  };
}
function svc(address: string, port: number, servers: IpvsRealServer[], extra: Partial<IpvsService> = {}): IpvsService {
  return {
    protocol: 'TCP', family: 'inet', address, port, fwmark: null, scheduler: 'wlc', flags: [], persistent: null,
    pe: null, ops: false, stats: null, rates: null, approximate: false, realServers: servers, ...extra,
  };
}
function data(over: Partial<ObservedDirectorData> = {}): ObservedDirectorData {
  return {
    takenAt: NOW - 500, durationMs: 40, ipvsadmVersion: '1.2.1',
    services: [svc('192.0.2.100', 80, [rs('192.0.2.11', 80, 100, 3), rs('192.0.2.12', 80, 100, 1)])],
    addresses: ['192.0.2.2'], keepalivedPid: 42, keepalivedDumpAt: NOW - 1000,
    vrrp: [{ name: 'VI_V4', state: 'BACKUP', priority: 100, effectivePriority: 100, lastTransitionAt: NOW - 60_000, vips: ['192.0.2.100'], syncGroup: null }],
    checkers: null, health: null, ...over,
  };
}
function dir(name: string, d: ObservedDirectorData | null, error: DirectorObservation['error'] = null): DirectorObservation {
  return { name, endpoint: `127.0.0.1:${name === 'dir1' ? 2201 : 2202}`, data: d, error };
}
const master = (over: Partial<ObservedDirectorData> = {}) =>
  data({
    addresses: ['192.0.2.2', '192.0.2.100'],
    vrrp: [{ name: 'VI_V4', state: 'MASTER', priority: 150, effectivePriority: 150, lastTransitionAt: NOW - 30_000, vips: ['192.0.2.100'], syncGroup: null }],
    ...over,
  });

function merge(obs: DirectorObservation[], since = new Map<string, number>()) {
  const s = mergeSnapshot({ cluster: 'lab', now: NOW, pollIntervalMs: POLL, observations: obs, findingSince: since });
  ClusterSnapshot.parse(s); // the API contract holds
  return s;
}

describe('mergeSnapshot', () => {
  it('names the VIP holder as master, with keepalived since-time, and shows its figures', () => {
    const s = merge([dir('dir1', master()), dir('dir2', data())]);
    expect(s.instances).toEqual([
      expect.objectContaining({ name: 'VI_V4', master: 'dir1', holders: ['dir1'], masterSince: NOW - 30_000, states: { dir1: 'MASTER', dir2: 'BACKUP' } }),
    ]);
    expect(s.services[0]?.activeDirector).toBe('dir1');
    expect(s.services[0]?.realServers.map((r) => [r.key, r.health, r.activeConns])).toEqual([
      ['192.0.2.11:80', 'up', 3],
      ['192.0.2.12:80', 'up', 1],
    ]);
    expect(s.findings).toEqual([]);
    expect(summarize(s)).toMatchObject({ health: 'ok', serviceCount: 1, realServers: { up: 2, drained: 0, down: 0 } });
  });

  it('reports split brain when two live directors hold the VIP', () => {
    const s = merge([dir('dir1', master()), dir('dir2', master({ addresses: ['192.0.2.3', '192.0.2.100'] }))]);
    expect(s.instances[0]).toMatchObject({ master: null, holders: ['dir1', 'dir2'] });
    expect(s.findings.map((f) => [f.kind, f.severity])).toEqual([['split-brain', 'critical']]);
  });

  describe('holders read at different moments (holdingSince given)', () => {
    const at = (t: number, holds: boolean, name: 'dir1' | 'dir2') =>
      dir(name, (holds ? master : data)({ takenAt: NOW - t, addresses: [name === 'dir1' ? '192.0.2.2' : '192.0.2.3', ...(holds ? ['192.0.2.100'] : [])] }));
    const run = (steps: DirectorObservation[][]) => {
      const holding = new Map<string, number>();
      const since = new Map<string, number>();
      return steps.map((obs) => {
        const s = mergeSnapshot({ cluster: 'lab', now: NOW, pollIntervalMs: POLL, observations: obs, findingSince: since, holdingSince: holding });
        return [s.instances[0]?.master ?? null, s.instances[0]?.holders.join('+'), s.findings.map((f) => `${f.kind}@${NOW - f.since}`).join(',')];
      });
    };

    it('a handover caught between the two reads is not split brain: the new holder is master, the old read is stale', () => {
      // dir2 held the VIP; dir1 takes it back at ~t=1500. dir2 was last read before that (still
      // holding); dir1's read after it shows the VIP. Then dir2's next read shows it released.
      expect(
        run([
          [at(3000, false, 'dir1'), at(2900, true, 'dir2')],
          [at(1000, true, 'dir1'), at(2900, true, 'dir2')],
          [at(1000, true, 'dir1'), at(900, false, 'dir2')],
        ]),
      ).toEqual([
        ['dir2', 'dir2', ''],
        ['dir1', 'dir1', ''],
        ['dir1', 'dir1', ''],
      ]);
    });

    it('a real overlap is split brain once the older holder is read holding again', () => {
      // keepalived killed on dir1: its VIP stays; dir2 takes over at ~t=2000 and both keep it.
      expect(
        run([
          [at(3000, true, 'dir1'), at(2900, false, 'dir2')],
          [at(3000, true, 'dir1'), at(1500, true, 'dir2')],
          [at(1000, true, 'dir1'), at(1500, true, 'dir2')],
          [at(500, true, 'dir1'), at(400, true, 'dir2')],
        ]),
      ).toEqual([
        ['dir1', 'dir1', ''],
        ['dir2', 'dir2', ''],
        [null, 'dir1+dir2', 'split-brain@1500'],
        [null, 'dir1+dir2', 'split-brain@1500'],
      ]);
    });

    it('two directors seen holding from their first reads are split brain once both are re-read', () => {
      expect(
        run([
          [at(3000, true, 'dir1'), at(2900, true, 'dir2')],
          [at(1000, true, 'dir1'), at(2900, true, 'dir2')],
        ]),
      ).toEqual([
        ['dir2', 'dir2', ''],
        [null, 'dir1+dir2', 'split-brain@2900'],
      ]);
    });
  });

  it('reports no master when no live director holds the VIP', () => {
    const s = merge([dir('dir1', data({ addresses: ['192.0.2.2'] })), dir('dir2', data({ addresses: ['192.0.2.3'] }))]);
    expect(s.findings.map((f) => f.kind)).toEqual(['no-master']);
  });

  it('marks an unreachable director stale with its error, and keeps the other live', () => {
    const err = { code: 'connect-timeout', message: 'no answer in 10 s', since: NOW - 9000 };
    const stale = data({ takenAt: NOW - 10_000 });
    const s = merge([dir('dir1', master()), dir('dir2', stale, err)]);
    const d2 = s.directors.find((d) => d.name === 'dir2');
    expect(d2).toMatchObject({ live: false, takenAt: NOW - 10_000, error: err });
    expect(s.directors.find((d) => d.name === 'dir1')?.live).toBe(true);
    const f = s.findings.find((x) => x.kind === 'director-unreachable');
    expect(f?.message).toContain('connect-timeout');
    expect(f?.message).toContain('10 s old');
    expect(f?.severity).toBe('warning');
    // A stale director's old table is not compared with the live one.
    expect(s.findings.some((x) => x.kind === 'directors-disagree')).toBe(false);
  });

  it('treats data older than three poll intervals (plus the refresh time) as not live even without an error', () => {
    // durationMs is 40 in these fixtures.
    expect(merge([dir('dir1', master({ takenAt: NOW - 3 * POLL - 40 }))]).directors[0]?.live).toBe(true);
    const s = merge([dir('dir1', master({ takenAt: NOW - 3 * POLL - 41 }))]);
    expect(s.directors[0]?.live).toBe(false);
    expect(s.findings.map((f) => f.kind)).toEqual(['director-unreachable']);
    expect(s.findings[0]?.severity).toBe('critical');
  });

  it('finds a weight that differs between directors and shows each value', () => {
    const drainedOnDir2 = data({ services: [svc('192.0.2.100', 80, [rs('192.0.2.11', 80, 0), rs('192.0.2.12', 80, 100)])] });
    const s = merge([dir('dir1', master()), dir('dir2', drainedOnDir2)]);
    const r = s.services[0]?.realServers[0];
    expect(r?.differs).toEqual(['weight']);
    expect(r?.perDirector).toMatchObject({ dir1: { weight: 100 }, dir2: { weight: 0 } });
    expect(r?.health).toBe('up'); // the master's table decides what clients get
    const f = s.findings.find((x) => x.kind === 'directors-disagree');
    expect(f?.message).toBe('Directors disagree on TCP 192.0.2.100:80: 192.0.2.11:80 (dir1: weight 100, dir2: weight 0)');
  });

  it('finds a real server present on one director only', () => {
    const missing = data({ services: [svc('192.0.2.100', 80, [rs('192.0.2.12', 80, 100)])] });
    const s = merge([dir('dir1', master()), dir('dir2', missing)]);
    expect(s.services[0]?.realServers[0]?.differs).toEqual(['present']);
    expect(s.findings.map((f) => f.kind)).toEqual(['directors-disagree']);
  });

  it('derives drained and down from weight and the checker', () => {
    const m = master({
      services: [svc('192.0.2.100', 80, [rs('192.0.2.11', 80, 0)])],
      checkers: [
        { service: 'TCP 192.0.2.100:80', realServer: '192.0.2.11:80', alive: true, configuredWeight: 100 },
        { service: 'TCP 192.0.2.100:80', realServer: '192.0.2.12:80', alive: false, configuredWeight: 100 },
      ],
    });
    const s = merge([dir('dir1', m)]);
    expect(s.services[0]?.realServers.map((r) => [r.key, r.health, r.configuredWeight])).toEqual([
      ['192.0.2.11:80', 'drained', 100],
      ['192.0.2.12:80', 'down', 100],
    ]);
    expect(summarize(s).realServers).toEqual({ up: 0, drained: 1, down: 1, unknown: 0 });
  });

  it('shouts when keepalived is gone but the VIP stayed behind', () => {
    const s = merge([dir('dir1', master({ keepalivedPid: null })), dir('dir2', master({ addresses: ['192.0.2.3', '192.0.2.100'] }))]);
    const kinds = s.findings.map((f) => f.kind).sort();
    expect(kinds).toEqual(['keepalived-down', 'split-brain']);
    expect(s.findings.find((f) => f.kind === 'keepalived-down')?.message).toContain('still holds 192.0.2.100');
  });

  it('keeps the first-seen time of a finding across merges and forgets it when it ends', () => {
    const since = new Map<string, number>();
    const split = [dir('dir1', master()), dir('dir2', master({ addresses: ['192.0.2.3', '192.0.2.100'] }))];
    merge(split, since);
    expect(since.get('split-brain:VI_V4')).toBe(NOW);
    since.set('split-brain:VI_V4', NOW - 5000);
    expect(merge(split, since).findings[0]?.since).toBe(NOW - 5000);
    merge([dir('dir1', master()), dir('dir2', data())], since);
    expect(since.size).toBe(0);
  });

  it('flags a conntrack table above 80%', () => {
    const h = { ipForward: true, expireQuiescentTemplate: true, expireNodestConn: true, conntrackCount: 900, conntrackMax: 1000 };
    const s = merge([dir('dir1', master({ health: h }))]);
    expect(s.findings.map((f) => [f.kind, f.severity])).toEqual([['conntrack-near-full', 'warning']]);
  });

  it('uses the master for FWM services and finds a host across services', () => {
    const fwm = svc('', 0, [rs('192.0.2.11', 0, 1)], { protocol: 'FWM', address: null, port: null, fwmark: 1 });
    const s = merge([dir('dir1', master({ services: [...master().services, fwm] })), dir('dir2', data({ services: [...data().services, fwm] }))]);
    expect(s.services.map((x) => [x.key, x.activeDirector])).toEqual([
      ['TCP 192.0.2.100:80', 'dir1'],
      ['FWM 1', 'dir1'],
    ]);
    expect(hostMembership('192.0.2.11', [s]).entries.map((e) => e.service)).toEqual(['TCP 192.0.2.100:80', 'FWM 1']);
  });
});
