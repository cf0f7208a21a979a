import { z } from 'zod/mini';

// Failover history: what happened to a cluster, when, and (when the logs say) why.
// Events come from comparing consecutive snapshots (`observed`) or from keepalived's logs (`log`).

export const EventKind = z.enum([
  'vrrp-transition',
  'failover',
  /**
   * The first master of an instance with no previous master known: the cluster's keepalived
   * starting (no director was running it before), or the console starting during a gap. Not a failover.
   */
  'initial-election',
  'no-master',
  'split-brain',
  'director-unreachable',
  'director-reachable',
  'keepalived-down',
  'keepalived-up',
  'real-server-up',
  'real-server-down',
  /** The console re-applied a held weight (drain/re-weight) on a director where it had drifted. */
  'drift-repair',
  /** A drain or weight hold's lease ran out (restored, or left held and flagged). */
  'hold-expired',
  /**
   * A VIP removed from a director outside keepalived (ip addr del, NetworkManager re-applying a
   * profile), from keepalived's own log line; durationMs: until the VIPs were set again (here or on a peer).
   */
  'vip-removed',
  /** A rolling maintenance (issue #18) began a batch: its hosts are being drained. */
  'rollout-batch',
  /** A rollout waits for someone: a host's maintenance ("done"), or a drain past its deadline ("proceed"). */
  'rollout-waiting',
  /** A rollout finished: every host done or skipped. */
  'rollout-finished',
  /** A rollout stopped on a failure or a refusal (a host failed its check, the capacity floor...); cause says why. */
  'rollout-stopped',
]);
export type EventKind = z.infer<typeof EventKind>;

/** Kinds that last a while: they open with endedAt null and are closed when the condition ends. */
export const INTERVAL_KINDS: readonly EventKind[] = ['no-master', 'split-brain', 'director-unreachable', 'keepalived-down', 'real-server-down'];

/** Kinds only keepalived's log knows (too brief for polling): stored whenever a log read finds them. */
export const LOG_ONLY_KINDS: readonly EventKind[] = ['vip-removed'];

/** A new master taking over: a failover, or the first election with no master before. */
export const MASTER_KINDS: readonly EventKind[] = ['failover', 'initial-election'];

export const EventSource = z.enum(['observed', 'log']);
export type EventSource = z.infer<typeof EventSource>;

export const ClusterEvent = z.object({
  id: z.string(),
  cluster: z.string(),
  kind: EventKind,
  /** The director the event is about (for a failover or an initial election: the new master). */
  director: z.nullable(z.string()),
  /** VRRP instance name. */
  instance: z.nullable(z.string()),
  /** VRRP states for transitions; 'running'/'stopped', 'up'/'down' for process and health events. */
  fromState: z.nullable(z.string()),
  toState: z.nullable(z.string()),
  fromMaster: z.nullable(z.string()),
  toMaster: z.nullable(z.string()),
  /** Epoch ms: the director's own (log or keepalived transition) time when known, else observation time. */
  at: z.number(),
  /** For intervals (gaps, split brain, outages): when it ended; null while it lasts or for point events. */
  endedAt: z.nullable(z.number()),
  durationMs: z.nullable(z.number()),
  /** Why, in plain words, when known. */
  cause: z.nullable(z.string()),
  /** MergedService key for real-server events. */
  service: z.nullable(z.string()),
  /** Real server key ("192.0.2.11:80") for real-server events. */
  realServer: z.nullable(z.string()),
  /** Raw log lines that back the event and its cause. */
  logLines: z.array(z.string()),
  source: EventSource,
});
export type ClusterEvent = z.infer<typeof ClusterEvent>;

/** An event before it is stored (no id yet). */
export type NewClusterEvent = Omit<ClusterEvent, 'id'>;

export const EventList = z.object({
  /** null: every cluster. */
  cluster: z.nullable(z.string()),
  from: z.number(),
  to: z.number(),
  kinds: z.nullable(z.array(EventKind)),
  /** Newest first. */
  events: z.array(ClusterEvent),
  /** True when more events matched than were returned. */
  truncated: z.boolean(),
});
export type EventList = z.infer<typeof EventList>;
