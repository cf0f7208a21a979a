import { describe, expect, it } from 'vitest';
import type { DirectorView, MergedService } from './models/cluster';
import type { NmProfileView } from './models/nmcli';
import { networkManagerIssues } from './network-manager-issues';

const VIPS = ['192.0.2.100', '192.0.2.101'];

function profile(over: Partial<NmProfileView> = {}): NmProfileView {
  return {
    name: 'lab-eth0', uuid: '5d7a3c2e-0b1f-4c47-9a51-2f0e6c1d0b02', type: '802-3-ethernet', interfaceName: 'eth0', autoconnect: true,
    ipv4Method: 'manual', ipv4Addresses: ['192.0.2.3/24'], ipv4NeverDefault: true, ipv6Method: 'manual', ipv6Addresses: ['2001:db8::3/64'],
    device: 'eth0', state: 'activated', ...over,
  };
}

function director(name: string, nm: { profiles?: NmProfileView[]; eth0?: string; eth1?: string } | null): DirectorView {
  return {
    name, endpoint: `${name}:22`, live: true, takenAt: 1, refreshMs: 1, error: null, keepalivedRunning: true, keepalivedPid: 1,
    instances: [{ name: 'VI_V4', state: 'BACKUP', priority: 100, effectivePriority: 100, lastTransitionAt: null, vips: VIPS, vipsHeld: 0, syncGroup: null, interface: 'eth0' }],
    heldVips: [], health: null, ipvsadmVersion: null,
    network: nm === null
      ? { manager: 'none', readAt: 1, interfaces: [], profiles: [], error: null }
      : {
          manager: 'networkmanager', readAt: 1, error: null, profiles: nm.profiles ?? [profile()],
          interfaces: [
            { device: 'eth0', addresses: ['192.0.2.3/24'], nm: { device: 'eth0', type: 'ethernet', state: nm.eth0 ?? 'connected', connection: 'lab-eth0' } },
            { device: 'eth1', addresses: ['198.51.100.3/24'], nm: { device: 'eth1', type: 'ethernet', state: nm.eth1 ?? 'connected', connection: null } },
          ],
        },
  };
}

const services = [{ realServers: [{ address: '198.51.100.13' }, { address: '192.0.2.11' }] }] as unknown as MergedService[];
const kinds = (ds: DirectorView[]) => networkManagerIssues(ds, services).map((i) => `${i.kind}:${i.severity}:${i.director ?? '-'}`);

describe('networkManagerIssues', () => {
  it('a clean NetworkManager director beside one without it: only the (info) difference in who manages the VRRP interface', () => {
    const issues = networkManagerIssues([director('dir1', null), director('dir2', {})], services);
    expect(issues.map((i) => `${i.kind}:${i.severity}`)).toEqual(['nm-managed-inconsistent:info']);
    expect(issues[0]?.message).toContain('eth0 is managed by NetworkManager on dir2 and not on dir1');
    expect(issues[0]?.fix).toContain('nmcli device set eth0 managed no   # on dir2');
    expect(networkManagerIssues([director('dir1', {}), director('dir2', {})], services)).toEqual([]);
    expect(networkManagerIssues([director('dir1', null), director('dir2', null)], services)).toEqual([]);
  });

  it('a VIP in a profile: warning with the nmcli fix (by UUID); critical when on two directors', () => {
    const withVip = profile({ ipv4Addresses: ['192.0.2.3/24', '192.0.2.100/24'] });
    const one = networkManagerIssues([director('dir1', {}), director('dir2', { profiles: [withVip] })], services);
    expect(one.map((i) => `${i.kind}:${i.severity}:${i.director}`)).toEqual(['nm-vip-in-profile:warning:dir2']);
    expect(one[0]?.fix).toContain('nmcli connection modify 5d7a3c2e-0b1f-4c47-9a51-2f0e6c1d0b02 -ipv4.addresses 192.0.2.100/24');
    const both = kinds([director('dir1', { profiles: [withVip] }), director('dir2', { profiles: [withVip] })]);
    expect(both).toEqual(['nm-vip-in-profile:critical:dir1', 'nm-vip-in-profile:critical:dir2']);
    // IPv6 VIPs in canonical form
    const v6 = director('dir2', { profiles: [profile({ ipv6Addresses: ['2001:0db8::0001/64'] })] });
    v6.instances[0]!.vips = ['2001:db8::1'];
    expect(kinds([director('dir1', {}), v6])).toContain('nm-vip-in-profile:warning:dir2');
  });

  it('VRRP or real-server-facing devices not connected; other devices and unmanaged ones are not flagged', () => {
    expect(kinds([director('dir1', {}), director('dir2', { eth0: 'disconnected', eth1: 'unavailable' })])).toEqual([
      'nm-device-not-connected:warning:dir2',
      'nm-device-not-connected:warning:dir2',
    ]);
    const d = director('dir2', { eth1: 'disconnected' });
    expect(networkManagerIssues([director('dir1', {}), d], [])).toEqual([]); // eth1 faces no real server
    expect(kinds([director('dir1', {}), director('dir2', { eth0: 'connected (externally)' })])).toEqual([]);
  });

  it('an autoconnect DHCP profile on the VRRP interface', () => {
    const dhcp = profile({ ipv4Method: 'auto', ipv4Addresses: [] });
    const issues = networkManagerIssues([director('dir1', {}), director('dir2', { profiles: [dhcp] })], services);
    expect(issues.map((i) => i.kind)).toEqual(['nm-dhcp-on-vrrp']);
    expect(issues[0]?.fix).toContain('ipv4.method manual ipv4.addresses 192.0.2.3/24');
    expect(networkManagerIssues([director('dir1', {}), director('dir2', { profiles: [{ ...dhcp, autoconnect: false }] })], services)).toEqual([]);
  });
});
