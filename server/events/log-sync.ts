import 'server-only';
import { LOG_ONLY_KINDS, type ClusterEvent, type NewClusterEvent } from '@/lib/models/events';
import type { KeepalivedLogFormat } from '@/lib/models/keepalived';
import { journalctlEntries, readFile } from '@/server/commands/catalogue';
import type { ClusterConfig, DirectorConfig } from '@/server/config/schema';
import { exec } from '@/server/ssh/exec';
import type { SshPool } from '@/server/ssh/pool';
import { backfillEvents, parseLogLenient, type DirectorLogText } from './backfill';
import type { AddResult, EventStore } from './store';

// Reads keepalived's log of every director of a cluster over SSH and runs the pure back-fill
// (server/events/backfill.ts) against what is stored:
// - `add: true` (console start-up, a director reachable again): transitions the console did not
//   see are stored (store dedupe: running it twice stores nothing new);
// - always: stored events the logs explain get the director's log time, the cause and raw lines.
// Bounded: at most `maxAgeMs` back (default 24 h) and the last `maxLines` lines per director.

export const BACKFILL_MAX_AGE_MS = 24 * 3_600_000;
export const BACKFILL_MAX_LINES = 20_000;
export const EXPLAIN_MAX_LINES = 5000;
/** Start a little before the requested time: the cause of a transition is logged before it. */
const LEAD_MS = 60_000;

export type ReadDirectorLog = (director: DirectorConfig, since: number, maxLines: number) => Promise<DirectorLogText>;
/** NetworkManager's journal lines of one director around a time (empty where it has none). */
export type ReadNetworkManagerLog = (director: DirectorConfig, from: number, to: number) => Promise<string[]>;

export interface LogSyncOptions {
  clusters: readonly ClusterConfig[];
  store: EventStore;
  readLog: ReadDirectorLog;
  /** For a VIP removed outside keepalived: what NetworkManager logged just before (optional). */
  readNetworkManagerLog?: ReadNetworkManagerLog;
  now?: () => number;
  maxAgeMs?: number;
  maxLines?: number;
  /** Called with the events a sync stored anew (e.g. to send webhooks for recent ones). */
  onAdded?: (events: ClusterEvent[]) => void;
}

export interface SyncRequest {
  /** Events from this time on (default: the cluster's last stored event). Never before now - maxAgeMs. */
  since?: number;
  /** Store transitions found only in the logs (default false: only explain stored events). */
  add?: boolean;
}

export interface SyncResult {
  cluster: string;
  since: number;
  added: number;
  explained: number;
  /** Directors whose log could not be read, with why (the others were still used). */
  errors: { director: string; message: string }[];
}

export class LogSync {
  private readonly running = new Map<string, Promise<SyncResult>>();
  private readonly queued = new Map<string, { req: SyncRequest; promise: Promise<SyncResult> }>();
  private readonly now: () => number;

  constructor(private readonly opts: LogSyncOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** One sync of a cluster at a time; requests made meanwhile are merged into one that runs next. */
  sync(cluster: string, req: SyncRequest = {}): Promise<SyncResult> {
    const current = this.running.get(cluster);
    if (!current) return this.start(cluster, req);
    const q = this.queued.get(cluster);
    if (q) {
      q.req = mergeRequests(q.req, req);
      return q.promise;
    }
    const entry = { req } as { req: SyncRequest; promise: Promise<SyncResult> };
    entry.promise = current.catch(() => undefined).then(() => {
      this.queued.delete(cluster);
      return this.start(cluster, entry.req);
    });
    this.queued.set(cluster, entry);
    return entry.promise;
  }

  private start(cluster: string, req: SyncRequest): Promise<SyncResult> {
    const p = this.run(cluster, req).finally(() => {
      if (this.running.get(cluster) === p) this.running.delete(cluster);
    });
    this.running.set(cluster, p);
    return p;
  }

  /**
   * A VIP removed outside keepalived: NetworkManager's own lines from just before (its audit line
   * names the re-apply or activation and who asked) go with keepalived's, and the cause says so.
   * A director without NetworkManager, or whose journal is unreadable, adds nothing.
   */
  private async withNetworkManagerLog(cluster: ClusterConfig, e: NewClusterEvent): Promise<NewClusterEvent> {
    const director = cluster.directors.find((d) => d.name === e.director);
    if (!director || !this.opts.readNetworkManagerLog) return e;
    let lines: string[];
    try {
      // keepalived's console log has one-second resolution: up to a second after `at` still precedes it
      lines = await this.opts.readNetworkManagerLog(director, e.at - NM_LEAD_MS, e.at + 1000);
    } catch {
      return e;
    }
    if (lines.length === 0) return e;
    const audit = lines.filter((l) => /audit: op="(device-reapply|connection-activate|connection-update|device-managed)"/.test(l)).at(-1);
    const op = audit ? /op="([^"]+)"/.exec(audit)?.[1] : undefined;
    const cause = op ? `${e.cause ?? ''} NetworkManager logged ${op} just before.`.trim() : e.cause;
    return { ...e, cause, logLines: [...e.logLines, ...lines.slice(-12)] };
  }

  private async run(name: string, req: SyncRequest): Promise<SyncResult> {
    const cluster = this.opts.clusters.find((c) => c.name === name);
    if (!cluster) throw new Error(`no cluster named "${name}" is configured`);
    const { store } = this.opts;
    const now = this.now();
    const floor = now - (this.opts.maxAgeMs ?? BACKFILL_MAX_AGE_MS);
    const last = store.query({ cluster: name, from: floor, to: now, limit: 1 }).events[0]?.at ?? floor;
    const since = Math.max(floor, (req.since ?? last) - LEAD_MS);
    // Explaining a fresh event needs only the last minutes: read less (it runs after every VRRP event).
    const maxLines = Math.min(this.opts.maxLines ?? BACKFILL_MAX_LINES, req.add ? Infinity : EXPLAIN_MAX_LINES);

    const errors: SyncResult['errors'] = [];
    const logs: DirectorLogText[] = [];
    await Promise.all(
      cluster.directors.map(async (d) => {
        try {
          logs.push(await this.opts.readLog(d, since, maxLines));
        } catch (e) {
          errors.push({ director: d.name, message: e instanceof Error ? e.message : String(e) });
        }
      }),
    );
    if (logs.length === 0) return { cluster: name, since, added: 0, explained: 0, errors };

    const existing = store.query({ cluster: name, from: since - LEAD_MS, to: now + LEAD_MS, limit: 10_000 }).events;
    const r = backfillEvents({ cluster: name, logs, existing });
    for (const x of r.explained) store.explain(x);
    let added: NewClusterEvent[] = [];
    let results: AddResult[] = [];
    // The logs before `since` were context for the state machine; their events are not new. Kinds
    // only the log knows (a VIP removed and set again within a second) are stored on every read.
    added = r.added.filter((e) => e.at >= since && (req.add === true || LOG_ONLY_KINDS.includes(e.kind)));
    added = await Promise.all(added.map(async (e) => (e.kind === 'vip-removed' ? this.withNetworkManagerLog(cluster, e) : e)));
    if (added.length > 0) results = store.addAll(added);
    const fresh = results.filter((x) => x.action === 'inserted').map((x) => store.get(x.id)).filter((e): e is ClusterEvent => e !== null);
    if (fresh.length > 0) this.opts.onAdded?.(fresh);
    return { cluster: name, since, added: fresh.length, explained: r.explained.length, errors };
  }
}

/** How far before a VIP's removal NetworkManager's lines are looked at (a re-apply logs within ms of it). */
const NM_LEAD_MS = 10_000;

function mergeRequests(a: SyncRequest, b: SyncRequest): SyncRequest {
  const since = a.since === undefined || b.since === undefined ? undefined : Math.min(a.since, b.since);
  return { since, add: Boolean(a.add) || Boolean(b.add) };
}

const FILE_FORMATS: readonly KeepalivedLogFormat[] = ['console', 'journal-short-iso', 'syslog'];

/** The format most of a log file's lines parse in (keepalived --log-file or an rsyslog file). */
export function detectLogFormat(text: string, year: number): { format: KeepalivedLogFormat; year: number } {
  const sample = text.split('\n').filter((l) => l.trim() !== '').slice(-200).join('\n');
  let best: { format: KeepalivedLogFormat; year: number; n: number } = { format: 'console', year, n: -1 };
  for (const format of FILE_FORMATS) {
    const n = parseLogLenient(sample, { format, year }).length;
    if (n > best.n) best = { format, year, n };
  }
  return { format: best.format, year: best.year };
}

/** NetworkManager's journal (`journalctl -t NetworkManager -o json`) of one director between `from` and `to`, as "ISO-time NetworkManager: message" lines. */
export function sshNetworkManagerLogReader(pool: SshPool, commandTimeoutMs: number): ReadNetworkManagerLog {
  return async (director, from, to) => {
    const r = await exec(director, journalctlEntries({ source: { identifiers: ['NetworkManager'] }, since: from, lines: 200 }), {
      pool, timeoutMs: commandTimeoutMs, maxOutputBytes: 4 * 1024 * 1024,
    });
    return networkManagerJournalLines(r.stdout, from, to);
  };
}

/** `journalctl -o json` lines -> "ISO-time NetworkManager: MESSAGE" within [from, to]; unparsable lines are skipped. */
export function networkManagerJournalLines(jsonLines: string, from: number, to: number): string[] {
  const out: string[] = [];
  for (const line of jsonLines.split('\n')) {
    if (!line.startsWith('{')) continue;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof rec !== 'object' || rec === null) continue;
    const { __REALTIME_TIMESTAMP: ts, MESSAGE: msg } = rec as Record<string, unknown>;
    const at = typeof ts === 'string' ? Number(ts) / 1000 : NaN;
    if (!Number.isFinite(at) || typeof msg !== 'string' || at < from || at > to) continue;
    out.push(`${new Date(Math.floor(at)).toISOString()} NetworkManager: ${msg}`);
  }
  return out;
}

/** Reads one director's keepalived log over SSH: the configured file's tail, or the journal since `since`. */
export function sshLogReader(pool: SshPool, commandTimeoutMs: number): ReadDirectorLog {
  return async (director, since, maxLines) => {
    const src = director.keepalivedLog;
    const opts = { pool, timeoutMs: Math.max(commandTimeoutMs, 30_000), maxOutputBytes: 32 * 1024 * 1024 };
    if ('file' in src) {
      const r = await exec(director, readFile(src.file, { tailLines: maxLines }), opts);
      const { format, year } = detectLogFormat(r.stdout, new Date(since).getUTCFullYear());
      return { director: director.name, text: r.stdout, options: { format, year } };
    }
    const r = await exec(director, journalctlEntries({ source: { unit: src.journald.unit }, since, lines: maxLines }), opts);
    return { director: director.name, text: r.stdout, options: { format: 'journal-json' } };
  };
}
