'use client';

import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import { useEffect, useMemo, useRef, useState } from 'react';
import { auditQueries } from '@/lib/api/audit-queries';
import { eventExportHrefs, eventQueries, type EventsParams } from '@/lib/api/events-queries';
import { formatGap } from '@/lib/event-text';
import type { ClusterEvent } from '@/lib/models/events';
import {
  buildTimeline,
  entryOfEvent,
  eventAnchor,
  eventIdFromHash,
  GROUP_LABELS,
  groupBursts,
  kindsFor,
  timelineStateFromUrl,
  timelineStateToUrl,
  resolveRange,
  TIMELINE_GROUPS,
  type EventItem,
  type RangePreset,
  type TimelineBurst,
  type TimelineGroup,
  type TimelineItem,
} from '@/lib/timeline';
import { Section } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { ClusterLink } from '@/components/ui/links';
import { ClockAndAge } from '@/components/ui/relative-time';
import { useTimeZoneChoice } from '@/components/ui/time-zone';
import { fromDateTimeInput, toDateTimeInput } from '@/lib/time-zone';
import { StatusPill } from '@/components/ui/status-pill';
import { useNow } from '@/components/ui/use-now';
import { EventCause, eventTone, eventWhat, isOngoing, KIND_LABEL } from './event-style';

// One incident timeline: VRRP transitions, failovers (before -> after, gap, cause, raw log lines),
// no-master gaps, split brains, keepalived and real-server changes, reachability, and the audit
// log's operator actions and drift repairs, newest first, with filters and CSV/JSON export. One
// line per event; a failover's rows folded into one burst (lib/timeline.ts groupBursts). Each event
// has an anchor (#event-<id>): a link to it opens its burst, scrolls to it and marks it, widening
// the range to 7 days when it is older than the range shown.

const PRESETS: { value: RangePreset; label: string }[] = [
  { value: '1h', label: 'Last hour' },
  { value: '24h', label: 'Last 24 h' },
  { value: '7d', label: 'Last 7 days' },
  { value: 'custom', label: 'Custom' },
];

/**
 * A date-and-time input for one end of a custom range (epoch ms; undefined when empty), read and
 * shown in the zone the operator chose (top bar: Local / UTC), which its label names.
 */
function TimeField({ label, value, onChange, testId }: { label: string; value: number | undefined; onChange: (ms: number | undefined) => void; testId: string }) {
  const zone = useTimeZoneChoice();
  return (
    <label className="flex flex-col gap-1">
      <span className="text-xs text-muted">
        {label} ({zone === 'utc' ? 'UTC' : 'local time'})
      </span>
      <input
        type="datetime-local"
        className="rounded border border-line bg-surface px-2 py-1"
        value={value === undefined ? '' : toDateTimeInput(value, zone)}
        onChange={(e) => onChange(fromDateTimeInput(e.target.value, zone))}
        data-testid={testId}
      />
    </label>
  );
}

function Clock({ at }: { at: number }) {
  return <ClockAndAge at={at} className="whitespace-nowrap" />;
}

/** Who was master before and after, and the gap (a failover's line). */
function FailoverWhat({ event, gapMs }: { event: ClusterEvent; gapMs: number | null }) {
  return (
    <span className="inline-flex flex-wrap items-baseline gap-x-1.5">
      <span className="font-semibold" data-testid="failover-from">
        {event.fromMaster ?? 'unknown'}
      </span>
      <span aria-label="to">→</span>
      <span className="font-semibold" data-testid="failover-to">
        {event.toMaster ?? event.director ?? 'unknown'}
      </span>
      <span className="text-muted">
        gap <span data-testid="failover-gap">{gapMs === null ? 'unknown' : formatGap(gapMs)}</span>
      </span>
    </span>
  );
}

/** One event, one line: when, what (coloured by kind), the cause, the raw log lines one click away, a link to it. */
function EventLine({ item, event, showCluster, targeted }: { item: EventItem; event: ClusterEvent; showCluster: boolean; targeted: boolean }) {
  const open = isOngoing(event);
  const anchor = eventAnchor(event.id);
  return (
    <li
      id={anchor}
      tabIndex={-1}
      aria-current={targeted ? 'location' : undefined}
      className={`scroll-mt-20 px-4 py-1.5 focus:outline-none ${targeted ? 'bg-indigo-50 ring-2 ring-inset ring-indigo-500 dark:bg-indigo-400/10' : ''}`}
      data-testid="timeline-event"
      data-event-id={event.id}
      data-kind={event.kind}
      data-tone={eventTone(event)}
      data-cluster={event.cluster}
      data-instance={event.instance ?? ''}
      data-director={event.director ?? ''}
      data-from-master={event.fromMaster ?? ''}
      data-to-master={event.toMaster ?? ''}
      data-gap-ms={item.gapMs ?? ''}
      data-open={open}
      data-source={event.source}
      data-at={event.at}
    >
      <div className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5 text-sm">
        <span className="text-xs text-muted">
          <Clock at={event.at} />
        </span>
        <StatusPill tone={eventTone(event)} plain>
          {KIND_LABEL[event.kind]}
        </StatusPill>
        {showCluster ? <ClusterLink name={event.cluster} /> : null}
        {event.kind === 'failover' ? (
          <>
            {event.instance ? <span className="font-mono text-xs">{event.instance}</span> : null}
            <FailoverWhat event={event} gapMs={item.gapMs} />
          </>
        ) : (
          <span>{eventWhat(event)}</span>
        )}
        {open ? <StatusPill tone="critical">ongoing</StatusPill> : null}
        <EventCause event={event} testId="timeline-cause" />
        {event.logLines.length > 0 ? (
          <details className="text-xs open:basis-full" data-testid="timeline-log">
            <summary className="cursor-pointer text-accent hover:underline">Log lines ({event.logLines.length})</summary>
            <pre className="mt-1 overflow-x-auto rounded bg-sunken p-2 font-mono text-[0.7rem] leading-relaxed">{event.logLines.join('\n')}</pre>
          </details>
        ) : null}
        <a href={`#${anchor}`} className="text-xs text-faint hover:text-accent hover:underline" aria-label={`Link to this ${KIND_LABEL[event.kind]} event`} data-testid="event-permalink">
          #
        </a>
      </div>
    </li>
  );
}

/**
 * A failover (or initial election) with its VRRP transitions on both directors and every
 * instance it moved: one line saying who took over from whom, the gap and the cause; the rows
 * one click away.
 */
function BurstRow({ burst, showCluster, open, onToggle, target }: { burst: TimelineBurst; showCluster: boolean; open: boolean; onToggle: (open: boolean) => void; target: string | null }) {
  const e = burst.head.event;
  return (
    <li className="px-4 py-1.5" data-testid="timeline-burst" data-kind={e.kind} data-cluster={e.cluster} data-head-id={e.id} data-instances={burst.instances.join(' ')}>
      <details open={open} onToggle={(ev) => onToggle(ev.currentTarget.open)}>
        <summary className="flex cursor-pointer flex-wrap items-baseline gap-x-2 gap-y-0.5 text-sm marker:text-faint" data-testid="burst-summary">
          <span className="text-xs text-muted">
            <Clock at={e.at} />
          </span>
          <StatusPill tone={eventTone(e)} plain>
            {KIND_LABEL[e.kind]}
          </StatusPill>
          {showCluster ? <span>{e.cluster}</span> : null}
          <span className="font-mono text-xs">{burst.instances.join(', ')}</span>
          {e.kind === 'failover' ? (
            <span>
              <span className="font-semibold">{e.fromMaster ?? 'unknown'}</span> → <span className="font-semibold">{e.toMaster ?? e.director ?? 'unknown'}</span>
              <span className="text-muted"> gap {burst.gapMs === null ? 'unknown' : formatGap(burst.gapMs)}</span>
            </span>
          ) : (
            <span>
              <span className="font-semibold">{e.toMaster ?? e.director ?? 'unknown'}</span> master
            </span>
          )}
          <EventCause event={e} testId="burst-cause" />
          <span className="text-xs text-accent">{burst.members.length} rows</span>
        </summary>
        <ol className="mt-1 ml-1.5 border-l-2 border-line" aria-label={`${KIND_LABEL[e.kind]} at ${new Date(e.at).toISOString()}, in time order`}>
          {burst.members.map((m) => (
            <EventLine key={m.key} item={m} event={m.event} showCluster={showCluster} targeted={target === m.event.id} />
          ))}
        </ol>
      </details>
    </li>
  );
}

function AuditRow({ item }: { item: Extract<TimelineItem, { type: 'audit' }> }) {
  const e = item.entry;
  return (
    <li className="px-4 py-1.5" data-testid="timeline-audit" data-action={e.action} data-outcome={e.outcome} data-cluster={e.cluster ?? ''}>
      <div className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5 text-sm">
        <span className="text-xs text-muted">
          <Clock at={e.at} />
        </span>
        <StatusPill tone={e.action === 'drift-repair' ? 'neutral' : 'accent'} plain>
          {e.action}
        </StatusPill>
        {e.cluster ? <ClusterLink name={e.cluster} /> : null}
        <span className="font-mono text-xs">{e.target ?? ''}</span>
        <span className="text-xs">
          by <span className="font-medium">{e.actor}</span> · {e.outcome === 'attempted' ? 'attempted, no outcome recorded' : e.outcome}
        </span>
      </div>
    </li>
  );
}

/** The event id in the page's location hash, following changes (a click on an event's link). */
function useEventHash(): string | null {
  const [id, setId] = useState<string | null>(null);
  useEffect(() => {
    const read = () => setId(eventIdFromHash(window.location.hash));
    read();
    window.addEventListener('hashchange', read);
    return () => window.removeEventListener('hashchange', read);
  }, []);
  return id;
}

export function TimelineView({ cluster, title = 'Timeline', limit = 1000 }: { cluster: string | null; title?: string; limit?: number }) {
  const now = useNow();
  // Range, kinds and cluster come from the URL and go back into it: a link shows the same view.
  // (null outside the App Router: component tests render the timeline alone)
  const searchParams: URLSearchParams | null = useSearchParams();
  const [initial] = useState(() => timelineStateFromUrl(searchParams));
  const [preset, setPreset] = useState<RangePreset>(initial.range.preset);
  const [custom, setCustom] = useState<{ from?: number; to?: number }>({ from: initial.range.from, to: initial.range.to });
  const [groups, setGroups] = useState<TimelineGroup[]>(initial.groups);
  const [clusterFilter, setClusterFilter] = useState<string>(initial.cluster);
  const range = useMemo(() => (preset === 'custom' ? { preset, ...custom } : { preset }), [preset, custom]);
  useEffect(() => {
    const next = timelineStateToUrl(window.location.search, { range, groups, cluster: clusterFilter });
    if (next === window.location.search.replace(/^\?/, '')) return;
    window.history.replaceState(window.history.state, '', `${window.location.pathname}${next ? `?${next}` : ''}${window.location.hash}`);
  }, [range, groups, clusterFilter]);
  const params: EventsParams = { cluster, range, kinds: kindsFor(groups), limit };
  const events = useQuery(eventQueries.list(params));
  const audit = useQuery(auditQueries.list(cluster));

  const effectiveCluster = cluster ?? (clusterFilter || null);
  // The window the events were fetched for; audit entries are cut to the same one.
  const from = events.data?.from ?? 0;
  const to = events.data?.to ?? 0;
  const items = useMemo(
    () => buildTimeline(events.data?.events ?? [], audit.data?.entries ?? [], { groups, cluster: effectiveCluster, from, to }),
    [events.data, audit.data, groups, effectiveCluster, from, to],
  );
  const entries = useMemo(() => groupBursts(items), [items]);
  const clusters = useMemo(() => [...new Set((events.data?.events ?? []).map((e) => e.cluster))].sort(), [events.data]);
  const exports = eventExportHrefs(params, now);
  const showCluster = cluster === null;

  // A link to one event (#event-<id>): open its burst, widen the range if it is older, scroll to it once.
  const target = useEventHash();
  const [opened, setOpened] = useState<Partial<Record<string, boolean>>>({});
  const targetEntry = target === null ? null : entryOfEvent(entries, target);
  const loaded = events.data !== undefined && !events.isPlaceholderData;
  // Older than the range shown: widen it (state adjusted while rendering, once: 7 days is not widened).
  if (target !== null && loaded && targetEntry === null && (preset === '1h' || preset === '24h')) setPreset('7d');
  // A burst is open when the operator opened it, or (until they close it) when it holds the linked event.
  const isOpen = (key: string) => opened[key] ?? targetEntry?.key === key;
  const scrolledTo = useRef<string | null>(null);
  const targetOpen = targetEntry !== null && (targetEntry.type !== 'burst' || isOpen(targetEntry.key));
  useEffect(() => {
    if (target === null || !targetOpen || scrolledTo.current === target) return;
    const el = document.getElementById(eventAnchor(target));
    if (!el) return;
    scrolledTo.current = target;
    el.scrollIntoView({ block: 'center' });
    el.focus({ preventScroll: true });
  }, [target, targetOpen]);

  const toggle = (g: TimelineGroup) => setGroups((gs) => (gs.includes(g) ? gs.filter((x) => x !== g) : [...gs, g]));

  return (
    <Section
      id="timeline"
      title={title}
      description="Failovers, gaps, split brains, health changes, operator actions and drift repairs, newest first"
      actions={
        <span className="flex gap-3 text-sm">
          <a href={exports.csv} className="text-accent hover:underline" data-testid="export-csv" download>
            Export CSV
          </a>
          <a href={exports.json} className="text-accent hover:underline" data-testid="export-json" target="_blank" rel="noreferrer">
            Export JSON
          </a>
        </span>
      }
    >
      <div className="mb-3 flex flex-wrap items-end gap-3 text-sm" role="group" aria-label="Timeline filters">
        <label className="flex flex-col gap-1">
          <span className="text-xs text-muted">Time range</span>
          <select
            value={preset}
            onChange={(e) => {
              const v = e.target.value as RangePreset;
              if (v === 'custom' && custom.from === undefined) {
                const r = resolveRange({ preset }, Date.now());
                setCustom({ from: r.from, to: r.to });
              }
              setPreset(v);
            }}
            className="rounded border border-line bg-surface px-2 py-1"
            data-testid="timeline-range"
          >
            {PRESETS.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        </label>
        {preset === 'custom' ? (
          <>
            <TimeField label="From" value={custom.from} onChange={(from) => setCustom((c) => ({ ...c, from }))} testId="timeline-from" />
            <TimeField label="To" value={custom.to} onChange={(to) => setCustom((c) => ({ ...c, to }))} testId="timeline-to" />
          </>
        ) : null}
        {cluster === null ? (
          <label className="flex flex-col gap-1">
            <span className="text-xs text-muted">Cluster</span>
            <select value={clusterFilter} onChange={(e) => setClusterFilter(e.target.value)} className="rounded border border-line bg-surface px-2 py-1" data-testid="timeline-cluster">
              <option value="">All clusters</option>
              {clusters.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <fieldset className="flex flex-wrap gap-1.5">
          <legend className="mb-1 text-xs text-muted">Kinds {groups.length === 0 ? '(all)' : ''}</legend>
          {TIMELINE_GROUPS.map((g) => (
            <label key={g} className={`cursor-pointer rounded-full border px-2 py-0.5 text-xs has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-offset-2 has-[:focus-visible]:outline-accent ${groups.includes(g) ? 'border-indigo-500 bg-indigo-50 dark:bg-indigo-400/10' : 'border-line'}`}>
              <input type="checkbox" className="sr-only" checked={groups.includes(g)} onChange={() => toggle(g)} data-testid={`timeline-kind-${g}`} />
              {GROUP_LABELS[g]}
            </label>
          ))}
        </fieldset>
      </div>
      {events.isError ? (
        <ErrorState title="Could not load events" error={events.error} onRetry={() => void events.refetch()} retrying={events.isFetching} />
      ) : events.isPending ? (
        <p className="text-sm text-muted">Loading…</p>
      ) : items.length === 0 ? (
        <EmptyState title="Nothing happened in this range" data-testid="timeline-empty" />
      ) : (
        <div className="rounded-lg border border-line bg-surface">
          {events.data.truncated ? <p className="border-b border-line px-4 py-2 text-xs text-muted">Showing the newest {limit} events: narrow the range or export.</p> : null}
          <ol className="divide-y divide-line" data-testid="timeline-list" aria-label="Timeline">
            {entries.map((i) =>
              i.type === 'burst' ? (
                <BurstRow
                  key={i.key}
                  burst={i}
                  showCluster={showCluster}
                  open={isOpen(i.key)}
                  onToggle={(open) => setOpened((o) => (o[i.key] === open ? o : { ...o, [i.key]: open }))}
                  target={target}
                />
              ) : i.type === 'event' ? (
                <EventLine key={i.key} item={i} event={i.event} showCluster={showCluster} targeted={target === i.event.id} />
              ) : (
                <AuditRow key={i.key} item={i} />
              ),
            )}
          </ol>
        </div>
      )}
    </Section>
  );
}
