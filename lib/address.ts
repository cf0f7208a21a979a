// IPv4 / IPv6 addresses and endpoints: parsing, validation and formatting, in one place for the
// browser, the server, the parsers and the CLI (no node:net, so it runs everywhere).
//
// The strict forms, as inet_pton and ipvsadm -n know them:
//   IPv4      dotted quad, each octet 0-255 without leading zeros ("01.2.3.4" is not an address)
//   IPv6      RFC 4291 text forms, either case, an embedded IPv4 tail allowed; no zone id ("%eth0"),
//             no brackets
//   endpoint  "A.B.C.D:PORT" or "[IPV6]:PORT", port 0-65535
//   fwmark    "FWM 1", "FWM 1 IPv6" (the service keys), 32-bit unsigned
//
// The validators scan char codes over a range s[a, b) without allocating, so the connection-table
// parser (millions of rows) uses the same code as a form field.

export type IpFamily = 'inet' | 'inet6';

export const PORT_MAX = 65535;
export const FWMARK_MAX = 0xffff_ffff;

// ---------------------------------------------------------------------------------------------
// Addresses

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** Validates a dotted-quad IPv4 address in s[a, b); returns it as a uint32, or -1 when it is not one. */
export function scanIPv4(s: string, a = 0, b = s.length): number {
  let octets = 0;
  let value = 0;
  let acc = 0;
  let digits = 0;
  let lead = 0;
  for (let i = a; i <= b; i++) {
    const c = i < b ? s.charCodeAt(i) : 46; // a virtual '.' closes the last octet
    if (c === 46) {
      if (digits === 0 || acc > 255 || (digits > 1 && lead === 0)) return -1;
      value = value * 256 + acc;
      octets++;
      acc = 0;
      digits = 0;
    } else {
      if (!isDigit(c) || digits === 3 || octets === 4) return -1;
      if (digits === 0) lead = c - 48;
      acc = acc * 10 + (c - 48);
      digits++;
    }
  }
  return octets === 4 ? value : -1;
}

/** Validates an IPv6 address (no brackets, no zone id) in s[a, b). */
export function scanIPv6(s: string, a = 0, b = s.length): boolean {
  if (b - a < 2 || b - a > 45) return false;
  let groups = 0;
  let doubleColon = false;
  let i = a;
  if (s.charCodeAt(i) === 58) {
    if (s.charCodeAt(i + 1) !== 58) return false; // must start with '::'
    doubleColon = true;
    i += 2;
    if (i === b) return true; // '::'
  }
  for (;;) {
    const g = i;
    while (i < b && isHex(s.charCodeAt(i))) i++;
    if (i < b && s.charCodeAt(i) === 46) {
      // an embedded IPv4 must be last and counts as two groups
      if (scanIPv4(s, g, b) < 0) return false;
      groups += 2;
      break;
    }
    const n = i - g;
    if (n === 0 || n > 4) return false;
    groups++;
    if (i === b) break;
    if (s.charCodeAt(i) !== 58) return false;
    i++;
    if (i < b && s.charCodeAt(i) === 58) {
      if (doubleColon) return false;
      doubleColon = true;
      i++;
      if (i === b) break; // trailing '::'
    } else if (i === b) {
      return false; // trailing single ':'
    }
  }
  return doubleColon ? groups <= 7 : groups === 8;
}

export function isIPv4(s: string): boolean {
  return scanIPv4(s) >= 0;
}

export function isIPv6(s: string): boolean {
  return scanIPv6(s);
}

/** 4, 6 or 0, like node:net isIP, without zone ids. */
export function isIP(s: string): 0 | 4 | 6 {
  if (scanIPv4(s) >= 0) return 4;
  return scanIPv6(s) ? 6 : 0;
}

/** 'inet' or 'inet6' for an address, null when it is neither. */
export function familyOf(address: string): IpFamily | null {
  const v = isIP(address);
  return v === 4 ? 'inet' : v === 6 ? 'inet6' : null;
}

/** Expands a valid IPv6 address to its 8 groups. */
function expandIPv6(input: string): number[] {
  let s = input.toLowerCase();
  // An embedded IPv4 tail ("::ffff:192.0.2.1") becomes its two hex groups.
  const lastColon = s.lastIndexOf(':');
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) {
    const v = scanIPv4(last);
    s = `${s.slice(0, lastColon + 1)}${(v >>> 16).toString(16)}:${(v & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = s.split('::');
  const groups = (p: string): number[] => (p === '' ? [] : p.split(':').map((g) => parseInt(g, 16)));
  if (tail === undefined) return groups(head);
  const h = groups(head);
  const t = groups(tail);
  return [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
}

/** RFC 5952 text form (lower case, longest zero run compressed), or null when not IPv6. */
export function canonicalIPv6(s: string): string | null {
  if (!scanIPv6(s)) return null;
  const g = expandIPv6(s);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

// The same few thousand addresses are canonicalised on every poll of every director, so results
// are memoised (bounded: the memo is dropped when it grows past MEMO_MAX entries).
const MEMO_MAX = 200_000;
let memo = new Map<string, string | null>();

function canonicalIPv6Memo(s: string): string | null {
  const hit = memo.get(s);
  if (hit !== undefined || memo.has(s)) return hit ?? null;
  const v = canonicalIPv6(s);
  if (memo.size >= MEMO_MAX) memo = new Map();
  // The key is copied: `s` is often a substring of a whole command output (a keepalived dump of
  // megabytes), which a memoised substring would keep alive.
  memo.set((' ' + s).slice(1), v);
  return v;
}

/** The address's bits, most significant first (32 for IPv4, 128 for IPv6); null when not an address. */
function addressBits(s: string): boolean[] | null {
  if (isIPv4(s)) return s.split('.').flatMap((o) => [...Number(o).toString(2).padStart(8, '0')].map((b) => b === '1'));
  if (!scanIPv6(s)) return null;
  return expandIPv6(s).flatMap((g) => [...g.toString(16).padStart(4, '0')].flatMap((h) => [...parseInt(h, 16).toString(2).padStart(4, '0')].map((b) => b === '1')));
}

/** Whether `address` lies in `cidr` ("192.0.2.3/24", "2001:db8::3/64"); false across families or on bad input. */
export function inSubnet(cidr: string, address: string): boolean {
  const slash = cidr.lastIndexOf('/');
  if (slash < 0) return false;
  const net = addressBits(cidr.slice(0, slash));
  const addr = addressBits(address);
  const prefix = Number(cidr.slice(slash + 1));
  if (!net || !addr || net.length !== addr.length || !Number.isInteger(prefix) || prefix < 0 || prefix > net.length) return false;
  for (let i = 0; i < prefix; i++) if (net[i] !== addr[i]) return false;
  return true;
}

/** Canonical text form of any IP address (IPv4 unchanged), or the input when it is not an address. */
export function canonicalIP(s: string): string {
  if (!s.includes(':')) return s; // IPv4 (or not an address): unchanged either way
  return canonicalIPv6Memo(s) ?? s;
}

/** "[2001:db8::1]" → "2001:db8::1"; anything else unchanged. */
export function unbracket(text: string): string {
  return text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
}

/** Drops surrounding space, brackets, a zone id (`%eth0`) and a `/prefix` suffix. */
export function bareAddress(text: string): string {
  return unbracket(text.trim().replace(/\/\d+$/, '')).replace(/%.*$/, '');
}

/**
 * Canonical text of an address for comparison: IPv4 as is, IPv6 per RFC 5952 (lowercase, leading
 * zeros dropped, the longest run of two or more zero groups compressed to `::`). Brackets, a zone
 * id and a `/prefix` suffix are removed. Returns the bare input when it is neither.
 */
export function canonicalAddress(text: string): string {
  return canonicalIP(bareAddress(text));
}

/** An IPv4-mapped IPv6 address ("::ffff:192.0.2.1") as its IPv4 address; anything else unchanged. */
export function unmapIPv4(address: string): string {
  if (address.length > 7 && /^::ffff:/i.test(address)) {
    const tail = address.slice(7);
    if (scanIPv4(tail) >= 0) return tail;
  }
  return address;
}

/** "255.255.255.0" → 24, "128" → 128 (ipvsadm prints IPv6 persistence masks as a length); null if not a mask. */
export function netmaskPrefix(netmask: string): number | null {
  if (/^\d{1,3}$/.test(netmask)) return Number(netmask);
  const octets = netmask.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return null;
  const bits = octets.map((o) => o.toString(2).padStart(8, '0')).join('');
  return /^1*0*$/.test(bits) ? bits.indexOf('0') === -1 ? 32 : bits.indexOf('0') : null;
}

// ---------------------------------------------------------------------------------------------
// Endpoints

/** An address and port as they are written in URLs and by ipvsadm: "192.0.2.11:80", "[2001:db8::11]:80". */
export function formatEndpoint(address: string, port?: number | null): string {
  const bare = unbracket(address);
  const host = bare.includes(':') ? `[${bare}]` : bare; // only IPv6 contains ':'
  return port === null || port === undefined || Number.isNaN(port) ? host : `${host}:${port}`;
}

/** Where scanEndpoint found an endpoint: s[a, b) is the address (no brackets). */
export interface EndpointScan {
  a: number;
  b: number;
  port: number;
  v6: boolean;
  /** The IPv4 address as a uint32 (0 for IPv6). */
  ipv4: number;
}

export function newEndpointScan(): EndpointScan {
  return { a: 0, b: 0, port: 0, v6: false, ipv4: 0 };
}

/**
 * Scans `A.B.C.D:PORT` or `[IPV6]:PORT` starting at s[p] into `out`; returns the index just after
 * the port (the caller checks what follows), or -1. Allocates nothing.
 */
export function scanEndpoint(s: string, p: number, out: EndpointScan): number {
  let portStart: number;
  if (s.charCodeAt(p) === 91) {
    // [v6]:port
    const close = s.indexOf(']', p + 1);
    if (close < 0 || s.charCodeAt(close + 1) !== 58 || !scanIPv6(s, p + 1, close)) return -1;
    out.a = p + 1;
    out.b = close;
    out.v6 = true;
    out.ipv4 = 0;
    portStart = close + 2;
  } else {
    const colon = s.indexOf(':', p);
    if (colon < 0 || colon - p > 15) return -1;
    const v = scanIPv4(s, p, colon);
    if (v < 0) return -1;
    out.a = p;
    out.b = colon;
    out.v6 = false;
    out.ipv4 = v;
    portStart = colon + 1;
  }
  let i = portStart;
  let port = 0;
  for (;;) {
    const c = s.charCodeAt(i); // NaN past the end
    if (!isDigit(c)) break;
    port = port * 10 + (c - 48);
    i++;
  }
  if (i === portStart || i - portStart > 5 || port > PORT_MAX) return -1;
  out.port = port;
  return i;
}

export interface ParsedEndpoint {
  address: string;
  port: number;
  family: IpFamily;
}

const scratch = newEndpointScan();

/**
 * Parses one strict endpoint token, `A.B.C.D:PORT` or `[IPV6]:PORT` (as ipvsadm -n prints them);
 * the address comes without brackets, as written. Null when the token is not one.
 */
export function parseEndpoint(token: string): ParsedEndpoint | null {
  if (token.length < 3 || scanEndpoint(token, 0, scratch) !== token.length) return null;
  return { address: token.slice(scratch.a, scratch.b), port: scratch.port, family: scratch.v6 ? 'inet6' : 'inet' };
}

/**
 * The inverse of formatEndpoint, lenient (no validation): "[2001:db8::11]:80" →
 * { address: "2001:db8::11", port: 80 }; "192.0.2.11" → { address: "192.0.2.11", port: null }.
 */
export function splitEndpoint(endpoint: string): { address: string; port: number | null } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(endpoint);
  if (v6) return { address: v6[1] ?? endpoint, port: v6[2] === undefined ? null : Number(v6[2]) };
  const v4 = /^([^:]+):(\d+)$/.exec(endpoint);
  if (v4) return { address: v4[1] ?? endpoint, port: Number(v4[2]) };
  return { address: endpoint, port: null };
}

export class AddressError extends Error {
  override readonly name = 'AddressError';
}

/** A host or an endpoint typed by a person: the address canonical, port null for a bare host. */
export interface HostTarget {
  address: string;
  /** null: the whole host (every port). */
  port: number | null;
}

/**
 * `192.0.2.11`, `192.0.2.11:80`, `2001:db8::11`, `[2001:db8::11]:80` (surrounding space ignored,
 * port 0 allowed: real servers of fwmark services); throws AddressError with the reason.
 */
export function parseHostTarget(text: string): HostTarget {
  const t = text.trim();
  const v6 = /^\[([^\]]+)\]:(\d{1,5})$/.exec(t);
  if (v6) return { address: checkAddress(v6[1] ?? '', text), port: checkPort(v6[2] ?? '', text) };
  if (isIP(t) !== 0) return { address: canonicalIP(t), port: null };
  const v4 = /^([0-9.]+):(\d{1,5})$/.exec(t);
  if (v4) return { address: checkAddress(v4[1] ?? '', text), port: checkPort(v4[2] ?? '', text) };
  throw new AddressError(`target "${text}" is not ADDR or ADDR:PORT (IPv6 as [ADDR]:PORT)`);
}

function checkAddress(a: string, whole: string): string {
  if (isIP(a) === 0) throw new AddressError(`target "${whole}": "${a}" is not an IPv4 or IPv6 address`);
  return canonicalIP(a);
}

function checkPort(p: string, whole: string): number {
  const n = Number(p);
  if (!Number.isInteger(n) || n > PORT_MAX) throw new AddressError(`"${whole}": port ${p} is not 1-65535`);
  return n;
}

/** "192.0.2.11:80" / "[2001:db8::11]:80" -> true; "192.0.2.11" / "2001:db8::11" -> false. */
export function hasPort(target: string): boolean {
  return splitEndpoint(target).port !== null;
}

// ---------------------------------------------------------------------------------------------
// Firewall-mark services

/** "FWM 1", "FWM 1 IPv6": how a fwmark service is written in service keys. */
export function formatFwmark(fwmark: number | null, family: IpFamily): string {
  return `FWM ${fwmark ?? '?'}${family === 'inet6' ? ' IPv6' : ''}`;
}

/** "FWM 1", "fwm:1", "fwm 1 IPv6" (any case) → the mark and family; null when it is not that form. */
export function parseFwmark(text: string): { fwmark: number; family: IpFamily } | null {
  const m = /^(?:fwm[: ])\s*(\d{1,10})(\s+IPv6)?$/i.exec(text.trim());
  if (!m) return null;
  return { fwmark: Number(m[1]), family: m[2] === undefined ? 'inet' : 'inet6' };
}
