// The four `ipvsadm -Ln` listings of one refresh, parsed and combined into one table. Pure and free
// of server-only imports: it runs in the listing worker thread (listing-worker.ts) as well as inline.
import type { IpvsService, IpvsTable } from '@/lib/models/ipvsadm';
import { serviceKey } from '@/lib/models/keys';
import { ParseError } from '@/server/parsers/parse-error';
import { parseIpvsadm } from '@/server/parsers/ipvsadm';

/** stdout of `ipvsadm -Ln --exact` in each of the modes a refresh reads. */
export interface ListingOutputs {
  list: string;
  stats: string;
  rate: string;
  persistent: string;
}

/** What a parser thread is asked to parse. */
export type ParseJob = { kind: 'listings'; outputs: ListingOutputs } | { kind: 'keepalived'; text: string };

export const LISTING_MODES = [
  ['list', 'list'],
  ['stats', 'stats'],
  ['rate', 'rate'],
  ['persistent', 'persistent-conn'],
] as const;

/** Parses and combines the four listings at once (the worker's job; inline parsing interleaves them). */
export function parseListings(o: ListingOutputs): IpvsTable {
  const [list, stats, rate, persistent] = LISTING_MODES.map(([k, mode]) => parseIpvsadm(o[k], { mode }));
  return mergeListModes(list as IpvsTable, stats as IpvsTable, rate as IpvsTable, persistent as IpvsTable);
}

/** The default listing gives weights and connections; the other modes add counters and rates. */
export function mergeListModes(list: IpvsTable, stats: IpvsTable, rate: IpvsTable, persistent: IpvsTable): IpvsTable {
  const index = (t: IpvsTable) => new Map(t.services.map((s) => [serviceKey(s), s]));
  const st = index(stats);
  const rt = index(rate);
  const pc = index(persistent);
  const services: IpvsService[] = list.services.map((s) => {
    const k = serviceKey(s);
    const rs = (t: Map<string, IpvsService>, a: string, p: number) => t.get(k)?.realServers.find((x) => x.address === a && x.port === p);
    return {
      ...s,
      stats: st.get(k)?.stats ?? null,
      rates: rt.get(k)?.rates ?? null,
      approximate: s.approximate || (st.get(k)?.approximate ?? false) || (rt.get(k)?.approximate ?? false),
      realServers: s.realServers.map((x) => ({
        ...x,
        stats: rs(st, x.address, x.port)?.stats ?? null,
        rates: rs(rt, x.address, x.port)?.rates ?? null,
        persistentConns: rs(pc, x.address, x.port)?.persistentConns ?? null,
      })),
    };
  });
  return { ...list, services };
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
