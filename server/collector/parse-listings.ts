// The `ipvsadm -Ln` listings of one refresh, parsed and combined into one table. Pure and free of
// server-only imports: it runs in the listing worker thread (listing-worker.ts) as well as inline.
// Every refresh reads two: `--persistent-conn` (weights, persistent, active and inactive
// connections: everything the default listing has but the forwarding method) and `--stats`
// (counters). The default listing (forwarding methods) and `--rate` (the kernel's rates) are read
// on a full refresh only (refresh-director.ts): between them the forwarding method is carried over
// and rates are derived from successive counters (rates.ts).
import type { ForwardMethod, IpvsService, IpvsTable } from '@/lib/models/ipvsadm';
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

/** "SERVICE|ADDR|PORT": a real server of a service, across listings. */
function rsKey(service: string, address: string, port: number): string {
  return `${service}|${address}|${port}`;
}

/**
 * The persistent-conn listing gives the services, weights and connections; stats adds counters; the
 * default listing (when read) the forwarding method, rate (when read) the kernel's rates.
 */
export function mergeListModes(persistent: IpvsTable, stats: IpvsTable, list: IpvsTable | null, rate: IpvsTable | null): IpvsTable {
  const services = new Map<string, IpvsService>();
  const servers = new Map<string, { stats: IpvsService['stats']; rates: IpvsService['rates']; forward: ForwardMethod | null; approximate: boolean }>();
  const note = (t: IpvsTable | null, take: (s: IpvsService, k: string) => void) => {
    for (const s of t?.services ?? []) take(s, serviceKey(s));
  };
  note(stats, (s, k) => {
    services.set(`stats|${k}`, s);
    for (const x of s.realServers) servers.set(rsKey(k, x.address, x.port), { stats: x.stats, rates: null, forward: null, approximate: x.approximate });
  });
  note(rate, (s, k) => {
    services.set(`rate|${k}`, s);
    for (const x of s.realServers) {
      const cur = servers.get(rsKey(k, x.address, x.port));
      if (cur) Object.assign(cur, { rates: x.rates, approximate: cur.approximate || x.approximate });
      else servers.set(rsKey(k, x.address, x.port), { stats: null, rates: x.rates, forward: null, approximate: x.approximate });
    }
  });
  note(list, (_s, k) => {
    for (const x of _s.realServers) {
      const cur = servers.get(rsKey(k, x.address, x.port));
      if (cur) cur.forward = x.forward;
      else servers.set(rsKey(k, x.address, x.port), { stats: null, rates: null, forward: x.forward, approximate: false });
    }
  });
  const out: IpvsService[] = persistent.services.map((s) => {
    const k = serviceKey(s);
    const st = services.get(`stats|${k}`);
    const rt = services.get(`rate|${k}`);
    return {
      ...s,
      stats: st?.stats ?? null,
      rates: rt?.rates ?? null,
      approximate: s.approximate || (st?.approximate ?? false) || (rt?.approximate ?? false),
      realServers: s.realServers.map((x) => {
        const o = servers.get(rsKey(k, x.address, x.port));
        return { ...x, forward: o?.forward ?? x.forward, stats: o?.stats ?? null, rates: o?.rates ?? null, approximate: x.approximate || (o?.approximate ?? false) };
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
