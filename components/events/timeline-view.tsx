'use client';

import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { auditQueries } from '@/lib/api/audit-queries';
import { eventExportHrefs, eventQueries, type EventsParams } from '@/lib/api/events-queries';
import { describeEvent, formatGap } from '@/lib/event-text';
import type { ClusterEvent } from '@/lib/models/events';
import { buildTimeline, GROUP_LABELS, kindsFor, resolveRange, TIMELINE_GROUPS, type RangePreset, type TimelineGroup, type TimelineItem } from '@/lib/timeline';
import { Section } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { ClusterLink } from '@/components/ui/links';
import { ClockAndAge } from '@/components/ui/relative-time';
import { StatusPill, type Tone } from '@/components/ui/status-pill';
import { useNow } from '@/components/ui/use-now';

// One incident timeline: VRRP transitions, failovers (before -> after, gap, cause, raw log lines),
// no-master gaps, split brains, keepalived and real-server changes, reachability, and the audit
// log's operator actions and drift repairs, newest first, with filters and CSV/JSON export.

const GROUP_TONE: Record<TimelineGroup, Tone> = {
  failover: 'warning',
  vrrp: 'info',
  'no-master': 'critical',
  'split-brain': 'critical',
  keepalived: 'warning',
  'real-server': 'info',
  director: 'warning',
  operator: 'accent',
  'drift-repair': 'neutral',
};

const PRESETS: { value: RangePreset; label: string }[] = [
  { value: '1h', label: 'Last hour' },
  { value: '24h', label: 'Last 24 h' },
  { value: '7d', label: 'Last 7 days' },
  { value: 'custom', label: 'Custom' },
];

/** datetime-local value (local time) <-> epoch ms. */
function toLocalInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}
/** A local date-and-time input for one end of a custom range (epoch ms; undefined when empty). */
function TimeField({ label, value, onChange, testId }: { label: string; value: number | undefined; onChange: (ms: number | undefined) => void; testId: string }) {
  return (
    <label className="flex flex-col gap-1">
      <span className="text-xs text-muted">{label}</span>
      <input
        type="datetime-local"
        className="rounded border border-line bg-surface px-2 py-1"
        value={value === undefined ? '' : toLocalInput(value)}
        onChange={(e) => onChange(fromLocalInput(e.target.value))}
        data-testid={testId}
      />
    </label>
  );
}

function fromLocalInput(v: string): number | undefined {
  const t = new Date(v).getTime();
  return Number.isNaN(t) ? undefined : t;
}

function Clock({ at }: { at: number }) {
  return <ClockAndAge at={at} className="whitespace-nowrap" />;
}

function EventRow({ item, event }: { item: Extract<TimelineItem, { type: 'event' }>; event: ClusterEvent }) {
  const failover = event.kind === 'failover';
  const open = event.endedAt === null && ['no-master', 'split-brain', 'director-unreachable', 'keepalived-down', 'real-server-down'].includes(event.kind);
  return (
    <li
      className="px-4 py-3"
      data-testid="timeline-event"
      data-kind={event.kind}
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
      <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1 text-sm">
        <RowStart at={event.at} group={item.group} what={event.kind} />
        <ClusterLink name={event.cluster} />
        {event.instance ? <span className="font-mono text-xs">{event.instance}</span> : null}
        {open ? <StatusPill tone="critical">ongoing</StatusPill> : null}
      </div>
      {failover ? (
        <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-3 text-sm sm:grid-cols-[auto_auto_auto_auto_auto_1fr]">
          <dt className="text-muted">Master before</dt>
          <dd className="font-semibold" data-testid="failover-from">
            {event.fromMaster ?? 'unknown'}
          </dd>
          <dt className="text-muted">after</dt>
          <dd className="font-semibold" data-testid="failover-to">
            {event.toMaster ?? event.director ?? 'unknown'}
          </dd>
          <dt className="text-muted">gap</dt>
          <dd data-testid="failover-gap">{item.gapMs === null ? 'unknown' : formatGap(item.gapMs)}</dd>
        </dl>
      ) : (
        <p className="mt-1 text-sm">{describeEvent(event, { cluster: false }).replace(event.cause ? `: ${event.cause}` : '', '')}</p>
      )}
      <p className="mt-0.5 text-sm" data-testid="timeline-cause">
        <span className="text-muted">Cause: </span>
        {event.cause ?? <span className="text-faint">{failover ? 'not in the logs (yet)' : '—'}</span>}
      </p>
      {event.logLines.length > 0 ? (
        <details className="mt-1 text-xs" data-testid="timeline-log">
          <summary className="cursor-pointer text-accent hover:underline">Log lines ({event.logLines.length})</summary>
          <pre className="mt-1 overflow-x-auto rounded bg-sunken p-2 font-mono text-[0.7rem] leading-relaxed">{event.logLines.join('\n')}</pre>
        </details>
      ) : null}
    </li>
  );
}

/** The start of a timeline row: when, and what (coloured by its group). */
function RowStart({ at, group, what }: { at: number; group: TimelineItem['group']; what: string }) {
  return (
    <>
      <span className="text-xs text-muted">
        <Clock at={at} />
      </span>
      <StatusPill tone={GROUP_TONE[group]} plain>
        {what}
      </StatusPill>
    </>
  );
}

function AuditRow({ item }: { item: Extract<TimelineItem, { type: 'audit' }> }) {
  const e = item.entry;
  return (
    <li className="px-4 py-3" data-testid="timeline-audit" data-action={e.action} data-outcome={e.outcome} data-cluster={e.cluster ?? ''}>
      <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1 text-sm">
        <RowStart at={e.at} group={item.group} what={e.action} />
        {e.cluster ? <ClusterLink name={e.cluster} /> : null}
        <span className="font-mono text-xs">{e.target ?? ''}</span>
        <span className="text-xs">
          by <span className="font-medium">{e.actor}</span> · {e.outcome === 'attempted' ? 'attempted, no outcome recorded' : e.outcome}
        </span>
      </div>
    </li>
  );
}

export function TimelineView({ cluster, title = 'Timeline', limit = 1000 }: { cluster: string | null; title?: string; limit?: number }) {
  const now = useNow();
  const [preset, setPreset] = useState<RangePreset>('24h');
  const [custom, setCustom] = useState<{ from?: number; to?: number }>({});
  const [groups, setGroups] = useState<TimelineGroup[]>([]);
  const [clusterFilter, setClusterFilter] = useState<string>('');
  const range = useMemo(() => (preset === 'custom' ? { preset, ...custom } : { preset }), [preset, custom]);
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
  const clusters = useMemo(() => [...new Set((events.data?.events ?? []).map((e) => e.cluster))].sort(), [events.data]);
  const exports = eventExportHrefs(params, now);

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
            {items.map((i) => (i.type === 'event' ? <EventRow key={i.key} item={i} event={i.event} /> : <AuditRow key={i.key} item={i} />))}
          </ol>
        </div>
      )}
    </Section>
  );
}
