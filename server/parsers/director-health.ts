// sysctl output -> DirectorHealth: the kernel settings that decide whether a director can do its job.
// Input: `sysctl -a` (or `sysctl KEY...`) lines, or `sysctl -n` values with their key list.
// Keys read:
//   net.ipv4.ip_forward, net.ipv6.conf.all.forwarding, net.ipv4.ip_nonlocal_bind,
//   net.ipv4.vs.{expire_quiescent_template,expire_nodest_conn,conntrack,sloppy_tcp,snat_reroute},
//   net.ipv4.conf.<if>.{rp_filter,arp_ignore,arp_announce,forwarding},
//   net.netfilter.nf_conntrack_count, net.netfilter.nf_conntrack_max (or net.nf_conntrack_max).
// `sysctls` keeps those keys plus anything else under net.ipv4.vs. and net.netfilter.nf_conntrack_.
// A modelled key whose value is not an integer is a ParseError on its line.

import { type DirectorHealth, type InterfaceSysctls } from '@/lib/models/director-health';
import { ParseError } from './parse-error';
import { parseSysctl, parseSysctlValues, type SysctlOutput } from './sysctl';

export { conntrackFillRatio, effectiveInterfaceSysctl } from '@/lib/models/director-health';

const KIND = 'director-health';

/** The keys to ask for with `sysctl KEY...` / `sysctl -n KEY...` (interfaces: all, default, lo). */
export const DIRECTOR_SYSCTL_KEYS = [
  'net.ipv4.ip_forward',
  'net.ipv6.conf.all.forwarding',
  'net.ipv4.ip_nonlocal_bind',
  'net.ipv4.vs.expire_quiescent_template',
  'net.ipv4.vs.expire_nodest_conn',
  'net.ipv4.vs.conntrack',
  'net.ipv4.vs.sloppy_tcp',
  'net.ipv4.vs.snat_reroute',
  'net.ipv4.conf.all.rp_filter',
  'net.ipv4.conf.default.rp_filter',
  'net.ipv4.conf.all.arp_ignore',
  'net.ipv4.conf.all.arp_announce',
  'net.netfilter.nf_conntrack_count',
  'net.netfilter.nf_conntrack_max',
];

const KEEP = /^(net\.ipv4\.vs\.|net\.netfilter\.nf_conntrack_(count|max|buckets)$|net\.nf_conntrack_max$|net\.ipv4\.ip_forward$|net\.ipv4\.ip_nonlocal_bind$|net\.ipv6\.conf\.all\.forwarding$|net\.ipv4\.conf\.[^.]+\.(rp_filter|arp_ignore|arp_announce|forwarding)$)/;

export function toDirectorHealth(out: SysctlOutput): DirectorHealth {
  const { values, lines } = out;
  const num = (key: string): number | null => {
    const v = values[key];
    if (v === undefined) return null;
    if (!/^-?\d{1,15}$/.test(v)) throw new ParseError(KIND, lines[key] ?? 0, `${key} = ${v}`, 'expected an integer value');
    return Number(v);
  };
  const bool = (key: string): boolean | null => {
    const n = num(key);
    return n === null ? null : n !== 0;
  };
  const count = (key: string): number | null => {
    const n = num(key);
    if (n !== null && n < 0) throw new ParseError(KIND, lines[key] ?? 0, `${key} = ${n}`, 'expected a non-negative count');
    return n;
  };

  const interfaces: Record<string, InterfaceSysctls> = {};
  const sysctls: Record<string, string> = {};
  for (const key of Object.keys(values)) {
    if (KEEP.test(key)) sysctls[key] = values[key] ?? '';
    const m = /^net\.ipv4\.conf\.([^.]+)\.(rp_filter|arp_ignore|arp_announce|forwarding)$/.exec(key);
    if (!m) continue;
    const ifname = m[1] ?? '';
    const entry = (interfaces[ifname] ??= { rpFilter: null, arpIgnore: null, arpAnnounce: null, forwarding: null });
    if (m[2] === 'rp_filter') entry.rpFilter = num(key);
    else if (m[2] === 'arp_ignore') entry.arpIgnore = num(key);
    else if (m[2] === 'arp_announce') entry.arpAnnounce = num(key);
    else entry.forwarding = bool(key);
  }
  return {
    ipForward: bool('net.ipv4.ip_forward'),
    ipv6Forward: bool('net.ipv6.conf.all.forwarding'),
    ipNonlocalBind: bool('net.ipv4.ip_nonlocal_bind'),
    ipvs: {
      expireQuiescentTemplate: bool('net.ipv4.vs.expire_quiescent_template'),
      expireNodestConn: bool('net.ipv4.vs.expire_nodest_conn'),
      conntrack: bool('net.ipv4.vs.conntrack'),
      sloppyTcp: bool('net.ipv4.vs.sloppy_tcp'),
      snatReroute: bool('net.ipv4.vs.snat_reroute'),
    },
    interfaces,
    conntrack: {
      count: count('net.netfilter.nf_conntrack_count'),
      max: values['net.netfilter.nf_conntrack_max'] !== undefined ? count('net.netfilter.nf_conntrack_max') : count('net.nf_conntrack_max'),
    },
    sysctls,
    errors: out.errors,
  };
}

/** `sysctl KEY...` / `sysctl -a` text -> DirectorHealth. */
export function parseDirectorHealth(text: string): DirectorHealth {
  return toDirectorHealth(parseSysctl(text));
}

/** `sysctl -n KEY...` text with the keys in the order asked -> DirectorHealth. */
export function parseDirectorHealthValues(text: string, keys: string[] = DIRECTOR_SYSCTL_KEYS): DirectorHealth {
  return toDirectorHealth(parseSysctlValues(text, keys));
}
