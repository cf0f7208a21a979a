import type { Intent } from '@/lib/models/drain';
import type { NewClusterEvent } from '@/lib/models/events';
import type { Drift } from './reconcile';

// The event rows the drain reconciler records on the cluster's timeline (pure).

/** A held weight found drifted on a director and re-applied (or not). */
export function driftRepairEvent(cluster: string, director: string, d: Drift, at: number, cause: string): NewClusterEvent {
  return {
    cluster,
    kind: 'drift-repair',
    director,
    instance: null,
    fromState: String(d.found),
    toState: String(d.intent.weight),
    fromMaster: null,
    toMaster: null,
    at,
    endedAt: null,
    durationMs: null,
    cause,
    service: d.intent.service,
    realServer: d.intent.realServer,
    logLines: [],
    source: 'observed',
  };
}

/** A hold whose lease ran out, restored to its weight from before. */
export function holdExpiredEvent(cluster: string, i: Intent, outcome: string, at: number): NewClusterEvent {
  return {
    cluster,
    kind: 'hold-expired',
    director: null,
    instance: null,
    fromState: String(i.weight),
    toState: String(i.restoreWeight),
    fromMaster: null,
    toMaster: null,
    at,
    endedAt: null,
    durationMs: null,
    cause: `the ${i.kind} of ${i.realServer} in ${i.service} by ${i.actor} ("${i.reason}") expired: restored to weight ${i.restoreWeight} (${outcome})`,
    service: i.service,
    realServer: i.realServer,
    logLines: [],
    source: 'observed',
  };
}
