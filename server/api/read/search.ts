import 'server-only';
import { coversCluster, type Actor } from '@/lib/models/auth';
import type { ClusterSnapshot } from '@/lib/models/cluster';
import { search, SEARCH_DEFAULT_LIMIT, SearchQuery, searchEntries, type SearchEntry, type SearchResponse } from '@/lib/models/search';
import { getRuntime } from '@/server/runtime';

// GET /api/search?q=: the top bar's search over the clusters the caller may see. Reads only the
// collector's last merge (never a director: a viewer typing costs no SSH) and the configuration's
// real-server host names. The entries of a merge are built once and shared by every caller.

const entriesCache = new WeakMap<ClusterSnapshot, SearchEntry[]>();

function entriesOf(s: ClusterSnapshot, hosts: readonly { name: string; addresses: readonly string[] }[]): SearchEntry[] {
  let e = entriesCache.get(s);
  if (!e) entriesCache.set(s, (e = searchEntries(s, hosts)));
  return e;
}

export function searchFor(actor: Actor | null, params: URLSearchParams): SearchResponse {
  const q = SearchQuery.parse(Object.fromEntries(params));
  const { collector, config } = getRuntime();
  const entries: SearchEntry[] = [];
  for (const cluster of config.clusters) {
    if (!coversCluster(actor?.clusters, cluster.name)) continue;
    const s = collector.lastSnapshot(cluster.name) ?? collector.snapshot(cluster.name);
    if (s) entries.push(...entriesOf(s, cluster.realServerHosts));
  }
  return search(entries, q.q, q.limit ?? SEARCH_DEFAULT_LIMIT);
}
