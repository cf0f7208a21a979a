import type { ClusterSnapshot } from '@/lib/models/cluster';
import type { RolloutServer } from '@/lib/models/rollout';
import type { DirectorObservation } from '@/server/collector/observation';

// Pure: whether a host brought back by a rollout serves again. keepalived's checker says up on
// every director that checks it (from a dump taken after `since`), and, when asked, new
// connections reach it: the total of its servers' connection counters (ipvsadm --stats Conns on
// each service's VIP holder) grew past the figure when the check began.

export interface HostCheck {
  /** Every condition holds. */
  ok: boolean;
  /** Conditions not (yet) met, in words. */
  waiting: string[];
  /** Conditions met, in words. */
  passed: string[];
  /** Sum of the servers' connection counters now (null when no VIP holder shows any). */
  conns: number | null;
}

/** Sum of the servers' total connections on their services' VIP holders (null when none is known). */
export function hostConnections(snapshot: ClusterSnapshot, servers: readonly RolloutServer[]): number | null {
  let sum: number | null = null;
  for (const s of servers) {
    const rs = snapshot.services.find((x) => x.key === s.service)?.realServers.find((r) => r.key === s.realServer);
    const c = rs?.stats?.conns;
    if (c === undefined || c === null) continue;
    sum = (sum ?? 0) + c;
  }
  return sum;
}

export function checkHost(
  snapshot: ClusterSnapshot,
  observations: readonly DirectorObservation[],
  servers: readonly RolloutServer[],
  opts: { since: number; connsAtStart: number | null; newConnections: boolean },
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

  const conns = hostConnections(snapshot, servers);
  if (opts.newConnections) {
    if (conns === null) waiting.push('connection counters (no director holding its VIPs shows it)');
    else if (opts.connsAtStart === null) waiting.push('a first reading of its connection counters');
    else if (conns > opts.connsAtStart) passed.push(`new connections reach it (${conns - opts.connsAtStart} since the restore)`);
    else waiting.push(`new connections (none since the restore: counter at ${conns})`);
  }
  return { ok: waiting.length === 0, waiting, passed, conns };
}
