import { describe, expect, it } from 'vitest';
import type { IpvsRealServer, IpvsService } from '@/lib/models/ipvsadm';
import { blockingRefusals, MaintenancePreflight, type DirectorMaintenance, type SyncDaemonState } from '@/lib/models/maintenance';
import { mergeSnapshot } from '@/server/collector/merge-snapshot';
import type { DirectorObservation, ObservedDirectorData, ObservedVrrpInstance } from '@/server/collector/observation';
import { MAINTENANCE_TRACK_PATH, maintenanceTrack, planSwitch, preflight, tableDrift, type PreflightInput } from './preflight';

// The pre-flight on the lab's shape: dir1 (150) holds VI_V4 and VI_V6 (sync group VG_LAB), dir2
// (100) is its backup; both track the maintenance file with weight -100.

const NOW = 1_800_000_000_000;
const rs = (address: string, weight: number): IpvsRealServer => ({
  address, port: 80, forward: 'Route', weight, activeConns: 0, inactiveConns: 0, persistentConns: 0,
  upperThreshold: null, lowerThreshold: null, stats: null, rates: null, approximate: false,
});
const svc = (servers: IpvsRealServer[]): IpvsService => ({
  protocol: 'TCP', family: 'inet', address: '192.0.2.100', port: 80, fwmark: null, scheduler: 'wlc', flags: [], persistent: null,
  pe: null, ops: false, stats: null, rates: null, approximate: false, realServers: servers,
});
const vrrp = (name: string, state: ObservedVrrpInstance['state'], priority: number, over: Partial<ObservedVrrpInstance> = {}): ObservedVrrpInstance => ({
  name, state, priority, effectivePriority: priority, lastTransitionAt: NOW - 60_000, vips: name === 'VI_V4' ? ['192.0.2.100'] : ['2001:db8::1'],
  syncGroup: 'VG_LAB', preempt: true, trackedFiles: [{ name: 'vrrp_maint', weight: -100 }], ...over,
});

interface DirOpts { holds?: boolean; priority?: number; track?: number | null; weights?: IpvsRealServer[]; over?: Partial<ObservedDirectorData>; inst?: Partial<ObservedVrrpInstance> }
function director(name: string, o: DirOpts = {}): DirectorObservation {
  const holds = o.holds ?? false;
  const prio = o.priority ?? (name === 'dir1' ? 150 : 100);
  const data: ObservedDirectorData = {
    takenAt: NOW - 500, durationMs: 40, ipvsadmVersion: '1.2.1',
    services: [svc(o.weights ?? [rs('192.0.2.11', 100), rs('192.0.2.12', 100)])],
    addresses: [name === 'dir1' ? '192.0.2.2' : '192.0.2.3', ...(holds ? ['192.0.2.100', '2001:db8::1'] : [])],
    keepalivedPid: 42, keepalivedDumpAt: NOW - 1000,
    vrrp: [vrrp('VI_V4', holds ? 'MASTER' : 'BACKUP', prio, o.inst), vrrp('VI_V6', holds ? 'MASTER' : 'BACKUP', prio, o.inst)],
    checkers: [
      { service: 'TCP 192.0.2.100:80', realServer: '192.0.2.11:80', alive: true, configuredWeight: 100 },
      { service: 'TCP 192.0.2.100:80', realServer: '192.0.2.12:80', alive: true, configuredWeight: 100 },
    ],
    trackFiles: o.track === null ? [] : [{ name: 'vrrp_maint', path: MAINTENANCE_TRACK_PATH, value: o.track ?? 0 }],
    health: null,
    ...o.over,
  };
  return { name, endpoint: `127.0.0.1:${name === 'dir1' ? 2201 : 2202}`, data, error: null };
}

const daemons = (director: string, on: boolean): SyncDaemonState => ({ director, master: on, backup: on, syncId: on ? 51 : null, error: null });

function run(observations: DirectorObservation[], over: Partial<Omit<PreflightInput, 'plan'>> = {}) {
  const snapshot = mergeSnapshot({ cluster: 'lab', now: NOW, pollIntervalMs: 2000, observations, findingSince: new Map() });
  const input: Omit<PreflightInput, 'plan'> = {
    action: 'enter', cluster: 'lab', director: 'dir1', force: false, snapshot, observations, open: [],
    facts: { dir1: { daemons: daemons('dir1', false), sloppyTcp: false }, dir2: { daemons: daemons('dir2', false), sloppyTcp: false } },
    survival: { established: 3, wouldBreak: 3, truncated: false, error: null }, now: NOW, ...over,
  };
  const p = preflight({ ...input, plan: planSwitch(input) });
  MaintenancePreflight.parse(p); // the API contract holds
  return { p, byId: Object.fromEntries(p.checks.map((c) => [c.id, c])), snapshot };
}

describe('director maintenance pre-flight', () => {
  it('the lab pair: both instances move from dir1 to dir2 together; 3 connections would break without the sync daemon', () => {
    const { p, byId } = run([director('dir1', { holds: true }), director('dir2')]);
    expect(p.allowed).toBe(true);
    expect(p.trackFile).toBe('/var/lib/lvs-console/track/vrrp-maint');
    expect(p.moves).toEqual([
      { instance: 'VI_V4', syncGroup: 'VG_LAB', vips: ['192.0.2.100'], from: 'dir1', to: 'dir2' },
      { instance: 'VI_V6', syncGroup: 'VG_LAB', vips: ['2001:db8::1'], from: 'dir1', to: 'dir2' },
    ]);
    expect(p.checks.filter((c) => c.status === 'refusal')).toEqual([]);
    expect(byId.tables?.status).toBe('ok');
    expect(byId.connections).toMatchObject({ status: 'warning', title: 'Connections will break' });
    expect(byId.connections?.detail).toContain('3 of 3 established connections through dir1 are unknown to dir2');
    expect(byId.connections?.detail).toContain('no sync daemon carries');
    expect(p.connections).toMatchObject({ director: 'dir1', peer: 'dir2', established: 3, wouldBreak: 3 });
  });

  it('with the sync daemon carrying every connection: they survive', () => {
    const { byId } = run([director('dir1', { holds: true }), director('dir2')], {
      facts: { dir1: { daemons: daemons('dir1', true), sloppyTcp: false }, dir2: { daemons: daemons('dir2', true), sloppyTcp: false } },
      survival: { established: 3, wouldBreak: 0, truncated: false, error: null },
    });
    expect(byId.connections).toMatchObject({ status: 'ok', title: 'Connections survive' });
    expect(byId.connections?.detail).toContain('master on dir1, backup on dir2');
  });

  it('refuses: peer down, peer in FAULT, peer in maintenance itself (the last director), nopreempt peer, weight too small', () => {
    const down = director('dir2');
    const peerDown = run([director('dir1', { holds: true }), { ...down, error: { code: 'connection-refused', message: 'refused', since: NOW - 10_000 } }]);
    expect(peerDown.p.allowed).toBe(false);
    expect(peerDown.byId['peer-dir2']?.detail).toContain('unreachable');
    expect(peerDown.byId['last-director']?.status).toBe('refusal');

    const fault = run([director('dir1', { holds: true }), director('dir2', { inst: { state: 'FAULT' } })]);
    expect(fault.byId['peer-dir2']?.detail).toContain('in FAULT (VI_V4, VI_V6)');
    expect(fault.p.allowed).toBe(false);

    const open: DirectorMaintenance[] = [{ id: '1', cluster: 'lab', director: 'dir2', actor: 'ops', reason: 'kernel', ticket: null, createdAt: NOW - 1000, expiresAt: null, endedAt: null, endedBy: null, endReason: null }];
    const last = run([director('dir1', { holds: true }), director('dir2', { track: 1 })], { open });
    expect(last.byId['peer-dir2']?.detail).toContain('in maintenance itself');
    expect(last.byId['last-director']).toMatchObject({ status: 'refusal', forcible: false });
    expect(last.p.allowed).toBe(false);
    // force does not override it (nor does the dialog's force box, judged from the unforced answer)
    expect(run([director('dir1', { holds: true }), director('dir2', { track: 1 })], { open, force: true }).p.allowed).toBe(false);
    expect(blockingRefusals(last.p.checks, true).map((c) => c.id)).toContain('last-director');

    const nopreempt = run([director('dir1', { holds: true }), director('dir2', { inst: { preempt: false } })]);
    expect(nopreempt.byId.preempt).toMatchObject({ status: 'refusal', title: 'dir2 does not preempt' });

    const weak = run([director('dir1', { holds: true, inst: { trackedFiles: [{ name: 'vrrp_maint', weight: -10 }] } }), director('dir2')]);
    expect(weak.byId.weight?.detail).toContain("dir1's priority 150 -10 = 140 is not below dir2's 100");
  });

  it('table drift is a refusal that force overrides; checker disagreement a warning', () => {
    const obs = [director('dir1', { holds: true }), director('dir2', { weights: [rs('192.0.2.11', 37), rs('192.0.2.12', 100)] })];
    const drift = run(obs);
    expect(drift.byId.tables).toMatchObject({ status: 'refusal', forcible: true });
    expect(drift.byId.tables?.detail).toContain('TCP 192.0.2.100:80 → 192.0.2.11:80 weight 100 on dir1, 37 on dir2');
    expect(drift.p.allowed).toBe(false);
    const forced = run(obs, { force: true });
    expect(forced.byId.tables?.status).toBe('warning');
    expect(forced.p.allowed).toBe(true);
    // The dialog's force box, judged from the unforced answer, says what the forced pre-flight says.
    expect(blockingRefusals(drift.p.checks, true)).toEqual([]);
    expect(blockingRefusals(drift.p.checks, false).map((c) => c.id)).toEqual(['tables']);
    expect(tableDrift(drift.snapshot, 'dir1', 'dir2')).toHaveLength(1);

    const d2 = director('dir2');
    d2.data!.checkers = [{ service: 'TCP 192.0.2.100:80', realServer: '192.0.2.11:80', alive: false, configuredWeight: 100 }];
    const checkers = run([director('dir1', { holds: true }), d2]);
    expect(checkers.byId.checkers).toMatchObject({ status: 'warning' });
    expect(checkers.byId.checkers?.detail).toContain('192.0.2.11:80: up on dir1, down on dir2');
  });

  it('not configured: a refusal with the exact keepalived.conf lines; already in maintenance: a refusal', () => {
    const none = run([director('dir1', { holds: true, track: null, inst: { trackedFiles: [] } }), director('dir2', { track: null })]);
    expect(none.byId['track-file']).toMatchObject({ status: 'refusal', title: 'Track file not configured' });
    expect(none.p.configHint).toContain('file "/var/lib/lvs-console/track/vrrp-maint"');
    expect(none.p.configHint).toContain('vrrp_instance VI_V4 {');
    expect(none.p.configHint).toContain('sync_group_tracking_weight');
    expect(none.p.allowed).toBe(false);

    const already = run([director('dir1', { track: 1 }), director('dir2', { holds: true })]);
    expect(already.byId.state).toMatchObject({ status: 'refusal', title: 'Already in maintenance' });
  });

  it('give back: dir1 outranks the holder and preempts, so the VIPs come home; nopreempt says they stay', () => {
    const open: DirectorMaintenance[] = [{ id: '1', cluster: 'lab', director: 'dir1', actor: 'ops', reason: 'kernel', ticket: 'OPS-1', createdAt: NOW - 1000, expiresAt: null, endedAt: null, endedBy: null, endReason: null }];
    const obs = [director('dir1', { track: 1, inst: { effectivePriority: 50 } }), director('dir2', { holds: true })];
    const back = run(obs, { action: 'exit', open, survival: { established: 2, wouldBreak: 0, truncated: false, error: null } });
    expect(back.p.allowed).toBe(true);
    expect(back.p.moves.map((m) => [m.instance, m.from, m.to])).toEqual([['VI_V4', 'dir2', 'dir1'], ['VI_V6', 'dir2', 'dir1']]);
    expect(back.byId.connections?.title).toBe('Connections survive');

    const stay = run([director('dir1', { track: 1, inst: { effectivePriority: 50, preempt: false } }), director('dir2', { holds: true })], { action: 'exit', open, survival: null });
    expect(stay.p.moves).toEqual([]);
    expect(stay.byId.preempt?.detail).toContain('nopreempt on dir1');
    expect(stay.p.allowed).toBe(true);

    const notIn = run([director('dir1', { holds: true }), director('dir2')], { action: 'exit' });
    expect(notIn.byId.state).toMatchObject({ status: 'refusal', title: 'Not in maintenance' });
  });

  it('a director in no VRRP instance: refused, it holds no VIPs to move', () => {
    const none = run([director('dir1', { over: { vrrp: [] } }), director('dir2', { holds: true })]);
    expect(none.byId.vrrp).toMatchObject({ status: 'refusal', title: 'No VRRP instance' });
    expect(none.p.allowed).toBe(false);
  });

  it('reads the maintenance track from a director observation', () => {
    expect(maintenanceTrack(director('dir1', { track: 1 }).data)).toEqual({ name: 'vrrp_maint', path: MAINTENANCE_TRACK_PATH, value: 1, weights: { VI_V4: -100, VI_V6: -100 } });
    expect(maintenanceTrack(director('dir1', { track: null }).data)).toBeNull();
    expect(maintenanceTrack(null)).toBeNull();
  });
});

describe('pre-flight: NAT services and netfilter conntrack', () => {
  const natWeights = [{ ...rs('198.51.100.13', 1), forward: 'Masq' }];
  const obs = () => [director('dir1', { holds: true, weights: natWeights }), director('dir2', { weights: natWeights })];
  const facts = (ct1: boolean | null, ct2: boolean | null, d1: boolean, d2: boolean) => ({
    dir1: { daemons: daemons('dir1', true), sloppyTcp: false, ipvsConntrack: ct1, conntrackd: d1 },
    dir2: { daemons: daemons('dir2', true), sloppyTcp: false, ipvsConntrack: ct2, conntrackd: d2 },
  });

  it('no NAT service: no such item', () => {
    expect(run([director('dir1', { holds: true }), director('dir2')]).byId.conntrack).toBeUndefined();
  });

  it('vs.conntrack 0 on both: ok (IPVS keeps the NAT state); 1 without conntrackd on the peer: a warning naming it; with it on both: ok', () => {
    expect(run(obs(), { facts: facts(false, false, false, false) }).byId.conntrack?.status).toBe('ok');
    expect(run(obs(), { facts: facts(false, false, false, false) }).byId.conntrack?.detail).toContain('net.ipv4.vs.conntrack = 0 on dir1 and dir2');
    const w = run(obs(), { facts: facts(true, true, true, false) }).byId.conntrack;
    expect(w).toMatchObject({ status: 'warning', title: 'NAT and conntrack' });
    expect(w?.detail).toContain('conntrackd does not run on dir2, so dir2\'s conntrack will not know the connections moved from dir1');
    expect(run(obs(), { facts: facts(true, false, true, true) }).byId.conntrack?.status).toBe('ok');
    expect(run(obs(), { facts: facts(true, false, true, true) }).byId.conntrack?.detail).toContain('conntrackd runs on dir1 and dir2');
    expect(run(obs(), { facts: facts(null, false, false, false) }).byId.conntrack?.status).toBe('warning');
    expect(run(obs(), { facts: facts(null, false, false, false) }).byId.conntrack?.detail).toContain('was not read on dir1');
    // never a refusal: the switch itself is not blocked by it
    expect(run(obs(), { facts: facts(true, true, false, false) }).p.allowed).toBe(true);
  });
});

describe('pre-flight: the track file\'s mode', () => {
  it('a negative weight lowers the priority (too small a weight is refused); weight 0 is FAULT mode and needs no priority margin', () => {
    const neg = run([director('dir1', { holds: true }), director('dir2')]).byId['track-file'];
    expect(neg?.detail).toContain('VI_V4 (weight -100), VI_V6 (weight -100) (a negative weight: a non-zero value lowers the priority below the peers)');
    const small = run([director('dir1', { holds: true, inst: { trackedFiles: [{ name: 'vrrp_maint', weight: -10 }] } }), director('dir2')]);
    expect(small.byId.weight).toMatchObject({ status: 'refusal', title: 'Weight too small' });
    const fault = run([director('dir1', { holds: true, inst: { trackedFiles: [{ name: 'vrrp_maint', weight: 0 }] } }), director('dir2')]);
    expect(fault.byId['track-file']?.detail).toContain('(weight 0: a non-zero value puts the instances in FAULT)');
    expect(fault.byId.weight).toBeUndefined();
    expect(fault.p.allowed).toBe(true);
  });
});

describe('pre-flight: nopreempt peer', () => {
  it('refused with a negative weight (a lower-priority master keeps the VIPs), not in FAULT mode (weight 0)', () => {
    const peer = director('dir2', { inst: { preempt: false } });
    expect(run([director('dir1', { holds: true }), peer]).byId.preempt).toMatchObject({ status: 'refusal' });
    expect(run([director('dir1', { holds: true, inst: { trackedFiles: [{ name: 'vrrp_maint', weight: 0 }] } }), peer]).byId.preempt).toBeUndefined();
  });
});

describe('pre-flight: give back in FAULT mode', () => {
  it('the director\'s FAULT is the maintenance itself: not a refusal; a FAULT with the file at 0 still is', () => {
    const faultInst = { trackedFiles: [{ name: 'vrrp_maint', weight: 0 }], state: 'FAULT' as const };
    const inMaint = run([director('dir1', { track: 1, inst: faultInst }), director('dir2', { holds: true })], { action: 'exit' });
    expect(inMaint.byId.director).toMatchObject({ status: 'ok' });
    const broken = run([director('dir1', { track: 0, inst: faultInst }), director('dir2', { holds: true })], { action: 'exit' });
    expect(broken.byId.director).toMatchObject({ status: 'refusal', title: 'dir1 in FAULT' });
  });
});
