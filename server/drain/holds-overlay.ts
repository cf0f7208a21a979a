import { logStoreFailure } from '@/server/db/outage-log';
import type { ClusterSnapshot, Finding } from '@/lib/models/cluster';
import type { Intent } from '@/lib/models/drain';
import { drainFindings, withHolds } from './findings';
import type { IntentStore } from './intent-store';
import type { MemoKey, RepairMemo } from './reconcile';

// The holds and drain findings laid over a merged snapshot. The collector calls apply() once per
// merge (server/runtime.ts wires it as the merge's augment hook); planning, progress and the wait
// loop read the merged snapshot and never compute this again.

export interface HoldsOverlayDeps {
  store: IntentStore;
  /** An open hold older than this is flagged (config drain.oldAfterHours). */
  oldAfterMs: number;
  /** The reconciler's repair memo (repairs that keep failing are findings too). */
  memo: ReadonlyMap<MemoKey, RepairMemo>;
  now: () => number;
}

export class HoldsOverlay {
  /** When each finding was first seen, per cluster|finding id (a finding keeps its "since"). */
  private readonly findingSince = new Map<string, number>();
  private closed = false;

  constructor(private readonly deps: HoldsOverlayDeps) {}

  /** Stop reading intents (shutdown: refreshes still in flight must not touch the closing database). */
  close(): void {
    this.closed = true;
  }

  apply(snapshot: ClusterSnapshot): ClusterSnapshot {
    if (this.closed) return snapshot;
    let intents: Intent[];
    try {
      intents = this.deps.store.open(snapshot.name);
    } catch (e) {
      // The database is closing (shutdown while a refresh was in flight) or away: show the directors' data as is.
      logStoreFailure('[drain] cannot read intents', e);
      return snapshot;
    }
    const now = this.deps.now();
    const raw = drainFindings(snapshot, intents, { now, oldAfterMs: this.deps.oldAfterMs, memo: this.deps.memo });
    const prefix = `${snapshot.name}|`;
    const ids = new Set<string>();
    const findings: Finding[] = raw.map((f) => {
      const key = prefix + f.id;
      ids.add(key);
      const since = f.since ?? this.findingSince.get(key) ?? now;
      this.findingSince.set(key, since);
      return { ...f, since };
    });
    for (const k of this.findingSince.keys()) if (k.startsWith(prefix) && !ids.has(k)) this.findingSince.delete(k);
    return withHolds(snapshot, intents, findings);
  }
}
