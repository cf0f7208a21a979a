import 'server-only';
import type { AuditEntry, NewAuditEntry } from '@/lib/models/audit';

// Refused requests, counted per source instead of one audit row each (issue 14, item 3): a flood
// of refusals must not grow the append-only log without bound. The first refusal of a key (source,
// kind of action, and the authenticated actor if there is one) opens a one-minute window and is
// written as a row, as before. Further refusals of that key inside the window are only counted in
// memory; when the window has closed (the next refusal after it, the periodic sweep, or shutdown)
// they are written as one summary row "refused ×N" naming the row they continue. Nothing is
// updated in place: the chain stays append-only. The number of open windows is bounded; past it,
// refusals from further sources share one overflow window (source "*").

export interface RefusalKey {
  /** What was refused, without made-up parts: "POST /api/clusters/[cluster]/drain", "login". */
  kind: string;
  /**
   * The authenticated actor, whose refusals are counted apart from others' from the same address;
   * null when the actor is not authenticated (anonymous, or the name typed into a login form).
   */
  by: string | null;
}

export interface RefusalOptions {
  /** How long a window stays open (default one minute). */
  windowMs?: number;
  /** Open windows kept in memory at most (default 1000); more sources share the overflow window. */
  maxWindows?: number;
  now?: () => number;
  /** Where a summary that cannot be written is reported (default console.error). */
  log?: (line: string) => void;
}

/** How many distinct actors, actions and messages a summary lists as examples. */
const SAMPLES = 10;
export const OVERFLOW_SOURCE = '*';

interface Window {
  firstId: string;
  firstAt: number;
  closesAt: number;
  kind: string;
  source: string;
  /** Refusals after the first, not yet written. */
  count: number;
  lastAt: number;
  role: string | null;
  actors: Set<string>;
  actions: Set<string>;
  clusters: Set<string | null>;
  messages: Set<string>;
}

type Append = (e: NewAuditEntry) => AuditEntry;

function messageOf(detail: unknown): string | null {
  if (typeof detail !== 'object' || detail === null) return null;
  const m = (detail as { message?: unknown }).message;
  return typeof m === 'string' ? m : null;
}

function addSample<T>(set: Set<T>, v: T): void {
  if (set.size < SAMPLES || set.has(v)) set.add(v);
}

export class RefusalAudit {
  /** Insertion order = opening order, so the windows that closed first are at the front. */
  private readonly windows = new Map<string, Window>();
  private readonly windowMs: number;
  private readonly maxWindows: number;
  private readonly now: () => number;
  private readonly log: (line: string) => void;

  constructor(
    private readonly append: Append,
    opts: RefusalOptions = {},
  ) {
    this.windowMs = opts.windowMs ?? 60_000;
    this.maxWindows = opts.maxWindows ?? 1000;
    this.now = opts.now ?? (() => Date.now());
    this.log = opts.log ?? ((l) => console.error(l));
  }

  /**
   * Record a refusal: written as a row when it opens a window (the row is returned), otherwise
   * counted (null). Throws only when that row cannot be written.
   */
  record(e: NewAuditEntry, key: RefusalKey): AuditEntry | null {
    const now = this.now();
    this.sweep(now);
    let k = JSON.stringify([e.source, key.kind, key.by]);
    if (!this.windows.has(k) && this.windows.size >= this.maxWindows) k = JSON.stringify([OVERFLOW_SOURCE]);
    const open = this.windows.get(k);
    if (open) {
      open.count++;
      open.lastAt = now;
      addSample(open.actors, e.actor);
      addSample(open.actions, e.action);
      addSample(open.clusters, e.cluster);
      const m = messageOf(e.detail);
      if (m !== null) addSample(open.messages, m);
      return null;
    }
    const overflow = k === JSON.stringify([OVERFLOW_SOURCE]);
    const detail = overflow
      ? { ...(typeof e.detail === 'object' && e.detail !== null ? e.detail : {}), overflow: `more than ${this.maxWindows} sources refused within a minute: further refusals from any source are counted together` }
      : e.detail;
    const row = this.append({ ...e, at: now, outcome: 'refused', detail });
    const message = messageOf(e.detail);
    this.windows.set(k, {
      firstId: row.id,
      firstAt: now,
      closesAt: now + this.windowMs,
      kind: overflow ? 'any' : key.kind,
      source: overflow ? OVERFLOW_SOURCE : e.source,
      count: 0,
      lastAt: now,
      role: e.role,
      actors: new Set([e.actor]),
      actions: new Set([e.action]),
      clusters: new Set([e.cluster]),
      messages: new Set(message === null ? [] : [message]),
    });
    return row;
  }

  /** Write the summaries of the windows that have closed (the runtime calls this periodically). */
  sweep(now = this.now()): void {
    for (const [k, w] of this.windows) {
      if (w.closesAt > now) break;
      this.close(k, w);
    }
  }

  /** Write every pending summary now (shutdown). */
  flush(): void {
    for (const [k, w] of this.windows) this.close(k, w);
  }

  /** Open windows (for tests and the bound). */
  get size(): number {
    return this.windows.size;
  }

  private close(k: string, w: Window): void {
    this.windows.delete(k);
    if (w.count === 0) return;
    const one = <T>(s: Set<T>): T | undefined => (s.size === 1 ? [...s][0] : undefined);
    const actor = one(w.actors);
    const action = one(w.actions);
    const cluster = one(w.clusters);
    const last = [...w.messages].at(-1);
    try {
      this.append({
        actor: actor ?? 'various',
        role: actor === undefined ? null : w.role,
        source: w.source,
        action: action ?? w.kind,
        cluster: cluster ?? null,
        target: null,
        outcome: 'refused',
        at: this.now(),
        detail: {
          message: `refused ×${w.count} more from ${w.source} within a minute of entry #${w.firstId}${last ? ` (last: ${last})` : ''}`,
          count: w.count,
          continues: w.firstId,
          from: w.firstAt,
          to: w.lastAt,
          ...(actor === undefined ? { actors: [...w.actors] } : {}),
          ...(action === undefined ? { actions: [...w.actions] } : {}),
          messages: [...w.messages],
        },
      });
    } catch (e) {
      this.log(`[audit] could not record ${w.count} refusal(s) from ${w.source} (${w.kind}) after entry #${w.firstId}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
