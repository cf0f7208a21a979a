import 'server-only';
import type { ClusterSnapshot } from '@/lib/models/cluster';
import type { DirectorResult } from '@/lib/models/drain';
import type { AuditLog } from '@/server/audit/log';
import type { ClusterConfig, ConsoleConfig } from '@/server/config/schema';
import type { EventStore } from '@/server/events/store';
import type { SshPool } from '@/server/ssh/pool';
import type { KeyedMutex } from '@/server/concurrency/keyed-mutex';
import type { ConsoleShare } from '@/server/leases/gate';
import { logStoreFailure } from '@/server/db/outage-log';
import { Applier } from './apply';
import { DrainService } from './drain-service';
import { HoldsOverlay } from './holds-overlay';
import type { IntentStore } from './intent-store';
import type { DirectorSteps } from './plan';
import type { ClusterView } from './ports';
import { DrainProgressTracker } from './progress';
import { Reconciler } from './reconciler';

// Builds the drain's parts around one Applier and hands back the collector's hooks. Nothing here
// is on a call path: the collector calls the hooks (holds overlay on each merge, the reconciler
// after each director report and tick, progress sampling on each tick) and the routes call the
// service and the progress tracker; none of them calls back into the others.

export interface DrainDeps {
  config: Pick<ConsoleConfig, 'clusters' | 'drain' | 'pollIntervalMs'>;
  store: IntentStore;
  audit: AuditLog;
  events: EventStore;
  pool: SshPool;
  /** The collector (a getter: the collector is built with these hooks). */
  clusters: () => ClusterView;
  now?: () => number;
  /** Per-command timeout for actions (default the pool's). */
  timeoutMs?: number;
  /** Runs the steps on the directors (default: over SSH, apply.ts); tests pass a fake. */
  apply?: (cluster: ClusterConfig, steps: DirectorSteps[]) => Promise<DirectorResult[]>;
  /** Several consoles on one store: only the cluster's leader reconciles; changes lock across consoles. */
  share?: ConsoleShare;
}

export interface DrainHooks {
  /** The collector's merge hook: holds and drain findings on the merged snapshot. */
  augment: (snapshot: ClusterSnapshot) => ClusterSnapshot;
  /** After each director report: repair drift as soon as a refresh shows it. */
  onDirector: (cluster: string, snapshot: () => ClusterSnapshot) => void;
  /** Each collector tick: sample progress, reconcile. Never throws. */
  onTick: (snapshot: ClusterSnapshot) => Promise<void>;
}

export interface Drain {
  service: DrainService;
  /** The per-cluster lock of every change to a cluster (drains, repairs; director maintenance takes it too). */
  mutex: KeyedMutex;
  progress: DrainProgressTracker;
  reconciler: Reconciler;
  hooks: DrainHooks;
  /** Stop reconciling and overlaying (shutdown: in-flight refreshes must not touch the closing database). */
  close: () => void;
}

export function createDrain(deps: DrainDeps): Drain {
  const now = deps.now ?? Date.now;
  // Changes invalidate the collector's merge and the progress tracker's -Lnc answers together.
  const clusters = (): ClusterView => {
    const v = deps.clusters();
    return {
      snapshot: (c) => v.snapshot(c),
      refreshNow: (c) => v.refreshNow(c),
      nextUpdate: (ms) => v.nextUpdate(ms),
      invalidate: (c) => {
        progress.forget(c);
        v.invalidate(c);
      },
    };
  };
  const applier = new Applier({ pool: deps.pool, clusters, now, timeoutMs: deps.timeoutMs, apply: deps.apply, storeLock: deps.share?.storeLock });
  const leads = deps.share?.leads ?? (() => true);
  const overlay = new HoldsOverlay({ store: deps.store, oldAfterMs: deps.config.drain.oldAfterHours * 3_600_000, memo: applier.memo, now });
  const progress = new DrainProgressTracker({ config: deps.config, store: deps.store, pool: deps.pool, clusters, now });
  const reconciler = new Reconciler({ config: deps.config, store: deps.store, audit: deps.audit, events: deps.events, applier, clusters, now });
  const service = new DrainService({ config: deps.config, store: deps.store, audit: deps.audit, applier, clusters, now });
  let closed = false;
  return {
    service,
    mutex: applier.mutex,
    progress,
    reconciler,
    hooks: {
      augment: (s) => overlay.apply(s),
      onDirector: (cluster, snapshot) => {
        if (leads(cluster) && reconciler.holdsAnything(cluster)) void reconciler.reconcile(snapshot());
      },
      onTick: async (s) => {
        if (closed) return;
        try {
          progress.sample(s);
        } catch (e) {
          logStoreFailure('[drain] progress sampling failed', e);
        }
        // Repairs and expiries are side effects: the cluster's leading console alone makes them.
        if (leads(s.name)) await reconciler.reconcile(s);
      },
    },
    close: () => {
      closed = true;
      overlay.close();
      reconciler.close();
    },
  };
}
