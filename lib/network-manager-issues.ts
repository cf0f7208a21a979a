import { bareAddress, canonicalIP, inSubnet } from './address';
import type { DirectorView, FindingKind, MergedService } from './models/cluster';
import type { NetworkInterfaceView, NmProfileView } from './models/nmcli';

// Pure: what NetworkManager on the directors does to the VIPs, from the merged directors (their
// profiles, devices, VRRP interfaces) and services (real servers). One list, read by the live
// findings (server/collector/merge-snapshot.ts) and by "check this cluster", each issue with the
// exact fix as nmcli lines. Profiles are named by UUID in fixes: a profile name may hold anything.

export interface NetworkManagerIssue {
  /** Stable while the condition lasts. */
  id: string;
  kind: Extract<FindingKind, `nm-${string}`>;
  severity: 'critical' | 'warning' | 'info';
  /** null: about the cluster (directors disagree). */
  director: string | null;
  message: string;
  fix: string;
}

const CONNECTED = /^connected\b/;

/** The VRRP interfaces of a director (keepalived's `Interface` of each instance). */
function vrrpInterfaces(d: DirectorView): Set<string> {
  return new Set(d.instances.flatMap((i) => (i.interface ? [i.interface] : [])));
}

/** Every VIP of the cluster (canonical), from any director's instances. */
function clusterVips(directors: readonly DirectorView[]): Set<string> {
  return new Set(directors.flatMap((d) => d.instances.flatMap((i) => i.vips.map(canonicalIP))));
}

/** Devices with an address in the subnet of some real server (the real-server-facing side). */
function realServerFacing(interfaces: readonly NetworkInterfaceView[], services: readonly MergedService[]): Set<string> {
  const rs = [...new Set(services.flatMap((s) => s.realServers.map((r) => bareAddress(r.address))))];
  return new Set(interfaces.filter((i) => i.addresses.some((cidr) => rs.some((a) => inSubnet(cidr, a)))).map((i) => i.device));
}

function profileVips(p: NmProfileView, vips: ReadonlySet<string>): { family: 'ipv4' | 'ipv6'; cidr: string; vip: string }[] {
  const hit = (family: 'ipv4' | 'ipv6', list: readonly string[]) =>
    list.flatMap((cidr) => {
      const vip = canonicalIP(cidr.split('/')[0] ?? '');
      return vips.has(vip) ? [{ family, cidr, vip }] : [];
    });
  return [...hit('ipv4', p.ipv4Addresses), ...hit('ipv6', p.ipv6Addresses)];
}

function managedBy(d: DirectorView, device: string): boolean {
  if (d.network?.manager !== 'networkmanager') return false;
  const nm = d.network.interfaces.find((i) => i.device === device)?.nm;
  return nm !== undefined && nm !== null && nm.state !== 'unmanaged';
}

export function networkManagerIssues(directors: readonly DirectorView[], services: readonly MergedService[]): NetworkManagerIssue[] {
  const out: NetworkManagerIssue[] = [];
  const vips = clusterVips(directors);

  // A VIP in a profile: NetworkManager sets it at every activation (boot, `connection up`), on
  // this director whatever keepalived decides. On two directors: both hold it after every boot.
  const inProfiles = directors.flatMap((d) =>
    d.network?.manager === 'networkmanager' ? d.network.profiles.flatMap((p) => profileVips(p, vips).map((h) => ({ director: d.name, profile: p, ...h }))) : [],
  );
  for (const h of inProfiles) {
    const others = [...new Set(inProfiles.filter((x) => x.vip === h.vip && x.director !== h.director).map((x) => x.director))];
    out.push({
      id: `nm-vip-in-profile:${h.director}:${h.profile.uuid}:${h.vip}`,
      kind: 'nm-vip-in-profile',
      severity: others.length > 0 ? 'critical' : 'warning',
      director: h.director,
      message:
        `VIP ${h.vip} is written into NetworkManager profile "${h.profile.name}" on ${h.director}: every activation (boot, connection up) puts it there whatever keepalived decides` +
        (others.length > 0 ? `, and it is in a profile on ${others.join(', ')} too: after a reboot both hold it (split brain keepalived cannot end).` : '.'),
      fix:
        `# on ${h.director}: take the VIP out of the profile (saved for the next activation; keepalived keeps managing the address)\n` +
        `nmcli connection modify ${h.profile.uuid} -${h.family}.addresses ${h.cidr}   # profile "${h.profile.name}"\n` +
        `# do not re-apply it now on the VRRP master: a re-apply removes every address the profile does not set, keepalived's VIPs included`,
    });
  }

  for (const d of directors) {
    if (d.network?.manager !== 'networkmanager') continue;
    const vrrp = vrrpInterfaces(d);
    const facing = realServerFacing(d.network.interfaces, services);
    // A VRRP or real-server-facing device NetworkManager manages and does not have connected.
    for (const i of d.network.interfaces) {
      const state = i.nm?.state ?? null;
      if (state === null || state === 'unmanaged' || CONNECTED.test(state)) continue;
      const role = vrrp.has(i.device) ? 'VRRP interface' : facing.has(i.device) ? 'real-server-facing interface' : null;
      if (role === null) continue;
      out.push({
        id: `nm-device-not-connected:${d.name}:${i.device}`,
        kind: 'nm-device-not-connected',
        severity: 'warning',
        director: d.name,
        message: `${i.device} on ${d.name} (${role}) is "${state}" in NetworkManager${i.nm?.connection ? ` (profile "${i.nm.connection}")` : ', with no profile active'}.`,
        fix:
          `# on ${d.name}; if it is the VRRP master, put it in maintenance first (activating a profile removes keepalived's VIPs)\n` +
          `nmcli device connect ${i.device}`,
      });
    }
    // An autoconnect profile with DHCP/SLAAC on a VRRP interface: every lease renewal or re-apply
    // syncs the device to the profile and can drop the addresses keepalived added.
    for (const p of d.network.profiles) {
      const device = p.device ?? p.interfaceName;
      if (device === null || !vrrp.has(device) || p.autoconnect === false) continue;
      const dynamic = [p.ipv4Method === 'auto' ? 'ipv4.method auto (DHCP)' : null, p.ipv6Method === 'auto' || p.ipv6Method === 'dhcp' ? `ipv6.method ${p.ipv6Method}` : null].filter((x) => x !== null);
      if (dynamic.length === 0) continue;
      const primary = d.network.interfaces.find((i) => i.device === device)?.addresses.find((a) => !a.includes(':') && !vips.has(canonicalIP(a.split('/')[0] ?? '')));
      out.push({
        id: `nm-dhcp-on-vrrp:${d.name}:${p.uuid}`,
        kind: 'nm-dhcp-on-vrrp',
        severity: 'warning',
        director: d.name,
        message: `Profile "${p.name}" on ${d.name}'s VRRP interface ${device} uses ${dynamic.join(' and ')} with autoconnect: a lease renewal, link flap or re-apply makes NetworkManager sync the device to the profile and can remove keepalived's VIPs.`,
        fix:
          `# on ${d.name}: a static address on the VRRP interface (effective at the next activation; on the master, move the VIPs off first)\n` +
          `nmcli connection modify ${p.uuid} ipv4.method manual ipv4.addresses ${primary ?? '<address/prefix>'}` +
          (dynamic.length > 1 ? ` ipv6.method manual ipv6.addresses <address/prefix>` : '') +
          `\n# or leave the interface to keepalived and ifupdown: /etc/NetworkManager/conf.d/90-lvs.conf\n#   [keyfile]\n#   unmanaged-devices=interface-name:${device}`,
      });
    }
  }

  // A VRRP interface managed by NetworkManager on some directors and not on others: the same
  // event (boot, link flap, re-apply) treats the directors differently; worth knowing, not wrong.
  const names = [...new Set(directors.flatMap((d) => [...vrrpInterfaces(d)]))];
  const looked = directors.filter((d) => d.network != null);
  for (const dev of names) {
    const on = looked.filter((d) => vrrpInterfaces(d).has(dev));
    const managed = on.filter((d) => managedBy(d, dev)).map((d) => d.name);
    const not = on.filter((d) => !managedBy(d, dev)).map((d) => d.name);
    if (managed.length === 0 || not.length === 0) continue;
    out.push({
      id: `nm-managed-inconsistent:${dev}`,
      kind: 'nm-managed-inconsistent',
      severity: 'info',
      director: null,
      message: `VRRP interface ${dev} is managed by NetworkManager on ${managed.join(', ')} and not on ${not.join(', ')}: a boot, link flap or re-apply treats the directors differently.`,
      fix:
        `# either leave ${dev} to keepalived everywhere (on ${managed.join(', ')}):\n` +
        managed.map((n) => `nmcli device set ${dev} managed no   # on ${n}, until NetworkManager restarts`).join('\n') +
        `\n# and, to keep it after a restart, /etc/NetworkManager/conf.d/90-lvs.conf:\n#   [keyfile]\n#   unmanaged-devices=interface-name:${dev}\n` +
        `# or manage it with a static profile on ${not.join(', ')} too`,
    });
  }
  return out;
}
