// Pure generator of REPLAYED director outputs for benches (bench/fleet/fleet.ts serves them over a
// real sshd). Nothing here talks to a director: the texts imitate what a director prints, with the
// exact column layout of the outputs captured from the lab (server/parsers/fixtures/*/lab-dir1-*),
// because our parsers are strict.
//
// One cluster = one table of S services × R real servers, shared by its directors (keepalived
// programs the same table on each); counters differ per director (the master carries the traffic).
// Director 0 of a cluster is the VRRP master and holds the VIPs.
//
// Addresses are documentation ranges only: VIPs 192.0.2.100-249 (3 per cluster) and
// 2001:db8:C::100/101, directors' own 192.0.2.2-91 / 2001:db8::2.., real servers 198.51.100.10-249,
// 203.0.113.10-249 and 2001:db8:C:1::/64.

import { prng } from '../../lib/testing/prng';

/** The same seeded generator the fuzz tests use (bench/parse-connections.bench.ts imports it from here). */
export { prng };

export interface GenerateOptions {
  /** Virtual services per director. */
  services: number;
  /** Real servers per service (at most 480). */
  realServers: number;
  /** Index of the cluster (VIPs, VRRP ids and the table differ per cluster). */
  cluster: number;
  /** Index of the director inside the cluster; 0 is the master. */
  director: number;
  /** Index of the director in the whole fleet (its own addresses). */
  fleetIndex: number;
  /** Epoch seconds used for "Last transition" (default a fixed instant, so output is deterministic). */
  epoch?: number;
}

export interface DirectorOutputs {
  /** `ipvsadm -Ln --exact` */
  list: string;
  /** `ipvsadm -Ln --stats --exact` */
  stats: string;
  /** `ipvsadm -Ln --rate --exact` */
  rate: string;
  /** `ipvsadm -Ln --persistent-conn --exact` */
  persistent: string;
  /** `ip -j addr show` */
  ipAddr: string;
  /** /tmp/keepalived.data (VRRP side of the SIGUSR1 dump) */
  keepalivedData: string;
  /** /tmp/keepalived_check.data (checker side) */
  keepalivedCheckData: string;
  /** sysctl key -> value, as `/sbin/sysctl -e KEYS…` prints them (`key = value`). */
  sysctl: Record<string, string>;
  /** `pidof keepalived` */
  pidof: string;
  /** What the table holds, for checks. */
  summary: { services: number; realServers: number; vips: string[] };
}

type Proto = 'TCP' | 'UDP' | 'SCTP' | 'FWM';
type Forward = 'Route' | 'Masq';

interface GenRealServer {
  address: string;
  v6: boolean;
  port: number;
  weight: number;
  /** keepalived's checker verdict; a failed one keeps weight 0 (inhibit_on_failure). */
  alive: boolean;
}

interface GenService {
  proto: Proto;
  v6: boolean;
  vip: string | null;
  port: number;
  fwmark: number | null;
  sched: string;
  schedFlags: string[];
  persistent: number | null;
  /** v4: dotted mask, v6: prefix length; null when not printed (full mask). */
  mask: string | null;
  ops: boolean;
  forward: Forward;
  realServers: GenRealServer[];
}

interface Counters {
  active: number;
  inactive: number;
  persistConn: number;
  /** conns, inpkts, outpkts, inbytes, outbytes */
  stats: [number, number, number, number, number];
  /** cps, inpps, outpps, inbps, outbps */
  rate: [number, number, number, number, number];
}

// ---------------------------------------------------------------------------------------------


const DEFAULT_EPOCH = 1795319800;
const MAX_REAL_SERVERS = 480;

/** The cluster's VIPs: 3 IPv4 and 2 IPv6 addresses, reused with many ports. */
export function clusterVips(cluster: number): { v4: string[]; v6: string[] } {
  const base = 100 + ((3 * cluster) % 150);
  const net = (cluster % 0xfffe) + 1;
  return {
    v4: [0, 1, 2].map((k) => `192.0.2.${base + k}`),
    v6: [`2001:db8:${net.toString(16)}::100`, `2001:db8:${net.toString(16)}::101`],
  };
}

/** The 480 IPv4 real-server addresses: 198.51.100.10-249 then 203.0.113.10-249. */
function realServerV4(k: number): string {
  const i = k % MAX_REAL_SERVERS;
  return i < 240 ? `198.51.100.${10 + i}` : `203.0.113.${10 + i - 240}`;
}

function realServerV6(cluster: number, k: number): string {
  const net = (cluster % 0xfffe) + 1;
  return `2001:db8:${net.toString(16)}:1::${((k % MAX_REAL_SERVERS) + 10).toString(16)}`;
}

/** The virtual-service table of a cluster (same on each of its directors). */
function generateTable(services: number, realServers: number, cluster: number): GenService[] {
  if (realServers > MAX_REAL_SERVERS) throw new RangeError(`at most ${MAX_REAL_SERVERS} real servers per service`);
  const rnd = prng(0x5eed + cluster * 7919);
  const int = (n: number): number => Math.floor(rnd() * n);
  const vips = clusterVips(cluster);
  const nextPort = new Map<string, number>();
  const WELL_KNOWN: Record<Proto, number[]> = { TCP: [80, 443, 8080, 8443], UDP: [53, 5353, 123], SCTP: [3868, 2905], FWM: [] };
  const port = (proto: Proto, vip: string): number => {
    const k = `${proto} ${vip}`;
    const n = nextPort.get(k) ?? 0;
    nextPort.set(k, n + 1);
    const wk = WELL_KNOWN[proto];
    return n < wk.length ? (wk[n] ?? 0) : 10000 + (n - wk.length) * 7;
  };
  const out: GenService[] = [];
  let fwmark = 0;
  for (let i = 0; i < services; i++) {
    // 60% TCP/IPv4, 10% TCP/IPv6, 10% UDP/IPv4, 5% UDP/IPv6, 5% SCTP, 5% FWM IPv4, 5% FWM IPv6
    const m = i % 20;
    const proto: Proto = m < 14 ? 'TCP' : m < 17 ? 'UDP' : m === 17 ? 'SCTP' : 'FWM';
    const v6 = m === 12 || m === 13 || m === 16 || m === 19;
    const vip = proto === 'FWM' ? null : v6 ? (vips.v6[i % 2] ?? '') : (vips.v4[i % 3] ?? '');
    const p = vip === null ? 0 : port(proto, vip);
    const mark = proto === 'FWM' ? ++fwmark : null;
    const s = i % 10;
    const sched = s < 5 ? 'wlc' : s < 7 ? 'rr' : s === 7 ? 'sh' : s === 8 ? 'wrr' : 'lc';
    const schedFlags = sched === 'sh' ? (i % 20 < 10 ? ['sh-fallback', 'sh-port'] : ['sh-port']) : [];
    const persistent = (proto === 'TCP' || proto === 'FWM') && i % 7 === 3 ? (i % 2 === 0 ? 300 : 1800) : null;
    const mask = persistent === null ? null : v6 ? '64' : i % 3 === 0 ? '255.255.255.0' : null;
    const ops = proto === 'UDP' && i % 40 === 15;
    const forward: Forward = proto !== 'FWM' && i % 4 === 1 ? 'Masq' : 'Route';
    const base = int(MAX_REAL_SERVERS);
    const rs: GenRealServer[] = [];
    for (let j = 0; j < realServers; j++) {
      const k = base + j;
      const down = (i * realServers + j) % 37 === 5;
      const drained = !down && (i * realServers + j) % 53 === 7;
      const w = sched === 'wlc' || sched === 'lc' ? 100 : sched === 'wrr' ? 1 + (j % 5) : 1;
      rs.push({
        address: v6 ? realServerV6(cluster, k) : realServerV4(k),
        v6,
        // DR keeps the VIP's port; NAT maps to a backend port; fwmark services have none.
        port: proto === 'FWM' ? 0 : forward === 'Masq' ? 8000 + (p % 1000) + (j % 3) : p,
        weight: down || drained ? 0 : w,
        alive: !down,
      });
    }
    // A NAT service with two backend ports per host must not repeat ADDR:PORT.
    const seen = new Set<string>();
    out.push({
      proto,
      v6,
      vip,
      port: p,
      fwmark: mark,
      sched,
      schedFlags,
      persistent,
      mask,
      ops,
      forward,
      realServers: rs.filter((r) => {
        const k = `${r.address} ${r.port}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      }),
    });
  }
  return out;
}

function generateCounters(table: GenService[], cluster: number, director: number): Counters[][] {
  const rnd = prng(0xc0de + cluster * 104729 + director * 31);
  const int = (n: number): number => Math.floor(rnd() * n);
  const master = director === 0;
  return table.map((svc) =>
    svc.realServers.map((rs): Counters => {
      if (rs.weight === 0 && !rs.alive) {
        return { active: 0, inactive: int(3), persistConn: 0, stats: [int(1000), int(5000), 0, int(400000), 0], rate: [0, 0, 0, 0, 0] };
      }
      // The backup sees only what the sync daemon sends: a little.
      const scale = master ? 1 : 0.001;
      const conns = Math.floor(int(20_000_000) * scale) + int(10);
      const inPkts = conns * (3 + int(20));
      const outPkts = svc.forward === 'Masq' ? Math.floor(inPkts * 0.9) : 0;
      const inBytes = inPkts * (60 + int(1400));
      const outBytes = svc.forward === 'Masq' ? outPkts * (200 + int(1300)) : 0;
      const cps = master ? int(300) : 0;
      const inPps = cps * (3 + int(20));
      const outPps = svc.forward === 'Masq' ? Math.floor(inPps * 0.9) : 0;
      return {
        active: master ? int(400) : 0,
        inactive: master ? int(2000) : int(5),
        persistConn: svc.persistent !== null && master ? int(900) : 0,
        stats: [conns, inPkts, outPkts, inBytes, outBytes],
        rate: [cps, inPps, outPps, inPps * (60 + int(1400)), outPps * (200 + int(1300))],
      };
    }),
  );
}

// --------------------------------------------------------------------------------------------- ipvsadm

const VERSION_LINE = 'IP Virtual Server version 1.2.1 (size=4096)';
const LIST_HEADER = `${VERSION_LINE}\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n`;
const STATS_HEADER = `${VERSION_LINE}\nProt LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n  -> RemoteAddress:Port\n`;
const RATE_HEADER = `${VERSION_LINE}\nProt LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n  -> RemoteAddress:Port\n`;
const PERSISTENT_HEADER = `${VERSION_LINE}\nProt LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n  -> RemoteAddress:Port\n`;

const hostPort = (address: string, v6: boolean, port: number): string => (v6 ? `[${address}]:${port}` : `${address}:${port}`);

/** ipvsadm's svc_name: "TCP  ADDR:PORT", "SCTP ADDR:PORT", "FWM  N" or "FWM  N IPv6". */
function serviceName(s: GenService): string {
  if (s.fwmark !== null) return `FWM  ${s.fwmark}${s.v6 ? ' IPv6' : ''}`;
  return `${s.proto.padEnd(4)} ${hostPort(s.vip ?? '', s.v6, s.port)}`;
}

/** The list-mode service line: name, scheduler, (flags), persistent T [mask M], ops. */
function serviceLine(s: GenService): string {
  let line = `${serviceName(s)} ${s.sched}`;
  if (s.schedFlags.length > 0) line += ` (${s.schedFlags.join(',')})`;
  if (s.persistent !== null) {
    line += ` persistent ${s.persistent}`;
    if (s.mask !== null) line += ` mask ${s.mask}`;
  }
  if (s.ops) line += ' ops';
  return line;
}

/** print_largenum with --exact: width 9, or the number's length + 1. */
function largenum(n: number): string {
  const v = String(n);
  return v.padStart(v.length <= 8 ? 9 : v.length + 1);
}

const sum5 = (xs: Array<[number, number, number, number, number]>): [number, number, number, number, number] => {
  const t: [number, number, number, number, number] = [0, 0, 0, 0, 0];
  for (const x of xs) for (let k = 0; k < 5; k++) t[k] = (t[k] ?? 0) + x[k]!;
  return t;
};

/** A listing of service lines (`serviceLine`) each followed by its real servers' lines, whose columns after the address `columns` gives. */
function renderServices(header: string, table: GenService[], counters: Counters[][], columns: (s: GenService, r: GenRealServer, c: Counters) => string): string {
  const parts: string[] = [header];
  table.forEach((s, i) => {
    parts.push(`${serviceLine(s)}\n`);
    s.realServers.forEach((r, j) => {
      parts.push(`  -> ${hostPort(r.address, r.v6, r.port).padEnd(28)} ${columns(s, r, counters[i]![j]!)}\n`);
    });
  });
  return parts.join('');
}

function renderList(table: GenService[], counters: Counters[][]): string {
  return renderServices(LIST_HEADER, table, counters, (s, r, c) => `${s.forward.padEnd(7)} ${String(r.weight).padEnd(6)} ${String(c.active).padEnd(10)} ${String(c.inactive).padEnd(10)}`);
}

function renderCounters(table: GenService[], counters: Counters[][], header: string, pick: (c: Counters) => [number, number, number, number, number]): string {
  const parts: string[] = [header];
  table.forEach((s, i) => {
    const rs = counters[i]!.map(pick);
    parts.push(`${serviceName(s).padEnd(33)}${sum5(rs).map(largenum).join('')}\n`);
    s.realServers.forEach((r, j) => {
      parts.push(`  -> ${hostPort(r.address, r.v6, r.port).padEnd(28)}${rs[j]!.map(largenum).join('')}\n`);
    });
  });
  return parts.join('');
}

function renderPersistent(table: GenService[], counters: Counters[][]): string {
  return renderServices(PERSISTENT_HEADER, table, counters, (_s, r, c) => `${String(r.weight).padEnd(9)} ${String(c.persistConn).padEnd(11)} ${String(c.active).padEnd(10)} ${String(c.inactive).padEnd(10)}`);
}

// --------------------------------------------------------------------------------------------- ip -j addr show

function ownV4(fleetIndex: number): string {
  return `192.0.2.${2 + (fleetIndex % 90)}`;
}

function renderIpAddr(opts: GenerateOptions, vips: { v4: string[]; v6: string[] }): string {
  const forever = { valid_life_time: 4294967295, preferred_life_time: 4294967295 };
  const master = opts.director === 0;
  const i = opts.fleetIndex;
  const mac = `52:54:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}:01`;
  const eth0 = [
    { family: 'inet', local: ownV4(i), prefixlen: 24, broadcast: '192.0.2.255', scope: 'global', label: 'eth0', ...forever },
    ...(master
      ? vips.v4.map((v, k) => ({ family: 'inet', local: v, prefixlen: 24, scope: 'global', secondary: true, label: k === 0 ? 'eth0:vip' : 'eth0', ...forever }))
      : []),
    ...(master ? vips.v6.map((v) => ({ family: 'inet6', local: v, prefixlen: 64, scope: 'global', nodad: true, ...forever })) : []),
    { family: 'inet6', local: `2001:db8::${(2 + i).toString(16)}`, prefixlen: 64, scope: 'global', ...forever },
    { family: 'inet6', local: `fe80::5054:ff:fe00:${(i & 0xffff).toString(16)}`, prefixlen: 64, scope: 'link', ...forever },
  ];
  const links = [
    {
      ifindex: 1,
      ifname: 'lo',
      flags: ['LOOPBACK', 'UP', 'LOWER_UP'],
      mtu: 65536,
      qdisc: 'noqueue',
      operstate: 'UNKNOWN',
      group: 'default',
      txqlen: 1000,
      link_type: 'loopback',
      address: '00:00:00:00:00:00',
      broadcast: '00:00:00:00:00:00',
      addr_info: [
        { family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host', label: 'lo', ...forever },
        { family: 'inet6', local: '::1', prefixlen: 128, scope: 'host', ...forever },
      ],
    },
    {
      ifindex: 2,
      ifname: 'eth0',
      flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
      mtu: 1500,
      qdisc: 'fq_codel',
      operstate: 'UP',
      group: 'default',
      txqlen: 1000,
      link_type: 'ether',
      address: mac,
      broadcast: 'ff:ff:ff:ff:ff:ff',
      addr_info: eth0,
    },
  ];
  return `${JSON.stringify(links)}\n`;
}

// --------------------------------------------------------------------------------------------- keepalived dumps

function ctimeUs(epoch: number, us: number): string {
  // "Sun Nov 22 03:56:40.229966 2026", as keepalived prints it (UTC here).
  const d = new Date(epoch * 1000);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${String(us).padStart(6, '0')} ${d.getUTCFullYear()}`;
}

function globalDefinitions(routerId: string): string {
  return [
    '------< Global definitions >------',
    ' Network namespace = (default)',
    ' Network namespace ipvs = (main namespace)',
    ` Router ID = ${routerId}`,
    ' Default smtp_alert = unset',
    ' Checkers log all failures = false',
    ' Dynamic interfaces = false',
    ' Default interface = eth0',
    ' LVS flush = false',
    ' VRRP IPv4 mcast group = 224.0.0.18',
    ' VRRP IPv6 mcast group = ff02::12',
    ' Gratuitous ARP delay = 1',
    ' Gratuitous ARP repeat = 5',
    ' VRRP default protocol version = 2',
    ' Script security enabled',
    ' Default script uid:gid 0:0',
    ' umask = 0133',
    '',
  ].join('\n');
}

function renderKeepalivedData(opts: GenerateOptions, vips: { v4: string[]; v6: string[] }): string {
  const master = opts.director === 0;
  const state = master ? 'MASTER' : 'BACKUP';
  const prio = master ? 150 : 100 - Math.min(opts.director, 90);
  const epoch = opts.epoch ?? DEFAULT_EPOCH;
  const vrid4 = 1 + ((2 * opts.cluster) % 254);
  const vrid6 = 2 + ((2 * opts.cluster) % 254);
  const instance = (name: string, version: number, vrid: number, us: number, vipLines: string[]): string[] => [
    ` VRRP Instance = ${name}`,
    `   VRRP Version = ${version}`,
    '   Sync group = VG_FLEET',
    ...(version === 3 ? ['   Using Native IPv6'] : []),
    `   State = ${state}`,
    '   Flags: none',
    `   Wantstate = ${state}`,
    '   Number of config faults = 0',
    '   Number of interface and track script faults = 0',
    '   Number of track scripts init = 0',
    `   Last transition = ${epoch}.${String(us).padStart(6, '0')} (${ctimeUs(epoch, us)})`,
    `   Read timeout = ${epoch + 40}.${String(us).padStart(6, '0')} (${ctimeUs(epoch + 40, us)})`,
    '   Master down timer = 3414062 usecs',
    '   Interface = eth0',
    `   Using src_ip = ${version === 3 ? `fe80::5054:ff:fe00:${(opts.fleetIndex & 0xffff).toString(16)}` : ownV4(opts.fleetIndex)}`,
    `   Multicast address ${version === 3 ? 'ff02::12, ifindex 2' : '224.0.0.18'}`,
    '   Gratuitous ARP delay = 1',
    '   Gratuitous ARP repeat = 5',
    '   Down timer adverts = 3',
    `   Virtual Router ID = ${vrid}`,
    `   Priority = ${prio}`,
    `   Effective priority = ${prio}`,
    `   Total priority = ${prio}`,
    version === 3 ? '   Advert interval = 1000 milli-sec' : '   Advert interval = 1 sec',
    '   Accept = enabled',
    '   Preempt = enabled',
    '   Promote_secondaries = disabled',
    ...(version === 2 ? ['   Authentication type = none'] : []),
    `   Virtual IP (${vipLines.length}):`,
    ...vipLines.map((l) => `     ${l}`),
    '   Using smtp notification = no',
    '   Notify deleted = Fault',
    "   Generic state transition script = '/etc/keepalived/notify.sh', uid:gid 0:0",
    '   Notify priority changes = false',
  ];
  const set = master ? ' set' : '';
  return [
    globalDefinitions(`FLEET-${opts.cluster}-${opts.director}`),
    '------< VRRP Topology >------',
    ...instance('VI_V4', 2, vrid4, 229966, vips.v4.map((v, k) => `${v}/24 dev eth0 scope global${k === 0 ? ' label eth0:vip' : ''}${set}`)),
    ...instance('VI_V6', 3, vrid6, 166771, vips.v6.map((v) => `${v}/64 dev eth0 scope global preferred_lft forever${set}`)),
    '------< VRRP Sync groups >------',
    ` VRRP Sync Group = VG_FLEET, ${state}`,
    '   Num member fault 0, num member init 0',
    '   VRRP member instances :',
    '     VI_V4',
    '     VI_V6',
    '   Using smtp notification = no',
    "   Generic state transition script = '/etc/keepalived/notify.sh', uid:gid 0:0",
    '------< Interfaces >------',
    ' Name = eth0',
    '   index = 2',
    `   IPv4 address = ${ownV4(opts.fleetIndex)}`,
    '   State = UP, RUNNING',
    '   MTU = 1500',
    '',
  ].join('\n');
}

const KA_FORWARD: Record<Forward, string> = { Route: 'DR', Masq: 'NAT' };

function renderKeepalivedCheckData(opts: GenerateOptions, table: GenService[]): string {
  const parts: string[] = [globalDefinitions(`FLEET-${opts.cluster}-${opts.director}`), '------< LVS Topology >------\n', ' System is compiled with LVS v1.2.1\n'];
  for (const s of table) {
    const fwd = KA_FORWARD[s.forward];
    const lines = [
      ' ------< Virtual server >------',
      s.fwmark !== null ? ` VS FWMARK = ${s.fwmark}` : ` VS VIP = ${s.vip ?? ''}, VPORT = ${s.port}`,
      `   Address family = ${s.v6 ? 'inet6' : 'inet'}`,
      '   connection timeout = 5.000000',
      '   delay_loop = 6.000000',
      `   lvs_sched = ${s.sched}`,
      '   Hashed = disabled',
      ...(s.sched === 'sh'
        ? [`   sh-port = ${s.schedFlags.includes('sh-port') ? 'enabled' : 'disabled'}`, `   sh-fallback = ${s.schedFlags.includes('sh-fallback') ? 'enabled' : 'disabled'}`]
        : ['   flag-1 = disabled', '   flag-2 = disabled', '   flag-3 = disabled']),
      `   One packet scheduling = ${s.ops ? 'enabled' : 'disabled'}`,
      ...(s.persistent !== null ? [`   persistence timeout = ${s.persistent}`, ...(s.mask !== null ? [`   persistence granularity = ${s.mask}`] : [])] : []),
      `   protocol = ${s.proto === 'FWM' ? 'none' : s.proto}`,
      '   alpha is OFF',
      '   omega is OFF',
      '   Inhibit on failure is OFF',
      '   quorum = 1, hysteresis = 0',
      '   Using smtp notification = no',
      `   default forwarding method = ${fwd}`,
      '   alive = 1',
      '   quorum_state_up = 1',
      '   reloaded = 0',
    ];
    parts.push(`${lines.join('\n')}\n`);
    for (const r of s.realServers) {
      const initial = r.weight === 0 && r.alive ? 0 : s.sched === 'wlc' || s.sched === 'lc' ? 100 : r.weight || 1;
      parts.push(
        [
          '   ------< Real server >------',
          `   RIP = ${r.address}, RPORT = ${r.port}, WEIGHT = ${r.weight} EFF WEIGHT = ${r.weight}`,
          `   forwarding method = ${fwd}`,
          '   Alpha is OFF',
          '   connection timeout = 5.000000',
          '   connection limit range = 0 -> 0',
          '   Delay loop = 6.000000',
          `   Inhibit on failure is ${r.alive ? 'OFF' : 'ON'}`,
          '   Using smtp notification = yes',
          `   initial weight = ${initial}`,
          `   effective weight = ${r.weight}`,
          '   previous effective_weight = 0',
          `   alive = ${r.alive ? 1 : 0}`,
          `   num failed checkers = ${r.alive ? 0 : 1}`,
          '   RS set = 1',
          '   reloaded = 0',
          '',
        ].join('\n'),
      );
    }
  }
  parts.push('------< Health checkers >------\n');
  for (const s of table) {
    const proto = s.proto === 'FWM' ? 'none' : s.proto.toLowerCase();
    const vs = s.fwmark !== null ? `FWM ${s.fwmark}` : `[${s.vip ?? ''}]:${proto}:${s.port}`;
    for (const r of s.realServers) {
      parts.push(
        [
          ` ${vs} -> [${r.address}]:${proto}:${r.port}`,
          '   Enabled = yes',
          `   Up = ${r.alive ? 'yes' : 'no'}`,
          '   Has run = yes',
          '   Current weight = 0',
          '   Warmup = 3000000 us',
          '   Retries = 1',
          '   Default delay before retry = 1000000 us',
          '   Log all failures = no',
          '   Connection',
          `     Dest = [${r.address}]:${s.fwmark !== null ? 80 : r.port}`,
          '     Timeout = 3.000000',
          '   Keepalive method = TCP_CHECK',
          '',
        ].join('\n'),
      );
    }
  }
  return parts.join('');
}

// --------------------------------------------------------------------------------------------- sysctl

function sysctls(opts: GenerateOptions): Record<string, string> {
  const rnd = prng(0x5c71 + opts.fleetIndex);
  return {
    'net.ipv4.ip_forward': '1',
    'net.ipv6.conf.all.forwarding': '1',
    'net.ipv4.ip_nonlocal_bind': '0',
    'net.ipv4.conf.all.arp_announce': '0',
    'net.ipv4.conf.all.arp_ignore': '0',
    'net.ipv4.conf.all.rp_filter': '0',
    'net.ipv4.vs.am_droprate': '10',
    'net.ipv4.vs.conn_reuse_mode': '1',
    'net.ipv4.vs.conntrack': '0',
    'net.ipv4.vs.expire_nodest_conn': '1',
    'net.ipv4.vs.expire_quiescent_template': '1',
    'net.ipv4.vs.sloppy_tcp': '0',
    'net.ipv4.vs.snat_reroute': '1',
    'net.netfilter.nf_conntrack_count': String(Math.floor(rnd() * 200_000)),
    'net.netfilter.nf_conntrack_max': '262144',
  };
}

// ---------------------------------------------------------------------------------------------

/** Every output a refresh of this director reads, at the given size. */
export function generateDirector(opts: GenerateOptions): DirectorOutputs {
  const table = generateTable(opts.services, opts.realServers, opts.cluster);
  const counters = generateCounters(table, opts.cluster, opts.director);
  const vips = clusterVips(opts.cluster);
  const pid = 700 + opts.fleetIndex;
  return {
    list: renderList(table, counters),
    stats: renderCounters(table, counters, STATS_HEADER, (c) => c.stats),
    rate: renderCounters(table, counters, RATE_HEADER, (c) => c.rate),
    persistent: renderPersistent(table, counters),
    ipAddr: renderIpAddr(opts, vips),
    keepalivedData: renderKeepalivedData(opts, vips),
    keepalivedCheckData: renderKeepalivedCheckData(opts, table),
    sysctl: sysctls(opts),
    // pidof lists the parent and its VRRP and checker children, newest first.
    pidof: `${pid + 2} ${pid + 1} ${pid}\n`,
    summary: {
      services: table.length,
      realServers: table.reduce((n, s) => n + s.realServers.length, 0),
      vips: opts.director === 0 ? [...vips.v4, ...vips.v6] : [],
    },
  };
}
