import { describe, expect, it } from 'vitest';
import type { DirectorHealthView } from '@/lib/models/cluster';
import type { IpvsRealServer, IpvsService } from '@/lib/models/ipvsadm';
import { mergeSnapshot } from '@/server/collector/merge-snapshot';
import type { ObservedDirectorData } from '@/server/collector/observation';
import { diagnoseCluster, diagnoseMaintenance, diagnoseNetworkManager, serviceArg, type ConfigTest } from './checks';

const NOW = 1_800_000_000_000;
const GOOD: DirectorHealthView = { ipForward: true, expireQuiescentTemplate: true, expireNodestConn: true, conntrackCount: 100, conntrackMax: 65536 };

function rs(address: string, weight: number, forward = 'Masq'): IpvsRealServer {
  return { address, port: 80, forward, weight, activeConns: 0, inactiveConns: 0, persistentConns: 0, upperThreshold: null, lowerThreshold: null, stats: null, rates: null, approximate: false };
}
function svc(address: string, servers: IpvsRealServer[], extra: Partial<IpvsService> = {}): IpvsService {
  return { protocol: 'TCP', family: 'inet', address, port: 80, fwmark: null, scheduler: 'wlc', flags: [], persistent: null, pe: null, ops: false, stats: null, rates: null, approximate: false, realServers: servers, ...extra };
}
function data(master: boolean, over: Partial<ObservedDirectorData> = {}): ObservedDirectorData {
  return {
    takenAt: NOW - 500, durationMs: 40, ipvsadmVersion: '1.2.1',
    services: [svc('192.0.2.100', [rs('10.0.0.11', 100), rs('10.0.0.12', 100)]), svc('192.0.2.101', [rs('192.0.2.21', 100, 'Route')], { persistent: { timeout: 300, netmask: null } })],
    addresses: master ? ['192.0.2.100', '192.0.2.101'] : [],
    keepalivedPid: 42, keepalivedDumpAt: NOW - 1000,
    vrrp: [{ name: 'VI_1', state: master ? 'MASTER' : 'BACKUP', priority: 100, effectivePriority: 100, lastTransitionAt: null, vips: ['192.0.2.100', '192.0.2.101'], syncGroup: null }],
    checkers: [
      { service: 'TCP 192.0.2.100:80', realServer: '10.0.0.11:80', configuredWeight: 100, alive: true },
      { service: 'TCP 192.0.2.100:80', realServer: '10.0.0.12:80', configuredWeight: 100, alive: true },
      { service: 'TCP 192.0.2.101:80', realServer: '192.0.2.21:80', configuredWeight: 100, alive: true },
    ],
    health: GOOD,
    ...over,
  };
}
const OK: Record<string, ConfigTest> = { lb1: { ok: true, output: '' }, lb2: { ok: true, output: '' } };

function snapshot(lb1: ObservedDirectorData, lb2: ObservedDirectorData) {
  return mergeSnapshot({
    cluster: 'prod', now: NOW, pollIntervalMs: 2000, findingSince: new Map(),
    observations: [
      { name: 'lb1', endpoint: 'a:22', data: lb1, error: null },
      { name: 'lb2', endpoint: 'b:22', data: lb2, error: null },
    ],
  });
}

describe('diagnoseCluster', () => {
  it('a healthy pair: every check ok (or not applicable), no fix to offer', () => {
    const checks = diagnoseCluster(snapshot(data(true), data(false)), OK);
    expect(checks.filter((c) => c.status !== 'ok')).toEqual([]);
    expect(checks.every((c) => c.fix === null)).toBe(true);
    expect(new Set(checks.map((c) => c.check))).toEqual(new Set(['ip-forward', 'conntrack', 'expire-quiescent-template', 'expire-nodest-conn', 'keepalived-config', 'tables-compared']));
  });

  it('each broken sysctl, a bad keepalived.conf, and a full conntrack table: a problem or warning with the exact fix', () => {
    const bad = data(false, { health: { ipForward: false, expireQuiescentTemplate: false, expireNodestConn: false, conntrackCount: 62_000, conntrackMax: 65_536 } });
    const tests: Record<string, ConfigTest> = { lb1: { ok: true, output: '' }, lb2: { ok: false, output: 'Unknown keyword \'virtual_sever\'\n' } };
    const checks = diagnoseCluster(snapshot(data(true), bad), tests);
    const on = (check: string) => checks.find((c) => c.check === check && c.director === 'lb2');
    expect(on('ip-forward')).toMatchObject({ status: 'problem', fix: "sysctl -w net.ipv4.ip_forward=1\necho 'net.ipv4.ip_forward = 1' >> /etc/sysctl.d/90-lvs.conf   # keep it after a reboot" });
    expect(on('ip-forward')?.detail).toMatch(/TCP 192\.0\.2\.100:80 use NAT.*once this director becomes master/);
    expect(on('expire-quiescent-template')).toMatchObject({ status: 'warning', fix: expect.stringContaining('sysctl -w net.ipv4.vs.expire_quiescent_template=1') as unknown });
    expect(on('expire-nodest-conn')).toMatchObject({ status: 'warning', fix: expect.stringContaining('sysctl -w net.ipv4.vs.expire_nodest_conn=1') as unknown });
    expect(on('conntrack')).toMatchObject({ status: 'problem', fix: expect.stringContaining('sysctl -w net.netfilter.nf_conntrack_max=262144') as unknown });
    expect(on('keepalived-config')).toMatchObject({ status: 'problem' });
    expect(on('keepalived-config')?.detail).toContain("Unknown keyword 'virtual_sever'");
    expect(checks.find((c) => c.check === 'ip-forward' && c.director === 'lb1')?.status).toBe('ok');
  });

  it('a hand-edited weight and directors that disagree', () => {
    const lb2 = data(false);
    const first = lb2.services[0];
    if (!first) throw new Error('fixture');
    lb2.services = [{ ...first, realServers: [rs('10.0.0.11', 30), ...first.realServers.slice(1)] }];
    const checks = diagnoseCluster(snapshot(data(true), lb2), OK);
    const weight = checks.find((c) => c.check === 'runtime-weights');
    expect(weight).toMatchObject({ status: 'warning', director: 'lb2', fix: 'ipvsadm -e -t 192.0.2.100:80 -r 10.0.0.11:80 -m -w 100   # on lb2; or drain it in the console to record who and why' });
    const tables = checks.filter((c) => c.check === 'tables-compared');
    expect(tables.map((c) => [c.status, c.id])).toEqual([
      ['warning', 'tables-compared:TCP 192.0.2.100:80:10.0.0.11:80:weight'],
      ['problem', 'tables-compared:TCP 192.0.2.101:80'],
    ]);
    expect(tables[1]?.detail).toMatch(/is on lb1 but not on lb2: after a failover to lb2, this VIP would not be balanced/);
  });

  it('a weight set by a keepalived track file is not a hand edit', () => {
    const lb2 = data(false);
    const first = lb2.services[0];
    if (!first) throw new Error('fixture');
    lb2.services = [{ ...first, realServers: [rs('10.0.0.11', 30), ...first.realServers.slice(1)] }, ...lb2.services.slice(1)];
    const s = snapshot(data(true), lb2);
    const r = s.services[0]?.realServers[0];
    if (!r) throw new Error('fixture');
    r.trackFile = { path: '/var/lib/lvs-console/track/rs1-80', multiplier: 1, base: 0 };
    const check = diagnoseCluster(s, OK).find((c) => c.check === 'runtime-weights');
    expect(check).toMatchObject({ status: 'ok', fix: null });
    expect(check?.detail).toMatch(/set by keepalived's track file/);
  });

  it('keepalived -t not allowed by sudo is unknown, pointing at the sudoers rule', () => {
    const checks = diagnoseCluster(snapshot(data(true), data(false)), { lb1: { error: 'sudo refused' }, lb2: { ok: true, output: '' } });
    expect(checks.find((c) => c.check === 'keepalived-config' && c.director === 'lb1')).toMatchObject({ status: 'unknown', fix: expect.stringContaining('LVS_KEEPALIVED_TEST') as unknown });
  });

  it('ipvsadm service arguments from service keys', () => {
    expect(['TCP 192.0.2.100:80', 'UDP [2001:db8::1]:53', 'SCTP 192.0.2.101:3868', 'FWM 1', 'FWM 2 IPv6'].map(serviceArg)).toEqual([
      '-t 192.0.2.100:80', '-u [2001:db8::1]:53', '--sctp-service 192.0.2.101:3868', '-f 1', '-f 2 -6',
    ]);
  });
});

describe('diagnoseMaintenance', () => {
  it('a director whose keepalived does not track the maintenance file: a warning with the lines to add; one that does: ok (and in maintenance, by whom)', () => {
    const s = snapshot(data(true), data(false));
    const checks = diagnoseMaintenance(s, {
      cluster: 'prod',
      directors: [
        { director: 'lb1', trackFile: null, value: null, maintenance: null },
        { director: 'lb2', trackFile: '/var/lib/lvs-console/track/vrrp-maint', value: 1, maintenance: { id: '3', cluster: 'prod', director: 'lb2', actor: 'ops', reason: 'kernel', ticket: null, createdAt: NOW - 60_000, expiresAt: null, endedAt: null, endedBy: null, endReason: null } },
      ],
    });
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ['director-maintenance:lb1', 'warning'],
      ['director-maintenance:lb2', 'ok'],
    ]);
    expect(checks[0]?.fix).toContain('file "/var/lib/lvs-console/track/vrrp-maint"');
    expect(checks[0]?.fix).toContain('vrrp_instance VI_1 {');
    expect(checks[1]?.detail).toContain('it holds 1: in maintenance since');
    expect(checks[1]?.detail).toContain('by ops');
  });
});

describe('diagnoseNetworkManager (through the merge: observed NetworkManager -> director view -> checks and findings)', () => {
  const vrrp = (master: boolean) => [{ name: 'VI_1', state: master ? ('MASTER' as const) : ('BACKUP' as const), priority: 100, effectivePriority: 100, lastTransitionAt: null, vips: ['192.0.2.100', '192.0.2.101'], syncGroup: null, interface: 'eth0' }];
  const links = [{ device: 'eth0', addresses: ['192.0.2.3/24'] }];
  const nm = (addresses: string[], state = 'connected') => ({
    manager: 'networkmanager' as const, readAt: NOW - 5000, error: null,
    devices: [{ device: 'eth0', type: 'ethernet', state, connection: 'prod-eth0' }],
    profiles: [{
      name: 'prod-eth0', uuid: '11111111-2222-4333-8444-555555555555', type: '802-3-ethernet', interfaceName: 'eth0', autoconnect: true,
      ipv4Method: 'manual', ipv4Addresses: addresses, ipv4NeverDefault: true, ipv6Method: 'ignore', ipv6Addresses: [], device: 'eth0', state: 'activated',
    }],
  });

  it('not looked for yet: unknown; without NetworkManager: not applicable, no issue', () => {
    const s = snapshot(data(true, { vrrp: vrrp(true) }), data(false, { vrrp: vrrp(false), links, network: { manager: 'none', readAt: NOW, devices: [], profiles: [], error: null } }));
    expect(diagnoseNetworkManager(s).map((c) => [c.id, c.status])).toEqual([['networkmanager:lb1', 'unknown'], ['networkmanager:lb2', 'not-applicable']]);
    expect(s.directors[1]?.network).toMatchObject({ manager: 'none', interfaces: [{ device: 'eth0', addresses: ['192.0.2.3/24'], nm: null }] });
  });

  it('a VIP in a profile on both directors: critical finding and problem check with the fix; the device state shown', () => {
    const s = snapshot(
      data(true, { vrrp: vrrp(true), links, network: nm(['192.0.2.2/24', '192.0.2.100/24']) }),
      data(false, { vrrp: vrrp(false), links, network: nm(['192.0.2.3/24', '192.0.2.100/24'], 'disconnected') }),
    );
    const checks = diagnoseNetworkManager(s);
    expect(checks.map((c) => [c.check, c.director, c.status])).toEqual([
      ['networkmanager', 'lb1', 'ok'],
      ['networkmanager', 'lb2', 'ok'],
      ['nm-vip-in-profile', 'lb1', 'problem'],
      ['nm-vip-in-profile', 'lb2', 'problem'],
      ['nm-device-not-connected', 'lb2', 'warning'],
    ]);
    expect(checks[2]?.fix).toContain('nmcli connection modify 11111111-2222-4333-8444-555555555555 -ipv4.addresses 192.0.2.100/24');
    expect(s.findings.filter((f) => f.kind.startsWith('nm-')).map((f) => `${f.kind}:${f.severity}:${f.director}`)).toEqual([
      'nm-vip-in-profile:critical:lb1',
      'nm-vip-in-profile:critical:lb2',
      'nm-device-not-connected:warning:lb2',
    ]);
    expect(s.directors[1]?.network?.interfaces[0]?.nm?.state).toBe('disconnected');
  });

  it('a VRRP interface managed on one director only is worth knowing, not wrong: an ok check with the guidance', () => {
    const s = snapshot(
      data(true, { vrrp: vrrp(true), links, network: { manager: 'none', readAt: NOW, devices: [], profiles: [], error: null } }),
      data(false, { vrrp: vrrp(false), links, network: nm(['192.0.2.3/24']) }),
    );
    const c = diagnoseNetworkManager(s).find((x) => x.check === 'nm-managed-inconsistent');
    expect(c?.status).toBe('ok');
    expect(c?.director).toBeNull();
    expect(c?.fix).toContain('nmcli device set eth0 managed no   # on lb2');
    expect(s.findings.find((f) => f.kind === 'nm-managed-inconsistent')?.severity).toBe('info');
  });
});
