import type { ClusterSnapshot } from '@/lib/models/cluster';
import type { DiagnosticCheck } from '@/lib/models/diagnostics';
import { canonicalAddress, canonicalIP, inSubnet } from '@/lib/address';
import { parseIpAddrJson } from '@/server/parsers/ip-addr';
import { parseSysctl } from '@/server/parsers/sysctl';

// "Check this cluster", real servers (pure): from what `ip -j addr show`, `ip -j route show` and
// the ipv4 conf sysctls print on a real server reached over SSH, and the cluster's merged snapshot
// (which services use this server, how they forward, the VIPs), one verdict per check with the fix:
//   DR (Route):  the service VIPs on lo; arp_ignore >= 1 and arp_announce >= 2 where clients ARP;
//   NAT (Masq):  the default route (or a route to the clients) through a VIP the directors float;
//   TUN (Tunnel): an IPIP device (tunl0; ip6tnl0 for IPv6) up, the VIPs on it or on lo, no ARP
//                answers for them (arp_ignore/arp_announce as for DR);
//   rp_filter:   strict (1) drops what a tunnel delivers: a problem for TUN, noted for DR.

export interface RealServerReadout {
  /** The host's name in the configuration. */
  host: string;
  /** The real-server addresses (as IPVS shows them) this host answers for. */
  addresses: readonly string[];
  /** Raw outputs, or the error that kept them from being read. */
  ipAddr: string | null;
  ipRoute: string | null;
  sysctls: string | null;
  error: string | null;
}

interface Route {
  dst: string;
  gateway?: string;
  dev?: string;
}

const SYSCTL_FILE = '/etc/sysctl.d/90-lvs-realserver.conf';
const persist = (lines: string[]) => `${lines.map((l) => `sysctl -w ${l}`).join('\n')}\nprintf '%s\\n' ${lines.map((l) => `'${l.replace('=', ' = ')}'`).join(' ')} >> ${SYSCTL_FILE}   # keep after a reboot`;

/** The services a host's real servers belong to, each named once (a host can serve one service on several ports or addresses). */
function serviceKeys(uses: readonly { svc: { key: string } }[]): string {
  return [...new Set(uses.map((u) => u.svc.key))].join(', ');
}
const countServices = (uses: readonly { svc: { key: string } }[]): number => new Set(uses.map((u) => u.svc.key)).size;
/** The VIPs (canonical, each once) of the address-based services among these uses; fwmark services have none. */
const serviceVips = (uses: readonly { svc: { fwmark: number | null; address: string | null } }[]): string[] =>
  [...new Set(uses.filter((u) => u.svc.fwmark === null).map((u) => canonicalIP(u.svc.address ?? '')))].filter(Boolean);
/** `ip addr add` of one address as a host route on DEV (/32, /128 for IPv6). */
const addHost = (v: string, dev: string): string => `ip addr add ${v}/${v.includes(':') ? 128 : 32} dev ${dev}`;

function parseRoutes(text: string): Route[] {
  const j: unknown = JSON.parse(text);
  if (!Array.isArray(j)) throw new Error('ip -j route show: not a JSON array');
  return j.filter((r): r is Route => typeof r === 'object' && r !== null && typeof (r as Route).dst === 'string');
}

export function diagnoseRealServers(s: ClusterSnapshot, readouts: readonly RealServerReadout[]): DiagnosticCheck[] {
  const out: DiagnosticCheck[] = [];
  const vipsFloating = new Set(s.instances.flatMap((i) => i.vips.map((v) => canonicalAddress(v))));
  for (const r of readouts) {
    const base = { director: null, host: r.host };
    const mine = new Set(r.addresses.map((a) => canonicalIP(a)));
    const uses = s.services.flatMap((svc) => svc.realServers.filter((rs) => mine.has(canonicalIP(rs.address))).map((rs) => ({ svc, rs })));
    if (r.error !== null || r.ipAddr === null || r.ipRoute === null || r.sysctls === null) {
      out.push({ ...base, id: `rs-reachable:${r.host}`, check: 'rs-reachable', title: 'Real server answers over SSH', status: 'problem',
        detail: `${r.host} could not be read${r.error ? `: ${r.error}` : ''}; its checks were not run.`,
        fix: `Make ${r.host} reachable over SSH as configured (clusters[].realServerHosts), then run the check again.` });
      continue;
    }
    const addrs = parseIpAddrJson(r.ipAddr);
    const sys = parseSysctl(r.sysctls).values;
    const conf = (iface: string, key: string): number => Number(sys[`net.ipv4.conf.${iface}.${key}`] ?? '0');
    const eff = (iface: string, key: string) => Math.max(conf('all', key), conf(iface, key));
    // Interfaces clients ARP on: up, not loopback, holding an address of this real server.
    const facing = addrs.links.filter((l) => l.ifname !== 'lo' && l.addresses.some((a) => mine.has(canonicalIP(a.local))));
    const onLo = new Set(addrs.links.filter((l) => l.ifname === 'lo').flatMap((l) => l.addresses.map((a) => canonicalIP(a.local))));

    const dr = uses.filter((u) => u.rs.forward === 'Route');
    const nat = uses.filter((u) => u.rs.forward === 'Masq');
    const tun = uses.filter((u) => u.rs.forward === 'Tunnel');
    if (uses.length === 0) {
      out.push({ ...base, id: `rs-reachable:${r.host}`, check: 'rs-reachable', title: 'Real server answers over SSH', status: 'warning',
        detail: `${r.host} answered, but no service of this cluster has ${r.addresses.join(', ')} as a real server.`, fix: 'Check the addresses listed for this host in clusters[].realServerHosts.' });
      continue;
    }

    // DR: every VIP it serves on lo (or it drops the packets the director sends it).
    if (dr.length > 0) {
      const vips = serviceVips(dr);
      const missing = vips.filter((v) => !onLo.has(v));
      out.push({ ...base, id: `rs-dr-vip:${r.host}`, check: 'rs-dr-vip', title: 'DR: the VIPs on lo', status: missing.length ? 'problem' : 'ok',
        detail: missing.length
          ? `${r.host} serves ${serviceKeys(dr)} by direct routing but does not hold ${missing.join(', ')} on lo: the director's packets for the VIP are dropped.`
          : `${vips.join(', ')} on lo (${countServices(dr)} direct-routing service${countServices(dr) > 1 ? 's' : ''}).`,
        fix: missing.length ? missing.map((v) => addHost(v, 'lo')).join('\n') : null });
    }

    // TUN: the director sends each packet inside IPIP to the server's own address; the kernel
    // decapsulates it on the fallback tunnel device (tunl0, made by the ipip module; ip6tnl0 for
    // IPv6), which must be up, and delivers it only if the VIP is local (on the tunnel device or lo).
    if (tun.length > 0) {
      const vips = serviceVips(tun);
      const v6 = vips.some((v) => v.includes(':'));
      const v4 = vips.some((v) => !v.includes(':')) || vips.length === 0;
      // which fallback device a link stands in for: IPv4-in-IPv4 (tunl0) or IPv6 (ip6tnl0)
      const kind = (l: (typeof addrs.links)[number]) =>
        l.linkType === 'tunnel6' || l.ifname.startsWith('ip6tnl') ? 'ip6tnl0' : l.linkType === 'ipip' || l.ifname.startsWith('tunl') ? 'tunl0' : null;
      const tunnels = addrs.links.filter((l) => kind(l) !== null);
      const want = [...(v4 ? ['tunl0'] : []), ...(v6 ? ['ip6tnl0'] : [])];
      const downOrMissing = want.filter((name) => !tunnels.some((l) => kind(l) === name && l.flags.includes('UP')));
      out.push({ ...base, id: `rs-tun-device:${r.host}`, check: 'rs-tun-device', title: 'TUN: the tunnel device is up', status: downOrMissing.length ? 'problem' : 'ok',
        detail: downOrMissing.length
          ? `${r.host} serves ${serviceKeys(tun)} through a tunnel, but ${downOrMissing.map((n) => (tunnels.some((l) => l.ifname === n) ? `${n} is down` : `there is no ${n}`)).join(' and ')}: the director's IPIP packets are not decapsulated and are dropped.`
          : `${want.join(' and ')} up (${countServices(tun)} tunnelled service${countServices(tun) > 1 ? 's' : ''}).`,
        fix: downOrMissing.length
          ? [`modprobe ${v6 && !v4 ? 'ip6_tunnel' : 'ipip'}${v4 && v6 ? ' ip6_tunnel' : ''}   # creates ${want.join(' and ')}`, ...downOrMissing.map((n) => `ip link set ${n} up`)].join('\n')
          : null });

      const local = new Set([...onLo, ...tunnels.flatMap((l) => l.addresses.map((a) => canonicalIP(a.local)))]);
      const missing = vips.filter((v) => !local.has(v));
      out.push({ ...base, id: `rs-tun-vip:${r.host}`, check: 'rs-tun-vip', title: 'TUN: the VIPs on the tunnel device', status: missing.length ? 'problem' : 'ok',
        detail: missing.length
          ? `${r.host} serves ${serviceKeys(tun)} through a tunnel but does not hold ${missing.join(', ')}: the decapsulated packets are for an address it does not have, and are dropped.`
          : `${vips.join(', ')} on ${[...new Set(tunnels.filter((l) => l.addresses.some((a) => vips.includes(canonicalIP(a.local)))).map((l) => l.ifname).concat(vips.some((v) => onLo.has(v)) ? ['lo'] : []))].join(', ')}.`,
        fix: missing.length ? missing.map((v) => addHost(v, v.includes(':') ? 'ip6tnl0' : 'tunl0')).join('\n') : null });
    }

    // DR and TUN: the server holds the VIP, but only the director may answer ARP for it.
    if (dr.length > 0 || tun.length > 0) {
      const bad = facing.filter((l) => eff(l.ifname, 'arp_ignore') < 1 || eff(l.ifname, 'arp_announce') < 2);
      const check = dr.length > 0 ? 'rs-dr-arp' : 'rs-tun-arp';
      out.push({ ...base, id: `${check}:${r.host}`, check, title: `${dr.length > 0 ? 'DR' : 'TUN'}: no ARP answers for the VIP`, status: bad.length ? 'problem' : 'ok',
        detail: bad.length
          ? `${bad.map((l) => `${l.ifname}: arp_ignore ${eff(l.ifname, 'arp_ignore')}, arp_announce ${eff(l.ifname, 'arp_announce')}`).join('; ')}: ${r.host} answers ARP for the VIP it holds${dr.length > 0 ? ' on lo' : ''}, and can steal the VIP's traffic from the director.`
          : `arp_ignore >= 1 and arp_announce >= 2 on ${facing.map((l) => l.ifname).join(', ') || 'every interface'}.`,
        fix: bad.length ? persist(['net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.all.arp_announce=2']) : null });
    }

    // NAT: replies must go back through the director (a VIP the directors float, e.g. the VRRP gateway).
    if (nat.length > 0) {
      let routes: Route[] = [];
      try {
        routes = parseRoutes(r.ipRoute);
      } catch {
        routes = [];
      }
      const def = routes.find((x) => x.dst === 'default');
      const via = def?.gateway ? canonicalIP(def.gateway) : null;
      const ok = via !== null && vipsFloating.has(via);
      const gw = [...vipsFloating].find((v) => !v.includes(':') && facing.some((l) => l.addresses.some((a) => a.family === 'inet' && inSubnet(`${a.local}/${a.prefixlen}`, v))));
      out.push({ ...base, id: `rs-nat-route:${r.host}`, check: 'rs-nat-route', title: 'NAT: replies route back through the director', status: ok ? 'ok' : 'problem',
        detail: ok
          ? `default route via ${via}, a VIP the directors float (${serviceKeys(nat)} by NAT).`
          : `${r.host} serves ${serviceKeys(nat)} by NAT, but ${via ? `its default route goes via ${via}, which is not a VIP of the directors` : 'it has no default route'}: replies bypass the director and clients drop them.`,
        fix: ok ? null : `ip route replace default via ${gw ?? '<the VRRP gateway VIP on this LAN>'}   # and make it permanent in the network configuration` });
    }

    // rp_filter: strict reverse-path filtering drops what arrives through a tunnel.
    const rpIfaces = [...new Set([...facing.map((l) => l.ifname), ...addrs.links.filter((l) => l.ifname.startsWith('tunl')).map((l) => l.ifname)])];
    const strict = rpIfaces.filter((i) => eff(i, 'rp_filter') === 1);
    const status = strict.length === 0 ? 'ok' : tun.length > 0 ? 'problem' : 'warning';
    out.push({ ...base, id: `rs-rp-filter:${r.host}`, check: 'rs-rp-filter', title: 'Reverse-path filter (rp_filter)', status,
      detail: strict.length === 0
        ? `rp_filter is loose or off on ${rpIfaces.join(', ') || 'every interface'}.`
        : tun.length > 0
          ? `strict rp_filter (1) on ${strict.join(', ')}: packets tunnelled from the director (${serviceKeys(tun)}) arrive on tunl0 but route back elsewhere, and are dropped.`
          : `strict rp_filter (1) on ${strict.join(', ')}: fine while requests and replies use one interface; if clients come in on one and replies leave on another (several LANs, asymmetric routes), the kernel drops them silently.`,
      fix: strict.length === 0 ? null : persist(['net.ipv4.conf.all.rp_filter=2', ...strict.map((i) => `net.ipv4.conf.${i}.rp_filter=2`)]) });
  }
  return out;
}

