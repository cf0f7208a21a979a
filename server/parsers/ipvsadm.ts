// Parser for everything `ipvsadm` prints when listing (ipvsadm 1.26-1.31): -L/-l in every format
// (--exact, --stats, --rate, --thresholds, --persistent-conn, --tun-info), a single service
// (-L -t VIP:PORT, no version line), -c connections, --timeout, --daemon and -S save format.
// Pure text -> model: no I/O. Format facts: ipvsadm.c (print_title,
// print_service_entry, print_largenum, list_daemon, print_tunnel_rule).
//
// Lines are split on whitespace, never on column offsets (IPv6 overflows the columns). Anything that
// is not what ipvsadm prints throws ParseError: never a TypeError, never a silently wrong table.

import {
  type IpvsConnection,
  type IpvsListMode,
  type IpvsRates,
  type IpvsRealServer,
  type IpvsService,
  type IpvsStats,
  type IpvsSyncDaemon,
  type IpvsTable,
  type IpvsTimeouts,
  type TunnelInfo,
} from '@/lib/models/ipvsadm';
import { isIPv4, parseEndpoint, type ParsedEndpoint } from '@/lib/address';
import {
  CONNECTIONS_TITLE,
  connectionColumns,
  parseConnectionRows,
  detach,
} from './ipvsadm-connections';
import { ParseError } from './parse-error';

const KIND = 'ipvsadm';

export interface ParseIpvsadmOptions {
  /**
   * The mode the caller asked for (it knows which command it ran). Required to read an empty output
   * (an empty `-S` table, or `--daemon` with no sync daemon: both print nothing); when given, a
   * text in another mode is an error (`--exact` and `-t VIP:PORT` listings are `list` too).
   */
  mode?: IpvsListMode;
}

type ListMode = 'list' | 'tun-info' | 'stats' | 'rate' | 'thresholds' | 'persistent-conn';

interface Line {
  no: number;
  text: string;
  tokens: string[];
}

function fail(line: Line | { no: number; text: string }, reason: string): never {
  throw new ParseError(KIND, line.no, line.text, reason);
}

// ---------------------------------------------------------------------------------------------
// Numbers

const DIGITS = /^\d+$/;
const ABBREVIATED = /^(\d+)([KMGT])$/;
const UNIT = new Map([['K', 1e3], ['M', 1e6], ['G', 1e9], ['T', 1e12]]);

/** A plain unsigned decimal; null when the token is not one. */
function plainUint(token: string): number | null {
  if (!DIGITS.test(token) || token.length > 20) return null;
  return Number(token);
}

function uintField(line: Line, token: string | undefined, what: string): number {
  const v = token === undefined ? null : plainUint(token);
  if (v === null) fail(line, `expected ${what} as an unsigned integer`);
  return v;
}

/**
 * A counter as print_largenum prints it: exact digits, or `N[KMGT]` (decimal units, rounded down).
 * `approx.value` becomes true when the value is abbreviated or beyond 2^53 (not exact as a number).
 */
function counterField(line: Line, token: string | undefined, what: string, approx: { value: boolean }): number {
  if (token !== undefined) {
    const plain = plainUint(token);
    if (plain !== null) {
      if (!Number.isSafeInteger(plain)) approx.value = true;
      return plain;
    }
    const m = ABBREVIATED.exec(token);
    if (m !== null && m[1]!.length <= 20) {
      approx.value = true;
      return Number(m[1]) * (UNIT.get(m[2]!) ?? NaN);
    }
  }
  fail(line, `expected ${what} as a counter (digits, or digits followed by K, M, G or T)`);
}

// ---------------------------------------------------------------------------------------------
// Titles

const VERSION_RE = /^IP Virtual Server version (\d+\.\d+\.\d+) \(size=(\d+)\)$/;
// (Maps, not object literals: a token like `constructor` must not find a prototype member.)
const SERVICE_TITLES = new Map<string, ListMode | 'list-or-tun'>([
  ['Scheduler Flags', 'list-or-tun'],
  ['Conns InPkts OutPkts InBytes OutBytes', 'stats'],
  ['CPS InPPS OutPPS InBPS OutBPS', 'rate'],
  ['Uthreshold Lthreshold ActiveConn InActConn', 'thresholds'],
  ['Weight PersistConn ActiveConn InActConn', 'persistent-conn'],
]);
const TIMEOUT_RE = /^Timeout \(tcp tcpfin udp\): (\d+) (\d+) (\d+)$/;
const DAEMON_RE = /^(master|backup) sync daemon \((.*)\)$/;

// Scheduler names, flags and forwarding methods repeat on every line of a table: one copy of each
// is kept (a table of 2,000 real servers otherwise holds 2,000 copies of "Masq").
const WORDS_MAX = 1000;
const words = new Map<string, string>();
function word(token: string): string {
  const hit = words.get(token);
  if (hit !== undefined) return hit;
  if (words.size >= WORDS_MAX) words.clear();
  words.set(token, token);
  return token;
}

function joined(line: Line): string {
  return line.tokens.join(' ');
}

// ---------------------------------------------------------------------------------------------
// Entry point

/** Non-blank lines one at a time, tokenized on demand (a 50,000-line table is never held twice). */
class LineCursor {
  private i = 0;
  constructor(readonly raw: readonly string[]) {}
  next(): Line | undefined {
    while (this.i < this.raw.length) {
      const no = this.i + 1;
      let t = this.raw[this.i++]!;
      if (t.endsWith('\r')) t = t.slice(0, -1);
      const trimmed = t.trim();
      if (trimmed !== '') return { no, text: t, tokens: trimmed.split(/\s+/) }; // blank lines carry nothing
    }
    return undefined;
  }
}

export function parseIpvsadm(text: string, options: ParseIpvsadmOptions = {}): IpvsTable {
  const lines = new LineCursor(text.split('\n'));
  const first = lines.next();
  let table: IpvsTable;
  if (first === undefined) {
    if (options.mode === 'save' || options.mode === 'daemon') {
      table = emptyTable(options.mode);
      if (options.mode === 'daemon') table.daemons = [];
      return table;
    }
    throw new ParseError(
      KIND,
      0,
      text,
      options.mode === undefined
        ? 'empty output (an empty -S table or --daemon without daemons: pass the mode to read it)'
        : `empty output, expected ipvsadm ${options.mode} output`,
    );
  }

  const head = joined(first);
  if (head === CONNECTIONS_TITLE) table = parseConnectionsText(first, lines);
  else if (head.startsWith('Timeout ')) table = parseTimeout(first, lines);
  else if (DAEMON_RE.test(head)) table = parseDaemons(first, lines);
  else if (first.tokens[0] === '-A' || first.tokens[0] === '-a') table = parseSave(first, lines);
  else table = parseList(first, lines);

  if (options.mode !== undefined && options.mode !== table.mode) {
    fail(first, `expected ipvsadm ${options.mode} output, found ${table.mode} output`);
  }
  return table;
}

function emptyTable(mode: IpvsListMode): IpvsTable {
  return { mode, version: null, connTableSize: null, services: [], connections: [] };
}

// ---------------------------------------------------------------------------------------------
// -L list formats

function parseList(first: Line, lines: LineCursor): IpvsTable {
  let version: string | null = null;
  let connTableSize: number | null = null;
  const v = VERSION_RE.exec(joined(first));
  if (v !== null) {
    version = v[1]!;
    connTableSize = Number(v[2]);
  }

  const title = v === null ? first : lines.next();
  if (title === undefined) fail(first, 'expected the column titles after the version line');
  if (title.tokens[0] !== 'Prot' || title.tokens[1] !== 'LocalAddress:Port') {
    fail(title, 'expected an ipvsadm title (IP Virtual Server version, Prot LocalAddress:Port, IPVS connection entries, Timeout, sync daemon, or -A)');
  }
  const kind = SERVICE_TITLES.get(title.tokens.slice(2).join(' '));
  if (kind === undefined) fail(title, 'expected a known service title (Scheduler Flags, Conns, CPS, Uthreshold, Weight PersistConn)');

  const rsTitle = lines.next();
  if (rsTitle === undefined) fail(title, 'expected the real-server title after the service title');
  if (rsTitle.tokens[0] !== '->' || rsTitle.tokens[1] !== 'RemoteAddress:Port') {
    fail(rsTitle, 'expected the real-server title "  -> RemoteAddress:Port ..."');
  }
  const rsRest = rsTitle.tokens.slice(2).join(' ');
  let mode: ListMode;
  if (kind === 'list-or-tun') {
    if (rsRest === 'Forward Weight ActiveConn InActConn') mode = 'list';
    else if (rsRest === 'Forward TunnelInfo Weight ActiveConn InActConn') mode = 'tun-info';
    else fail(rsTitle, 'expected "Forward Weight ActiveConn InActConn" or "Forward TunnelInfo Weight ActiveConn InActConn"');
  } else {
    if (rsRest !== '') fail(rsTitle, 'expected "  -> RemoteAddress:Port" alone in this format');
    mode = kind;
  }

  const services: IpvsService[] = [];
  let current: IpvsService | null = null;
  for (let line = lines.next(); line !== undefined; line = lines.next()) {
    if (line.tokens[0] === '->') {
      if (current === null) fail(line, 'expected a service line before the first real server');
      current.realServers.push(parseListRealServer(line, mode));
    } else {
      current = parseListService(line, mode);
      services.push(current);
    }
  }
  return { mode, version, connTableSize, services, connections: [] };
}

interface ServiceHead {
  protocol: IpvsService['protocol'];
  family: IpvsService['family'];
  address: string | null;
  port: number | null;
  fwmark: number | null;
}

function parseFwmark(line: Line, token: string | undefined): number {
  // ipvsadm <= 1.31 prints the mark with %d: marks >= 2^31 come out negative.
  if (token !== undefined && /^-?\d{1,10}$/.test(token)) {
    let mark = Number(token);
    if (mark < 0 && mark >= -0x80000000) mark += 0x100000000;
    if (mark >= 0 && mark <= 0xffffffff) return mark;
  }
  fail(line, 'expected a firewall mark (32-bit decimal)');
}

function endpointField(line: Line, token: string | undefined, what: string): ParsedEndpoint {
  const ep = token === undefined ? null : parseEndpoint(token);
  if (ep === null) fail(line, `expected ${what} as ADDR:PORT or [IPV6]:PORT (numeric, run ipvsadm with -n)`);
  ep.address = detach(ep.address);
  return ep;
}

/** `PROTO ADDR:PORT` or `FWM MARK [IPv6]`; returns the head and the index of the next token. */
function parseServiceHead(line: Line): [ServiceHead, number] {
  const t = line.tokens;
  const proto = t[0];
  if (proto === 'FWM') {
    const fwmark = parseFwmark(line, t[1]);
    const v6 = t[2] === 'IPv6';
    return [{ protocol: 'FWM', family: v6 ? 'inet6' : 'inet', address: null, port: null, fwmark }, v6 ? 3 : 2];
  }
  if (proto === 'TCP' || proto === 'UDP' || proto === 'SCTP') {
    const ep = endpointField(line, t[1], 'the virtual address');
    return [{ protocol: proto, family: ep.family, address: ep.address, port: ep.port, fwmark: null }, 2];
  }
  fail(line, 'expected a service line (TCP, UDP, SCTP or FWM) or a real-server line (->)');
}

function newService(head: ServiceHead): IpvsService {
  // every field spelled out (no spread): one object shape, and measurably faster on big tables
  return {
    protocol: head.protocol,
    family: head.family,
    address: head.address,
    port: head.port,
    fwmark: head.fwmark,
    scheduler: null,
    flags: [],
    persistent: null,
    pe: null,
    ops: false,
    stats: null,
    rates: null,
    approximate: false,
    realServers: [],
  };
}

function parseNetmask(line: Line, family: IpvsService['family'], token: string | undefined): string {
  if (token !== undefined) {
    if (family === 'inet' && isIPv4(token)) return detach(token);
    if (family === 'inet6') {
      const n = plainUint(token);
      if (n !== null && n <= 128) return token;
    }
  }
  fail(line, family === 'inet' ? 'expected the persistence mask as a dotted quad' : 'expected the persistence mask as a prefix length (0-128)');
}

/**
 * print_largenum writes `%8lluT` for values >= 1e14; from 1e19 the quotient has 8 digits, fills the
 * field and glues to the previous one (`99999G18446744T`, `[2001:db8::1]:44318446744T`). An
 * 8-digit T value is always the last 9 characters of such a token: split it back off.
 */
function splitGluedCounters(line: Line): Line {
  if (!line.tokens.some(isGluedT)) return line;
  const tokens: string[] = [];
  for (const t of line.tokens) {
    if (isGluedT(t)) tokens.push(t.slice(0, -9), t.slice(-9));
    else tokens.push(t);
  }
  return { ...line, tokens };
}
const GLUED_T = /^.+\d{8}T$/;
function isGluedT(token: string): boolean {
  return token.length > 9 && token.charCodeAt(token.length - 1) === 84 && GLUED_T.test(token); // 'T'
}

function parseListService(line: Line, mode: ListMode): IpvsService {
  if (mode === 'stats' || mode === 'rate') line = splitGluedCounters(line);
  const [head, start] = parseServiceHead(line);
  const svc = newService(head);
  const t = line.tokens;

  if (mode === 'stats' || mode === 'rate') {
    if (t.length !== start + 5) fail(line, `expected the service followed by five ${mode === 'stats' ? 'counters' : 'rates'}`);
    const approx = { value: false };
    const n = t.slice(start).map((tok, k) => counterField(line, tok, `column ${start + k + 1}`, approx));
    if (mode === 'stats') svc.stats = { conns: n[0]!, inPkts: n[1]!, outPkts: n[2]!, inBytes: n[3]!, outBytes: n[4]! };
    else svc.rates = { cps: n[0]!, inPps: n[1]!, outPps: n[2]!, inBps: n[3]!, outBps: n[4]! };
    svc.approximate = approx.value;
    return svc;
  }

  // list, tun-info, thresholds, persistent-conn: `SCHED[ (FLAGS)][ persistent T[ mask M][ pe NAME]][ ops]`
  let i = start;
  const sched = t[i++];
  if (sched === undefined || sched.startsWith('(')) fail(line, 'expected the scheduler name');
  svc.scheduler = word(sched);
  const f = t[i];
  if (f?.startsWith('(')) {
    if (!f.endsWith(')')) fail(line, 'expected scheduler flags as (flag,flag)');
    const inner = f.slice(1, -1);
    svc.flags = inner === '' ? [] : inner.split(',').map(word);
    if (svc.flags.some((x) => x === '')) fail(line, 'expected scheduler flags as (flag,flag)');
    i++;
  }
  let sawPe = false;
  let sawMask = false;
  while (i < t.length) {
    const tok = t[i++]!;
    if (tok === 'persistent' && svc.persistent === null && !svc.ops) {
      svc.persistent = { timeout: uintField(line, t[i++], 'the persistence timeout'), netmask: null };
    } else if (tok === 'mask' && svc.persistent !== null && !sawMask && !sawPe && !svc.ops) {
      svc.persistent.netmask = parseNetmask(line, svc.family, t[i++]);
      sawMask = true;
    } else if (tok === 'pe' && !sawPe && !svc.ops) {
      const name = t[i++];
      if (name === undefined) fail(line, 'expected the persistence engine name after pe');
      svc.pe = name;
      sawPe = true;
    } else if (tok === 'ops' && !svc.ops) {
      svc.ops = true;
    } else {
      fail(line, `expected persistent T, mask M, pe NAME or ops, found "${tok}"`);
    }
  }
  return svc;
}

function parseTunnelInfo(line: Line, token: string | undefined): TunnelInfo | null {
  if (token === undefined) fail(line, 'expected the tunnel info column');
  if (token === 'n/a') return null;
  // ipip | gue:PORT:FLAGS | gre:FLAGS  (flags -c, +c, r+c)
  const parts = token.split(':');
  const type = parts[0]!;
  if (!/^[a-z][a-z0-9]*$/.test(type)) fail(line, 'expected tunnel info as n/a, ipip, gue:PORT:FLAGS or gre:FLAGS');
  if (parts.length === 1) return { type, port: null, flags: [] };
  if (parts.length === 2) return { type, port: null, flags: [parts[1]!] };
  if (parts.length === 3) {
    const port = plainUint(parts[1]!);
    if (port === null || port > 65535) fail(line, 'expected the tunnel port as 0-65535');
    return { type, port, flags: [parts[2]!] };
  }
  fail(line, 'expected tunnel info as n/a, ipip, gue:PORT:FLAGS or gre:FLAGS');
}

function newRealServer(ep: ParsedEndpoint): IpvsRealServer {
  return {
    address: ep.address,
    port: ep.port,
    forward: null,
    weight: null,
    activeConns: null,
    inactiveConns: null,
    persistentConns: null,
    upperThreshold: null,
    lowerThreshold: null,
    stats: null,
    rates: null,
    approximate: false,
  };
}

const RS_COLUMNS: Record<ListMode, number> = {
  list: 4,
  'tun-info': 5,
  stats: 5,
  rate: 5,
  thresholds: 4,
  'persistent-conn': 4,
};

const RS_SHAPE: Record<ListMode, string> = {
  list: 'Forward Weight ActiveConn InActConn',
  'tun-info': 'Forward TunnelInfo Weight ActiveConn InActConn',
  stats: 'Conns InPkts OutPkts InBytes OutBytes',
  rate: 'CPS InPPS OutPPS InBPS OutBPS',
  thresholds: 'Uthreshold Lthreshold ActiveConn InActConn',
  'persistent-conn': 'Weight PersistConn ActiveConn InActConn',
};

/** ActiveConn and InActConn, the two columns that end a list, tun-info, thresholds and persistent-conn row, from column k. */
function connColumns(rs: IpvsRealServer, line: Line, c: readonly string[], k: number): void {
  rs.activeConns = uintField(line, c[k], 'ActiveConn');
  rs.inactiveConns = uintField(line, c[k + 1], 'InActConn');
}

function parseListRealServer(line: Line, mode: ListMode): IpvsRealServer {
  if (mode === 'stats' || mode === 'rate') line = splitGluedCounters(line);
  const t = line.tokens;
  const rs = newRealServer(endpointField(line, t[1], 'the real server'));
  if (t.length !== 2 + RS_COLUMNS[mode]) fail(line, `expected "-> ADDR:PORT ${RS_SHAPE[mode]}"`);
  const c = t.slice(2);
  switch (mode) {
    case 'list':
    case 'tun-info': {
      rs.forward = word(c[0]!);
      let k = 1;
      if (mode === 'tun-info') rs.tunnel = parseTunnelInfo(line, c[k++]);
      rs.weight = uintField(line, c[k++], 'the weight');
      connColumns(rs, line, c, k);
      break;
    }
    case 'stats': {
      const approx = { value: false };
      const stats: IpvsStats = {
        conns: counterField(line, c[0], 'Conns', approx),
        inPkts: counterField(line, c[1], 'InPkts', approx),
        outPkts: counterField(line, c[2], 'OutPkts', approx),
        inBytes: counterField(line, c[3], 'InBytes', approx),
        outBytes: counterField(line, c[4], 'OutBytes', approx),
      };
      rs.stats = stats;
      rs.approximate = approx.value;
      break;
    }
    case 'rate': {
      // CPS, InPPS and OutPPS are printed with %8llu (never abbreviated); the byte rates may be.
      const approx = { value: false };
      const cps = uintField(line, c[0], 'CPS');
      const inPps = uintField(line, c[1], 'InPPS');
      const outPps = uintField(line, c[2], 'OutPPS');
      const rates: IpvsRates = {
        cps,
        inPps,
        outPps,
        inBps: counterField(line, c[3], 'InBPS', approx),
        outBps: counterField(line, c[4], 'OutBPS', approx),
      };
      if (![cps, inPps, outPps].every(Number.isSafeInteger)) approx.value = true;
      rs.rates = rates;
      rs.approximate = approx.value;
      break;
    }
    case 'thresholds':
      rs.upperThreshold = uintField(line, c[0], 'Uthreshold');
      rs.lowerThreshold = uintField(line, c[1], 'Lthreshold');
      connColumns(rs, line, c, 2);
      break;
    case 'persistent-conn':
      rs.weight = uintField(line, c[0], 'the weight');
      rs.persistentConns = uintField(line, c[1], 'PersistConn');
      connColumns(rs, line, c, 2);
      break;
  }
  return rs;
}

// ---------------------------------------------------------------------------------------------
// -c connections

function parseConnectionsText(first: Line, lines: LineCursor): IpvsTable {
  const header = lines.next();
  if (header === undefined) fail(first, 'expected the column header after "IPVS connection entries"');
  const cols = connectionColumns(header.text);
  if (cols === null) fail(header, 'expected the column header "pro expire state source virtual destination"');
  // Rows come from the raw lines after the header (the connection parser skips blank ones).
  const rest = lines.raw.slice(header.no).map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const connections: IpvsConnection[] = parseConnectionRows(rest, header.no + 1, cols === 'pe');
  return { ...emptyTable('connections'), connections };
}

// ---------------------------------------------------------------------------------------------
// --timeout, --daemon

function parseTimeout(line: Line, lines: LineCursor): IpvsTable {
  const m = TIMEOUT_RE.exec(joined(line));
  if (m === null) fail(line, 'expected "Timeout (tcp tcpfin udp): N N N"');
  const extra = lines.next();
  if (extra !== undefined) fail(extra, 'expected nothing after the timeout line');
  const timeout: IpvsTimeouts = { tcp: Number(m[1]), tcpfin: Number(m[2]), udp: Number(m[3]) };
  if (!Object.values(timeout).every(Number.isSafeInteger)) fail(line, 'expected timeouts as integers');
  return { ...emptyTable('timeout'), timeout };
}

function parseDaemons(first: Line, lines: LineCursor): IpvsTable {
  const daemons: IpvsSyncDaemon[] = [];
  for (let line: Line | undefined = first; line !== undefined; line = lines.next()) {
    const m = DAEMON_RE.exec(joined(line));
    if (m === null) fail(line, 'expected "master|backup sync daemon (mcast=IF, syncid=N[, key=value...])"');
    const role = m[1] === 'master' ? 'master' : 'backup';
    if (daemons.some((d) => d.role === role)) fail(line, `expected at most one ${role} sync daemon`);
    if (daemons.length >= 2) fail(line, 'expected at most two sync daemon lines');
    const settings: [string, string][] = m[2]!.split(', ').map((kv) => {
      const eq = kv.indexOf('=');
      if (eq <= 0) fail(line, 'expected key=value settings inside the parentheses');
      return [kv.slice(0, eq), kv.slice(eq + 1)];
    });
    const [mcast, syncid, ...others] = settings;
    if (mcast?.[0] !== 'mcast') fail(line, 'expected mcast=IF first');
    if (syncid?.[0] !== 'syncid') fail(line, 'expected syncid=N after mcast');
    const syncId = plainUint(syncid[1]);
    if (syncId === null || !Number.isSafeInteger(syncId)) fail(line, 'expected syncid as an unsigned integer');
    const options = new Map<string, string>();
    for (const [k, v] of others) {
      if (!/^[a-z_]+$/.test(k) || options.has(k) || v === '') fail(line, `expected a distinct key=value setting, found "${k}=${v}"`);
      options.set(k, v);
    }
    daemons.push({ role, mcastInterface: mcast[1], syncId, options: Object.fromEntries(options) });
  }
  return { ...emptyTable('daemon'), daemons };
}

// ---------------------------------------------------------------------------------------------
// -S save (restore) format

interface SaveSpec {
  head: ServiceHead;
  key: string;
  next: number;
}

/** `-t|-u|--sctp-service ADDR:PORT` or `-f MARK [-6]` starting at token `i`. */
function parseSaveServiceSpec(line: Line, i: number): SaveSpec {
  const t = line.tokens;
  const opt = t[i];
  let protocol: IpvsService['protocol'] | null = null;
  if (opt === '-t' || opt === '--tcp-service') protocol = 'TCP';
  else if (opt === '-u' || opt === '--udp-service') protocol = 'UDP';
  else if (opt === '--sctp-service') protocol = 'SCTP';
  if (protocol !== null) {
    const ep = endpointField(line, t[i + 1], 'the virtual address');
    const head: ServiceHead = { protocol, family: ep.family, address: ep.address, port: ep.port, fwmark: null };
    return { head, key: `${protocol} ${ep.family} ${ep.address} ${ep.port}`, next: i + 2 };
  }
  if (opt === '-f' || opt === '--fwmark-service') {
    const fwmark = parseFwmark(line, t[i + 1]);
    const v6 = t[i + 2] === '-6' || t[i + 2] === '--ipv6';
    const family = v6 ? 'inet6' : 'inet';
    return { head: { protocol: 'FWM', family, address: null, port: null, fwmark }, key: `FWM ${family} ${fwmark}`, next: v6 ? i + 3 : i + 2 };
  }
  fail(line, 'expected -t, -u, --sctp-service ADDR:PORT or -f MARK after the command');
}

/** Save-format forwarding switches, as the list format names them (-g is Route or Local: -S cannot tell). */
const SAVE_FORWARD = new Map([
  ['-g', 'Route'],
  ['--gatewaying', 'Route'],
  ['-m', 'Masq'],
  ['--masquerading', 'Masq'],
  ['-i', 'Tunnel'],
  ['--ipip', 'Tunnel'],
  ['(null)', '(null)'], // fwd_switch() returned NULL: an unknown method
]);

/** Save-format tunnel checksum options, as --tun-info prints them. */
const SAVE_TUN_FLAGS = new Map([
  ['--tun-nocsum', '-c'],
  ['--tun-csum', '+c'],
  ['--tun-remcsum', 'r+c'],
]);

function parseSave(first: Line, lines: LineCursor): IpvsTable {
  const services: IpvsService[] = [];
  const byKey = new Map<string, IpvsService>();
  for (let line: Line | undefined = first; line !== undefined; line = lines.next()) {
    const t = line.tokens;
    const spec = parseSaveServiceSpec(line, 1);
    if (t[0] === '-A') {
      if (byKey.has(spec.key)) fail(line, 'expected each service to be added once');
      const svc = newService(spec.head);
      parseSaveServiceOptions(line, svc, spec.next);
      byKey.set(spec.key, svc);
      services.push(svc);
    } else if (t[0] === '-a') {
      const svc = byKey.get(spec.key);
      if (svc === undefined) fail(line, 'expected the real server\'s service to be added (-A) before it');
      svc.realServers.push(parseSaveRealServer(line, spec.next));
    } else {
      fail(line, 'expected a save-format line starting with -A or -a');
    }
  }
  return { ...emptyTable('save'), services };
}

function parseSaveServiceOptions(line: Line, svc: IpvsService, start: number): void {
  const t = line.tokens;
  let i = start;
  const seen = new Set<string>();
  while (i < t.length) {
    const opt = t[i++]!;
    const canonical = opt === '--scheduler' ? '-s' : opt === '--persistent' ? '-p' : opt === '--netmask' ? '-M' : opt === 'pe' ? '--pe' : opt === 'ops' || opt === '--ops' ? '-o' : opt;
    if (seen.has(canonical)) fail(line, `expected ${opt} once`);
    seen.add(canonical);
    /** The option's argument: the next token, which must not be another option. */
    const argument = (what: string): string => {
      const v = t[i++];
      if (v === undefined || v.startsWith('-')) fail(line, `expected ${what} after ${canonical}`);
      return v;
    };
    switch (canonical) {
      case '-s':
        svc.scheduler = argument('the scheduler name');
        break;
      case '-p':
        svc.persistent = { timeout: uintField(line, t[i++], 'the persistence timeout'), netmask: svc.persistent?.netmask ?? null };
        break;
      case '-M':
        if (svc.persistent === null) fail(line, 'expected -M only after -p');
        svc.persistent.netmask = parseNetmask(line, svc.family, t[i++]);
        break;
      case '--pe':
        svc.pe = argument('the persistence engine name');
        break;
      case '-o':
        svc.ops = true;
        break;
      case '-b':
      case '--sched-flags': {
        const f = t[i++];
        if (f === undefined || f.startsWith('-') || f.split(',').some((x) => x === '')) fail(line, 'expected scheduler flags as flag,flag after -b');
        svc.flags = f.split(',');
        break;
      }
      default:
        fail(line, `expected -s, -p, -M, --pe, -o or -b, found "${opt}"`);
    }
  }
  if (svc.scheduler === null) fail(line, 'expected -s SCHEDULER');
}

function parseSaveRealServer(line: Line, start: number): IpvsRealServer {
  const t = line.tokens;
  let i = start;
  if (t[i] !== '-r' && t[i] !== '--real-server') fail(line, 'expected -r ADDR:PORT after the service');
  const rs = newRealServer(endpointField(line, t[i + 1], 'the real server'));
  i += 2;
  let tunnel: TunnelInfo | null = null;
  const seen = new Set<string>();
  while (i < t.length) {
    const opt = t[i++]!;
    const fwd = SAVE_FORWARD.get(opt);
    const flag = SAVE_TUN_FLAGS.get(opt);
    const key = fwd !== undefined ? 'forward' : flag !== undefined ? 'tun-flags' : opt;
    if (seen.has(key)) fail(line, `expected one ${key === 'forward' ? 'forwarding method' : opt}`);
    seen.add(key);
    if (fwd !== undefined) {
      rs.forward = fwd;
      continue;
    }
    if (flag !== undefined) {
      tunnel ??= { type: '', port: null, flags: [] };
      tunnel.flags.push(flag);
      continue;
    }
    switch (opt) {
      case '-w':
      case '--weight':
        rs.weight = uintField(line, t[i++], 'the weight');
        break;
      case '-x':
      case '--u-threshold':
        rs.upperThreshold = uintField(line, t[i++], 'the upper threshold');
        break;
      case '-y':
      case '--l-threshold':
        rs.lowerThreshold = uintField(line, t[i++], 'the lower threshold');
        break;
      case '--tun-type': {
        const type = t[i++];
        if (type === undefined || !/^[a-z][a-z0-9]*$/.test(type)) fail(line, 'expected the tunnel type after --tun-type');
        tunnel ??= { type: '', port: null, flags: [] };
        tunnel.type = type;
        break;
      }
      case '--tun-port': {
        const port = uintField(line, t[i++], 'the tunnel port');
        if (port > 65535) fail(line, 'expected the tunnel port as 0-65535');
        tunnel ??= { type: '', port: null, flags: [] };
        tunnel.port = port;
        break;
      }
      default:
        fail(line, `expected -g, -m, -i, -w, -x, -y or --tun-*, found "${opt}"`);
    }
  }
  if (rs.forward === null) fail(line, 'expected the forwarding method (-g, -m or -i)');
  if (tunnel !== null) {
    if (tunnel.type === '') fail(line, 'expected --tun-type with the other --tun-* options');
    if (rs.forward !== 'Tunnel') fail(line, 'expected --tun-* options only with -i');
    rs.tunnel = tunnel;
  }
  return rs;
}
