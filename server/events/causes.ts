import type { KeepalivedLogEvent } from '@/lib/models/keepalived';

// Pure: keepalived log events (server/parsers/keepalived-log.ts) around a VRRP transition ->
// the cause in plain words and the raw lines that back it. Each director's log is given apart,
// so "the old master said X" and "the new master saw Y" can be told apart.

export interface DirectorLog {
  director: string;
  events: readonly KeepalivedLogEvent[];
}

export interface CauseQuery {
  instance: string;
  /** When the transition happened (epoch ms). */
  at: number;
  /** The director that became master (null: none did). */
  toMaster: string | null;
  /** The director that was master before (null: unknown). */
  fromMaster: string | null;
  logs: readonly DirectorLog[];
  /** How far around `at` to look; default 10 s. */
  windowMs?: number;
}

export interface Cause {
  cause: string;
  /** Raw lines, in time order: the cause and the transitions it explains. */
  logLines: string[];
}

type Ev = KeepalivedLogEvent;

function instanceOf(e: Ev): string | null {
  return 'instance' in e ? e.instance : null;
}

/** Lines about this instance, or about no instance in particular (scripts, process, interfaces). */
function relevant(e: Ev, instance: string): boolean {
  const i = instanceOf(e);
  return i === null || i === instance;
}

function pick<T extends Ev['type']>(events: readonly Ev[], type: T, instance: string): Extract<Ev, { type: T }>[] {
  return events.filter((e): e is Extract<Ev, { type: T }> => e.type === type && relevant(e, instance));
}

function lines(...groups: (readonly Ev[])[]): string[] {
  const all = groups.flat().sort((a, b) => a.time - b.time);
  return [...new Set(all.map((e) => e.raw))];
}

/** The events of one director within the window, or [] when its log was not given. */
function windowed(query: CauseQuery, director: string | null): Ev[] {
  if (director === null) return [];
  const w = query.windowMs ?? 10_000;
  const log = query.logs.find((l) => l.director === director);
  return (log?.events ?? []).filter((e) => Math.abs(e.time - query.at) <= w);
}

function entering(events: readonly Ev[], instance: string, state?: string): Ev[] {
  return pick(events, 'vrrp-transition', instance).filter((e) => e.instance === instance && !e.init && (state === undefined || e.state === state));
}

/** Why the old master gave up: FAULT (script, interface, file), stopping, priority drop, preempted. */
function fromOldMaster(q: CauseQuery): Cause | null {
  const ev = windowed(q, q.fromMaster);
  if (ev.length === 0) return null;
  const { instance } = q;
  const fault = entering(ev, instance, 'FAULT');
  if (fault.length > 0) {
    const faultAt = fault[0]?.time ?? q.at;
    const failed = pick(ev, 'script-result', instance).filter((e) => e.result !== 'succeeded' && e.time <= faultAt + 1000);
    const lastFailed = failed.at(-1);
    if (lastFailed) {
      const verb = lastFailed.result === 'timed_out' ? 'timed out' : 'failed';
      return { cause: `track script ${lastFailed.script} ${verb} on ${q.fromMaster}`, logLines: lines([lastFailed], fault, sent0(ev, instance)) };
    }
    const fc = pick(ev, 'fault-cause', instance).filter((e) => e.instance === instance).at(-1);
    if (fc) {
      const what = fc.cause === 'script' ? 'track script' : fc.cause === 'no-address' ? 'missing address' : fc.cause === 'no-peers' ? 'no unicast peers' : fc.cause;
      return { cause: `${what}${fc.subject ? ` ${fc.subject}` : ''} fault on ${q.fromMaster}`, logLines: lines([fc], fault) };
    }
    const down = pick(ev, 'interface', instance).filter((e) => !e.up).at(-1);
    if (down) return { cause: `interface ${down.interface} went down on ${q.fromMaster}`, logLines: lines([down], fault) };
    return { cause: `${q.fromMaster} entered FAULT`, logLines: lines(fault) };
  }
  const stopping = pick(ev, 'process', instance).filter((e) => e.action === 'stopping' && e.time <= q.at + 1000);
  if (stopping.length > 0) {
    return { cause: `master sent priority 0 (keepalived was stopping on ${q.fromMaster})`, logLines: lines(stopping.slice(0, 1), sent0(ev, instance)) };
  }
  // A VIP removed behind keepalived's back (ip addr del, NetworkManager re-applying a profile):
  // keepalived gives up MASTER at once and sends priority 0. Its own removal of the VIPs comes
  // after its BACKUP line; this one comes before it.
  const backupAt = ev.findIndex((e) => e.type === 'vrrp-transition' && e.instance === instance && !e.init && e.state === 'BACKUP');
  const removed = ev.slice(0, Math.max(0, backupAt)).filter((e): e is Extract<Ev, { type: 'address' }> => e.type === 'address' && !e.added).at(-1);
  if (removed) {
    return {
      cause: `VIP ${removed.address} removed from ${removed.interface ?? 'its interface'} on ${q.fromMaster} outside keepalived (ip addr del, or NetworkManager re-applying a profile): it gave up MASTER`,
      logLines: lines([removed], entering(ev, instance, 'BACKUP'), sent0(ev, instance)),
    };
  }
  const higher = pick(ev, 'higher-priority-advert', instance).filter((e) => e.instance === instance);
  const drop = pick(ev, 'effective-priority', instance).filter((e) => e.instance === instance && e.from !== null && e.to < e.from && e.time <= q.at + 1000).at(-1);
  if (drop) {
    return { cause: `effective priority of ${q.fromMaster} dropped from ${drop.from ?? '?'} to ${drop.to}`, logLines: lines([drop], higher.slice(0, 1), entering(ev, instance)) };
  }
  const h = higher[0];
  if (h) {
    return {
      cause: `higher-priority advert${h.from ? ` from ${h.from}` : ''} (priority ${h.priority}, ours ${h.ours}): preempted`,
      logLines: lines([h], entering(ev, instance)),
    };
  }
  return null;
}

function sent0(events: readonly Ev[], instance: string): Ev[] {
  return pick(events, 'priority-zero', instance).filter((e) => e.instance === instance && e.direction === 'sent');
}

/** What the new master saw: priority 0, a lower-priority master it preempted, or silence. */
function fromNewMaster(q: CauseQuery): Cause | null {
  const ev = windowed(q, q.toMaster);
  if (ev.length === 0) return null;
  const { instance } = q;
  const master = entering(ev, instance, 'MASTER');
  const masterAt = master[0]?.time ?? q.at;
  const before = ev.filter((e) => e.time <= masterAt);
  const zero = pick(before, 'priority-zero', instance).filter((e) => e.instance === instance && e.direction === 'received');
  if (zero.length > 0) {
    return { cause: 'master sent priority 0 (it was stopping or in FAULT)', logLines: lines(zero.slice(0, 1), master) };
  }
  const timeout = pick(before, 'advert-timeout', instance).filter((e) => e.instance === instance);
  const lower = pick(before, 'lower-priority-advert', instance).filter((e) => e.instance === instance);
  const lastLower = lower.at(-1);
  if (lastLower && timeout.length > 0) {
    return {
      cause: `preempted a lower-priority master (priority ${lastLower.priority} from ${lastLower.from})`,
      logLines: lines([lastLower], timeout.slice(-1), master),
    };
  }
  if (timeout.length > 0) return { cause: 'advert timeout from the master', logLines: lines(timeout.slice(-1), master) };
  return null;
}

/**
 * The cause of a failover (or of an instance losing its master) from the directors' logs, or null
 * when the logs in the window say nothing. The old master's own account (FAULT and its script,
 * stopping, priority drop, being preempted) is preferred over what the new master saw.
 */
export function findCause(q: CauseQuery): Cause | null {
  return fromOldMaster(q) ?? fromNewMaster(q);
}
