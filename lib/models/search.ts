import { z } from 'zod/mini';
import { canonicalAddress } from '@/lib/address';
import type { ClusterSnapshot } from './cluster';

// The console's global search (the top bar's box, `GET /api/search?q=`): clusters, directors,
// virtual services and their VIPs, real servers and real-server host names, found by what an
// operator types at 3 a.m. — a piece of an address, a port, a host name. Pure: the server builds
// the entries from the collector's last merge and the configuration's host names, and matches here.

export const SEARCH_MAX_QUERY = 100;
export const SEARCH_DEFAULT_LIMIT = 20;
export const SEARCH_MAX_LIMIT = 50;

export const SearchQuery = z.strictObject({
  q: z.string().check(
    z.trim(),
    z.minLength(1, 'q: type something to search for'),
    z.maxLength(SEARCH_MAX_QUERY, `q: at most ${SEARCH_MAX_QUERY} characters`),
    z.describe('What to find: part of an address, VIP, service ("TCP 192.0.2.100:80"), port, host or director name'),
  ),
  limit: z
    .optional(z.coerce.number().check(z.int('limit: a whole number'), z.gte(1, 'limit: at least 1'), z.lte(SEARCH_MAX_LIMIT, `limit: at most ${SEARCH_MAX_LIMIT}`)))
    .check(z.describe(`How many hits at most (default ${SEARCH_DEFAULT_LIMIT})`)),
});
export type SearchQuery = z.infer<typeof SearchQuery>;

export const SearchHitKind = z.enum(['cluster', 'director', 'service', 'real-server', 'host']);
export type SearchHitKind = z.infer<typeof SearchHitKind>;

export const SearchHit = z.object({
  kind: SearchHitKind,
  /** What is shown: "TCP 192.0.2.100:80", "web-1 (192.0.2.11)", "dir1". */
  label: z.string(),
  /** Where it is: "lab", "lab · TCP 192.0.2.100:80". */
  detail: z.string(),
  cluster: z.nullable(z.string()),
  /** The console page that shows it (a path on this console). */
  href: z.string(),
});
export type SearchHit = z.infer<typeof SearchHit>;

export const SearchResponse = z.object({
  query: z.string(),
  hits: z.array(SearchHit),
  /** More matched than `limit`: type more to narrow. */
  truncated: z.boolean(),
});
export type SearchResponse = z.infer<typeof SearchResponse>;

/** One searchable thing: the hit it becomes and the texts it is found by (lower case). */
export interface SearchEntry {
  hit: SearchHit;
  terms: readonly string[];
  /** Lower ranks first among hits that match equally well. */
  rank: number;
}

/** A real-server host from the configuration: a name for one or more addresses. */
export interface NamedHost {
  name: string;
  addresses: readonly string[];
}

const RANK: Record<SearchHitKind, number> = { cluster: 0, host: 1, service: 2, director: 3, 'real-server': 4 };

/** The cluster page showing only what matches `filter` (its services filter is in the URL). */
export function clusterHref(cluster: string, filter?: string): string {
  const base = `/clusters/${encodeURIComponent(cluster)}`;
  return filter ? `${base}?q=${encodeURIComponent(filter)}` : base;
}

export function hostHref(address: string): string {
  return `/hosts/${encodeURIComponent(address)}`;
}

/** Every searchable thing of one cluster (its configured host names included). */
export function searchEntries(snapshot: ClusterSnapshot, hosts: readonly NamedHost[] = []): SearchEntry[] {
  const cluster = snapshot.name;
  const out: SearchEntry[] = [{ hit: { kind: 'cluster', label: cluster, detail: `${snapshot.services.length} services`, cluster, href: clusterHref(cluster) }, terms: [cluster.toLowerCase()], rank: RANK.cluster }];
  for (const d of snapshot.directors) {
    out.push({ hit: { kind: 'director', label: d.name, detail: `director of ${cluster}`, cluster, href: `${clusterHref(cluster)}#director-${encodeURIComponent(d.name)}` }, terms: [d.name.toLowerCase()], rank: RANK.director });
  }
  const nameOf = new Map<string, string>();
  for (const h of hosts) for (const a of h.addresses) nameOf.set(canonicalAddress(a), h.name);
  const addresses = new Map<string, Set<string>>();
  for (const svc of snapshot.services) {
    out.push({ hit: { kind: 'service', label: svc.key, detail: `${cluster} · ${svc.realServers.length} real servers`, cluster, href: clusterHref(cluster, svc.key) }, terms: [svc.key.toLowerCase()], rank: RANK.service });
    for (const rs of svc.realServers) {
      const name = nameOf.get(canonicalAddress(rs.address));
      out.push({
        hit: { kind: 'real-server', label: name ? `${rs.key} (${name})` : rs.key, detail: `${cluster} · ${svc.key}`, cluster, href: clusterHref(cluster, rs.key) },
        terms: name ? [rs.key.toLowerCase(), name.toLowerCase()] : [rs.key.toLowerCase()],
        rank: RANK['real-server'],
      });
      let services = addresses.get(rs.address);
      if (!services) addresses.set(rs.address, (services = new Set()));
      services.add(svc.key);
    }
  }
  // A host: one address across every service it serves (the host page drains it everywhere).
  for (const [address, services] of addresses) {
    const name = nameOf.get(canonicalAddress(address));
    out.push({
      hit: { kind: 'host', label: name ? `${name} (${address})` : address, detail: `${cluster} · ${services.size} service${services.size === 1 ? '' : 's'}`, cluster, href: hostHref(address) },
      terms: name ? [address.toLowerCase(), name.toLowerCase()] : [address.toLowerCase()],
      rank: RANK.host,
    });
  }
  return out;
}

/** How well `q` matches: 0 exact, 1 prefix, 2 inside; null no match. Every word of q must match a term. */
function score(terms: readonly string[], words: readonly string[]): number | null {
  let worst = 0;
  for (const w of words) {
    let best: number | null = null;
    for (const t of terms) {
      const at = t.indexOf(w);
      if (at < 0) continue;
      const s = t === w ? 0 : at === 0 || /[\s:[(.]/.test(t[at - 1] ?? '') ? 1 : 2;
      if (best === null || s < best) best = s;
      if (best === 0) break;
    }
    if (best === null) return null;
    worst = Math.max(worst, best);
  }
  return worst;
}

/** The best `limit` hits for `q` (case-insensitive; whitespace-separated words all match). */
export function search(entries: Iterable<SearchEntry>, q: string, limit = SEARCH_DEFAULT_LIMIT): SearchResponse {
  const query = q.trim();
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const found: { entry: SearchEntry; score: number }[] = [];
  if (words.length > 0) {
    for (const entry of entries) {
      const s = score(entry.terms, words);
      if (s !== null) found.push({ entry, score: s });
    }
  }
  found.sort((a, b) => a.score - b.score || a.entry.rank - b.entry.rank || a.entry.hit.label.localeCompare(b.entry.hit.label, 'en', { numeric: true }));
  return { query, hits: found.slice(0, limit).map((f) => f.entry.hit), truncated: found.length > limit };
}
