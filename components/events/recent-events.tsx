'use client';

import { useQuery } from '@tanstack/react-query';
import { useMemo, type ReactNode } from 'react';
import { eventQueries } from '@/lib/api/events-queries';
import { formatGap } from '@/lib/event-text';
import type { ClusterEvent, EventKind } from '@/lib/models/events';
import { buildTimeline, eventAnchor, foldRealServerDowns, groupBursts, type TimelineEntry } from '@/lib/timeline';
import { ErrorState } from '@/components/ui/error-state';
import { ClockAndAge } from '@/components/ui/relative-time';
import { StatusPill, type Tone } from '@/components/ui/status-pill';
import { EventCause, eventTone, eventWhat, isOngoing, KIND_LABEL } from './event-style';

// The cluster page's "last hour", beside the findings: failovers (and an initial election), gaps,
// split brains, keepalived, real servers and directors down, each with its cause, newest first,
// each linking to its row on the timeline below (#event-<id>). A failover's rows are one line, and
// so are real servers that went down together for one cause (a keepalived stop empties a
// director's table: a row per real server would push the failover off the list).

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

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Real servers down together: how many, on how many services, the first few named. */
function RealServersDown({ events }: { events: ClusterEvent[] }) {
  const servers = [...new Set(events.map((e) => e.realServer ?? 'unknown'))];
  const services = new Set(events.map((e) => e.service)).size;
  const ended = events.every((e) => !isOngoing(e));
  const longest = Math.max(...events.map((e) => e.durationMs ?? 0));
  const named = servers.slice(0, 3).join(', ') + (servers.length > 3 ? ` and ${servers.length - 3} more` : '');
  return (
    <>
      {plural(servers.length, 'real server', 'real servers')} on {plural(services, 'service', 'services')} {ended ? `down for up to ${formatGap(longest)}` : 'down'}: {named}
    </>
  );
}

/** One line of the list: when, what kind, what (a link to its row on the timeline), its cause. */
function RecentItem({ event: e, tone, ongoing, count, children }: { event: ClusterEvent; tone: Tone; ongoing: boolean; count?: number; children: ReactNode }) {
  return (
    <li className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5 px-4 py-1.5 text-sm" data-testid="recent-event" data-kind={e.kind} data-count={count} data-event-id={e.id} data-instance={e.instance ?? ''} data-from-master={e.fromMaster ?? ''} data-to-master={e.toMaster ?? ''} data-at={e.at}>
      <span className="text-xs text-muted">
        <ClockAndAge at={e.at} className="whitespace-nowrap" />
      </span>
      <StatusPill tone={tone} plain>
        {KIND_LABEL[e.kind]}
      </StatusPill>
      <a href={`#${eventAnchor(e.id)}`} className="text-accent underline-offset-2 hover:underline" data-testid="recent-link">
        {children}
      </a>
      {ongoing ? <StatusPill tone="critical">ongoing</StatusPill> : null}
      <EventCause event={e} testId="recent-cause" />
    </li>
  );
}

export function RecentEvents({ cluster }: { cluster: string }) {
  const query = useQuery(eventQueries.list({ cluster, range: { preset: '1h' }, kinds: RECENT_KINDS, limit: 200 }));
  const rows = useMemo(() => {
    const d = query.data;
    if (!d) return [];
    return foldRealServerDowns(groupBursts(buildTimeline(d.events, [], { groups: [], cluster, from: d.from, to: d.to })));
  }, [query.data, cluster]);

  if (query.isError && !query.data) {
    return <ErrorState title="Could not load the last hour's events" error={query.error} onRetry={() => void query.refetch()} retrying={query.isFetching} />;
  }
  if (query.isPending) return <p className="px-4 py-2 text-sm text-muted">Loading…</p>;
  if (rows.length === 0) {
    return (
      <p className="px-4 py-2 text-sm text-muted" data-testid="recent-empty">
        No failover, gap, split brain or outage in the last hour.
      </p>
    );
  }
  const more = rows.slice(SHOWN).reduce((n, r) => n + (r.type === 'entry' ? 1 : r.events.length), 0);
  return (
    <>
      <ol className="divide-y divide-line" data-testid="recent-events" aria-label="Last hour">
        {rows.slice(0, SHOWN).map((row) => {
          if (row.type === 'real-servers-down') {
            const [e] = row.events;
            if (!e) return null;
            const ongoing = row.events.some(isOngoing);
            return (
              <RecentItem key={row.key} event={e} tone={ongoing ? 'critical' : 'warning'} ongoing={ongoing} count={row.events.length}>
                <RealServersDown events={row.events} />
              </RecentItem>
            );
          }
          const { entry } = row;
          const e = headOf(entry);
          if (!e) return null;
          return (
            <RecentItem key={entry.key} event={e} tone={eventTone(e)} ongoing={isOngoing(e)}>
              <What entry={entry} event={e} />
            </RecentItem>
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
