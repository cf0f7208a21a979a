// The `ipvsadm -Ln` listings of one refresh, parsed and combined into one table. Pure and free of
// server-only imports: it runs in the listing worker thread (listing-worker.ts) as well as inline.
// Every refresh reads two: `--persistent-conn` (weights, persistent, active and inactive
// connections: everything the default listing has but the forwarding method) and `--stats`
// (counters). The default listing (forwarding methods) and `--rate` (the kernel's rates) are read
// on a full refresh only (refresh-director.ts): between them the forwarding method is carried over
// and rates are derived from successive counters (rates.ts).
import type { IpvsRealServer, IpvsService, IpvsTable } from '@/lib/models/ipvsadm';
import { serviceKey } from '@/lib/models/keys';
import { ParseError } from '@/server/parsers/parse-error';
import { parseIpvsadm } from '@/server/parsers/ipvsadm';

/** stdout of `ipvsadm -Ln --exact` in each of the modes a refresh reads. */
export interface ListingOutputs {
  persistent: string;
  stats: string;
  /** The default listing: forwarding methods (full refreshes only). */
  list?: string;
  /** The kernel's rates (full refreshes only). */
  rate?: string;
}

/** What a parser thread is asked to parse. */
export type ParseJob = { kind: 'listings'; outputs: ListingOutputs } | { kind: 'keepalived'; text: string };

/** Parses and combines the listings at once (the worker's job; inline parsing interleaves them). */
export function parseListings(o: ListingOutputs): IpvsTable {
  const persistent = parseIpvsadm(o.persistent, { mode: 'persistent-conn' });
  const stats = parseIpvsadm(o.stats, { mode: 'stats' });
  const list = o.list === undefined ? null : parseIpvsadm(o.list, { mode: 'list' });
  const rate = o.rate === undefined ? null : parseIpvsadm(o.rate, { mode: 'rate' });
  return mergeListModes(persistent, stats, list, rate);
}

/**
 * Finds, in another listing of the same kernel table, the copy of a service and of its real servers.
 * The listings of one refresh are taken within milliseconds, so their order is almost always the
 * same: the copy at the same index is taken when it is the same service (or real server), and only
 * otherwise an index by key is built (once per listing, or per service).
 */
class Counterpart {
  private byKey: Map<string, IpvsService> | null = null;
  private readonly rsIndex = new Map<IpvsService, Map<string, IpvsRealServer>>();
  constructor(private readonly table: IpvsTable | null) {}

  service(i: number, s: IpvsService): IpvsService | undefined {
    if (this.table === null) return undefined;
    const same = this.table.services[i];
    if (same !== undefined && sameService(same, s)) return same;
    if (this.byKey === null) {
      this.byKey = new Map();
      for (const x of this.table.services) {
        const k = serviceKey(x);
        if (!this.byKey.has(k)) this.byKey.set(k, x);
      }
    }
    return this.byKey.get(serviceKey(s));
  }

  realServer(other: IpvsService | undefined, j: number, rs: IpvsRealServer): IpvsRealServer | undefined {
    if (other === undefined) return undefined;
    const same = other.realServers[j];
    if (same !== undefined && same.address === rs.address && same.port === rs.port) return same;
    let index = this.rsIndex.get(other);
    if (index === undefined) {
      index = new Map();
      for (const x of other.realServers) {
        const k = `${x.address}|${x.port}`;
        if (!index.has(k)) index.set(k, x);
      }
      this.rsIndex.set(other, index);
    }
    return index.get(`${rs.address}|${rs.port}`);
  }
}

function sameService(a: IpvsService, b: IpvsService): boolean {
  return a.protocol === b.protocol && a.address === b.address && a.port === b.port && a.fwmark === b.fwmark && a.family === b.family;
}

/**
 * The persistent-conn listing gives the services, weights and connections; stats adds counters; the
 * default listing (when read) the forwarding method, rate (when read) the kernel's rates.
 */
export function mergeListModes(persistent: IpvsTable, stats: IpvsTable, list: IpvsTable | null, rate: IpvsTable | null): IpvsTable {
  const st = new Counterpart(stats);
  const rt = new Counterpart(rate);
  const ls = new Counterpart(list);
  const out: IpvsService[] = persistent.services.map((s, i) => {
    const sStats = st.service(i, s);
    const sRate = rt.service(i, s);
    const sList = ls.service(i, s);
    return {
      ...s,
      stats: sStats?.stats ?? null,
      rates: sRate?.rates ?? null,
      approximate: s.approximate || (sStats?.approximate ?? false) || (sRate?.approximate ?? false),
      realServers: s.realServers.map((x, j) => {
        const a = st.realServer(sStats, j, x);
        const r = rt.realServer(sRate, j, x);
        const l = ls.realServer(sList, j, x);
        return {
          ...x,
          forward: l?.forward ?? x.forward,
          stats: a?.stats ?? null,
          rates: r?.rates ?? null,
          approximate: x.approximate || (a?.approximate ?? false) || (r?.approximate ?? false),
        };
      }),
    };
  });
  return { ...persistent, services: out };
}

/** An error as it crosses from the worker thread: a ParseError keeps its fields (the operator's message). */
export type WireError = { parse: { kind: string; line: number; text: string; reason: string } } | { message: string };

export function toWireError(e: unknown): WireError {
  if (e instanceof ParseError) return { parse: { kind: e.kind, line: e.line, text: e.text, reason: e.reason } };
  return { message: e instanceof Error ? e.message : String(e) };
}

export function fromWireError(w: WireError): Error {
  if ('parse' in w) return new ParseError(w.parse.kind, w.parse.line, w.parse.text, w.parse.reason);
  return new Error(`listing parser: ${w.message}`);
}
