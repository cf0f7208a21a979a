// keepalived's SIGUSR1 data dump -> KeepalivedData.
//
// keepalived 2.x writes it from each child process on the same signal: /tmp/keepalived.data (VRRP:
// global, VRRP Topology, Sync groups, Scripts, Interfaces, ...) and /tmp/keepalived_check.data
// (checker: global, LVS Topology with virtual/real servers, Health checkers). Pass either file or
// both concatenated. 1.x wrote a smaller VRRP-only dump with some different keys; both are read.
//
// Sections are `------< Title >------` lines. Modelled sections (VRRP Topology, VRRP Sync groups,
// VRRP Scripts, LVS Topology, Health checkers, Global definitions) are parsed strictly: a known key
// with a bad value, a list whose length disagrees with its header, or an entry missing its
// identifying fields is a ParseError. Unknown keys inside them (newer versions add some) and whole
// sections we do not model (Interfaces, VRRP Sockpool, Static routes, ...) are skipped.

import { bareAddress, isIPv4, isIPv6 } from '@/lib/address';
import {
  type KeepalivedCheckerData,
  type KeepalivedData,
  type KeepalivedRealServerData,
  type KeepalivedTrackRef,
  type KeepalivedVip,
  type KeepalivedVirtualServerData,
  type VrrpInstanceData,
  type VrrpScriptData,
  type VrrpState,
  type VrrpSyncGroupData,
} from '@/lib/models/keepalived';
import { parseKeepalivedEndpoint } from './keepalived-notify';
import { ParseError } from './parse-error';

const KIND = 'keepalived-data';

interface Line {
  no: number;
  raw: string;
  indent: number;
  text: string;
}

type ListKind =
  | 'vips'
  | 'excludedVips'
  | 'trackedInterfaces'
  | 'trackedScripts'
  | 'trackedFiles'
  | 'unicastPeers'
  | 'members'
  | 'scriptInstances'
  | 'rsTrackedFiles'
  | 'ignored';

interface OpenList {
  kind: ListKind;
  expected: number | null;
  count: number;
  header: Line;
}

function fail(line: Line, reason: string): never {
  throw new ParseError(KIND, line.no, line.raw, reason);
}

function int(value: string, line: Line, what: string): number {
  const v = value.trim();
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) fail(line, `expected an integer ${what}`);
  return Number(v);
}

function uint(value: string, line: Line, what: string, max = Number.MAX_SAFE_INTEGER): number {
  const v = int(value, line, what);
  if (v < 0 || v > max) fail(line, `expected ${what} between 0 and ${max}`);
  return v;
}

function yesNo(value: string, line: Line): boolean {
  const v = value.trim().toLowerCase();
  if (['yes', 'true', 'on', 'enabled', '1'].includes(v)) return true;
  if (['no', 'false', 'off', 'disabled', '0'].includes(v)) return false;
  return fail(line, 'expected yes/no');
}

const STATE_NAMES: Record<string, VrrpState> = {
  INIT: 'INIT',
  BACKUP: 'BACKUP',
  MASTER: 'MASTER',
  FAULT: 'FAULT',
  DELETED: 'DELETED',
  STOP: 'STOP',
  unknown: 'unknown',
  // 1.x printed the number for states it had no word for.
  '0': 'INIT',
  '1': 'BACKUP',
  '2': 'MASTER',
  '3': 'FAULT',
};

function state(value: string, line: Line): VrrpState {
  const st = STATE_NAMES[value.trim()];
  if (!st) fail(line, 'expected a VRRP state (INIT, BACKUP, MASTER, FAULT)');
  return st;
}

/** `1763779729.123456 (Sun Nov 22 02:48:49.123456 2026)` or 1.x `1763779729 (...)`. */
function epoch(value: string, line: Line): number {
  const m = /^(\d{1,12})(?:\.(\d{1,6}))?(?: \(.*\))?$/.exec(value.trim());
  if (!m) fail(line, 'expected "SECONDS.MICROS (date)"');
  return Number(m[1]) + (m[2] ? Number(`0.${m[2]}`) : 0);
}

const TRACK_REF = /^(.+?),? weight (-?\d+)( reverse)?(?: \(dynamic\))?$/;

function trackRef(line: Line): KeepalivedTrackRef {
  const m = TRACK_REF.exec(line.text);
  if (!m) fail(line, 'expected "NAME weight N"');
  return { name: m[1] ?? '', weight: int(m[2] ?? '', line, 'weight'), reverse: m[3] !== undefined };
}

const VIP_FLAGS = new Set(['brd', 'dev', 'scope', 'label', 'peer', 'track_group', 'preferred_lft']);

/** `192.0.2.100/24 brd 192.0.2.255 dev eth0 scope global label eth0:vip set`. */
export function parseKeepalivedVip(text: string, legacy: boolean): KeepalivedVip | null {
  const tokens = text.trim().split(/\s+/);
  const first = tokens[0] ?? '';
  const m = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(first);
  if (!m) return null;
  const address = m[1] ?? '';
  const family = isIPv4(address) ? 'inet' : isIPv6(bareAddress(address)) ? 'inet6' : null;
  if (!family) return null;
  const prefixlen = m[2] !== undefined ? Number(m[2]) : family === 'inet' ? 32 : 128;
  if (prefixlen > (family === 'inet' ? 32 : 128)) return null;
  const kv = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i] ?? '';
    if (VIP_FLAGS.has(t) && i + 1 < tokens.length) {
      kv.set(t, tokens[i + 1] ?? '');
      i++;
    } else flags.add(t);
  }
  const dev = kv.get('dev') ?? null;
  return {
    address,
    prefixlen,
    family,
    device: dev === null ? null : (dev.split('@')[0] ?? dev),
    scope: kv.get('scope') ?? null,
    label: kv.get('label') ?? null,
    set: legacy ? null : flags.has('set'),
    raw: text.trim(),
  };
}

function newInstance(name: string): VrrpInstanceData {
  return {
    name,
    version: null,
    syncGroup: null,
    nativeIpv6: false,
    state: 'unknown',
    wantState: null,
    masterRouter: null,
    masterPriority: null,
    lastTransition: null,
    readTimeout: null,
    interface: null,
    sourceIp: null,
    virtualRouterId: -1,
    priority: Number.NaN,
    effectivePriority: null,
    totalPriority: null,
    advertIntervalMs: null,
    preempt: null,
    preemptDelaySeconds: null,
    configFaults: null,
    scriptIfFaults: null,
    vips: [],
    excludedVips: [],
    trackedInterfaces: [],
    trackedScripts: [],
    trackedFiles: [],
    unicastPeers: [],
    notifyScripts: {},
  };
}

const NOTIFY_SCRIPT = /^(.+?) state transition script = '?(.*?)'?, uid:gid -?\d+:-?\d+$/;

/** List headers: 2.x `Name :` / `Name (n):`, 1.x `Name = n`. */
function listHeader(text: string): { name: string; expected: number | null } | null {
  let m = /^(.+?) \((\d+)\):$/.exec(text);
  if (m) return { name: m[1] ?? '', expected: Number(m[2]) };
  m = /^(.+?) ?:$/.exec(text);
  if (m) return { name: m[1] ?? '', expected: null };
  m = /^(Virtual IP|Virtual IP Excluded|Tracked interfaces|Tracked scripts|Unicast Peer|Virtual Routes|Virtual Rules) = (\d+)$/.exec(text);
  if (m) return { name: m[1] ?? '', expected: Number(m[2]) };
  return null;
}

const INSTANCE_LISTS: Record<string, ListKind> = {
  'Virtual IP': 'vips',
  'Virtual IP Excluded': 'excludedVips',
  'Tracked interfaces': 'trackedInterfaces',
  'Tracked scripts': 'trackedScripts',
  'Tracked files': 'trackedFiles',
  'Unicast Peer': 'unicastPeers',
};

interface Ctx {
  section: string | null;
  instance: VrrpInstanceData | null;
  instanceLine: Line | null;
  instanceLegacy: boolean;
  instanceHasState: boolean;
  group: VrrpSyncGroupData | null;
  script: VrrpScriptData | null;
  vs: KeepalivedVirtualServerData | null;
  vsLine: Line | null;
  rs: KeepalivedRealServerData | null;
  checker: KeepalivedCheckerData | null;
  /** Inside an unmodelled subsection (e.g. ` ------< Virtual server group >------`). */
  skipSub: boolean;
  list: OpenList | null;
}

function closeList(ctx: Ctx): void {
  const l = ctx.list;
  ctx.list = null;
  if (l && l.expected !== null && l.kind !== 'ignored' && l.count !== l.expected) {
    fail(l.header, `header announces ${l.expected} entries but ${l.count} follow`);
  }
}

function finishInstance(ctx: Ctx, out: KeepalivedData): void {
  const inst = ctx.instance;
  const line = ctx.instanceLine;
  ctx.instance = null;
  if (!inst || !line) return;
  if (!ctx.instanceHasState) fail(line, `instance ${inst.name} has no "State"`);
  if (inst.virtualRouterId < 0) fail(line, `instance ${inst.name} has no "Virtual Router ID"`);
  if (Number.isNaN(inst.priority)) fail(line, `instance ${inst.name} has no "Priority"`);
  out.instances.push(inst);
}

function finishVs(ctx: Ctx, out: KeepalivedData): void {
  ctx.rs = null;
  const vs = ctx.vs;
  if (vs && ctx.vsLine && vs.address === null && vs.fwmark === null && vs.group === null) {
    fail(ctx.vsLine, 'virtual server without a "VS VIP = ", "VS FWMARK = " or "VS GROUP = " line');
  }
  if (vs) out.virtualServers.push(vs);
  ctx.vs = null;
  ctx.vsLine = null;
}

function finishEntities(ctx: Ctx, out: KeepalivedData): void {
  closeList(ctx);
  finishInstance(ctx, out);
  if (ctx.group) out.syncGroups.push(ctx.group);
  ctx.group = null;
  if (ctx.script) out.scripts.push(ctx.script);
  ctx.script = null;
  finishVs(ctx, out);
  if (ctx.checker) out.checkers.push(ctx.checker);
  ctx.checker = null;
  ctx.skipSub = false;
}

function kv(text: string): [string, string] | null {
  const i = text.indexOf(' = ');
  if (i < 0) return null;
  return [text.slice(0, i), text.slice(i + 3)];
}

// --- VRRP Topology ---------------------------------------------------------------------------

function instanceLine(ctx: Ctx, out: KeepalivedData, line: Line): void {
  const start = /^VRRP Instance = (.+)$/.exec(line.text);
  if (start && line.indent === 1) {
    finishEntities(ctx, out);
    ctx.instance = newInstance(start[1] ?? '');
    ctx.instanceLine = line;
    ctx.instanceLegacy = false;
    ctx.instanceHasState = false;
    return;
  }
  const inst = ctx.instance;
  if (!inst) return fail(line, 'expected " VRRP Instance = NAME"');

  if (ctx.list && line.indent > 3) {
    const l = ctx.list;
    if (l.kind !== 'unicastPeers') l.count++;
    switch (l.kind) {
      case 'vips':
      case 'excludedVips': {
        const vip = parseKeepalivedVip(line.text, ctx.instanceLegacy);
        if (!vip) fail(line, 'expected "ADDRESS[/PREFIX] dev IF ..."');
        inst[l.kind].push(vip);
        return;
      }
      case 'trackedInterfaces':
      case 'trackedScripts':
      case 'trackedFiles': {
        const ref = trackRef(line);
        if (l.kind === 'trackedScripts') inst.trackedScripts.push({ ...ref, status: null, good: null });
        else inst[l.kind].push(ref);
        return;
      }
      case 'unicastPeers':
        // `     ADDR min_ttl 0 max_ttl 255`, then deeper checksum detail lines
        if (line.indent === 5) {
          l.count++;
          inst.unicastPeers.push(line.text.split(' ')[0] ?? line.text);
        }
        return;
      default:
        return;
    }
  }
  if (line.indent > 3) return; // detail under a key we do not model (VMAC, ...)
  closeList(ctx);

  const header = listHeader(line.text);
  if (header && !line.text.includes(' = ')) {
    ctx.list = { kind: INSTANCE_LISTS[header.name] ?? 'ignored', expected: header.expected, count: 0, header: line };
    return;
  }
  if (header && /^(Virtual IP|Virtual IP Excluded|Tracked interfaces|Tracked scripts|Unicast Peer|Virtual Routes|Virtual Rules) = \d+$/.test(line.text)) {
    ctx.instanceLegacy = true;
    ctx.list = { kind: INSTANCE_LISTS[header.name] ?? 'ignored', expected: header.expected, count: 0, header: line };
    return;
  }

  const notify = NOTIFY_SCRIPT.exec(line.text);
  if (notify) {
    inst.notifyScripts[notify[1] ?? ''] = notify[2] ?? '';
    return;
  }
  const legacyVersion = /^Using VRRPv(\d)$/.exec(line.text);
  if (legacyVersion) {
    inst.version = Number(legacyVersion[1]);
    ctx.instanceLegacy = true;
    return;
  }
  if (line.text === 'Using Native IPv6') {
    inst.nativeIpv6 = true;
    return;
  }
  if (line.text === 'Preempt disabled') {
    inst.preempt = false;
    return;
  }
  const pair = kv(line.text);
  if (!pair) return;
  const [key, value] = pair;
  switch (key) {
    case 'VRRP Version':
      inst.version = int(value, line, 'version');
      return;
    case 'Sync group':
      inst.syncGroup = value;
      return;
    case 'State':
      inst.state = state(value, line);
      ctx.instanceHasState = true;
      return;
    case 'Wantstate':
    case 'Want State':
      inst.wantState = state(value, line);
      return;
    case 'Master router':
      inst.masterRouter = value;
      return;
    case 'Master priority':
      inst.masterPriority = int(value, line, 'priority');
      return;
    case 'Last transition':
      inst.lastTransition = epoch(value, line);
      return;
    case 'Read timeout':
      inst.readTimeout = value === 'DISABLED' ? null : epoch(value, line);
      return;
    case 'Interface':
    case 'Listening device':
    case 'Running on device': {
      const name = value.split(',')[0] ?? value;
      inst.interface = name === 'not configured' ? null : name;
      if (key !== 'Interface') ctx.instanceLegacy = true;
      return;
    }
    case 'Using src_ip': {
      const ip = value.replace(/ \(from configuration\)$/, '');
      inst.sourceIp = ip === '(none)' ? null : ip;
      return;
    }
    case 'Virtual Router ID': {
      inst.virtualRouterId = uint(value, line, 'VRID', 255);
      return;
    }
    case 'Priority':
      inst.priority = int(value, line, 'priority');
      return;
    case 'Effective priority':
      inst.effectivePriority = int(value, line, 'priority');
      return;
    case 'Total priority':
      inst.totalPriority = int(value, line, 'priority');
      return;
    case 'Number of config faults':
      inst.configFaults = uint(value, line, 'count');
      return;
    case 'Number of interface and track script faults':
      inst.scriptIfFaults = uint(value, line, 'count');
      return;
    case 'Advert interval': {
      const m = /^(\d{1,9}) (sec|milli-sec)$/.exec(value);
      if (!m) fail(line, 'expected "N sec" or "N milli-sec"');
      inst.advertIntervalMs = Number(m[1]) * (m[2] === 'sec' ? 1000 : 1);
      return;
    }
    case 'Preempt':
      inst.preempt = yesNo(value, line);
      return;
    case 'Preempt delay': {
      const m = /^(\d+(?:\.\d+)?) secs?$/.exec(value);
      if (!m) fail(line, 'expected "N secs"');
      inst.preemptDelaySeconds = Number(m[1]);
      return;
    }
    default:
      return;
  }
}

// --- VRRP Sync groups ------------------------------------------------------------------------

const GROUP_LISTS: Record<string, ListKind> = {
  'VRRP member instances': 'members',
  'Tracked interfaces': 'trackedInterfaces',
  'Tracked scripts': 'trackedScripts',
  'Tracked files': 'trackedFiles',
};

function groupLine(ctx: Ctx, out: KeepalivedData, line: Line): void {
  const start = /^VRRP Sync Group = (.+?), (\S+)$/.exec(line.text);
  if (start && line.indent === 1) {
    finishEntities(ctx, out);
    ctx.group = {
      name: start[1] ?? '',
      state: state(start[2] ?? '', line),
      members: [],
      trackedScripts: [],
      trackedInterfaces: [],
      trackedFiles: [],
      notifyScripts: {},
    };
    return;
  }
  const g = ctx.group;
  if (!g) return fail(line, 'expected " VRRP Sync Group = NAME, STATE"');
  if (ctx.list && line.indent > 3) {
    const l = ctx.list;
    l.count++;
    if (l.kind === 'members') g.members.push(line.text);
    else if (l.kind === 'trackedInterfaces' || l.kind === 'trackedScripts' || l.kind === 'trackedFiles') g[l.kind].push(trackRef(line));
    return;
  }
  if (line.indent > 3) return;
  closeList(ctx);
  const header = listHeader(line.text);
  if (header && !line.text.includes(' = ')) {
    ctx.list = { kind: GROUP_LISTS[header.name] ?? 'ignored', expected: header.expected, count: 0, header: line };
    return;
  }
  const notify = NOTIFY_SCRIPT.exec(line.text);
  if (notify) {
    g.notifyScripts[notify[1] ?? ''] = notify[2] ?? '';
    return;
  }
  const monitor = /^monitor = (.+)$/.exec(line.text); // 1.x
  if (monitor) g.members.push(monitor[1] ?? '');
}

// --- VRRP Scripts ----------------------------------------------------------------------------

function scriptLine(ctx: Ctx, out: KeepalivedData, line: Line): void {
  const start = /^VRRP Script = (.+)$/.exec(line.text);
  if (start && line.indent === 1) {
    finishEntities(ctx, out);
    ctx.script = {
      name: start[1] ?? '',
      command: null,
      intervalSeconds: null,
      timeoutSeconds: null,
      weight: null,
      reverse: false,
      rise: null,
      fall: null,
      result: null,
      status: null,
      good: null,
      initState: null,
      runState: null,
      instances: [],
    };
    return;
  }
  const sc = ctx.script;
  if (!sc) return fail(line, 'expected " VRRP Script = NAME"');
  if (ctx.list && line.indent > 3) {
    ctx.list.count++;
    if (ctx.list.kind === 'scriptInstances') sc.instances.push(trackRef(line));
    return;
  }
  if (line.indent > 3) return;
  closeList(ctx);
  if (/^(VRRP|Tracking) instances ?:$/.test(line.text)) {
    ctx.list = { kind: 'scriptInstances', expected: null, count: 0, header: line };
    return;
  }
  const pair = kv(line.text);
  if (!pair) return;
  const [key, value] = pair;
  const seconds = (): number => {
    const m = /^(\d{1,9}) sec$/.exec(value);
    if (!m) fail(line, 'expected "N sec"');
    return Number(m[1]);
  };
  switch (key) {
    case 'Command':
      sc.command = value;
      return;
    case 'Interval':
      sc.intervalSeconds = seconds();
      return;
    case 'Timeout':
      sc.timeoutSeconds = seconds();
      return;
    case 'Weight': {
      const m = /^(-?\d+)( reverse)?$/.exec(value);
      if (!m) fail(line, 'expected "N [reverse]"');
      sc.weight = int(m[1] ?? '', line, 'weight');
      sc.reverse = m[2] !== undefined;
      return;
    }
    case 'Rise':
      sc.rise = int(value, line, 'rise');
      return;
    case 'Fall':
      sc.fall = int(value, line, 'fall');
      return;
    case 'Result':
      sc.result = int(value, line, 'result');
      return;
    case 'Status':
      if (!/^[A-Z/]+$/.test(value)) fail(line, 'expected GOOD or BAD');
      sc.status = value;
      sc.good = value === 'GOOD' || value === 'INIT/GOOD' ? true : value === 'BAD' || value === 'INIT/FAILED' ? false : null;
      return;
    case 'Init state':
      sc.initState = value;
      return;
    case 'State':
      sc.runState = value;
      return;
    default:
      return;
  }
}

// --- LVS Topology ----------------------------------------------------------------------------

function newVs(): KeepalivedVirtualServerData {
  return {
    address: null,
    port: null,
    fwmark: null,
    group: null,
    family: null,
    protocol: null,
    scheduler: null,
    persistenceTimeout: null,
    forwarding: null,
    quorum: null,
    hysteresis: null,
    alive: null,
    quorumUp: null,
    sorryServer: null,
    realServers: [],
  };
}

function forwarding(value: string): string {
  // `DR`, `NAT`, `TUN`, `TUN, type = IPIP`, `TUN, type = GUE, port = 6080, checksum`, ` 0x5`
  const tun = /^TUN, type = (\w+)/.exec(value);
  return tun ? (tun[1] ?? value) : value.trim();
}

function lvsLine(ctx: Ctx, out: KeepalivedData, line: Line): void {
  const sub = /^------< (.+) >------$/.exec(line.text);
  if (sub) {
    closeList(ctx);
    if (sub[1] === 'Virtual server') {
      finishEntities(ctx, out);
      ctx.vs = newVs();
      ctx.vsLine = line;
    } else if (sub[1] === 'Real server') {
      if (!ctx.vs) fail(line, 'real server outside a virtual server');
      ctx.rs = {
        address: '',
        port: -1,
        weight: 0,
        effectiveWeight: null,
        initialWeight: null,
        forwarding: null,
        alive: false,
        failedCheckers: null,
        set: null,
        inhibitOnFailure: null,
        trackedFiles: [],
      };
      ctx.vs.realServers.push(ctx.rs);
    } else {
      finishEntities(ctx, out);
      ctx.skipSub = true;
    }
    return;
  }
  const version = /^System is compiled with LVS v(\S+)$/.exec(line.text);
  if (version) {
    out.lvsVersion = version[1] ?? null;
    return;
  }
  if (ctx.skipSub) return;
  const vs = ctx.vs;
  if (!vs) return fail(line, 'expected " ------< Virtual server >------"');

  if (line.indent === 1) {
    const vip = /^VS VIP = (\S+), VPORT = (\d+)$/.exec(line.text);
    if (vip) {
      vs.address = vip[1] ?? null;
      vs.port = uint(vip[2] ?? '', line, 'port', 65535);
      return;
    }
    const fwm = /^VS FWMARK = (\d+)$/.exec(line.text);
    if (fwm) {
      vs.fwmark = uint(fwm[1] ?? '', line, 'fwmark');
      return;
    }
    const grp = /^VS GROUP = \[(.+)\]:(\d+)$/.exec(line.text) ?? /^VS GROUP = (.+)$/.exec(line.text);
    if (grp) {
      vs.group = grp[1] ?? null;
      vs.port = grp[2] !== undefined ? uint(grp[2], line, 'port', 65535) : null;
      return;
    }
    return fail(line, 'expected "VS VIP = ADDR, VPORT = N", "VS FWMARK = N" or "VS GROUP = NAME"');
  }
  const rs = ctx.rs;
  if (ctx.list && line.indent > 3) {
    ctx.list.count++;
    if (ctx.list.kind === 'rsTrackedFiles' && rs) rs.trackedFiles.push(trackRef(line));
    return;
  }
  if (line.indent > 3) return;
  closeList(ctx);
  if (rs) {
    const rip = /^RIP = (\S+), RPORT = (\d+), WEIGHT = (-?\d+)(?: EFF WEIGHT = (-?\d+))?$/.exec(line.text);
    if (rip) {
      rs.address = rip[1] ?? '';
      rs.port = uint(rip[2] ?? '', line, 'port', 65535);
      rs.weight = int(rip[3] ?? '', line, 'weight');
      if (rip[4] !== undefined) rs.effectiveWeight = int(rip[4], line, 'weight');
      return;
    }
    if (line.text === 'Tracked Files') {
      ctx.list = { kind: 'rsTrackedFiles', expected: null, count: 0, header: line };
      return;
    }
    const inhibit = /^Inhibit on failure is (ON|OFF)$/.exec(line.text);
    if (inhibit) {
      rs.inhibitOnFailure = inhibit[1] === 'ON';
      return;
    }
    const pair = kv(line.text);
    if (!pair) return;
    const [key, value] = pair;
    switch (key) {
      case 'forwarding method':
        rs.forwarding = forwarding(value);
        return;
      case 'initial weight':
        rs.initialWeight = int(value, line, 'weight');
        return;
      case 'effective weight':
        rs.effectiveWeight = int(value, line, 'weight');
        return;
      case 'alive':
        rs.alive = int(value, line, 'alive flag') !== 0;
        return;
      case 'num failed checkers':
        rs.failedCheckers = uint(value, line, 'count');
        return;
      case 'RS set':
        rs.set = int(value, line, 'set flag') !== 0;
        return;
      default:
        return;
    }
  }
  const pair = kv(line.text);
  if (!pair) return;
  const [key, value] = pair;
  switch (key) {
    case 'Address family':
      vs.family = value;
      return;
    case 'lvs_sched':
      vs.scheduler = value;
      return;
    case 'persistence timeout':
      vs.persistenceTimeout = uint(value, line, 'timeout');
      return;
    case 'protocol':
      vs.protocol = value;
      return;
    case 'default forwarding method':
      vs.forwarding = forwarding(value);
      return;
    case 'quorum': {
      const m = /^(\d{1,15}), hysteresis = (\d{1,15})$/.exec(value);
      if (!m) fail(line, 'expected "quorum = N, hysteresis = N"');
      vs.quorum = Number(m[1]);
      vs.hysteresis = Number(m[2]);
      return;
    }
    case 'sorry server':
    case 'sorry server (duplicates rs)':
      vs.sorryServer = value;
      return;
    case 'alive':
      vs.alive = int(value, line, 'alive flag') !== 0;
      return;
    case 'quorum_state_up':
      vs.quorumUp = int(value, line, 'quorum flag') !== 0;
      return;
    default:
      return;
  }
}

// --- Health checkers -------------------------------------------------------------------------

function checkerLine(ctx: Ctx, out: KeepalivedData, line: Line): void {
  if (line.indent === 1) {
    const m = /^(.+) -> (.+)$/.exec(line.text);
    const vsEp = m ? parseKeepalivedEndpoint(m[1] ?? '') : null;
    const rsEp = m ? parseKeepalivedEndpoint(m[2] ?? '') : null;
    if (!vsEp || !rsEp) return fail(line, 'expected " [VS]:proto:PORT -> [RS]:proto:PORT"');
    finishEntities(ctx, out);
    ctx.checker = {
      virtualServer: vsEp,
      realServer: rsEp,
      method: null,
      enabled: null,
      up: null,
      hasRun: null,
      currentWeight: null,
    };
    return;
  }
  const c = ctx.checker;
  if (!c) return fail(line, 'expected " [VS]:proto:PORT -> [RS]:proto:PORT"');
  if (line.indent !== 3) return;
  const pair = kv(line.text);
  if (!pair) return;
  const [key, value] = pair;
  switch (key) {
    case 'Keepalive method':
      c.method = value.split(',')[0] ?? value;
      return;
    case 'Enabled':
      c.enabled = yesNo(value, line);
      return;
    case 'Up':
      c.up = yesNo(value, line);
      return;
    case 'Has run':
      c.hasRun = yesNo(value, line);
      return;
    case 'Current weight':
      c.currentWeight = int(value, line, 'weight');
      return;
    default:
      return;
  }
}

// --- Global definitions ----------------------------------------------------------------------

function globalLine(out: KeepalivedData, line: Line): void {
  const g = (out.global ??= { routerId: null, networkNamespace: null, instanceName: null, settings: {} });
  if (line.indent !== 1) return;
  const pair = kv(line.text);
  if (!pair) return;
  const [key, value] = pair;
  if (key in g.settings) return;
  g.settings[key] = value;
  if (key === 'Router ID') g.routerId = value;
  else if (key === 'Network namespace') g.networkNamespace = value === '(default)' ? null : value;
  else if (key === 'Instance name') g.instanceName = value;
}

// --- Track files (checker and VRRP) ----------------------------------------------------------

/** Each modelled section's line handler, by section title. */
const SECTION_LINE = new Map<string, (ctx: Ctx, out: KeepalivedData, line: Line) => void>([
  ['Global definitions', (_ctx, out, line) => globalLine(out, line)],
  ['VRRP Topology', instanceLine],
  ['VRRP Sync groups', groupLine],
  ['VRRP Scripts', scriptLine],
  ['LVS Topology', lvsLine],
  ['Health checkers', checkerLine],
  ['Checker track files', (_ctx, out, line) => trackFileLine(out, line)],
  // The same track_file objects as VRRP instances use them (keepalived.data): director maintenance.
  ['VRRP Track files', (_ctx, out, line) => trackFileLine(out, line)],
]);

/** ` Track file = NAME` then `   File = PATH`, `   Status = N`, `   Weight = N` (other keys skipped). */
function trackFileLine(out: KeepalivedData, line: Line): void {
  const pair = kv(line.text);
  if (!pair) return;
  const [key, value] = pair;
  const files = (out.trackFiles ??= []);
  if (line.indent === 1 && key === 'Track file') {
    // One list for both dumps: a file both the checker and VRRP track is listed once (the later read).
    const name = value.trim();
    const at = files.findIndex((f) => f.name === name);
    if (at >= 0) files.splice(at, 1);
    files.push({ name, file: null, status: null, weight: null });
    return;
  }
  const cur = files[files.length - 1];
  if (!cur || line.indent < 2) return;
  if (key === 'File') cur.file = value.trim();
  else if (key === 'Status') cur.status = int(value, line, 'status');
  else if (key === 'Weight') cur.weight = int(value, line, 'weight');
}

// ---------------------------------------------------------------------------------------------

const SECTION = /^------< (.+) >------$/;

export function parseKeepalivedData(text: string): KeepalivedData {
  if (text.trim() === '') throw new ParseError(KIND, 0, '', 'empty input');
  const out: KeepalivedData = {
    global: null,
    instances: [],
    syncGroups: [],
    scripts: [],
    lvsVersion: null,
    virtualServers: [],
    checkers: [],
    sections: [],
  };
  const ctx: Ctx = {
    section: null,
    instance: null,
    instanceLine: null,
    instanceLegacy: false,
    instanceHasState: false,
    group: null,
    script: null,
    vs: null,
    vsLine: null,
    rs: null,
    checker: null,
    skipSub: false,
    list: null,
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] ?? '').replace(/\r$/, '');
    if (raw.trim() === '') continue;
    const body = raw.trimStart();
    const line: Line = { no: i + 1, raw, indent: raw.length - body.length, text: body.trimEnd() };
    const section = line.indent === 0 ? SECTION.exec(line.text) : null;
    if (section) {
      finishEntities(ctx, out);
      ctx.section = section[1] ?? '';
      out.sections.push(ctx.section);
      continue;
    }
    if (ctx.section === null) fail(line, 'expected a "------< Section >------" header');
    SECTION_LINE.get(ctx.section)?.(ctx, out, line); // none: a section we do not model
  }
  finishEntities(ctx, out);

  for (const vs of out.virtualServers) {
    for (const rs of vs.realServers) {
      if (rs.port < 0) throw new ParseError(KIND, 0, '', `a real server of ${vs.address ?? vs.group ?? vs.fwmark ?? '?'} has no "RIP = " line`);
    }
  }
  const scripts = new Map(out.scripts.map((sc) => [sc.name, sc]));
  for (const inst of out.instances) {
    for (const ref of inst.trackedScripts) {
      const sc = scripts.get(ref.name);
      if (sc) {
        ref.status = sc.status;
        ref.good = sc.good;
      }
    }
  }
  return out;
}
