import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClusterSnapshot } from '@/lib/models/cluster';
import { DiagnosticCheck } from '@/lib/models/diagnostics';
import { diagnoseRealServers, type RealServerReadout } from './real-servers';

// Real-server checks on outputs captured from the lab's rs1 (DR), rs3 (NAT) and rs4 (TUN, healthy and
// as `lab/ctl break rs-tunl|rs-tun-vip|rs-rp-filter rs4` left it), some edited the way `lab/ctl break`
// breaks them.

const fx = (name: string) => fs.readFileSync(path.join(__dirname, '..', 'parsers', 'fixtures', 'realserver', name), 'utf8');

// Only what the checks read: the instances' VIPs and which services use which real server, how.
const snapshot = {
  name: 'lab',
  instances: [{ name: 'VI_V4', vips: ['192.0.2.100', '192.0.2.101', '198.51.100.1'] }],
  services: [
    { key: 'TCP 192.0.2.100:80', address: '192.0.2.100', fwmark: null, realServers: [{ address: '192.0.2.11', forward: 'Route' }] },
    { key: 'FWM 1', address: null, fwmark: 1, realServers: [{ address: '192.0.2.11', forward: 'Route' }] },
    { key: 'TCP 192.0.2.102:80', address: '192.0.2.102', fwmark: null, realServers: [{ address: '198.51.100.13', forward: 'Masq' }] },
    { key: 'TCP 192.0.2.103:80', address: '192.0.2.103', fwmark: null, realServers: [{ address: '192.0.2.14', forward: 'Tunnel' }] },
  ],
} as unknown as ClusterSnapshot;

const ADDRESS = { rs1: '192.0.2.11', rs3: '198.51.100.13', rs4: '192.0.2.14', 'rs4-broken': '192.0.2.14' } as const;
function readout(host: keyof typeof ADDRESS, edit: Partial<Record<'ipAddr' | 'ipRoute' | 'sysctls', (s: string) => string>> = {}): RealServerReadout {
  const same = (s: string) => s;
  return {
    host: host.replace('-broken', ''),
    addresses: [ADDRESS[host]],
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

  it('TUN: the lab\'s rs4 as booted passes (tunl0 up with the VIP, no ARP for it, rp_filter off)', () => {
    const checks = diagnoseRealServers(snapshot, [readout('rs4')]);
    checks.forEach((c) => DiagnosticCheck.parse(c));
    expect(checks.map((c) => [c.check, c.status])).toEqual([
      ['rs-tun-device', 'ok'],
      ['rs-tun-vip', 'ok'],
      ['rs-tun-arp', 'ok'],
      ['rs-rp-filter', 'ok'],
    ]);
    expect(checks.find((c) => c.check === 'rs-tun-vip')?.detail).toBe('192.0.2.103 on tunl0.');
  });

  it('TUN: tunl0 down, the VIP off it and strict rp_filter are each a problem, with the fix', () => {
    const checks = diagnoseRealServers(snapshot, [readout('rs4-broken')]);
    const by = (check: string) => checks.find((c) => c.check === check);
    expect(checks.map((c) => [c.check, c.status])).toEqual([
      ['rs-tun-device', 'problem'],
      ['rs-tun-vip', 'problem'],
      ['rs-tun-arp', 'ok'],
      ['rs-rp-filter', 'problem'],
    ]);
    expect(by('rs-tun-device')?.detail).toContain('tunl0 is down');
    expect(by('rs-tun-device')?.fix).toBe('modprobe ipip   # creates tunl0\nip link set tunl0 up');
    expect(by('rs-tun-vip')?.fix).toBe('ip addr add 192.0.2.103/32 dev tunl0');
    expect(by('rs-rp-filter')?.detail).toContain('TCP 192.0.2.103:80');
    expect(by('rs-rp-filter')?.fix).toContain('net.ipv4.conf.all.rp_filter=2');
  });

  it('TUN: no tunnel device at all (ipip not loaded), and a VIP on lo is enough (hand-edited)', () => {
    const noTunl = readout('rs4', { ipAddr: (s) => JSON.stringify((JSON.parse(s) as { ifname: string }[]).filter((l) => l.ifname !== 'tunl0')) });
    const c = diagnoseRealServers(snapshot, [noTunl]);
    expect(c.find((x) => x.check === 'rs-tun-device')?.detail).toContain('there is no tunl0');
    expect(c.find((x) => x.check === 'rs-tun-vip')?.status).toBe('problem');
    const onLo = readout('rs4', {
      ipAddr: (s) =>
        JSON.stringify(
          (JSON.parse(s) as { ifname: string; addr_info: { local: string }[] }[]).map((l) =>
            l.ifname === 'lo' ? { ...l, addr_info: [...l.addr_info, { family: 'inet', local: '192.0.2.103', prefixlen: 32, scope: 'global' }] } : l.ifname === 'tunl0' ? { ...l, addr_info: [] } : l,
          ),
        ),
    });
    expect(diagnoseRealServers(snapshot, [onLo]).find((x) => x.check === 'rs-tun-vip')).toMatchObject({ status: 'ok', detail: '192.0.2.103 on lo.' });
  });

  it('TUN: arp_ignore left at 0 answers ARP for the VIP on tunl0 (hand-edited)', () => {
    const r = readout('rs4', { sysctls: (s) => s.replace(/(all|eth0)\.arp_(ignore|announce) = \d/g, '$1.arp_$2 = 0') });
    const c = diagnoseRealServers(snapshot, [r]).find((x) => x.check === 'rs-tun-arp');
    expect(c?.status).toBe('problem');
    expect(c?.title).toBe('TUN: no ARP answers for the VIP');
  });

  it('an unreachable host is one problem, and a host no service uses is a warning', () => {
    expect(verdicts([{ host: 'rs9', addresses: ['192.0.2.19'], ipAddr: null, ipRoute: null, sysctls: null, error: 'connect-timeout' }])).toEqual([['rs9', 'rs-reachable', 'problem']]);
    expect(verdicts([{ ...readout('rs1'), addresses: ['192.0.2.99'] }])).toEqual([['rs1', 'rs-reachable', 'warning']]);
  });
});
