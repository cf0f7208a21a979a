// Streaming parser for `ipvsadm -Lnc` (and `-Lnc --persistent-conn`): one row per IPVS connection
// entry, millions of rows on a busy director. Pure: it takes lines or text chunks, never a file.
//
// Row format (ipvsadm 1.26-1.31, print_conn): `%-3s %-6s %-11s %-18s %-18s %s` =
// `pro expire state source virtual destination`, plus `pe_name pe_data` with --persistent-conn when
// the entry has persistence-engine data. expire is `MM:SS` with unbounded minutes (`133:35`).
// Columns overflow their widths (IPv6), so rows are split on whitespace, never on offsets.
//
// The hot path is one pass over each line's char codes that tokenizes and validates at once, into
// module-level registers: no regex, no split, no allocation beyond the row the caller gets.

import { newEndpointScan, scanEndpoint, scanIPv6 } from '@/lib/address';
import { type IpvsConnection } from '@/lib/models/ipvsadm';
import { ParseError } from './parse-error';

const KIND = 'ipvsadm';

export const CONNECTIONS_TITLE = 'IPVS connection entries';

const ROW_SHAPE = 'expected a connection row: pro expire state source virtual destination [pe-name pe-data]';

function fail(lineNo: number, line: string, reason: string): never {
  throw new ParseError(KIND, lineNo, line, reason);
}

/** Whitespace as sscanf's %s sees it: space, tab, CR (a \r\n line end), VT, FF (no NUL, no others). */
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 11 || c === 12;
}

/** True at the end of `s` or at whitespace: the end of a field. */
function atSep(s: string, p: number, len: number): boolean {
  return p >= len || isSpace(s.charCodeAt(p));
}

function skipSpaces(s: string, p: number, len: number): number {
  while (p < len && isSpace(s.charCodeAt(p))) p++;
  return p;
}

// ---------------------------------------------------------------------------------------------
// Endpoints

// Endpoint registers, one slot per column (0 source, 1 virtual, 2 destination).
const epA = new Int32Array(3);
const epB = new Int32Array(3);
const epP = new Int32Array(3);
const epIs6 = new Uint8Array(3);
const epIp4 = new Float64Array(3);

const scan = newEndpointScan();

/**
 * Scans `A.B.C.D:PORT` or `[IPV6]:PORT` (lib/address.ts) starting at p into slot k; returns the
 * index just after it (which must be a field end), or -1.
 */
function scanEndpointAt(s: string, p: number, len: number, k: number): number {
  const i = scanEndpoint(s, p, scan);
  if (i < 0 || !atSep(s, i, len)) return -1;
  epA[k] = scan.a;
  epB[k] = scan.b;
  epIs6[k] = scan.v6 ? 1 : 0;
  epIp4[k] = scan.ipv4;
  epP[k] = scan.port;
  return i;
}

// V8 makes a substring of 13+ characters a "sliced string" that keeps its whole parent alive: one
// IPv6 or 13-character IPv4 address kept in a model would pin a director's entire multi-megabyte
// command output (measured: ~4 MB retained per director of 2,000 real servers). Kept strings are
// detached (copied) and interned, so each distinct value exists once.
const DETACH_MAX = 100_000;
let detached = new Map<string, string>();

/** A copy of `s` that does not share memory with the string it was cut from (interned). */
export function detach(s: string): string {
  if (s.length < 13) return s; // V8 copies short substrings itself
  const hit = detached.get(s);
  if (hit !== undefined) return hit;
  // Concatenation flattens into a new string; slicing that keeps only the new small string alive.
  const copy = (' ' + s).slice(1);
  if (detached.size >= DETACH_MAX) detached = new Map();
  detached.set(copy, copy);
  return copy;
}

// ---------------------------------------------------------------------------------------------
// Interning of the small closed vocabularies (rows share these strings instead of slicing new ones).

export const PROTOCOLS: readonly string[] = ['TCP', 'UDP', 'SCTP', 'IP'];
export const STATES: readonly string[] = [
  'NONE', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT', 'TIME_WAIT', 'CLOSE', 'CLOSE_WAIT',
  'LAST_ACK', 'LISTEN', 'SYNACK', 'UDP', 'ASSURED', 'INIT1', 'INIT', 'C-SENT', 'C-REPLIED', 'C-WAIT',
  'C-ECHOED', 'S-SENT', 'S-RECEIVED', 'S-ACK-SENT', 'REJECTED', 'CLOSED', 'ICMP', 'ERR!', 'BUG!',
];

/** Words bucketed by length, so a lookup compares at most a few candidates. */
function byLength(words: readonly string[]): string[][] {
  const buckets: string[][] = [];
  for (let n = 0; n <= 16; n++) buckets.push(words.filter((w) => w.length === n));
  return buckets;
}
const PROTOCOL_BUCKETS = byLength(PROTOCOLS);
const STATE_BUCKETS = byLength(STATES);

function intern(line: string, a: number, b: number, buckets: readonly string[][]): string {
  const bucket = buckets[b - a];
  if (bucket !== undefined) {
    for (const w of bucket) if (line.startsWith(w, a)) return w;
  }
  return line.slice(a, b);
}

// ---------------------------------------------------------------------------------------------
// One row, scanned into registers (scanRow) and materialized on demand (parseConnectionLine).

let protoA = 0;
let protoB = 0;
let stateA = 0;
let stateB = 0;
let rowExpire = 0;
let peNameA = -1; // -1 when the row has no pe columns
let peNameB = 0;
let peDataA = 0;
let peDataB = 0;
const WHICH = ['source', 'virtual', 'destination'];

/** Validates one connection row in a single pass into the registers; throws ParseError. */
function scanRow(line: string, lineNo: number): void {
  const len = line.length;
  let p = skipSpaces(line, 0, len);

  // pro: TCP, UDP, SCTP, IP (templates) or another short name the kernel prints (ICMPv6, IP_<n>)
  const pa = p;
  for (;;) {
    const c = line.charCodeAt(p);
    if ((c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 118) p++;
    else break;
  }
  const c0 = line.charCodeAt(pa);
  if (p - pa < 2 || p - pa > 7 || c0 < 65 || c0 > 90 || !atSep(line, p, len)) {
    fail(lineNo, line, p === len && pa === len ? ROW_SHAPE : 'expected a protocol (TCP, UDP, SCTP, IP)');
  }
  protoA = pa;
  protoB = p;
  p = skipSpaces(line, p, len);
  if (p >= len) fail(lineNo, line, ROW_SHAPE);

  // expire: MM:SS, minutes unbounded
  const ma = p;
  let minutes = 0;
  for (;;) {
    const d = line.charCodeAt(p) - 48;
    if (!(d >= 0 && d <= 9)) break; // NaN past the end too
    minutes = minutes * 10 + d;
    p++;
  }
  const s1 = line.charCodeAt(p + 1) - 48;
  const s2 = line.charCodeAt(p + 2) - 48;
  if (p === ma || p - ma > 9 || line.charCodeAt(p) !== 58 || !(s1 >= 0 && s1 <= 5) || !(s2 >= 0 && s2 <= 9) || !atSep(line, p + 3, len)) {
    fail(lineNo, line, 'expected expire as MM:SS');
  }
  rowExpire = minutes * 60 + s1 * 10 + s2;
  p = skipSpaces(line, p + 3, len);
  if (p >= len) fail(lineNo, line, ROW_SHAPE);

  // state: upper-case letters, digits, '_', '-', '!'
  const sa = p;
  for (;;) {
    const c = line.charCodeAt(p);
    if ((c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 33) p++;
    else break;
  }
  if (p === sa || p - sa > 16 || !atSep(line, p, len)) fail(lineNo, line, 'expected a connection state');
  stateA = sa;
  stateB = p;

  // source, virtual, destination
  for (let k = 0; k < 3; k++) {
    p = skipSpaces(line, p, len);
    if (p >= len) fail(lineNo, line, ROW_SHAPE);
    const end = scanEndpointAt(line, p, len, k);
    if (end < 0) fail(lineNo, line, `expected ${WHICH[k]} as ADDR:PORT or [IPV6]:PORT`);
    p = end;
  }

  // nothing more, or exactly pe-name pe-data
  p = skipSpaces(line, p, len);
  if (p >= len) {
    peNameA = -1;
    return;
  }
  peNameA = p;
  while (p < len && !isSpace(line.charCodeAt(p))) p++;
  peNameB = p;
  p = skipSpaces(line, p, len);
  if (p >= len) fail(lineNo, line, ROW_SHAPE);
  peDataA = p;
  while (p < len && !isSpace(line.charCodeAt(p))) p++;
  peDataB = p;
  if (skipSpaces(line, p, len) < len) fail(lineNo, line, ROW_SHAPE);
}

function materializeRow(line: string): IpvsConnection {
  const conn: IpvsConnection = {
    protocol: intern(line, protoA, protoB, PROTOCOL_BUCKETS),
    state: intern(line, stateA, stateB, STATE_BUCKETS),
    expiresInSeconds: rowExpire,
    client: { address: line.slice(epA[0], epB[0]), port: epP[0]! },
    virtual: { address: line.slice(epA[1], epB[1]), port: epP[1]! },
    destination: { address: line.slice(epA[2], epB[2]), port: epP[2]! },
  };
  if (peNameA >= 0) conn.pe = { name: line.slice(peNameA, peNameB), data: line.slice(peDataA, peDataB) };
  return conn;
}

/**
 * Parses one row of `ipvsadm -Lnc` (pure). Rows with 8 columns (--persistent-conn and the entry has
 * pe data) get `pe`; 6-column rows have no `pe` key. Throws ParseError for anything else.
 */
export function parseConnectionLine(line: string, lineNo: number): IpvsConnection {
  scanRow(line, lineNo);
  return materializeRow(line);
}

/** Endpoint columns of a connection row, as `scannedRow`'s arrays index them. */
export const SOURCE = 0;
export const VIRTUAL = 1;
export const DESTINATION = 2;

/**
 * The row the last `ConnectionRowReader.next(line)` returned true for, read in place: offsets into
 * that line and numbers, no string cut unless asked for. For aggregations over millions of rows that
 * must not allocate per row (the drain progress summary, server/drain/connection-summary.ts). Valid
 * only until the next line is read.
 */
export const scannedRow = {
  /** Per endpoint column (SOURCE, VIRTUAL, DESTINATION): the address text is line[addressStart, addressEnd). */
  addressStart: epA as Readonly<Int32Array>,
  addressEnd: epB as Readonly<Int32Array>,
  port: epP as Readonly<Int32Array>,
  /** 1 when the address is IPv6. */
  isV6: epIs6 as Readonly<Uint8Array>,
  /** The IPv4 address as a uint32 (meaningless for IPv6). */
  ipv4: epIp4 as Readonly<Float64Array>,
  /** The protocol column, interned (TCP, UDP, SCTP, IP share one string each). */
  protocol: (line: string): string => intern(line, protoA, protoB, PROTOCOL_BUCKETS),
  /** The state column, interned. */
  state: (line: string): string => intern(line, stateA, stateB, STATE_BUCKETS),
  /** The expire column in seconds. */
  expiresInSeconds: (): number => rowExpire,
};

// ---------------------------------------------------------------------------------------------
// Headers: `IPVS connection entries` then `pro expire state source virtual destination` (+ `pe name
// pe_data`). Both are optional for the streaming entry points (so `ipvsadm -Lnc | grep ...` works),
// but when present they must come first and in that order.

const COLUMNS = 'pro expire state source virtual destination';
const COLUMNS_PE = `${COLUMNS} pe name pe_data`;

/** `plain`/`pe` from a column header line, or null when the line is not one. */
export function connectionColumns(line: string): 'plain' | 'pe' | null {
  const t = line.trim().split(/\s+/).join(' ');
  if (t === COLUMNS) return 'plain';
  if (t === COLUMNS_PE) return 'pe';
  return null;
}

function isBlank(line: string): boolean {
  return skipSpaces(line, 0, line.length) === line.length;
}

function isTitle(line: string): boolean {
  return line.startsWith(CONNECTIONS_TITLE) && isBlank(line.slice(CONNECTIONS_TITLE.length));
}

/**
 * Line-at-a-time state machine shared by the streaming entry points, and by aggregations that read
 * each row in place (`scannedRow`) instead of materializing it.
 */
export class ConnectionRowReader {
  lineNo = 0;
  private state: 'start' | 'columns' | 'rows' = 'start';

  /** Past the headers: every further line is a row (or blank). Same as state === 'rows' (a field: read per line). */
  readingRows = false;
  /** null until a column header says whether pe columns are shown. */
  pe: 'plain' | 'pe' | null = null;

  /** Returns true when `line` is a connection row now scanned into the registers. */
  next(line: string): boolean {
    this.lineNo++;
    if (this.state !== 'rows') {
      if (isBlank(line)) return false;
      if (this.state === 'start') {
        this.state = 'rows';
        this.readingRows = true;
        if (isTitle(line)) {
          this.state = 'columns';
          this.readingRows = false;
          return false;
        }
        const cols = connectionColumns(line);
        if (cols !== null) {
          this.pe = cols;
          return false;
        }
      } else {
        const cols = connectionColumns(line);
        if (cols === null) fail(this.lineNo, line, `expected the column header "${COLUMNS}"`);
        this.pe = cols;
        this.state = 'rows';
        this.readingRows = true;
        return false;
      }
    }
    if (line.length === 0 || (line.length < 8 && isBlank(line))) return false;
    scanRow(line, this.lineNo);
    if (peNameA >= 0 && this.pe === 'plain') fail(this.lineNo, line, 'expected 6 columns (no --persistent-conn header)');
    return true;
  }

  materialize(line: string): IpvsConnection {
    const conn = materializeRow(line);
    if (this.pe === 'pe' && conn.pe === undefined) conn.pe = null;
    return conn;
  }
}

/**
 * Parses the rows of a `-Lnc` text already in memory (used by parseIpvsadm). `firstLineNo` is the
 * line number of lines[0] in the original text; blank lines are skipped.
 */
export function parseConnectionRows(lines: readonly string[], firstLineNo: number, pe: boolean): IpvsConnection[] {
  const out: IpvsConnection[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (isBlank(line)) continue;
    const lineNo = firstLineNo + i;
    scanRow(line, lineNo);
    if (peNameA >= 0 && !pe) fail(lineNo, line, 'expected 6 columns (no --persistent-conn header)');
    const conn = materializeRow(line);
    if (pe && conn.pe === undefined) conn.pe = null;
    out.push(conn);
  }
  return out;
}

/** Streams connection rows from lines (headers optional, blank lines skipped); throws ParseError. */
export async function* streamConnections(
  lines: AsyncIterable<string> | Iterable<string>,
): AsyncGenerator<IpvsConnection> {
  const reader = new ConnectionRowReader();
  for await (const line of lines) {
    if (reader.next(line)) yield reader.materialize(line);
  }
}

// ---------------------------------------------------------------------------------------------
// Chunk splitting: turns a byte or text stream (ssh stdout, a file) into lines, holding no more
// than one chunk plus one partial line. Chunks of 64 KiB or less keep the decoded strings in V8's
// young generation (larger ones go to large-object space and linger until a full GC).

export type Chunks = AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;

/** Splits a stream of text or UTF-8 byte chunks into arrays of lines (without `\n`; a `\r` is kept). */
export async function* lineBatches(chunks: Chunks): AsyncGenerator<string[]> {
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (text.length === 0) continue;
    const batch: string[] = [];
    let start = 0;
    let nl = text.indexOf('\n');
    if (nl >= 0 && rest.length > 0) {
      batch.push(rest + text.slice(0, nl));
      rest = '';
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    while (nl >= 0) {
      batch.push(text.slice(start, nl));
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    rest = start === 0 ? rest + text : text.slice(start);
    if (batch.length > 0) yield batch;
  }
  rest += decoder.decode();
  if (rest.length > 0) yield [rest];
}

/** Splits a stream of text or UTF-8 byte chunks into lines (one promise turn per line: prefer lineBatches). */
export async function* linesFromChunks(chunks: Chunks): AsyncGenerator<string> {
  for await (const batch of lineBatches(chunks)) {
    for (const line of batch) yield line;
  }
}


// ---------------------------------------------------------------------------------------------
// Byte fast path: rows scanned straight from UTF-8 byte chunks, no line strings, no decoding.
//
// scanRowBytes accepts a subset of what scanRow accepts (plain ASCII rows in the canonical forms
// ipvsadm prints) and fills the same registers with the same values, offsets now into the chunk's
// bytes (= into its latin1 text). Anything else (non-ASCII, an IPv4 octet with a leading zero, a
// malformed row) falls back to decoding that one line and the string path, which accepts or throws
// exactly as before.

/** Protocol/state register as an index into PROTOCOLS/STATES, -1 when not in the vocabulary. */
let protoId = -1;
let stateId = -1;
/** Interned address ids of the virtual and destination columns (-1: not interned). */
const epId = new Int32Array(3);

function isSpaceByte(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13 && c !== 10);
}

/** Vocabulary words as (index, char codes) bucketed by length: a lookup compares a few candidates. */
function byteBuckets(words: readonly string[]): { id: number; codes: number[] }[][] {
  const buckets: { id: number; codes: number[] }[][] = [];
  for (let n = 0; n <= 16; n++) {
    buckets.push(words.flatMap((w, id) => (w.length === n ? [{ id, codes: [...w].map((ch) => ch.charCodeAt(0)) }] : [])));
  }
  return buckets;
}
const PROTOCOL_BYTES = byteBuckets(PROTOCOLS);
const STATE_BYTES = byteBuckets(STATES);

/** Vocabulary index of b[a, e) (at most 16 bytes) in `buckets`, or -1. */
function vocabId(b: Uint8Array, a: number, e: number, buckets: readonly { id: number; codes: number[] }[][]): number {
  const bucket = buckets[e - a]!;
  outer: for (let w = 0; w < bucket.length; w++) {
    const { id, codes } = bucket[w]!;
    for (let i = 0; i < codes.length; i++) if (b[a + i] !== codes[i]) continue outer;
    return id;
  }
  return -1;
}

/**
 * Interned endpoint addresses (the virtual and destination columns repeat across rows): bytes ->
 * id, with the address's string, family and IPv4 value, validated once. Bounded: past MAX entries
 * new addresses are not interned (id -1) and are read from the text instead.
 */
export class AddressTable {
  static readonly MAX = 1 << 16;
  private slots = new Int32Array(1 << 10).fill(-1);
  /** IPv4 addresses by value (open addressing on the uint32): no byte hashing for the common case. */
  private v4keys = new Float64Array(1 << 10).fill(-1);
  private v4ids = new Int32Array(1 << 10);
  /** 32 - log2(v4keys.length): a multiplicative hash's top bits index the table. */
  private v4shift = 22;
  private v4count = 0;
  private bytes = new Uint8Array(1 << 12);
  private used = 0;
  readonly start: number[] = [];
  readonly length: number[] = [];
  readonly text: string[] = [];
  readonly v6: boolean[] = [];
  readonly ipv4: number[] = [];

  get size(): number {
    return this.text.length;
  }

  /** The id of the canonical dotted quad b[a, e) whose value is `ipv4`, interning it; -1 when the table is full. */
  internV4(b: Uint8Array, a: number, e: number, ipv4: number, latin1: () => string): number {
    const keys = this.v4keys;
    const mask = keys.length - 1;
    let s = Math.imul(ipv4 | 0, 0x9e3779b1) >>> this.v4shift;
    for (; ; s = (s + 1) & mask) {
      const k = keys[s]!;
      if (k === ipv4) return this.v4ids[s]!;
      if (k < 0) break;
    }
    const id = this.intern(b, a, e, false, ipv4, latin1);
    if (id < 0) return -1;
    keys[s] = ipv4;
    this.v4ids[s] = id;
    if (++this.v4count * 2 > keys.length) {
      const oldKeys = keys;
      const oldIds = this.v4ids;
      this.v4keys = new Float64Array(oldKeys.length * 4).fill(-1);
      this.v4ids = new Int32Array(oldKeys.length * 4);
      this.v4shift -= 2;
      const m = this.v4keys.length - 1;
      for (let j = 0; j < oldKeys.length; j++) {
        const k = oldKeys[j]!;
        if (k < 0) continue;
        let t = Math.imul(k | 0, 0x9e3779b1) >>> this.v4shift;
        while (this.v4keys[t]! >= 0) t = (t + 1) & m;
        this.v4keys[t] = k;
        this.v4ids[t] = oldIds[j]!;
      }
    }
    return id;
  }

  /** The id of b[a, e) (IPv6 without brackets when v6), interning it; -1 when it is not a valid address or the table is full. */
  intern(b: Uint8Array, a: number, e: number, v6: boolean, ipv4: number, latin1: () => string): number {
    let h = 0x811c9dc5;
    for (let i = a; i < e; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    const mask = this.slots.length - 1;
    const n = e - a;
    for (let s = (h ^ (h >>> 15)) & mask; ; s = (s + 1) & mask) {
      const id = this.slots[s]!;
      if (id < 0) break;
      if (this.length[id] !== n) continue;
      const o = this.start[id]!;
      let i = 0;
      while (i < n && this.bytes[o + i] === b[a + i]) i++;
      if (i === n) return id;
    }
    if (this.text.length >= AddressTable.MAX) return -1;
    const text = detach(latin1().slice(a, e));
    if (v6 && !scanIPv6(text)) return -1;
    if (this.used + n > this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2 + n);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes.set(b.subarray(a, e), this.used);
    const id = this.text.length;
    this.start.push(this.used);
    this.length.push(n);
    this.text.push(text);
    this.v6.push(v6);
    this.ipv4.push(ipv4);
    this.used += n;
    if (this.text.length * 2 > this.slots.length) this.rehash();
    else this.place(id, h);
    return id;
  }

  /**
   * The id of the (already validated, ASCII) address text[a, e), interning it: the same id the byte
   * path gives the same address. -1 when the table is full.
   */
  internText(text: string, a: number, e: number, v6: boolean, ipv4: number): number {
    let h = 0x811c9dc5;
    for (let i = a; i < e; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    const mask = this.slots.length - 1;
    const n = e - a;
    for (let s = (h ^ (h >>> 15)) & mask; ; s = (s + 1) & mask) {
      const id = this.slots[s]!;
      if (id < 0) break;
      if (this.length[id] !== n) continue;
      const o = this.start[id]!;
      let i = 0;
      while (i < n && this.bytes[o + i] === text.charCodeAt(a + i)) i++;
      if (i === n) return id;
    }
    if (this.text.length >= AddressTable.MAX) return -1;
    const copy = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(a + i);
      if (c > 127) return -1;
      copy[i] = c;
    }
    return this.intern(copy, 0, n, v6, ipv4, () => text.slice(a, e));
  }

  private place(id: number, h: number): void {
    const mask = this.slots.length - 1;
    let s = (h ^ (h >>> 15)) & mask;
    while (this.slots[s]! >= 0) s = (s + 1) & mask;
    this.slots[s] = id;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 4).fill(-1);
    for (let id = 0; id < this.text.length; id++) {
      let h = 0x811c9dc5;
      const o = this.start[id]!;
      for (let i = 0; i < this.length[id]!; i++) h = Math.imul(h ^ this.bytes[o + i]!, 0x01000193);
      this.place(id, h);
    }
  }
}

function isHexByte(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/**
 * scanIPv6 (lib/address.ts) on bytes, for addresses without an embedded IPv4: false for those too
 * (the row then takes the string path, which decides).
 */
function ipv6Bytes(b: Uint8Array, a: number, e: number): boolean {
  if (e - a < 2 || e - a > 45) return false;
  let groups = 0;
  let doubleColon = false;
  let i = a;
  if (b[i] === 58) {
    if (b[i + 1] !== 58) return false;
    doubleColon = true;
    i += 2;
    if (i === e) return true;
  }
  for (;;) {
    const g = i;
    while (i < e && isHexByte(b[i]!)) i++;
    const n = i - g;
    if (n === 0 || n > 4) return false;
    groups++;
    if (i === e) break;
    if (b[i] !== 58) return false;
    i++;
    if (i < e && b[i] === 58) {
      if (doubleColon) return false;
      doubleColon = true;
      i++;
      if (i === e) break;
    } else if (i === e) {
      return false;
    }
  }
  return doubleColon ? groups <= 7 : groups === 8;
}

/**
 * Scans one endpoint at b[p] into slot k (IPv4 canonical dotted quad or [IPv6], then :PORT, then a
 * field end); returns the index after it or -1 (fall back to the string path). Virtual and
 * destination addresses are interned (validated once); source IPv6 is validated on the text.
 */
function scanEndpointBytes(b: Uint8Array, p: number, k: number, table: AddressTable, latin1: () => string): number {
  let portStart: number;
  let i = p;
  if (b[p] === 91) {
    // [v6]:port: hex digits, ':' and '.' up to ']'
    i = p + 1;
    for (;;) {
      const c = b[i]!;
      if ((c >= 48 && c <= 58) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70) || c === 46) i++;
      else break;
    }
    if (b[i] !== 93 || b[i + 1] !== 58) return -1;
    epA[k] = p + 1;
    epB[k] = i;
    epIs6[k] = 1;
    epIp4[k] = 0;
    if (k === SOURCE) {
      epId[k] = -1;
      if (!ipv6Bytes(b, p + 1, i)) return -1;
    } else {
      const id = table.intern(b, p + 1, i, true, 0, latin1);
      if (id < 0) return -1;
      epId[k] = id;
    }
    portStart = i + 2;
  } else {
    // canonical dotted quad: four octets of 1-3 digits, <= 255, no leading zero
    let value = 0;
    for (let octet = 0; octet < 4; octet++) {
      const d0 = b[i]! - 48;
      if (!(d0 >= 0 && d0 <= 9)) return -1;
      let acc = d0;
      i++;
      let d = b[i]! - 48;
      if (d >= 0 && d <= 9) {
        if (d0 === 0) return -1;
        acc = acc * 10 + d;
        i++;
        d = b[i]! - 48;
        if (d >= 0 && d <= 9) {
          acc = acc * 10 + d;
          i++;
          if (acc > 255) return -1;
        }
      }
      value = value * 256 + acc;
      if (b[i] !== (octet === 3 ? 58 : 46)) return -1;
      i++;
    }
    epA[k] = p;
    epB[k] = i - 1;
    epIs6[k] = 0;
    epIp4[k] = value;
    if (k === SOURCE) epId[k] = -1;
    else {
      const id = table.internV4(b, p, i - 1, value, latin1);
      if (id < 0) return -1;
      epId[k] = id;
    }
    portStart = i;
  }
  i = portStart;
  let port = 0;
  for (;;) {
    const d = b[i]! - 48;
    if (!(d >= 0 && d <= 9)) break;
    port = port * 10 + d;
    i++;
  }
  if (i === portStart || i - portStart > 5 || port > 65535) return -1;
  const c = b[i]!;
  if (c !== 10 && !isSpaceByte(c)) return -1;
  epP[k] = port;
  return i;
}

/**
 * Scans the row starting at b[p] and ending at the next '\n' (which must exist) into the registers;
 * returns the index of that '\n', or -1 when the row needs the string path.
 */
function scanRowBytes(b: Uint8Array, p: number, table: AddressTable, latin1: () => string): number {
  let c = b[p]!;
  while (isSpaceByte(c)) c = b[++p]!;

  // pro
  const pa = p;
  while ((c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 118) c = b[++p]!;
  const c0 = b[pa]!;
  if (p - pa < 2 || p - pa > 7 || c0 < 65 || c0 > 90 || !isSpaceByte(c)) return -1;
  protoA = pa;
  protoB = p;
  protoId = vocabId(b, pa, p, PROTOCOL_BYTES);
  while (isSpaceByte(c)) c = b[++p]!;

  // expire
  const ma = p;
  let minutes = 0;
  for (;;) {
    const d = c - 48;
    if (!(d >= 0 && d <= 9)) break;
    minutes = minutes * 10 + d;
    c = b[++p]!;
  }
  const s1 = b[p + 1]! - 48;
  const s2 = b[p + 2]! - 48;
  if (p === ma || p - ma > 9 || c !== 58 || !(s1 >= 0 && s1 <= 5) || !(s2 >= 0 && s2 <= 9) || !isSpaceByte(b[p + 3]!)) return -1;
  rowExpire = minutes * 60 + s1 * 10 + s2;
  p += 3;
  c = b[p]!;
  while (isSpaceByte(c)) c = b[++p]!;

  // state
  const sa = p;
  while ((c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 33) c = b[++p]!;
  if (p === sa || p - sa > 16 || !isSpaceByte(c)) return -1;
  stateA = sa;
  stateB = p;
  stateId = vocabId(b, sa, p, STATE_BYTES);

  for (let k = 0; k < 3; k++) {
    c = b[p]!;
    while (isSpaceByte(c)) c = b[++p]!;
    if (c === 10) return -1;
    p = scanEndpointBytes(b, p, k, table, latin1);
    if (p < 0) return -1;
  }

  // nothing more, or exactly pe-name pe-data (ASCII)
  c = b[p]!;
  while (isSpaceByte(c)) c = b[++p]!;
  if (c === 10) {
    peNameA = -1;
    return p;
  }
  peNameA = p;
  while (c > 32 && c < 127) c = b[++p]!;
  peNameB = p;
  if (!isSpaceByte(c)) return -1;
  while (isSpaceByte(c)) c = b[++p]!;
  if (c === 10) return -1;
  peDataA = p;
  while (c > 32 && c < 127) c = b[++p]!;
  peDataB = p;
  while (isSpaceByte(c)) c = b[++p]!;
  return c === 10 ? p : -1;
}

/**
 * The row the last byte-path scan produced (ConnectionChunkScanner's `byteRow` callback), read in
 * place like `scannedRow`: offsets are into the scanner's current `bytes` (and its `text()`).
 */
export const byteRow = {
  addressStart: epA as Readonly<Int32Array>,
  addressEnd: epB as Readonly<Int32Array>,
  port: epP as Readonly<Int32Array>,
  isV6: epIs6 as Readonly<Uint8Array>,
  ipv4: epIp4 as Readonly<Float64Array>,
  /** VIRTUAL and DESTINATION: the address's id in the scanner's `addresses` (never -1 on this path). */
  addressId: epId as Readonly<Int32Array>,
  /** Index into PROTOCOLS, or -1 (then read `protocol`). */
  protocolId: (): number => protoId,
  /** Index into STATES, or -1 (then read `state`). */
  stateId: (): number => stateId,
  protocol: (text: string): string => (protoId >= 0 ? PROTOCOLS[protoId]! : text.slice(protoA, protoB)),
  state: (text: string): string => (stateId >= 0 ? STATES[stateId]! : text.slice(stateA, stateB)),
  expiresInSeconds: (): number => rowExpire,
};

/** What a ConnectionChunkScanner hands each row to. */
export interface ConnectionRowSink {
  /** A row scanned by the string path: read it with `scannedRow` against `line`. */
  textRow(line: string): void;
  /** A row scanned from bytes: read it with `byteRow` against the scanner's `bytes`/`text()`. */
  byteRow(): void;
}

const EMPTY = new Uint8Array(0);

function latin1Of(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

/**
 * Synchronous core of the chunk entry points: takes text or UTF-8 byte chunks in order and hands
 * each connection row to a sink, holding no more than one partial line between chunks. Byte chunks
 * take the byte fast path (scanRowBytes); headers, string chunks and any line the fast path does
 * not accept take the string path (ConnectionRowReader), with the same results and errors.
 */
export class ConnectionChunkScanner {
  readonly reader = new ConnectionRowReader();
  /** Interned virtual and destination addresses (ids in byteRow.addressId). */
  readonly addresses = new AddressTable();
  /** The buffer the current byte row lies in. */
  bytes: Uint8Array = EMPTY;
  private latin1: string | null = null;
  private carry = new Uint8Array(256);
  private carryLen = 0;
  private rest = '';
  private readonly bomDecoder = new TextDecoder('utf-8');
  private readonly lineDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
  /** latin1 text of `bytes` (offsets equal byte offsets), made once per buffer when asked for. */
  readonly text = (): string => (this.latin1 ??= latin1Of(this.bytes));

  constructor(private readonly sink: ConnectionRowSink) {}

  push(chunk: string | Uint8Array): void {
    if (typeof chunk === 'string') this.pushText(chunk);
    else this.pushBytes(chunk);
  }

  /** The last line when the input does not end with a newline. */
  end(): void {
    if (this.carryLen > 0) {
      this.appendCarry(new Uint8Array([10]));
      const b = this.carry.subarray(0, this.carryLen);
      this.carryLen = 0;
      this.lines(b, 0, b.length);
    }
    if (this.rest.length > 0) {
      const line = this.rest;
      this.rest = '';
      this.textLine(line);
    }
  }

  private textLine(line: string): void {
    if (this.reader.next(line)) this.sink.textRow(line);
  }

  private decode(b: Uint8Array, a: number, e: number): string {
    // the stream's first line drops a byte order mark, as a streaming TextDecoder does
    return (this.reader.lineNo === 0 ? this.bomDecoder : this.lineDecoder).decode(b.subarray(a, e));
  }

  private appendCarry(b: Uint8Array): void {
    if (this.carryLen + b.length > this.carry.length) {
      const grown = new Uint8Array(Math.max(this.carry.length * 2, this.carryLen + b.length));
      grown.set(this.carry.subarray(0, this.carryLen));
      this.carry = grown;
    }
    this.carry.set(b, this.carryLen);
    this.carryLen += b.length;
  }

  private pushText(text: string): void {
    if (this.carryLen > 0) {
      this.rest += this.decode(this.carry, 0, this.carryLen);
      this.carryLen = 0;
    }
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl >= 0) {
      const line = start === 0 && this.rest.length > 0 ? this.rest + text.slice(0, nl) : text.slice(start, nl);
      if (start === 0) this.rest = '';
      this.textLine(line);
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    this.rest = start === 0 ? this.rest + text : text.slice(start);
  }

  private pushBytes(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    // a plain Uint8Array view (not a Buffer subclass), so the scanner's element loads stay monomorphic
    if (Object.getPrototypeOf(chunk) !== Uint8Array.prototype) chunk = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.rest.length > 0) {
      // a partial line from a text chunk: finish it from these bytes
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        this.rest += this.lineDecoder.decode(chunk, { stream: true });
        return;
      }
      const line = this.rest + this.lineDecoder.decode(chunk.subarray(0, nl));
      this.rest = '';
      this.textLine(line);
      chunk = chunk.subarray(nl + 1);
    }
    const last = chunk.lastIndexOf(10);
    if (last < 0) {
      this.appendCarry(chunk);
      return;
    }
    let start = 0;
    if (this.carryLen > 0) {
      const first = chunk.indexOf(10);
      this.appendCarry(chunk.subarray(0, first + 1));
      const b = this.carry.subarray(0, this.carryLen);
      this.carryLen = 0;
      this.lines(b, 0, b.length);
      start = first + 1;
    }
    this.lines(chunk, start, last + 1);
    if (last + 1 < chunk.length) this.appendCarry(chunk.subarray(last + 1));
  }

  /** The lines in b[p, end), each ending with '\n'. */
  private lines(b: Uint8Array, p: number, end: number): void {
    this.bytes = b;
    // Decoded for every buffer, whether or not a row asks for it. Besides the client address slices,
    // this keeps V8's young generation cycling: the source's spent chunk Buffers are off-heap memory
    // that V8 otherwise frees only past its external-memory soft limit (64 MiB). Measured at 10^6
    // rows, summarizeConnectionChunks peaks at ~95 MiB RSS with this and ~125 MiB without it, for
    // no measurable difference in time.
    this.latin1 = latin1Of(b);
    const reader = this.reader;
    const table = this.addresses;
    const sink = this.sink;
    const text = this.text;
    while (p < end) {
      if (reader.readingRows) {
        const e = scanRowBytes(b, p, table, text);
        if (e >= 0 && (peNameA < 0 || reader.pe !== 'plain')) {
          reader.lineNo++;
          sink.byteRow();
          p = e + 1;
          continue;
        }
      }
      const nl = b.indexOf(10, p);
      this.textLine(this.decode(b, p, nl));
      this.bytes = b; // a sink may have read others
      p = nl + 1;
    }
  }

  /** The byte row as a model row (what parseConnectionLine returns for its line). */
  materialize(): IpvsConnection {
    const t = this.text();
    const names = this.addresses.text;
    const conn: IpvsConnection = {
      protocol: protoId >= 0 ? PROTOCOLS[protoId]! : t.slice(protoA, protoB),
      state: stateId >= 0 ? STATES[stateId]! : t.slice(stateA, stateB),
      expiresInSeconds: rowExpire,
      client: { address: t.slice(epA[0], epB[0]), port: epP[0]! },
      virtual: { address: names[epId[1]!]!, port: epP[1]! },
      destination: { address: names[epId[2]!]!, port: epP[2]! },
    };
    if (peNameA >= 0) conn.pe = { name: t.slice(peNameA, peNameB), data: t.slice(peDataA, peDataB) };
    else if (this.reader.pe === 'pe') conn.pe = null;
    return conn;
  }
}

/**
 * Connection rows straight from text/byte chunks, one array per chunk (the rows of the lines that
 * chunk completed; none when it completed no row). On a malformed line the rows before it are
 * yielded first, then the ParseError is thrown. Breaking out of `for await` closes the chunk source.
 */
export async function* connectionBatchesFromChunks(chunks: Chunks): AsyncGenerator<IpvsConnection[]> {
  let batch: IpvsConnection[] = [];
  const scanner: ConnectionChunkScanner = new ConnectionChunkScanner({
    textRow: (line) => batch.push(scanner.reader.materialize(line)),
    byteRow: () => batch.push(scanner.materialize()),
  });
  for await (const chunk of chunks) {
    try {
      scanner.push(chunk);
    } catch (e) {
      if (batch.length > 0) yield batch;
      throw e;
    }
    if (batch.length > 0) {
      const out = batch;
      batch = [];
      yield out;
    }
  }
  try {
    scanner.end();
  } catch (e) {
    if (batch.length > 0) yield batch;
    throw e;
  }
  if (batch.length > 0) yield batch;
}

/**
 * Streams connection rows straight from text/byte chunks (ssh stdout, a file stream), one at a time
 * over connectionBatchesFromChunks. A hand-rolled async iterator rather than an async generator:
 * one already-resolved promise per row instead of an async generator's queue (measured ~2.5x
 * cheaper per row), one real await per chunk. Callers that can take a chunk's rows at once should
 * use connectionBatchesFromChunks (no promise per row). Breaking out of `for await` closes the
 * chunk source.
 */
export function streamConnectionsFromChunks(chunks: Chunks): AsyncIterableIterator<IpvsConnection> {
  const batches = connectionBatchesFromChunks(chunks);
  let batch: IpvsConnection[] = [];
  let i = 0;
  let done = false;
  const END: IteratorResult<IpvsConnection> = { value: undefined, done: true };
  const refill = async (): Promise<IteratorResult<IpvsConnection>> => {
    if (done) return END;
    const r = await batches.next();
    if (r.done === true) {
      done = true;
      batch = [];
      return END;
    }
    batch = r.value;
    i = 1;
    return { value: batch[0]!, done: false };
  };
  const it: AsyncIterableIterator<IpvsConnection> = {
    [Symbol.asyncIterator]: () => it,
    next(): Promise<IteratorResult<IpvsConnection>> {
      return i < batch.length ? Promise.resolve({ value: batch[i++]!, done: false }) : refill();
    },
    async return(): Promise<IteratorResult<IpvsConnection>> {
      done = true;
      batch = [];
      await batches.return(undefined);
      return END;
    },
  };
  return it;
}
