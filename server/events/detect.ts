import type { ClusterInstance, ClusterSnapshot, DirectorView, MergedRealServer } from '@/lib/models/cluster';
import type { NewClusterEvent } from '@/lib/models/events';

// Pure: two consecutive merged snapshots of one cluster -> what changed between them.
// Interval kinds (no-master, split-brain, director-unreachable, keepalived-down, real-server-down)
// are emitted twice: once when they start (endedAt null) and once when they end (endedAt set,
// `at` = the best known start); the store closes the open one. The ground truth for "master" is
// who holds the VIPs (instances[].master/holders), as in the merge.

export type DetectedEvent = NewClusterEvent;

export interface DetectMemory {
  /**
   * Last known master per instance, for a failover that crosses a no-master gap. Forgotten when
   * keepalived stops on every director (see rememberMasters): the next master is then elected
   * from scratch, an initial election.
   */
  lastMasters?: ReadonlyMap<string, string>;
  /**
   * Each director's view from the last snapshot in which it was live. keepalived and VRRP changes are
   * judged against it, so a change that coincides with a refresh blip (the director not live in the
   * previous snapshot) is still seen once it answers again.
   */
  lastLive?: ReadonlyMap<string, DirectorView>;
}

export function detectEvents(prev: ClusterSnapshot | null, next: ClusterSnapshot, memory: DetectMemory = {}): DetectedEvent[] {
  if (prev === null) return [];
  const ctx: Ctx = { prev, next, out: [] };
  directors(ctx, memory.lastLive ?? new Map());
  if (next.directors.some((d) => d.live) && prev.directors.some((d) => d.live)) {
    instances(ctx, memory.lastMasters ?? new Map());
    realServers(ctx);
  }
  return ctx.out;
}

interface Ctx {
  prev: ClusterSnapshot;
  next: ClusterSnapshot;
  out: DetectedEvent[];
}

function base(ctx: Ctx, e: Partial<NewClusterEvent> & Pick<NewClusterEvent, 'kind' | 'at'>): NewClusterEvent {
  return {
    cluster: ctx.next.name,
    director: null,
    instance: null,
    fromState: null,
    toState: null,
    fromMaster: null,
    toMaster: null,
    endedAt: null,
    durationMs: null,
    cause: null,
    service: null,
    realServer: null,
    logLines: [],
    source: 'observed',
    ...e,
  };
}

function sinceOf(s: ClusterSnapshot, findingId: string): number | null {
  return s.findings.find((f) => f.id === findingId)?.since ?? null;
}

/** keepalived's own transition time when it plausibly belongs to the change seen between prev and next. */
// When `director` is given, the change must also be later than that director's data in prev (which
// still showed the old state; 1 s allowed for clock skew): keepalived's dump can be older than the
// change we see in the addresses, and then its transition time is an earlier, unrelated one.
function plausible(t: number | null | undefined, ctx: Ctx, director?: string | null): number | null {
  if (t === null || t === undefined) return null;
  let earliest = ctx.prev.takenAt - 3 * ctx.prev.pollIntervalMs;
  const seenBefore = director ? ctx.prev.directors.find((d) => d.name === director)?.takenAt : null;
  if (seenBefore !== null && seenBefore !== undefined) earliest = Math.max(earliest, seenBefore - 1000);
  return t > earliest && t <= ctx.next.takenAt + 1000 ? t : null;
}

function closing(ctx: Ctx, e: Omit<Partial<NewClusterEvent>, 'at'> & Pick<NewClusterEvent, 'kind'>, start: number | null): DetectedEvent {
  const at = start ?? ctx.prev.takenAt;
  const endedAt = ctx.next.takenAt;
  return base(ctx, { ...e, at, endedAt, durationMs: Math.max(0, endedAt - at) });
}

function directors(ctx: Ctx, lastLive: ReadonlyMap<string, DirectorView>): void {
  const { prev, next, out } = ctx;
  for (const d of next.directors) {
    const p = prev.directors.find((x) => x.name === d.name);
    // Not refreshed yet (start-up): its first answer is not a recovery.
    if (!p || (p.takenAt === null && p.error === null)) continue;
    const fid = `director-unreachable:${d.name}`;
    if (p.live && !d.live) {
      out.push(
        base(ctx, {
          kind: 'director-unreachable',
          director: d.name,
          at: sinceOf(next, fid) ?? d.error?.since ?? next.takenAt,
          fromState: 'reachable',
          toState: 'unreachable',
          cause: d.error ? `${d.error.code}: ${d.error.message}` : 'no answer for 3 poll intervals',
        }),
      );
    } else if (!p.live && d.live) {
      out.push(closing(ctx, { kind: 'director-unreachable', director: d.name, fromState: 'reachable', toState: 'unreachable' }, sinceOf(prev, fid)));
      out.push(base(ctx, { kind: 'director-reachable', director: d.name, at: d.takenAt ?? next.takenAt, fromState: 'unreachable', toState: 'reachable' }));
    }
    if (d.live) {
      const base = p.live ? p : lastLive.get(d.name);
      if (base) keepalived(ctx, base, d);
    }
  }
}

function keepalived(ctx: Ctx, p: DirectorView, d: DirectorView): void {
  const { prev, next, out } = ctx;
  const fid = `keepalived-down:${d.name}`;
  if (p.keepalivedRunning === true && d.keepalivedRunning === false) {
    out.push(
      base(ctx, {
        kind: 'keepalived-down',
        director: d.name,
        at: sinceOf(next, fid) ?? d.takenAt ?? next.takenAt,
        fromState: 'running',
        toState: 'stopped',
        cause: d.heldVips.length > 0 ? `keepalived stopped but ${d.name} still holds ${d.heldVips.join(', ')}` : null,
      }),
    );
  } else if (p.keepalivedRunning === false && d.keepalivedRunning === true) {
    out.push(closing(ctx, { kind: 'keepalived-down', director: d.name, fromState: 'running', toState: 'stopped' }, sinceOf(prev, fid)));
    out.push(base(ctx, { kind: 'keepalived-up', director: d.name, at: d.takenAt ?? next.takenAt, fromState: 'stopped', toState: 'running' }));
  }
  // Per-instance VRRP state as keepalived reports it on this director.
  for (const inst of d.instances) {
    const before = p.instances.find((x) => x.name === inst.name);
    if (!before || before.state === inst.state) continue;
    out.push(
      base(ctx, {
        kind: 'vrrp-transition',
        director: d.name,
        instance: inst.name,
        fromState: before.state,
        toState: inst.state,
        at: plausible(inst.lastTransitionAt, ctx, d.name) ?? next.takenAt,
      }),
    );
  }
}

function instances(ctx: Ctx, lastMasters: ReadonlyMap<string, string>): void {
  const { prev, next, out } = ctx;
  for (const i of next.instances) {
    const p = prev.instances.find((x) => x.name === i.name);
    if (!p) continue;
    failover(ctx, p, i, lastMasters.get(i.name) ?? null);

    const nmId = `no-master:${i.name}`;
    const wasGap = p.holders.length === 0;
    const isGap = i.holders.length === 0;
    if (!wasGap && isGap) {
      out.push(base(ctx, { kind: 'no-master', instance: i.name, at: sinceOf(next, nmId) ?? next.takenAt, fromMaster: p.master }));
    } else if (wasGap && !isGap) {
      out.push(closing(ctx, { kind: 'no-master', instance: i.name, toMaster: i.master }, sinceOf(prev, nmId)));
    }

    const sbId = `split-brain:${i.name}`;
    const wasSplit = p.holders.length > 1;
    const isSplit = i.holders.length > 1;
    if (!wasSplit && isSplit) {
      out.push(
        base(ctx, {
          kind: 'split-brain',
          instance: i.name,
          at: sinceOf(next, sbId) ?? next.takenAt,
          cause: `${i.holders.join(' and ')} all hold ${i.vips.join(', ')}`,
        }),
      );
    } else if (wasSplit && !isSplit) {
      out.push(closing(ctx, { kind: 'split-brain', instance: i.name, toMaster: i.master }, sinceOf(prev, sbId)));
    }
  }
}

function failover(ctx: Ctx, p: ClusterInstance, i: ClusterInstance, lastMaster: string | null): void {
  if (i.master === null || i.master === p.master) return;
  // Straight from one master to another, or out of a gap/split brain to a master other than the last one.
  const split = p.holders.length > 1;
  const from = p.master ?? (split ? null : lastMaster);
  if (p.master === null && from === i.master) return;
  // Out of a gap with no master known before (start-up, or keepalived stopped everywhere): the
  // first election, not a failover (there was nobody to fail over from). A split brain's end is
  // a failover whose previous master is ambiguous.
  const initial = p.master === null && !split && from === null;
  ctx.out.push(
    base(ctx, {
      kind: initial ? 'initial-election' : 'failover',
      director: i.master,
      instance: i.name,
      fromMaster: from,
      toMaster: i.master,
      fromState: initial ? null : 'BACKUP',
      toState: 'MASTER',
      at: plausible(i.masterSince, ctx, i.master) ?? ctx.next.takenAt,
    }),
  );
}

/**
 * The last known master per instance after `next`: its masters are remembered; when every
 * director answered and none runs keepalived, the cluster's VRRP state is gone and so is the
 * memory (whoever becomes master next is elected from scratch: an initial election).
 */
/**
 * Transitions the polls did not see: keepalived's dump gives an instance a newer last-transition
 * time while its state is what it was (a flap within one poll interval: a VIP removed outside
 * keepalived and taken back at once). The earliest such time, for a log read; null when none.
 */
export function missedTransitionsSince(prev: ClusterSnapshot | null, next: ClusterSnapshot): number | null {
  if (!prev) return null;
  let since: number | null = null;
  for (const d of next.directors) {
    const before = prev.directors.find((x) => x.name === d.name);
    if (!before || !d.live) continue;
    for (const i of d.instances) {
      const b = before.instances.find((x) => x.name === i.name);
      if (!b || b.lastTransitionAt === null || i.lastTransitionAt === null) continue;
      if (i.lastTransitionAt > b.lastTransitionAt && i.state === b.state) since = Math.min(since ?? i.lastTransitionAt, i.lastTransitionAt);
    }
  }
  return since;
}

export function rememberMasters(previous: ReadonlyMap<string, string>, next: ClusterSnapshot): Map<string, string> {
  const allStopped = next.directors.length > 0 && next.directors.every((d) => d.live && d.keepalivedRunning === false);
  const masters = allStopped ? new Map<string, string>() : new Map(previous);
  for (const i of next.instances) if (i.master !== null) masters.set(i.name, i.master);
  return masters;
}

function isDown(rs: MergedRealServer): boolean | null {
  if (rs.health === 'unknown') return null;
  return rs.health === 'down';
}

function realServers(ctx: Ctx): void {
  const { prev, next, out } = ctx;
  // Indexed: a large cluster has thousands of services (a find per service was quadratic).
  const prevServices = new Map(prev.services.map((s) => [s.key, s]));
  const prevRealServers = (s: (typeof prev.services)[number]) => new Map(s.realServers.map((r) => [r.key, r]));
  for (const svc of next.services) {
    const ps = prevServices.get(svc.key);
    if (!ps) continue;
    // Every real server gone from the active director's copy at once (two or more): keepalived
    // tearing its table down as it stops or reloads there, not the servers failing one by one.
    const active = svc.activeDirector;
    const emptied = active !== null && svc.realServers.length > 1 && svc.realServers.every((r) => r.perDirector[active]?.present === false);
    const removed = emptied ? `left ${active}'s IPVS table with every other real server of the service at once (keepalived stopping or reloading there)` : 'removed from the IPVS table';
    for (const rs of svc.realServers) {
      const pr = prevRealServers(ps).get(rs.key);
      if (!pr) continue;
      const was = isDown(pr);
      const is = isDown(rs);
      if (was === null || is === null || was === is) continue;
      // No director in the key: the active director may change while the server is down.
      const ids = { service: svc.key, realServer: rs.key };
      if (is) {
        out.push(
          base(ctx, {
            kind: 'real-server-down',
            ...ids,
            at: next.takenAt,
            fromState: pr.health,
            toState: rs.health,
            cause: rs.checkerAlive === false ? 'keepalived health check failed' : removed,
          }),
        );
      } else {
        out.push(closing(ctx, { kind: 'real-server-down', ...ids, fromState: pr.health, toState: 'down' }, null));
        out.push(base(ctx, { kind: 'real-server-up', ...ids, at: next.takenAt, fromState: pr.health, toState: rs.health }));
      }
    }
  }
}
