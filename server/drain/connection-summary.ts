// Drain progress's count of a director's IPVS connection entries: `ipvsadm -Lnc` rows by protocol,
// state and destination, the expiry range and the distinct clients, without retaining rows. The
// rows are scanned by the parser (server/parsers/ipvsadm-connections.ts) and read in place
// (`scannedRow`): no row object, no string per row.

import {
  ConnectionRowReader,
  DESTINATION,
  SOURCE,
  VIRTUAL,
  lineBatches,
  scannedRow,
  type Chunks,
} from '@/server/parsers/ipvsadm-connections';

const { addressStart: epA, addressEnd: epB, port: epP, isV6: epIs6, ipv4: epIp4 } = scannedRow;


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

interface DestAcc {
  address: string;
  port: number;
  entries: number;
  byState: Map<string, number>;
  templates: number;
  min: number;
  max: number;
}

/**
 * Whether the scanned row is a persistence template. The kernel prints a template's protocol as IP
 * only for fwmark services; a VIP:PORT service's templates carry its protocol (seen in the lab:
 * `TCP 04:20 ASSURED 192.0.2.0:0 192.0.2.100:8080 ...`). Template states are NONE or ASSURED with
 * client port 0 (ASSURED is template-only; NONE with a real port is a connection's initial state).
 */
function isTemplate(protocol: string, state: string): boolean {
  return protocol === 'IP' || (epP[SOURCE] === 0 && (state === 'ASSURED' || state === 'NONE'));
}

function bump(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

function matchesEndpoint(line: string, k: number, f: ConnectionEndpointFilter | undefined): boolean {
  if (f === undefined) return true;
  const a = epA[k]!;
  const b = epB[k]!;
  if (b - a !== f.address.length || !line.startsWith(f.address, a)) return false;
  return f.port === undefined || f.port === epP[k];
}

/** Accumulates the summary one line at a time, keeping counters only. */
class Summarizer {
  private readonly reader = new ConnectionRowReader();
  private readonly byProtocol = new Map<string, number>();
  private readonly byState = new Map<string, number>();
  private readonly dests = new Map<number | string, DestAcc>();
  private untracked = 0;
  private rows = 0;
  private matched = 0;
  private min = Infinity;
  private max = -Infinity;
  private exact: Set<number | string> | null = new Set();
  private readonly hll = new HyperLogLog();
  private readonly sample: string[] = [];

  constructor(private readonly filter: ConnectionFilter) {}

  line(line: string): void {
    if (!this.reader.next(line)) return;
    this.rows++;
    const filter = this.filter;
    if (!matchesEndpoint(line, DESTINATION, filter.destination) || !matchesEndpoint(line, VIRTUAL, filter.virtual)) return;
    const protocol = scannedRow.protocol(line);
    if (filter.protocol !== undefined && filter.protocol !== protocol) return;
    this.matched++;
    const state = scannedRow.state(line);
    bump(this.byProtocol, protocol);
    bump(this.byState, state);
    const exp = scannedRow.expiresInSeconds();
    if (exp < this.min) this.min = exp;
    if (exp > this.max) this.max = exp;

    // destination: IPv4 keyed by address*65536+port (no allocation), IPv6 by its text
    const dKey: number | string = epIs6[DESTINATION] === 1 ? `${line.slice(epA[DESTINATION], epB[DESTINATION])}]${epP[DESTINATION]}` : epIp4[DESTINATION]! * 65536 + epP[DESTINATION]!;
    let d = this.dests.get(dKey);
    if (d === undefined && this.dests.size < MAX_DESTINATIONS) {
      d = { address: copyString(line.slice(epA[DESTINATION], epB[DESTINATION])), port: epP[DESTINATION]!, entries: 0, byState: new Map(), templates: 0, min: Infinity, max: -Infinity };
      this.dests.set(dKey, d);
    }
    if (d === undefined) {
      this.untracked++;
    } else {
      d.entries++;
      bump(d.byState, state);
      if (isTemplate(protocol, state)) d.templates++;
      if (exp < d.min) d.min = exp;
      if (exp > d.max) d.max = exp;
    }

    // client address (port ignored): IPv4 as its uint32, IPv6 as text
    const v6 = epIs6[SOURCE] === 1;
    const v4 = epIp4[SOURCE]!;
    this.hll.add(v6 ? hashRange(line, epA[SOURCE]!, epB[SOURCE]!) : mix32(v4 | 0));
    const exact = this.exact;
    if (exact !== null) {
      const key: number | string = v6 ? line.slice(epA[SOURCE], epB[SOURCE]) : v4;
      if (!exact.has(key)) {
        const text = copyString(typeof key === 'string' ? key : line.slice(epA[SOURCE], epB[SOURCE]));
        exact.add(typeof key === 'string' ? text : key);
        if (this.sample.length < CLIENT_SAMPLE) this.sample.push(text);
        if (exact.size > MAX_EXACT_CLIENTS) this.exact = null;
      }
    }
  }

  result(): ConnectionSummary {
    const destinations: DestinationSummary[] = [...this.dests.values()]
      .map((d) => ({
        address: d.address,
        port: d.port,
        entries: d.entries,
        byState: Object.fromEntries(d.byState),
        templates: d.templates,
        minExpiresInSeconds: d.min,
        maxExpiresInSeconds: d.max,
      }))
      .sort((x, y) => y.entries - x.entries || (x.address < y.address ? -1 : x.address > y.address ? 1 : x.port - y.port));
    const some = this.matched > 0;
    return {
      rows: this.rows,
      matched: this.matched,
      byProtocol: Object.fromEntries(this.byProtocol),
      byState: Object.fromEntries(this.byState),
      destinations,
      untrackedDestinationEntries: this.untracked,
      minExpiresInSeconds: some ? this.min : null,
      maxExpiresInSeconds: some ? this.max : null,
      clients: {
        distinct: this.exact !== null ? this.exact.size : this.hll.estimate(),
        approximate: this.exact === null,
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

/** summarizeConnections straight from text/byte chunks (one promise turn per chunk, not per line). */
export async function summarizeConnectionChunks(chunks: Chunks, filter: ConnectionFilter = {}): Promise<ConnectionSummary> {
  const s = new Summarizer(filter);
  for await (const batch of lineBatches(chunks)) for (const line of batch) s.line(line);
  return s.result();
}
