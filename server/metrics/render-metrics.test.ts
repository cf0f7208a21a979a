import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ClusterSnapshot } from '@/lib/models/cluster';
import type { IpvsService } from '@/lib/models/ipvsadm';
import { mergeSnapshot } from '@/server/collector/merge-snapshot';
import type { ObservedDirectorData } from '@/server/collector/observation';
import { parseIpvsadm } from '@/server/parsers/ipvsadm';
import { escapeLabelValue, renderMetrics, type MetricsInput } from './render-metrics';
import { parseMetrics } from './prom-test-helpers';

// /metrics from a snapshot merged out of the lab-captured ipvsadm fixtures (dir1 holds the VIPs),
// read back with a real Prometheus text-format parser.

const FIX = fileURLToPath(new URL('../parsers/fixtures/ipvsadm/', import.meta.url));
const NOW = 1_795_319_839_000;

/** dir's services: -Ln --stats plus -Ln --rate, as the collector combines them. */
function services(dir: string): IpvsService[] {
  const stats = parseIpvsadm(readFileSync(`${FIX}lab-${dir}-Ln--stats.txt`, 'utf8')).services;
  const rates = parseIpvsadm(readFileSync(`${FIX}lab-${dir}-Ln--rate.txt`, 'utf8')).services;
  const list = parseIpvsadm(readFileSync(`${FIX}lab-${dir}-Ln.txt`, 'utf8')).services;
  return list.map((s, i) => ({
    ...s,
    stats: stats[i]?.stats ?? null,
    rates: rates[i]?.rates ?? null,
    realServers: s.realServers.map((r, j) => ({ ...r, stats: stats[i]?.realServers[j]?.stats ?? null, rates: rates[i]?.realServers[j]?.rates ?? null })),
  }));
}

function observed(dir: string, master: boolean): ObservedDirectorData {
  const vips = ['192.0.2.100', '192.0.2.101', '192.0.2.102', '2001:db8::1'];
  return {
    takenAt: NOW - 500,
    durationMs: 120,
    ipvsadmVersion: '1.2.1',
    services: services(dir),
    addresses: master ? ['192.0.2.2', ...vips] : ['192.0.2.3'],
    keepalivedPid: 733,
    keepalivedDumpAt: NOW - 1000,
    vrrp: [{ name: 'VI_1', state: master ? 'MASTER' : 'BACKUP', priority: master ? 150 : 100, effectivePriority: master ? 150 : 100, lastTransitionAt: NOW - 60_000, vips, syncGroup: null }],
    checkers: null,
    health: null,
  };
}

function labSnapshot(): ClusterSnapshot {
  const s = mergeSnapshot({
    cluster: 'lab',
    now: NOW,
    pollIntervalMs: 2000,
    observations: [
      { name: 'dir1', endpoint: '10.0.0.1:22', data: observed('dir1', true), error: null },
      { name: 'dir2', endpoint: '10.0.0.2:22', data: observed('dir2', false), error: null },
    ],
    findingSince: new Map(),
  });
  // A console drain holding rs 192.0.2.12:80 at weight 0.
  const svc = s.services.find((x) => x.key === 'TCP 192.0.2.100:80');
  const rs = svc?.realServers.find((r) => r.key === '192.0.2.12:80');
  if (!rs) throw new Error('fixture lacks TCP 192.0.2.100:80 -> 192.0.2.12:80');
  rs.hold = { intentId: 'i1', kind: 'drain', weight: 0, mechanism: 'ipvsadm', actor: 'otto', reason: 'patching', createdAt: NOW - 5000, expiresAt: null };
  return s;
}

function input(over: Partial<MetricsInput> = {}): MetricsInput {
  return {
    snapshots: [labSnapshot()],
    collector: [
      { cluster: 'lab', director: 'dir1', successes: 41, errors: 2, lastSuccessAt: NOW - 500, refreshMs: 120, intervalMs: 4500 },
      { cluster: 'lab', director: 'dir2', successes: 40, errors: 0, lastSuccessAt: NOW - 700, refreshMs: 95 },
    ],
    failovers: [{ cluster: 'lab', instance: 'VI_1', count: 3 }],
    perRealServer: true,
    ...over,
  };
}

describe('renderMetrics', () => {
  const text = renderMetrics(input());
  const m = parseMetrics(text);

  it('parses with a Prometheus text-format parser; every family has HELP and the right TYPE', () => {
    expect(m.families.size).toBeGreaterThan(20);
    for (const f of m.families.values()) {
      expect(f.help, f.name).not.toBe('');
      expect(f.name.endsWith('_total') ? 'COUNTER' : 'GAUGE', f.name).toBe(f.type);
    }
    // Every sample line belongs to a family declared just before it.
    expect(text.split('\n').filter((l) => l && !l.startsWith('#')).length).toBe([...m.families.values()].reduce((n, f) => n + f.metrics.length, 0));
  });

  it('service and real-server counters and rates come from the active director (the fixtures)', () => {
    const svc = { cluster: 'lab', service: 'TCP 192.0.2.100:80' };
    expect(m.value('lvs_service_connections_total', svc)).toBe(5);
    expect(m.value('lvs_service_packets_total', { ...svc, direction: 'in' })).toBe(10);
    expect(m.value('lvs_service_bytes_total', { ...svc, direction: 'in' })).toBe(560);
    expect(m.value('lvs_service_bytes_per_second', { ...svc, direction: 'in' })).toBe(70);
    expect(m.value('lvs_service_connections_per_second', svc)).toBe(1);
    const rs = { ...svc, real_server: '192.0.2.12:80' };
    expect(m.value('lvs_real_server_connections_total', rs)).toBe(3);
    expect(m.value('lvs_real_server_bytes_total', { ...rs, direction: 'in' })).toBe(336);
    expect(m.value('lvs_real_server_bytes_per_second', { ...rs, direction: 'in' })).toBe(42);
    expect(m.value('lvs_real_server_weight', rs)).toBeTypeOf('number');
    expect(m.value('lvs_real_server_drained_by_console', rs)).toBe(1);
    expect(m.value('lvs_real_server_console_hold_weight', rs)).toBe(0);
    expect(m.value('lvs_real_server_drained_by_console', { ...svc, real_server: '192.0.2.11:80' })).toBe(0);
    expect(m.value('lvs_real_server_console_hold_weight', { ...svc, real_server: '192.0.2.11:80' })).toBeUndefined();
    // IPv6 and fwmark services keep their keys as label values.
    expect(m.value('lvs_real_server_connections_total', { service: 'TCP [2001:db8::1]:80', real_server: '[2001:db8::12]:80' })).toBe(1);
    expect(m.samples('lvs_service_connections_total', { service: 'FWM 1' })).toHaveLength(1);
    // One-hot health; per-service counts by health.
    expect(m.samples('lvs_real_server_health', rs).reduce((n, s) => n + s.value, 0)).toBe(1);
    expect(m.samples('lvs_service_real_servers', svc).reduce((n, s) => n + s.value, 0)).toBe(2);
  });

  it('directors, VRRP state one-hot, masters, failovers and the collector', () => {
    expect(m.value('lvs_director_up', { director: 'dir1' })).toBe(1);
    expect(m.value('lvs_director_up', { director: 'dir2' })).toBe(1);
    expect(m.value('lvs_director_vrrp_state', { director: 'dir1', instance: 'VI_1', state: 'MASTER' })).toBe(1);
    expect(m.value('lvs_director_vrrp_state', { director: 'dir1', instance: 'VI_1', state: 'BACKUP' })).toBe(0);
    expect(m.value('lvs_director_vrrp_state', { director: 'dir2', instance: 'VI_1', state: 'BACKUP' })).toBe(1);
    expect(m.samples('lvs_director_vrrp_state', { director: 'dir2', instance: 'VI_1' })).toHaveLength(7);
    expect(m.value('lvs_vrrp_instance_master', { instance: 'VI_1', director: 'dir1' })).toBe(1);
    expect(m.value('lvs_vrrp_instance_master', { instance: 'VI_1', director: 'dir2' })).toBe(0);
    expect(m.value('lvs_vrrp_instance_has_master', { instance: 'VI_1' })).toBe(1);
    expect(m.value('lvs_failovers_total', { cluster: 'lab', instance: 'VI_1' })).toBe(3);
    expect(m.value('lvs_collector_refresh_errors_total', { director: 'dir1' })).toBe(2);
    expect(m.value('lvs_collector_refreshes_total', { director: 'dir2' })).toBe(40);
    expect(m.value('lvs_collector_refresh_duration_seconds', { director: 'dir1' })).toBe(0.12);
    expect(m.value('lvs_collector_last_success_timestamp_seconds', { director: 'dir1' })).toBe((NOW - 500) / 1000);
    // The interval each director gets (dir1 behind: 4.5 s against the poll interval); none known yet for dir2.
    expect(m.value('lvs_collector_refresh_interval_seconds', { director: 'dir1' })).toBe(4.5);
    expect(m.samples('lvs_collector_refresh_interval_seconds', { director: 'dir2' })).toEqual([]);
    expect(m.value('lvs_collector_poll_interval_seconds', { cluster: 'lab' })).toBe(labSnapshot().pollIntervalMs / 1000);
    expect(m.value('lvs_cluster_findings', { cluster: 'lab', severity: 'critical' })).toBe(0);
  });

  it('an instance without failovers still has its 0; a cluster not shown drops its counts', () => {
    const t = parseMetrics(renderMetrics(input({ failovers: [{ cluster: 'elsewhere', instance: 'VI_9', count: 4 }] })));
    expect(t.samples('lvs_failovers_total')).toEqual([{ labels: { cluster: 'lab', instance: 'VI_1' }, value: 0 }]);
  });

  it('rollouts: one series per active rollout and state, whether the console stopped it, hosts waiting for someone', () => {
    const t = parseMetrics(renderMetrics(input({ rollouts: [
      { cluster: 'lab', id: '3', state: 'running', stopped: false, waiting: 1 },
      { cluster: 'lab', id: '4', state: 'paused', stopped: true, waiting: 0 },
    ] })));
    expect(t.value('lvs_rollout_active', { cluster: 'lab', rollout: '3', state: 'running' })).toBe(1);
    expect(t.value('lvs_rollout_active', { cluster: 'lab', rollout: '4', state: 'paused' })).toBe(1);
    expect(t.value('lvs_rollout_stopped', { cluster: 'lab', rollout: '4' })).toBe(1);
    expect(t.value('lvs_rollout_stopped', { cluster: 'lab', rollout: '3' })).toBe(0);
    expect(t.value('lvs_rollout_hosts_waiting', { cluster: 'lab', rollout: '3' })).toBe(1);
  });

  it('director maintenance: in maintenance and whether the track file is configured, per director', () => {
    const t = parseMetrics(renderMetrics(input({ maintenance: [
      { cluster: 'lab', director: 'dir1', inMaintenance: true, trackConfigured: true },
      { cluster: 'lab', director: 'dir2', inMaintenance: false, trackConfigured: false },
    ] })));
    expect(t.value('lvs_director_maintenance', { cluster: 'lab', director: 'dir1' })).toBe(1);
    expect(t.value('lvs_director_maintenance', { cluster: 'lab', director: 'dir2' })).toBe(0);
    expect(t.value('lvs_director_maintenance_track_configured', { cluster: 'lab', director: 'dir2' })).toBe(0);
  });

  it('NetworkManager per director: running or not (absent until looked for), and VIPs written into its profiles', () => {
    const s = labSnapshot();
    const [d1, d2] = s.directors;
    if (!d1 || !d2) throw new Error('lab snapshot has two directors');
    const clean = parseMetrics(renderMetrics(input({ snapshots: [s] })));
    expect(clean.samples('lvs_director_networkmanager')).toEqual([]);
    d1.network = { manager: 'none', readAt: NOW, interfaces: [], profiles: [], error: null };
    d2.network = { manager: 'networkmanager', readAt: NOW, interfaces: [], profiles: [], error: null };
    s.findings.push({ id: 'nm-vip-in-profile:dir2:u:192.0.2.100', kind: 'nm-vip-in-profile', severity: 'warning', message: 'm', director: 'dir2', service: null, realServer: null, since: NOW });
    const t = parseMetrics(renderMetrics(input({ snapshots: [s] })));
    expect(t.value('lvs_director_networkmanager', { cluster: 'lab', director: 'dir1' })).toBe(0);
    expect(t.value('lvs_director_networkmanager', { cluster: 'lab', director: 'dir2' })).toBe(1);
    expect(t.value('lvs_director_networkmanager_vips_in_profiles', { cluster: 'lab', director: 'dir2' })).toBe(1);
    expect(t.samples('lvs_director_networkmanager_vips_in_profiles').map((x) => x.labels.director)).toEqual(['dir2']);
  });

  it('perRealServer: false drops every real-server series and keeps the service ones', () => {
    const t = parseMetrics(renderMetrics(input({ perRealServer: false })));
    expect([...t.families.keys()].filter((k) => k.startsWith('lvs_real_server_'))).toEqual([]);
    expect(t.value('lvs_service_connections_total', { service: 'TCP 192.0.2.100:80' })).toBe(5);
    expect(t.samples('lvs_service_real_servers', { service: 'TCP 192.0.2.100:80', health: 'up' })).toHaveLength(1);
  });

  it('escapes label values (backslash, quote, newline) so a parser gets them back verbatim', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    const s = labSnapshot();
    const odd = 'dir "one"\\\nx';
    const d0 = s.directors[0];
    if (!d0) throw new Error('no director');
    s.directors = [{ ...d0, name: odd }];
    const t = parseMetrics(renderMetrics(input({ snapshots: [s], collector: [], failovers: [] })));
    expect(t.samples('lvs_director_up').map((x) => x.labels.director)).toEqual([odd]);
  });

  it('a stale director is down and its counters stay', () => {
    const s = mergeSnapshot({
      cluster: 'lab',
      now: NOW + 60_000,
      pollIntervalMs: 2000,
      observations: [{ name: 'dir1', endpoint: 'x', data: observed('dir1', true), error: { code: 'command-timeout', message: 'timed out', since: NOW } }],
      findingSince: new Map(),
    });
    const t = parseMetrics(renderMetrics(input({ snapshots: [s] })));
    expect(t.value('lvs_director_up', { director: 'dir1' })).toBe(0);
    expect(t.value('lvs_cluster_findings', { severity: 'critical' })).toBeGreaterThan(0);
  });
});
