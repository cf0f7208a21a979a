import { describeEvent } from '@/lib/event-text';
import { INTERVAL_KINDS, type ClusterEvent, type EventKind } from '@/lib/models/events';
import type { Tone } from '@/components/ui/status-pill';

// How each event kind is said and coloured, the same on the timeline, the cluster page's
// "last hour" list and the overview: down, gaps and split brains red while they last (amber once
// over), failovers amber, ups green, an initial election and VRRP transitions quiet.

export const KIND_LABEL: Record<EventKind, string> = {
  failover: 'failover',
  'initial-election': 'initial election',
  'vrrp-transition': 'VRRP',
  'no-master': 'no master',
  'split-brain': 'split brain',
  'director-unreachable': 'unreachable',
  'director-reachable': 'reachable',
  'keepalived-down': 'keepalived down',
  'keepalived-up': 'keepalived up',
  'real-server-down': 'real server down',
  'real-server-up': 'real server up',
  'drift-repair': 'drift repair',
  'hold-expired': 'hold expired',
  'vip-removed': 'VIP removed outside keepalived',
  'rollout-batch': 'rollout batch',
  'rollout-waiting': 'rollout waiting',
  'rollout-finished': 'rollout finished',
  'rollout-stopped': 'rollout stopped',
};

const KIND_TONE: Record<EventKind, Tone> = {
  failover: 'warning',
  'initial-election': 'info',
  'vrrp-transition': 'neutral',
  'no-master': 'critical',
  'split-brain': 'critical',
  'director-unreachable': 'critical',
  'director-reachable': 'ok',
  'keepalived-down': 'critical',
  'keepalived-up': 'ok',
  'real-server-down': 'critical',
  'real-server-up': 'ok',
  'drift-repair': 'neutral',
  'hold-expired': 'neutral',
  'vip-removed': 'warning',
  'rollout-batch': 'neutral',
  'rollout-waiting': 'info',
  'rollout-finished': 'ok',
  'rollout-stopped': 'warning',
};

/** An interval kind is red while it lasts and amber once it is over. */
export function eventTone(e: Pick<ClusterEvent, 'kind' | 'endedAt'>): Tone {
  const tone = KIND_TONE[e.kind];
  return tone === 'critical' && INTERVAL_KINDS.includes(e.kind) && e.endedAt !== null ? 'warning' : tone;
}

/** Whether an interval event still lasts. */
export function isOngoing(e: Pick<ClusterEvent, 'kind' | 'endedAt'>): boolean {
  return e.endedAt === null && INTERVAL_KINDS.includes(e.kind);
}

/** What happened, without the cluster and without the cause (said apart). */
export function eventWhat(e: ClusterEvent): string {
  const text = describeEvent(e, { cluster: false });
  return e.cause ? text.slice(0, Math.max(0, text.length - e.cause.length - 2)) : text;
}

/**
 * An event's cause, as the timeline, its bursts and the "last hour" list say it. A failover's cause
 * comes from keepalived's logs, read just after it: say when it is not (yet) known.
 */
export function EventCause({ event, testId }: { event: Pick<ClusterEvent, 'kind' | 'cause'>; testId: string }) {
  if (event.cause) {
    return (
      <span data-testid={testId}>
        <span className="text-muted">cause: </span>
        {event.cause}
      </span>
    );
  }
  return event.kind === 'failover' ? (
    <span className="text-faint" data-testid={testId}>
      cause not in the logs (yet)
    </span>
  ) : null;
}
