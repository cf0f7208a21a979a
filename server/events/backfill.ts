import { MASTER_KINDS, type ClusterEvent, type EventKind, type NewClusterEvent } from '@/lib/models/events';
import type { KeepalivedLogEvent } from '@/lib/models/keepalived';
import { parseKeepalivedLogLine, type KeepalivedLogOptions } from '@/server/parsers/keepalived-log';
import { findCause, type DirectorLog } from './causes';

// Pure: keepalived logs of a cluster's directors + the events already stored -> the events the
// logs add (VRRP transitions, failovers, keepalived stops/starts), each with its cause and raw
// lines, and causes for stored events the logs explain. Reading the logs over SSH is the caller's
// job (server/events/log-sync.ts). Each log must be one director's own (journal filtered to that host's unit).

export interface DirectorLogText {
  director: string;
  text: string;
  options: KeepalivedLogOptions;
}

export interface BackfillInput {
  cluster: string;
  logs: readonly DirectorLogText[];
  existing: readonly ClusterEvent[];
  /**
   * How far apart a logged and a stored event may be and still be the same one. Observed events
   * are timed by the observation when keepalived's own time is unknown, so this is about a poll
   * interval plus a refresh. Default 5 s.
   */
  toleranceMs?: number;
  /**
   * How much later than the log an observed event may be stamped: the console sees a change only
   * at its next refresh, and a loaded director or network delays that. Default 30 s.
   */
  observedLagMs?: number;
}

export interface Explanation {
  id: string;
  /**
   * For a new master: what the logs say it was, a failover or the initial election (they know when
   * keepalived started); the stored event, observed without that knowledge, takes it.
   */
  kind: EventKind | null;
  /** The director's own log time of the event. */
  at: number;
  cause: string | null;
  logLines: string[];
  /** For a failover: how long no director was master (ms), when the logs tell. */
  durationMs: number | null;
  /** For a failover: the previous master, when the logs tell (an observation may not know it). */
  fromMaster: string | null;
}

export interface BackfillResult {
  added: NewClusterEvent[];
  /** Stored events (by id) that the logs match: their log time, cause and lines. */
  explained: Explanation[];
}

type Ev = KeepalivedLogEvent;
type Tagged = { director: string; ev: Ev };

/** Parses leniently: a line without the expected envelope is skipped, not fatal. */
export function parseLogLenient(text: string, options: KeepalivedLogOptions): Ev[] {
  const out: Ev[] = [];
  text.split('\n').forEach((line, i) => {
    try {
      const ev = parseKeepalivedLogLine(line, options, i + 1);
      if (ev) out.push(ev);
    } catch {
      // ParseError: not a keepalived line of this format.
    }
  });
  return out;
}

const MASTER_EVIDENCE_MS = 2000;
/** How soon after keepalived starts its first election ends (3 adverts + skew, and some start-up delay). */
const INITIAL_ELECTION_MS = 60_000;

export function backfillEvents(input: BackfillInput): BackfillResult {
  const tolerance = input.toleranceMs ?? 5000;
  const logs: DirectorLog[] = input.logs.map((l) => ({ director: l.director, events: parseLogLenient(l.text, l.options) }));
  const timeline: Tagged[] = logs
    .flatMap((l) => l.events.map((ev) => ({ director: l.director, ev })))
    .sort((a, b) => a.ev.time - b.ev.time);

  const base = (e: Partial<NewClusterEvent> & Pick<NewClusterEvent, 'kind' | 'at'>): NewClusterEvent => ({
    cluster: input.cluster, director: null, instance: null, fromState: null, toState: null, fromMaster: null, toMaster: null,
    endedAt: null, durationMs: null, cause: null, service: null, realServer: null, logLines: [], source: 'log', ...e,
  });

  const found: NewClusterEvent[] = [];
  // state[director][instance]; null = unknown (log starts mid-way, or keepalived restarted).
  const state = new Map<string, Map<string, string>>();
  const stateOf = (d: string) => state.get(d) ?? state.set(d, new Map()).get(d) ?? new Map<string, string>();
  // Per instance: who last left MASTER and when (for a new master's "from").
  const leftMaster = new Map<string, { director: string; at: number }>();
  const stoppedAt = new Map<string, Tagged>();
  // When keepalived last started on each director (its "Starting" line).
  const startedAt = new Map<string, Tagged>();

  // Directors seen starting: an instance with no state yet there is INIT, not an unknown that may have been MASTER.
  const fresh = new Set<string>();
  /** The log shows this director held MASTER just before `t`, though no "Entering MASTER" line is in it. */
  const evidenceOfMaster = (director: string, instance: string, t: number) =>
    !fresh.has(director) &&
    timeline.some(({ director: d, ev: e }) => {
      if (d !== director || !('instance' in e) || e.instance !== instance) return false;
      const dt = e.time - t;
      return (
        (e.type === 'higher-priority-advert' && e.message.includes('Master received') && dt <= 0 && dt >= -MASTER_EVIDENCE_MS) ||
        (e.type === 'priority-zero' && e.direction === 'sent' && Math.abs(dt) <= MASTER_EVIDENCE_MS) ||
        // Logged after "Entering BACKUP" when VIPs were held (and before it at start-up, hence dt >= 0).
        (e.type === 'vips' && e.action === 'remove' && dt >= 0 && dt <= MASTER_EVIDENCE_MS)
      );
    });
  /** Was `director` master of `instance` when it logged entering a non-MASTER state at `t`? */
  const wasMasterAt = (director: string, instance: string, t: number) => {
    const before = stateOf(director).get(instance);
    return before === 'MASTER' || (before === undefined && evidenceOfMaster(director, instance, t));
  };

  for (const t of timeline) {
    const { director, ev } = t;
    if (ev.type === 'process' && (ev.action === 'stopping' || ev.action === 'starting')) {
      // keepalived is gone (or freshly started): whatever it was master of, it no longer is.
      for (const [instance, s] of stateOf(director)) if (s === 'MASTER') leftMaster.set(instance, { director, at: ev.time });
      state.set(director, new Map());
      if (ev.action === 'starting') fresh.add(director);
      else fresh.delete(director);
      if (ev.action === 'stopping' && !stoppedAt.has(director)) stoppedAt.set(director, t);
      if (ev.action === 'starting') {
        startedAt.set(director, t);
        const stop = stoppedAt.get(director);
        stoppedAt.delete(director);
        if (stop) {
          found.push(base({ kind: 'keepalived-down', director, at: stop.ev.time, endedAt: ev.time, durationMs: ev.time - stop.ev.time, fromState: 'running', toState: 'stopped', logLines: [stop.ev.raw, ev.raw] }));
        }
        found.push(base({ kind: 'keepalived-up', director, at: ev.time, fromState: 'stopped', toState: 'running', logLines: [ev.raw] }));
      }
      continue;
    }
    if (ev.type === 'address' && !ev.added) {
      found.push(vipRemoved(director, ev, timeline, base));
      continue;
    }
    if (ev.type !== 'vrrp-transition' || ev.phase !== 'entering') continue;
    const states = stateOf(director);
    const before = states.get(ev.instance) ?? (fresh.has(director) ? 'INIT' : null);
    if (before === ev.state) continue; // repeated line
    const wasMaster = ev.state !== 'MASTER' && wasMasterAt(director, ev.instance, ev.time);
    states.set(ev.instance, ev.state);
    const q = { instance: ev.instance, at: ev.time, logs };
    const transition = base({
      kind: 'vrrp-transition', director, instance: ev.instance, at: ev.time, fromState: before ?? (wasMaster ? 'MASTER' : null), toState: ev.state, logLines: [ev.raw],
    });
    if (ev.state !== 'MASTER' && (wasMaster || ev.state === 'FAULT')) {
      if (wasMaster) leftMaster.set(ev.instance, { director, at: ev.time });
      const c = findCause({ ...q, fromMaster: director, toMaster: null });
      if (c) Object.assign(transition, { cause: c.cause, logLines: merge(c.logLines, [ev.raw]) });
    }
    found.push(transition);
    if (ev.state === 'MASTER') {
      // The previous master: another director still MASTER, or one that logs leaving MASTER just after
      // (preempted: same second), or the last one to leave MASTER.
      const stillMaster = [...state.entries()].find(([d, m]) => d !== director && m.get(ev.instance) === 'MASTER')?.[0] ?? null;
      const preempted =
        stillMaster ??
        timeline.find(
          ({ director: d, ev: e }) =>
            d !== director && e.type === 'vrrp-transition' && e.phase === 'entering' && e.instance === ev.instance && e.state !== 'MASTER' &&
            e.time >= ev.time && e.time - ev.time <= MASTER_EVIDENCE_MS && wasMasterAt(d, e.instance, e.time),
        )?.director ??
        null;
      const left = leftMaster.get(ev.instance);
      const fromLeft = left && left.director !== director && ev.time - left.at <= 30_000 ? left : null;
      const from = preempted ?? fromLeft?.director ?? null;
      const started = fresh.has(director) ? startedAt.get(director) : undefined;
      // The initial election: keepalived started here and nobody was master to take over from (none
      // known, or the last one had left MASTER before this keepalived was even running), and it
      // became master as soon as its master-down timer ran out. Later, it had been hearing a master
      // (one whose log is not at hand): a failover.
      const initial =
        started !== undefined && preempted === null && ev.time - started.ev.time <= INITIAL_ELECTION_MS && (left === undefined || left.at < started.ev.time);
      if (initial) {
        const why = left && left.director !== director ? `keepalived started on ${director} after ${left.director}, the last master, had left MASTER` : `keepalived started on ${director}, no master before`;
        found.push(
          base({
            kind: 'initial-election', director, instance: ev.instance, at: ev.time, fromMaster: null, toMaster: director, fromState: before, toState: 'MASTER',
            cause: why, logLines: merge([started.ev.raw], [ev.raw]),
          }),
        );
        leftMaster.delete(ev.instance);
        continue;
      }
      // The gap: from the old master leaving MASTER to this one entering it (none when preempted).
      const gap = preempted !== null ? 0 : fromLeft ? Math.max(0, ev.time - fromLeft.at) : null;
      const c = findCause({ ...q, fromMaster: from, toMaster: director });
      found.push(
        base({
          kind: 'failover', director, instance: ev.instance, at: ev.time, fromMaster: from, toMaster: director, fromState: before, toState: 'MASTER',
          durationMs: gap, cause: c?.cause ?? null, logLines: merge(c?.logLines ?? [], [ev.raw]),
        }),
      );
      leftMaster.delete(ev.instance);
    }
  }
  // A stop with no start after it: still down as far as the log says.
  for (const [director, stop] of stoppedAt) {
    found.push(base({ kind: 'keepalived-down', director, at: stop.ev.time, fromState: 'running', toState: 'stopped', logLines: [stop.ev.raw] }));
  }

  const added: NewClusterEvent[] = [];
  const explained: Explanation[] = [];
  const lag = input.observedLagMs ?? 30_000;
  for (const e of found.sort((a, b) => a.at - b.at)) {
    // The stored event nearest in time that this logged one is (not yet claimed by another).
    const match = input.existing
      .filter((x) => sameEvent(x, e, tolerance, x.source === 'observed' ? lag : 0) && !explained.some((y) => y.id === x.id))
      .sort((a, b) => Math.abs(a.at - e.at) - Math.abs(b.at - e.at))[0];
    const claimed = !match && input.existing.some((x) => sameEvent(x, e, tolerance, x.source === 'observed' ? lag : 0));
    if (claimed) continue;
    if (match) {
      explained.push({
        id: match.id, kind: MASTER_KINDS.includes(e.kind) ? e.kind : null, at: e.at, cause: e.cause, logLines: e.logLines,
        durationMs: e.kind === 'failover' ? e.durationMs : null, fromMaster: e.kind === 'failover' ? e.fromMaster : null,
      });
    } else if (!added.some((x) => sameEvent(x, e, 0))) {
      added.push(e);
    }
  }
  return { added, explained };
}

/** How long after a VIP's removal keepalived's reaction (its BACKUP line) is looked for. */
const REACTION_MS = 3000;

/**
 * keepalived logs "Netlink reflector reports IP X removed from IF" for an address it manages that
 * someone else removed (it logs nothing of the kind for its own removals). It then gives up MASTER
 * of the instance and takes it again (or a peer does): the gap is until the VIPs are set again.
 */
function vipRemoved(
  director: string,
  ev: Extract<Ev, { type: 'address' }>,
  timeline: readonly { director: string; ev: Ev }[],
  base: (e: Partial<NewClusterEvent> & Pick<NewClusterEvent, 'kind' | 'at'>) => NewClusterEvent,
): NewClusterEvent {
  const after = timeline.filter((t) => t.ev.time >= ev.time);
  const gaveUp = after.find((t) => t.director === director && t.ev.type === 'vrrp-transition' && t.ev.phase === 'entering' && t.ev.state !== 'MASTER' && t.ev.time - ev.time <= REACTION_MS);
  const instance = gaveUp && 'instance' in gaveUp.ev ? gaveUp.ev.instance : null;
  const back = instance === null
    ? undefined
    : after.find((t) => t.ev.time >= (gaveUp?.ev.time ?? ev.time) && 'instance' in t.ev && t.ev.instance === instance &&
        ((t.ev.type === 'vips' && t.ev.action === 'set') || (t.ev.type === 'vrrp-transition' && t.ev.phase === 'entering' && t.ev.state === 'MASTER')));
  const where = ev.interface ? ` from ${ev.interface}` : '';
  const restored = back ? ` keepalived gave up MASTER of ${instance} and the VIPs were set again on ${back.director} after ${back.ev.time - ev.time} ms.` : instance ? ` keepalived gave up MASTER of ${instance}.` : '';
  return base({
    kind: 'vip-removed', director, instance, at: ev.time, endedAt: back ? back.ev.time : null, durationMs: back ? back.ev.time - ev.time : null,
    fromState: 'MASTER', toState: gaveUp && gaveUp.ev.type === 'vrrp-transition' ? gaveUp.ev.state : null,
    cause: `VIP ${ev.address} removed${where} on ${director} outside keepalived (ip addr del, or NetworkManager re-applying a profile).${restored}`,
    logLines: merge([ev.raw], [gaveUp?.ev.raw, back?.ev.raw].filter((l): l is string => l !== undefined)),
  });
}

function merge(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

/** A new master is one event whether it was seen as a failover or as the initial election. */
function sameKind(a: EventKind, b: EventKind): boolean {
  return a === b || (MASTER_KINDS.includes(a) && MASTER_KINDS.includes(b));
}

/** Same key, and `x` within the tolerance of `e` (or up to `lagMs` after it). */
function sameEvent(x: NewClusterEvent, e: NewClusterEvent, tolerance: number, lagMs = 0): boolean {
  const d = x.at - e.at;
  const t = Math.max(tolerance, 1000);
  return (
    x.cluster === e.cluster && sameKind(x.kind, e.kind) && x.director === e.director && x.instance === e.instance &&
    x.service === e.service && x.realServer === e.realServer && d >= -t && d <= Math.max(t, lagMs)
  );
}
