import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClusterSnapshot } from '@/lib/models/cluster';
import { DiagnosticCheck } from '@/lib/models/diagnostics';
import { diagnoseRealServers, type RealServerReadout } from './real-servers';

// Real-server checks on outputs captured from the lab's rs1 (DR) and rs3 (NAT), then edited the way
// `lab/ctl break` breaks them.

const fx = (name: string) => fs.readFileSync(path.join(__dirname, '..', 'parsers', 'fixtures', 'realserver', name), 'utf8');

// Only what the checks read: the instances' VIPs and which services use which real server, how.
const snapshot = {
  name: 'lab',
  instances: [{ name: 'VI_V4', vips: ['192.0.2.100', '192.0.2.101', '198.51.100.1'] }],
  services: [
    { key: 'TCP 192.0.2.100:80', address: '192.0.2.100', fwmark: null, realServers: [{ address: '192.0.2.11', forward: 'Route' }] },
    { key: 'FWM 1', address: null, fwmark: 1, realServers: [{ address: '192.0.2.11', forward: 'Route' }] },
    { key: 'TCP 192.0.2.102:80', address: '192.0.2.102', fwmark: null, realServers: [{ address: '198.51.100.13', forward: 'Masq' }] },
  ],
} as unknown as ClusterSnapshot;

function readout(host: 'rs1' | 'rs3', edit: Partial<Record<'ipAddr' | 'ipRoute' | 'sysctls', (s: string) => string>> = {}): RealServerReadout {
  const same = (s: string) => s;
  return {
    host,
    addresses: [host === 'rs1' ? '192.0.2.11' : '198.51.100.13'],
    ipAddr: (edit.ipAddr ?? same)(fx(`${host}-ip-addr.json`)),
    ipRoute: (edit.ipRoute ?? same)(fx(`${host}-ip-route.json`)),
    sysctls: (edit.sysctls ?? same)(fx(`${host}-sysctl-ipv4-conf.txt`)),
    error: null,
  };
}
const verdicts = (r: RealServerReadout[]) => diagnoseRealServers(snapshot, r).map((c) => [c.host, c.check, c.status]);

describe('diagnoseRealServers', () => {
  it('finds nothing wrong with the lab as booted (DR rs1, NAT rs3)', () => {
    const checks = diagnoseRealServers(snapshot, [readout('rs1'), readout('rs3')]);
    checks.forEach((c) => DiagnosticCheck.parse(c));
    expect(checks.map((c) => [c.host, c.check, c.status])).toEqual([
      ['rs1', 'rs-dr-vip', 'ok'],
      ['rs1', 'rs-dr-arp', 'ok'],
      ['rs1', 'rs-rp-filter', 'ok'],
      ['rs3', 'rs-nat-route', 'ok'],
      ['rs3', 'rs-rp-filter', 'ok'],
    ]);
  });

  it('DR: arp_ignore/arp_announce left at 0 answer ARP for the VIP', () => {
    const r = readout('rs1', { sysctls: (s) => s.replace(/(all|eth0)\.arp_(ignore|announce) = \d/g, '$1.arp_$2 = 0') });
    const c = diagnoseRealServers(snapshot, [r]).find((x) => x.check === 'rs-dr-arp');
    expect(c?.status).toBe('problem');
    expect(c?.detail).toContain('eth0: arp_ignore 0, arp_announce 0');
    expect(c?.fix).toContain('sysctl -w net.ipv4.conf.all.arp_ignore=1');
    expect(c?.fix).toContain('/etc/sysctl.d/');
  });

  it('DR: arp_ignore on the interface alone is enough (the kernel takes the larger of all and the interface)', () => {
    const r = readout('rs1', { sysctls: (s) => s.replace(/all\.arp_(ignore|announce) = \d/g, 'all.arp_$1 = 0') });
    expect(verdicts([r]).find((v) => v[1] === 'rs-dr-arp')?.[2]).toBe('ok');
  });

  it('DR: the VIP missing from lo', () => {
    const r = readout('rs1', { ipAddr: (s) => s.replace('"local":"192.0.2.100"', '"local":"192.0.2.199"') });
    const c = diagnoseRealServers(snapshot, [r]).find((x) => x.check === 'rs-dr-vip');
    expect(c?.status).toBe('problem');
    expect(c?.fix).toBe('ip addr add 192.0.2.100/32 dev lo');
  });

  it('NAT: no default route, or one that does not go through the directors', () => {
    const none = readout('rs3', { ipRoute: (s) => JSON.stringify((JSON.parse(s) as { dst: string }[]).filter((x) => x.dst !== 'default')) });
    const c = diagnoseRealServers(snapshot, [none]).find((x) => x.check === 'rs-nat-route');
    expect(c?.status).toBe('problem');
    expect(c?.detail).toContain('no default route');
    expect(c?.fix).toContain('ip route replace default via 198.51.100.1');
    const elsewhere = readout('rs3', { ipRoute: (s) => s.replace('"gateway":"198.51.100.1"', '"gateway":"198.51.100.254"') });
    expect(diagnoseRealServers(snapshot, [elsewhere]).find((x) => x.check === 'rs-nat-route')?.detail).toContain('via 198.51.100.254, which is not a VIP');
  });

  it('a host serving one service on several ports names that service once (issue 22: it was listed three times)', () => {
    const multi = {
      ...snapshot,
      services: [
        ...snapshot.services.filter((x) => x.key !== 'TCP 192.0.2.102:80'),
        { key: 'TCP 192.0.2.102:80', address: '192.0.2.102', fwmark: null, realServers: [8080, 8081, 8082].map(() => ({ address: '198.51.100.13', forward: 'Masq' })) },
      ],
    } as unknown as ClusterSnapshot;
    const none = readout('rs3', { ipRoute: (s) => JSON.stringify((JSON.parse(s) as { dst: string }[]).filter((x) => x.dst !== 'default')) });
    const c = diagnoseRealServers(multi, [none]).find((x) => x.check === 'rs-nat-route');
    expect(c?.detail).toContain('rs3 serves TCP 192.0.2.102:80 by NAT, but');
    expect(c?.detail.match(/TCP 192\.0\.2\.102:80/g)).toHaveLength(1);
  });

  it('strict rp_filter is a warning for DR and NAT (no tunnel here)', () => {
    const r = readout('rs1', { sysctls: (s) => s.replace('all.rp_filter = 0', 'all.rp_filter = 1') });
    const c = diagnoseRealServers(snapshot, [r]).find((x) => x.check === 'rs-rp-filter');
    expect(c?.status).toBe('warning');
    expect(c?.fix).toContain('net.ipv4.conf.all.rp_filter=2');
  });

  it('an unreachable host is one problem, and a host no service uses is a warning', () => {
    expect(verdicts([{ host: 'rs9', addresses: ['192.0.2.19'], ipAddr: null, ipRoute: null, sysctls: null, error: 'connect-timeout' }])).toEqual([['rs9', 'rs-reachable', 'problem']]);
    expect(verdicts([{ ...readout('rs1'), addresses: ['192.0.2.99'] }])).toEqual([['rs1', 'rs-reachable', 'warning']]);
  });
});
