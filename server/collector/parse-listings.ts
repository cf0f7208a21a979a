// The `ipvsadm -Ln` listings of one refresh, parsed and combined into one table. Pure and free of
// server-only imports: it runs in the listing worker thread (listing-worker.ts) as well as inline.
// Every refresh reads two: `--persistent-conn` (weights, persistent, active and inactive
// connections: everything the default listing has but the forwarding method) and `--stats`
// (counters). The default listing (forwarding methods) and `--rate` (the kernel's rates) are read
// on a full refresh only (refresh-director.ts): between them the forwarding method is carried over
// and rates are derived from successive counters (rates.ts).
import type { IpvsService, IpvsTable } from '@/lib/models/ipvsadm';
import { ParseError } from '@/server/parsers/parse-error';
import { parseIpvsadm } from '@/server/parsers/ipvsadm';
import { Counterpart } from './counterpart';

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
  return mergeListModes(persistent, stats, list, rate, { inPlace: true });
}

/**
 * The persistent-conn listing gives the services, weights and connections; stats adds counters; the
 * default listing (when read) the forwarding method, rate (when read) the kernel's rates.
 * `inPlace`: the persistent-conn table was just parsed for this and is not shared: its services and
 * real servers are filled in rather than copied (a refresh of 2,000 real servers then allocates
 * one table, not two).
 */
export function mergeListModes(persistent: IpvsTable, stats: IpvsTable, list: IpvsTable | null, rate: IpvsTable | null, opts: { inPlace?: boolean } = {}): IpvsTable {
  const st = new Counterpart(stats?.services ?? null);
  const rt = new Counterpart(rate?.services ?? null);
  const ls = new Counterpart(list?.services ?? null);
  const inPlace = opts.inPlace === true;
  const out: IpvsService[] = persistent.services.map((s, i) => {
    const sStats = st.service(i, s);
    const sRate = rt.service(i, s);
    const sList = ls.service(i, s);
    const svc = inPlace ? s : { ...s };
    svc.stats = sStats?.stats ?? null;
    svc.rates = sRate?.rates ?? null;
    svc.approximate = s.approximate || (sStats?.approximate ?? false) || (sRate?.approximate ?? false);
    svc.realServers = s.realServers.map((x, j) => {
      const a = st.realServer(sStats, j, x);
      const r = rt.realServer(sRate, j, x);
      const l = ls.realServer(sList, j, x);
      const rs = inPlace ? x : { ...x };
      rs.forward = l?.forward ?? x.forward;
      rs.stats = a?.stats ?? null;
      rs.rates = r?.rates ?? null;
      rs.approximate = x.approximate || (a?.approximate ?? false) || (r?.approximate ?? false);
      return rs;
    });
    return svc;
  });
  return inPlace ? Object.assign(persistent, { services: out }) : { ...persistent, services: out };
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
