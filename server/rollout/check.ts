import { formatEndpoint } from '@/lib/address';
import { serviceKey } from '@/lib/models/keys';
import type { RolloutServer } from '@/lib/models/rollout';
import type { DirectorObservation } from '@/server/collector/observation';

// Pure: whether a host brought back by a rollout serves again. keepalived's checker says up on
// every director that checks it (from a dump taken after `since`), and, when asked, new
// connections reach it: the connection counters of its servers (ipvsadm --stats Conns) grew on
// some director since the check began. Counters are kept per director: connections go through
// whichever director holds the VIPs, which may change during the check (a failover), and a
// director's counters start again from zero when its services are re-created (keepalived restart).

export interface HostCheck {
  /** Every condition holds. */
  ok: boolean;
  /** Conditions not (yet) met, in words. */
  waiting: string[];
  /** Conditions met, in words. */
  passed: string[];
  /** The baseline to keep: per director, the counters the growth is measured from (a director new
   *  to the check, or whose counters went back, starts from its figure now). */
  baseline: Record<string, number>;
}

/** Per director, the sum of the servers' total connections (ipvsadm --stats Conns); directors
 *  whose last read shows none of them are left out. */
export function hostCounters(observations: readonly DirectorObservation[], servers: readonly RolloutServer[]): Record<string, number> {
  const wanted = new Map<string, Set<string>>();
  for (const s of servers) {
    let set = wanted.get(s.service);
    if (!set) wanted.set(s.service, (set = new Set()));
    set.add(s.realServer);
  }
  const out: Record<string, number> = {};
  for (const o of observations) {
    let sum: number | null = null;
    for (const svc of o.data?.services ?? []) {
      const rsWanted = wanted.get(serviceKey(svc));
      if (!rsWanted) continue;
      for (const rs of svc.realServers) {
        const c = rs.stats?.conns;
        if (c === undefined || c === null || !rsWanted.has(formatEndpoint(rs.address, rs.port))) continue;
        sum = (sum ?? 0) + c;
      }
    }
    if (sum !== null) out[o.name] = sum;
  }
  return out;
}

/** New connections since the baseline: the growth summed over the directors in both. */
export function connectionGrowth(baseline: Readonly<Record<string, number>>, now: Readonly<Record<string, number>>): number {
  let grown = 0;
  for (const [d, n] of Object.entries(now)) {
    const b = baseline[d];
    if (b !== undefined && n > b) grown += n - b;
  }
  return grown;
}

function describeCounters(c: Readonly<Record<string, number>>): string {
  const parts = Object.keys(c).sort().map((d) => `${d} ${c[d]}`);
  return parts.length ? `counters ${parts.join(', ')}` : 'no counters';
}

export function checkHost(
  observations: readonly DirectorObservation[],
  servers: readonly RolloutServer[],
  opts: { since: number; baseline: Readonly<Record<string, number>>; newConnections: boolean },
): HostCheck {
  const waiting: string[] = [];
  const passed: string[] = [];
  const wanted = new Set(servers.map((s) => `${s.service}|${s.realServer}`));
  const down: string[] = [];
  const up = new Set<string>();
  const stale: string[] = [];
  for (const o of observations) {
    const d = o.data;
    if (!d?.checkers) continue;
    const mine = d.checkers.filter((c) => wanted.has(`${c.service}|${c.realServer}`));
    if (mine.length === 0) continue;
    if (d.keepalivedDumpAt === null || d.keepalivedDumpAt < opts.since) {
      stale.push(o.name);
      continue;
    }
    for (const c of mine) {
      if (c.alive === false) down.push(`keepalived on ${o.name} says ${c.realServer} in ${c.service} is down`);
      else up.add(o.name);
    }
  }
  if (down.length > 0) waiting.push(...down);
  else if (stale.length > 0) waiting.push(`a keepalived dump of ${stale.join(', ')} taken after the restore`);
  else if (up.size > 0) passed.push(`keepalived's checkers say up on ${[...up].sort().join(', ')}`);
  else passed.push('no keepalived checker watches it');

  const now = hostCounters(observations, servers);
  const grown = connectionGrowth(opts.baseline, now);
  const baseline: Record<string, number> = { ...opts.baseline };
  for (const [d, n] of Object.entries(now)) {
    const b = baseline[d];
    if (b === undefined || n < b) baseline[d] = n;
  }
  if (opts.newConnections) {
    if (Object.keys(now).length === 0) waiting.push('connection counters (no director shows its servers)');
    else if (Object.keys(opts.baseline).length === 0) waiting.push('a first reading of its connection counters');
    else if (grown > 0) passed.push(`new connections reach it (${grown} since the restore)`);
    else waiting.push(`new connections (none since the restore: ${describeCounters(now)})`);
  }
  return { ok: waiting.length === 0, waiting, passed, baseline };
}
