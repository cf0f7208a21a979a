import 'server-only';
import { ClusterEvent, INTERVAL_KINDS, MASTER_KINDS, type EventKind, type NewClusterEvent } from '@/lib/models/events';
import type { Db } from '@/server/db';
import { fromRow } from '@/server/db/rows';

// Failover history in SQLite (table `events`, migration 2).
// - Dedupe: one event per cluster+kind+director+instance(+service+real server) within ±1 s; a
//   second report of it (observed, then back-filled from the log) only fills what the first lacked.
// - Intervals: an event of an interval kind with endedAt set closes the latest open one of the
//   same key (keeping that one's start); with none open it is stored closed as given.

export const DEDUPE_WINDOW_MS = 1000;

export interface EventQuery {
  /** null or undefined: every cluster. */
  cluster?: string | null;
  from: number;
  to: number;
  /** null, undefined or empty: every kind. */
  kinds?: readonly EventKind[] | null;
  /** Default 1000. */
  limit?: number;
}

export type AddResult = { id: string; action: 'inserted' | 'merged' | 'closed' };

function toEvent(raw: unknown): ClusterEvent {
  return fromRow(ClusterEvent, raw, (f) => ({ ...f, logLines: JSON.parse(String(f.logLines)) as unknown }));
}

const KEY = 'cluster = ? AND kind = ? AND director IS NOT DISTINCT FROM ? AND instance IS NOT DISTINCT FROM ? AND service IS NOT DISTINCT FROM ? AND real_server IS NOT DISTINCT FROM ?';

function keyOf(e: NewClusterEvent): (string | null)[] {
  return [e.cluster, e.kind, e.director, e.instance, e.service, e.realServer];
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

export class EventStore {
  private readonly insertStmt;
  private readonly findOpen;
  private readonly findNear;
  private readonly updateStmt;
  private readonly byId;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO events (cluster, kind, director, instance, from_state, to_state, from_master, to_master, at, ended_at, duration_ms, cause, service, real_server, log_lines, source)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.findOpen = db.prepare(`SELECT * FROM events WHERE ${KEY} AND ended_at IS NULL AND at <= ? ORDER BY at DESC LIMIT 1`);
    this.findNear = db.prepare(`SELECT * FROM events WHERE ${KEY} AND at BETWEEN ? AND ? ORDER BY abs(at - ?) LIMIT 1`);
    this.updateStmt = db.prepare(
      `UPDATE events SET kind = ?, at = ?, from_state = ?, to_state = ?, from_master = ?, to_master = ?, ended_at = ?, duration_ms = ?, cause = ?, log_lines = ? WHERE id = ?`,
    );
    this.byId = db.prepare('SELECT * FROM events WHERE id = ?');
  }

  /** Stores one event, merging it into a duplicate or closing the open interval it ends. */
  add(e: NewClusterEvent): AddResult {
    return this.db.transaction(() => this.addOne(e))();
  }

  addAll(events: readonly NewClusterEvent[]): AddResult[] {
    return this.db.transaction(() => events.map((e) => this.addOne(e)))();
  }

  get(id: string): ClusterEvent | null {
    const r = this.byId.get(Number(id));
    return r === undefined ? null : toEvent(r);
  }

  /** Events overlapping [from, to] (an interval still open, or ending after `from`, counts), newest first. */
  query(q: EventQuery): { events: ClusterEvent[]; truncated: boolean } {
    // A point event (failover, transition...) has no end: it is in the window when it happened in it.
    // Only an interval kind with no end yet is still open.
    const openKinds = INTERVAL_KINDS.map(() => '?').join(', ');
    const where = ['at <= ?', `(at >= ? OR ended_at >= ? OR (ended_at IS NULL AND kind IN (${openKinds})))`];
    const args: (string | number)[] = [q.to, q.from, q.from, ...INTERVAL_KINDS];
    if (q.cluster !== undefined && q.cluster !== null) {
      where.push('cluster = ?');
      args.push(q.cluster);
    }
    if (q.kinds && q.kinds.length > 0) {
      where.push(`kind IN (${q.kinds.map(() => '?').join(', ')})`);
      args.push(...q.kinds);
    }
    const limit = q.limit ?? 1000;
    const rows = this.db.prepare(`SELECT * FROM events WHERE ${where.join(' AND ')} ORDER BY at DESC, id DESC LIMIT ?`).all(...args, limit + 1);
    const events = rows.slice(0, limit).map((r) => toEvent(r));
    return { events, truncated: rows.length > limit };
  }

  /** Intervals that have not ended (of one cluster, or all). */
  open(cluster: string | null = null): ClusterEvent[] {
    const rows = this.db
      .prepare(`SELECT * FROM events WHERE ended_at IS NULL AND (CAST(? AS TEXT) IS NULL OR cluster = ?) AND kind IN (${INTERVAL_KINDS.map(() => '?').join(', ')}) ORDER BY at`)
      .all(cluster, cluster, ...INTERVAL_KINDS);
    return rows.map((r) => toEvent(r));
  }

  /** Closes an open interval by id (e.g. when a back-fill or a restart finds it over). */
  close(id: string, endedAt: number): void {
    const ev = this.get(id);
    if (!ev || ev.endedAt !== null) return;
    this.update(ev, { endedAt, durationMs: Math.max(0, endedAt - ev.at) });
  }

  /**
   * Adds what a log back-fill found about a stored event (server/events/backfill.ts `explained`).
   * A new master's kind is the logs' word (they know when keepalived started): an observed
   * failover may turn out an initial election, and the other way round.
   */
  explain(x: { id: string; kind?: EventKind | null; at: number; cause: string | null; logLines: readonly string[]; durationMs?: number | null; fromMaster?: string | null }): void {
    const ev = this.get(x.id);
    if (!ev) return;
    const kind = x.kind && MASTER_KINDS.includes(x.kind) && MASTER_KINDS.includes(ev.kind) ? x.kind : ev.kind;
    const relabelled = kind !== ev.kind;
    // What the observation guessed under the other kind (an unknown cause, its from/state) gives way.
    const base = relabelled ? { ...ev, kind, cause: null, fromState: null } : ev;
    this.update(ev, {
      kind,
      ...fill(base, { ...base, at: x.at, cause: x.cause, logLines: [...x.logLines], durationMs: base.durationMs ?? x.durationMs ?? null, fromMaster: base.fromMaster ?? x.fromMaster ?? null, source: 'log' }),
    });
  }

  /** Removes events older than `before` (retention). */
  prune(before: number): number {
    return this.db.prepare('DELETE FROM events WHERE coalesce(ended_at, at) < ? AND NOT (ended_at IS NULL AND kind IN (' + INTERVAL_KINDS.map(() => '?').join(', ') + '))').run(before, ...INTERVAL_KINDS).changes;
  }

  private addOne(e: NewClusterEvent): AddResult {
    if (e.endedAt !== null && INTERVAL_KINDS.includes(e.kind)) {
      const r = this.findOpen.get(...keyOf(e), e.endedAt);
      if (r !== undefined) {
        const open = toEvent(r);
        this.update(open, { ...fill(open, e), endedAt: e.endedAt, durationMs: Math.max(0, e.endedAt - open.at) });
        return { id: open.id, action: 'closed' };
      }
    }
    const near = this.findNear.get(...keyOf(e), e.at - DEDUPE_WINDOW_MS, e.at + DEDUPE_WINDOW_MS, e.at);
    if (near !== undefined) {
      const existing = toEvent(near);
      this.update(existing, fill(existing, e));
      return { id: existing.id, action: 'merged' };
    }
    const info = this.insertStmt.run(
      e.cluster, e.kind, e.director, e.instance, e.fromState, e.toState, e.fromMaster, e.toMaster,
      Math.round(e.at), e.endedAt === null ? null : Math.round(e.endedAt), e.durationMs === null ? null : Math.round(e.durationMs),
      e.cause, e.service, e.realServer, JSON.stringify(e.logLines), e.source,
    );
    return { id: String(info.lastInsertRowid), action: 'inserted' };
  }

  private update(ev: ClusterEvent, patch: Partial<ClusterEvent>): void {
    const n = { ...ev, ...patch };
    this.updateStmt.run(n.kind, Math.round(n.at), n.fromState, n.toState, n.fromMaster, n.toMaster, n.endedAt, n.durationMs, n.cause, JSON.stringify(n.logLines), Number(ev.id));
  }
}

/** What a second report of the same event adds: only fields the stored one lacks, and more log lines. */
function fill(existing: ClusterEvent, e: NewClusterEvent): Partial<ClusterEvent> {
  // The director's own log time is more exact than an observation's (points only: an interval keeps its span).
  const logTime = e.source === 'log' && existing.source === 'observed' && existing.endedAt === null && e.endedAt === null;
  return {
    at: logTime ? e.at : existing.at,
    fromState: existing.fromState ?? e.fromState,
    toState: existing.toState ?? e.toState,
    fromMaster: existing.fromMaster ?? e.fromMaster,
    toMaster: existing.toMaster ?? e.toMaster,
    endedAt: existing.endedAt ?? e.endedAt,
    durationMs: existing.durationMs ?? e.durationMs,
    cause: existing.cause ?? e.cause,
    logLines: union(existing.logLines, e.logLines),
  };
}
