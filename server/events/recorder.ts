import 'server-only';
import type { ClusterSnapshot, DirectorView } from '@/lib/models/cluster';
import { detectEvents, missedTransitionsSince, rememberMasters } from './detect';
import type { NewClusterEvent } from '@/lib/models/events';
import type { AddResult, EventStore } from './store';

/** What one record() stored: each detected event and what the store did with it. */
export type Recorded = { event: NewClusterEvent; result: AddResult }[] & {
  /** Transitions keepalived's dump shows and no poll saw (detect.ts missedTransitionsSince), since when. */
  missedSince?: number | null;
};

// Keeps the previous snapshot of each cluster and stores what changed since (called on every
// collector tick). The first snapshot after start-up only sets the baseline.

export class EventRecorder {
  private readonly prev = new Map<string, ClusterSnapshot>();
  private readonly lastMasters = new Map<string, Map<string, string>>();
  private readonly lastLive = new Map<string, Map<string, DirectorView>>();

  constructor(private readonly store: EventStore) {}

  /**
   * `store` false (another console leads the cluster): the baseline moves on and nothing is stored,
   * so that this console, taking the cluster over, compares against what it saw last.
   */
  record(next: ClusterSnapshot, store = true): Recorded {
    const prev = this.prev.get(next.name) ?? null;
    const masters = this.lastMasters.get(next.name) ?? new Map<string, string>();
    const live = this.lastLive.get(next.name) ?? new Map<string, DirectorView>();
    const events = detectEvents(prev, next, { lastMasters: masters, lastLive: live });
    for (const d of next.directors) if (d.live) live.set(d.name, d);
    this.lastLive.set(next.name, live);
    if (!store) events.length = 0;
    const results = events.length > 0 ? this.store.addAll(events) : [];
    this.lastMasters.set(next.name, rememberMasters(masters, next));
    this.prev.set(next.name, next);
    const recorded: Recorded = events.map((event, i) => ({ event, result: results[i] ?? { id: '', action: 'merged' } }));
    recorded.missedSince = missedTransitionsSince(prev, next);
    return recorded;
  }
}
