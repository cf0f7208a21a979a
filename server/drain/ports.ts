import type { ClusterSnapshot } from '@/lib/models/cluster';
import type { ClusterConfig, ConsoleConfig } from '@/server/config/schema';
import { DomainError } from '@/server/errors';
import { PlanError } from './plan';

// What the drain modules share: who acts, the view of the clusters they read (the collector, wired
// by server/runtime.ts), and the two lookups every entry point starts with.

/** Who acts: a person or token (from the route's Actor), or the console itself. */
export interface ActingAs {
  name: string;
  role: string | null;
  source: string;
}

export const SYSTEM: ActingAs = { name: 'system', role: null, source: 'reconciler' };

export interface ClusterView {
  snapshot(cluster: string): ClusterSnapshot | undefined;
  refreshNow(cluster: string): Promise<ClusterSnapshot | undefined>;
  nextUpdate(timeoutMs: number): Promise<void>;
  /** The holds changed: the next read must re-merge. */
  invalidate(cluster: string): void;
}

export function clusterConfig(config: Pick<ConsoleConfig, 'clusters'>, name: string): ClusterConfig {
  const c = config.clusters.find((x) => x.name === name);
  if (!c) throw new DomainError('not-found', `no cluster named "${name}" is configured`);
  return c;
}

export function snapshotOf(view: Pick<ClusterView, 'snapshot'>, cluster: string): ClusterSnapshot {
  const s = view.snapshot(cluster);
  if (!s) throw new DomainError('not-found', `no cluster named "${cluster}" is configured`);
  return s;
}

/** Runs a planning step; a request the plan cannot serve becomes the domain's not-found or invalid. */
export function guardPlan<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof PlanError) throw new DomainError(e.code === 'not-found' ? 'not-found' : 'invalid', e.message);
    throw e;
  }
}
