'use client';

import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { eventQueries } from '@/lib/api/events-queries';
import { formatGap } from '@/lib/event-text';
import type { ClusterEvent, EventKind } from '@/lib/models/events';
import { buildTimeline, eventAnchor, groupBursts, type TimelineEntry } from '@/lib/timeline';
import { ErrorState } from '@/components/ui/error-state';
import { ClockAndAge } from '@/components/ui/relative-time';
import { StatusPill } from '@/components/ui/status-pill';
import { eventTone, eventWhat, isOngoing, KIND_LABEL } from './event-style';

// The cluster page's "last hour", beside the findings: failovers (and an initial election), gaps,
// split brains, keepalived, real servers and directors down, each with its cause, newest first,
// each linking to its row on the timeline below (#event-<id>). A failover's rows are one line.

const RECENT_KINDS: readonly EventKind[] = ['failover', 'initial-election', 'no-master', 'split-brain', 'keepalived-down', 'real-server-down', 'director-unreachable'];
const SHOWN = 8;

function headOf(entry: TimelineEntry): ClusterEvent | null {
  if (entry.type === 'burst') return entry.head.event;
  return entry.type === 'event' ? entry.event : null;
}

function What({ entry, event }: { entry: TimelineEntry; event: ClusterEvent }) {
  const instances = entry.type === 'burst' ? entry.instances.join(', ') : (event.instance ?? '');
  if (event.kind === 'failover') {
    const gap = entry.type === 'burst' ? entry.gapMs : entry.type === 'event' ? entry.gapMs : null;
    return (
      <>
        <span className="font-mono text-xs">{instances}</span> {event.fromMaster ?? 'unknown'} → {event.toMaster ?? event.director ?? 'unknown'}
        {gap !== null ? <span className="text-muted">, gap {formatGap(gap)}</span> : null}
      </>
    );
  }
  if (event.kind === 'initial-election') {
    return (
      <>
        <span className="font-mono text-xs">{instances}</span> {event.toMaster ?? event.director ?? 'unknown'} master
      </>
    );
  }
  return <>{eventWhat(event)}</>;
}

export function RecentEvents({ cluster }: { cluster: string }) {
  const query = useQuery(eventQueries.list({ cluster, range: { preset: '1h' }, kinds: RECENT_KINDS, limit: 200 }));
  const entries = useMemo(() => {
    const d = query.data;
    if (!d) return [];
    return groupBursts(buildTimeline(d.events, [], { groups: [], cluster, from: d.from, to: d.to }));
  }, [query.data, cluster]);

  if (query.isError && !query.data) {
    return <ErrorState title="Could not load the last hour's events" error={query.error} onRetry={() => void query.refetch()} retrying={query.isFetching} />;
  }
  if (query.isPending) return <p className="px-4 py-2 text-sm text-muted">Loading…</p>;
  if (entries.length === 0) {
    return (
      <p className="px-4 py-2 text-sm text-muted" data-testid="recent-empty">
        No failover, gap, split brain or outage in the last hour.
      </p>
    );
  }
  const more = entries.length - SHOWN;
  return (
    <>
      <ol className="divide-y divide-line" data-testid="recent-events" aria-label="Last hour">
        {entries.slice(0, SHOWN).map((entry) => {
          const e = headOf(entry);
          if (!e) return null;
          return (
            <li key={entry.key} className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5 px-4 py-1.5 text-sm" data-testid="recent-event" data-kind={e.kind} data-event-id={e.id} data-instance={e.instance ?? ''} data-from-master={e.fromMaster ?? ''} data-to-master={e.toMaster ?? ''} data-at={e.at}>
              <span className="text-xs text-muted">
                <ClockAndAge at={e.at} className="whitespace-nowrap" />
              </span>
              <StatusPill tone={eventTone(e)} plain>
                {KIND_LABEL[e.kind]}
              </StatusPill>
              <a href={`#${eventAnchor(e.id)}`} className="text-accent underline-offset-2 hover:underline" data-testid="recent-link">
                <What entry={entry} event={e} />
              </a>
              {isOngoing(e) ? <StatusPill tone="critical">ongoing</StatusPill> : null}
              {e.cause ? (
                <span data-testid="recent-cause">
                  <span className="text-muted">cause: </span>
                  {e.cause}
                </span>
              ) : e.kind === 'failover' ? (
                <span className="text-faint" data-testid="recent-cause">
                  cause not in the logs (yet)
                </span>
              ) : null}
            </li>
          );
        })}
      </ol>
      {more > 0 ? (
        <p className="border-t border-line px-4 py-1.5 text-xs">
          <a href="#timeline" className="text-accent hover:underline">
            {more} more in the timeline
          </a>
        </p>
      ) : null}
    </>
  );
}
