// Drain progress's count of a director's IPVS connection entries: `ipvsadm -Lnc` rows by protocol,
// state and destination, the expiry range and the distinct clients, without retaining rows. The
// rows are scanned by the parser (server/parsers/ipvsadm-connections.ts) and read in place
// (`scannedRow`): no row object, no string per row.

import {
  ConnectionChunkScanner,
  DESTINATION as DESTINATION_COLUMN,
  PROTOCOLS as PROTOCOL_NAMES,
  SOURCE as SOURCE_COLUMN,
  STATES as STATE_NAMES,
  VIRTUAL as VIRTUAL_COLUMN,
  byteRow,
  scannedRow,
  type Chunks,
  type ConnectionRowSink,
} from '@/server/parsers/ipvsadm-connections';

// The string path's and the byte path's registers are the same arrays (read the offsets against the
// line, or against the scanner's bytes/text).
const { addressStart: epA, addressEnd: epB, port: epP, isV6: epIs6, ipv4: epIp4 } = scannedRow;
const epId = byteRow.addressId;
// Imported bindings copied to module constants: a module compiled to CommonJS (tsx, vitest) reads
// each import through a getter, which showed up at 18% of a profile when read per row.
const { protocolId, stateId, expiresInSeconds } = byteRow;
const DESTINATION = DESTINATION_COLUMN;
const SOURCE = SOURCE_COLUMN;
const VIRTUAL = VIRTUAL_COLUMN;
const PROTOCOLS = PROTOCOL_NAMES;
const STATES = STATE_NAMES;


export interface ConnectionEndpointFilter {
  /** As ipvsadm prints it: dotted quad, or compressed lower-case IPv6 without brackets. */
  address: string;
  /** Any port when omitted. */
  port?: number;
}

export interface ConnectionFilter {
  destination?: ConnectionEndpointFilter;
  virtual?: ConnectionEndpointFilter;
  /** TCP, UDP, SCTP, or IP (fwmark-service templates). */
  protocol?: string;
}

export interface DestinationSummary {
  address: string;
  port: number;
  entries: number;
  /** Entries by `state` (persistence templates show NONE or ASSURED). */
  byState: Record<string, number>;
  /**
   * Persistence templates among the entries (protocol IP for fwmark services, else the service's
   * protocol with client port 0 and state NONE/ASSURED). While one lives, that client still goes here.
   */
  templates: number;
  minExpiresInSeconds: number;
  /** When the last of these entries expires if nothing new arrives: the drain's time-to-zero estimate. */
  maxExpiresInSeconds: number;
}

export interface ConnectionSummary {
  /** Connection rows read. */
  rows: number;
  /** Rows that passed the filter; every figure below is over these. */
  matched: number;
  byProtocol: Record<string, number>;
  byState: Record<string, number>;
  /** Per destination (real server), most entries first. */
  destinations: DestinationSummary[];
  /** Matched rows whose destination was not tracked because MAX_DESTINATIONS already were. */
  untrackedDestinationEntries: number;
  minExpiresInSeconds: number | null;
  maxExpiresInSeconds: number | null;
  clients: {
    /** Distinct client addresses (ports ignored). Exact unless `approximate`. */
    distinct: number;
    /** True once more than MAX_EXACT_CLIENTS were seen: `distinct` is then a HyperLogLog estimate (±2%). */
    approximate: boolean;
    /** The first CLIENT_SAMPLE distinct client addresses seen. */
    sample: string[];
  };
}

export const CLIENT_SAMPLE = 50;
export const MAX_EXACT_CLIENTS = 100_000;
export const MAX_DESTINATIONS = 10_000;

/** V8 keeps a slice of a long string pointing into its parent: copy what outlives the line. */
function copyString(s: string): string {
  return (' ' + s).slice(1);
}

// HyperLogLog with 2^12 registers (standard error 1.04/sqrt(4096) = 1.6%).
const HLL_BITS = 12;
const HLL_M = 1 << HLL_BITS;

function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hashRange(s: string, a: number, b: number): number {
  let h = 0x811c9dc5;
  for (let i = a; i < b; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

class HyperLogLog {
  private readonly reg = new Uint8Array(HLL_M);
  add(hash: number): void {
    const idx = hash >>> (32 - HLL_BITS);
    const rest = (hash << HLL_BITS) >>> 0;
    const rank = rest === 0 ? 32 - HLL_BITS + 1 : Math.clz32(rest) + 1;
    if (rank > this.reg[idx]!) this.reg[idx] = rank;
  }
  estimate(): number {
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < HLL_M; i++) {
      const r = this.reg[i]!;
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const alpha = 0.7213 / (1 + 1.079 / HLL_M);
    const e = (alpha * HLL_M * HLL_M) / sum;
    if (e <= 2.5 * HLL_M && zeros > 0) return Math.round(HLL_M * Math.log(HLL_M / zeros));
    return Math.round(e);
  }
}

const PROTOCOL_ID: ReadonlyMap<string, number> = new Map(PROTOCOLS.map((w, i) => [w, i]));
const STATE_ID: ReadonlyMap<string, number> = new Map(STATES.map((w, i) => [w, i]));
const IP = PROTOCOL_ID.get('IP')!;
const ASSURED = STATE_ID.get('ASSURED')!;
const NONE = STATE_ID.get('NONE')!;

/**
 * Counts by name in first-seen order (as a Map's entries would be). Names of the closed vocabulary
 * (PROTOCOLS, STATES) are counted by index: no Map operation per row.
 */
class Counter {
  private readonly known: Float64Array;
  private readonly other = new Map<string, number>();
  private readonly order: string[] = [];

  constructor(
    private readonly vocab: readonly string[],
    private readonly ids: ReadonlyMap<string, number>,
  ) {
    this.known = new Float64Array(vocab.length);
  }

  addId(id: number): void {
    if (this.known[id]!++ === 0) this.order.push(this.vocab[id]!);
  }

  /** `id` when the name is in the vocabulary (>= 0), else counted by `name`. */
  add(id: number, name: string): void {
    if (id >= 0) {
      this.addId(id);
      return;
    }
    const n = this.other.get(name);
    if (n === undefined) this.order.push(name);
    this.other.set(name, (n ?? 0) + 1);
  }

  toObject(): Record<string, number> {
    return Object.fromEntries(this.order.map((name) => {
      const id = this.ids.get(name);
      return [name, id !== undefined ? this.known[id]! : this.other.get(name)!];
    }));
  }
}

/** A set of uint32 (IPv4 client addresses): open addressing, no boxing per lookup. */
class Uint32Set {
  private slots = new Float64Array(1 << 12).fill(-1);
  size = 0;

  /** True when `v` was not in the set (it now is). */
  add(v: number): boolean {
    let mask = this.slots.length - 1;
    let s = mix32(v | 0) & mask;
    for (;;) {
      const x = this.slots[s]!;
      if (x === v) return false;
      if (x < 0) break;
      s = (s + 1) & mask;
    }
    this.slots[s] = v;
    if (++this.size * 2 > this.slots.length) {
      const old = this.slots;
      this.slots = new Float64Array(old.length * 4).fill(-1);
      mask = this.slots.length - 1;
      for (const x of old) {
        if (x < 0) continue;
        let t = mix32(x | 0) & mask;
        while (this.slots[t]! >= 0) t = (t + 1) & mask;
        this.slots[t] = x;
      }
    }
    return true;
  }
}

interface DestAcc {
  address: string;
  port: number;
  entries: number;
  byState: Counter;
  templates: number;
  min: number;
  max: number;
}

function matchesEndpoint(line: string, k: number, f: ConnectionEndpointFilter | undefined): boolean {
  if (f === undefined) return true;
  const a = epA[k]!;
  const b = epB[k]!;
  if (b - a !== f.address.length || !line.startsWith(f.address, a)) return false;
  return f.port === undefined || f.port === epP[k];
}

/** matchesEndpoint for a byte row: its virtual/destination address is interned (`names[id]`). */
function matchesInterned(names: readonly string[], k: number, f: ConnectionEndpointFilter | undefined): boolean {
  if (f === undefined) return true;
  return names[epId[k]!] === f.address && (f.port === undefined || f.port === epP[k]);
}

/**
 * Accumulates the summary one row at a time, keeping counters only. Rows come from the chunk
 * scanner's byte path (byteRow) or from the string path (textRow, and `line` for callers with lines).
 */
class Summarizer implements ConnectionRowSink {
  readonly scanner: ConnectionChunkScanner = new ConnectionChunkScanner(this);
  private readonly byProtocol = new Counter(PROTOCOLS, PROTOCOL_ID);
  private readonly byState = new Counter(STATES, STATE_ID);
  private readonly dests = new Map<number | string, DestAcc>();
  private untracked = 0;
  private rows = 0;
  private matched = 0;
  private min = Infinity;
  private max = -Infinity;
  /** Exact distinct clients until more than MAX_EXACT_CLIENTS: IPv4 by value, IPv6 by text. */
  private exact = true;
  private exact4 = new Uint32Set();
  private exact6 = new Set<string>();
  private readonly hll = new HyperLogLog();
  private readonly sample: string[] = [];

  constructor(private readonly filter: ConnectionFilter) {}

  /** One line of `-Lnc` output (for callers that have lines, not chunks). */
  line(line: string): void {
    if (this.scanner.reader.next(line)) this.textRow(line);
  }

  textRow(line: string): void {
    this.rows++;
    const filter = this.filter;
    if (!matchesEndpoint(line, DESTINATION, filter.destination) || !matchesEndpoint(line, VIRTUAL, filter.virtual)) return;
    const protocol = scannedRow.protocol(line);
    if (filter.protocol !== undefined && filter.protocol !== protocol) return;
    const state = scannedRow.state(line);
    const a = epA[DESTINATION]!;
    const b = epB[DESTINATION]!;
    const id = this.scanner.addresses.internText(line, a, b, epIs6[DESTINATION] === 1, epIp4[DESTINATION]!);
    this.count(PROTOCOL_ID.get(protocol) ?? -1, protocol, STATE_ID.get(state) ?? -1, state, id, line, a, b);

    // client address (port ignored): IPv4 as its uint32, IPv6 as text
    const ca = epA[SOURCE]!;
    const cb = epB[SOURCE]!;
    if (epIs6[SOURCE] === 1) {
      this.hll.add(hashRange(line, ca, cb));
      if (this.exact) this.clientV6(line.slice(ca, cb));
    } else {
      const v4 = epIp4[SOURCE]!;
      this.hll.add(mix32(v4 | 0));
      if (this.exact && this.exact4.add(v4)) this.newClient(line, ca, cb);
    }
  }

  byteRow(): void {
    this.rows++;
    const filter = this.filter;
    const names = this.scanner.addresses.text;
    if (!matchesInterned(names, DESTINATION, filter.destination) || !matchesInterned(names, VIRTUAL, filter.virtual)) return;
    const pid = protocolId();
    const protocol = pid >= 0 ? PROTOCOLS[pid]! : byteRow.protocol(this.scanner.text());
    if (filter.protocol !== undefined && filter.protocol !== protocol) return;
    const sid = stateId();
    const state = sid >= 0 ? STATES[sid]! : byteRow.state(this.scanner.text());
    this.count(pid, protocol, sid, state, epId[DESTINATION]!, '', 0, 0);

    const ca = epA[SOURCE]!;
    const cb = epB[SOURCE]!;
    if (epIs6[SOURCE] === 1) {
      const bytes = this.scanner.bytes;
      let h = 0x811c9dc5;
      for (let i = ca; i < cb; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
      this.hll.add(mix32(h));
      if (this.exact) this.clientV6(this.scanner.text().slice(ca, cb));
    } else {
      const v4 = epIp4[SOURCE]!;
      this.hll.add(mix32(v4 | 0));
      if (this.exact && this.exact4.add(v4)) this.newClient(this.scanner.text(), ca, cb);
    }
  }

  /**
   * Counts a matched row. The destination is keyed by its interned address id and port (a small
   * integer); `id` -1 (the address table is full) keys it by text[a, b) instead.
   */
  private count(pid: number, protocol: string, sid: number, state: string, id: number, text: string, a: number, b: number): void {
    this.matched++;
    this.byProtocol.add(pid, protocol);
    this.byState.add(sid, state);
    const exp = expiresInSeconds();
    if (exp < this.min) this.min = exp;
    if (exp > this.max) this.max = exp;

    const port = epP[DESTINATION]!;
    const key: number | string = id >= 0 ? id * 65536 + port : `${text.slice(a, b)}]${port}`;
    let d = this.dests.get(key);
    if (d === undefined && this.dests.size < MAX_DESTINATIONS) {
      const address = id >= 0 ? this.scanner.addresses.text[id]! : copyString(text.slice(a, b));
      d = { address, port, entries: 0, byState: new Counter(STATES, STATE_ID), templates: 0, min: Infinity, max: -Infinity };
      this.dests.set(key, d);
    }
    if (d === undefined) {
      this.untracked++;
    } else {
      d.entries++;
      d.byState.add(sid, state);
      // a persistence template: protocol IP (fwmark services), or NONE/ASSURED with client port 0
      if (pid === IP || (epP[SOURCE] === 0 && (sid === ASSURED || sid === NONE))) d.templates++;
      if (exp < d.min) d.min = exp;
      if (exp > d.max) d.max = exp;
    }
  }

  private clientV6(key: string): void {
    if (this.exact6.has(key)) return;
    const text = copyString(key);
    this.exact6.add(text);
    if (this.sample.length < CLIENT_SAMPLE) this.sample.push(text);
    this.checkExact();
  }

  /** A new IPv4 client at text[a, b). */
  private newClient(text: string, a: number, b: number): void {
    if (this.sample.length < CLIENT_SAMPLE) this.sample.push(copyString(text.slice(a, b)));
    this.checkExact();
  }

  private checkExact(): void {
    if (this.exact4.size + this.exact6.size > MAX_EXACT_CLIENTS) {
      this.exact = false;
      this.exact4 = new Uint32Set();
      this.exact6 = new Set();
    }
  }

  result(): ConnectionSummary {
    const destinations: DestinationSummary[] = [...this.dests.values()]
      .map((d) => ({
        address: d.address,
        port: d.port,
        entries: d.entries,
        byState: d.byState.toObject(),
        templates: d.templates,
        minExpiresInSeconds: d.min,
        maxExpiresInSeconds: d.max,
      }))
      .sort((x, y) => y.entries - x.entries || (x.address < y.address ? -1 : x.address > y.address ? 1 : x.port - y.port));
    const some = this.matched > 0;
    return {
      rows: this.rows,
      matched: this.matched,
      byProtocol: this.byProtocol.toObject(),
      byState: this.byState.toObject(),
      destinations,
      untrackedDestinationEntries: this.untracked,
      minExpiresInSeconds: some ? this.min : null,
      maxExpiresInSeconds: some ? this.max : null,
      clients: {
        distinct: this.exact ? this.exact4.size + this.exact6.size : this.hll.estimate(),
        approximate: !this.exact,
        sample: this.sample,
      },
    };
  }
}

/**
 * Counts `-Lnc` rows by protocol, state and destination, the expiry range and the distinct clients,
 * in memory bounded by the number of destinations (capped) and MAX_EXACT_CLIENTS, never by rows.
 */
export async function summarizeConnections(
  lines: AsyncIterable<string> | Iterable<string>,
  filter: ConnectionFilter = {},
): Promise<ConnectionSummary> {
  const s = new Summarizer(filter);
  for await (const line of lines) s.line(line);
  return s.result();
}

/**
 * summarizeConnections straight from text/byte chunks: one promise turn per chunk, and byte chunks
 * are scanned in place (no line strings, no decoding; see ConnectionChunkScanner).
 */
export async function summarizeConnectionChunks(chunks: Chunks, filter: ConnectionFilter = {}): Promise<ConnectionSummary> {
  const s = new Summarizer(filter);
  for await (const chunk of chunks) s.scanner.push(chunk);
  s.scanner.end();
  return s.result();
}
