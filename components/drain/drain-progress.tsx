'use client';

import { useQuery } from '@tanstack/react-query';
import dynamic from 'next/dynamic';
import { useMemo } from 'react';
import { toChartData } from '@/lib/chart';
import type { DrainTarget } from '@/lib/api/client';
import { drainQueries } from '@/lib/api/drain';
import { formatCount, formatDuration } from '@/lib/format';
import type { DrainProgress } from '@/lib/models/drain';
import { describeError } from '@/components/ui/error-state';
import { StatusPill, type Tone } from '@/components/ui/status-pill';
import { Skeleton } from '@/components/ui/skeleton';

// Drain progress, as the director holding the VIP sees it: connections per real server over time,
// an estimate of when they reach zero, and which clients still hold the server.

// The chart's code loads with the first drain shown (the holds panel, the dialog): a page without
// a drain does not pay for it.
const TrafficChart = dynamic(() => import('@/components/charts/traffic-chart').then((m) => m.TrafficChart), {
  loading: () => <Skeleton className="h-[140px] w-full" />,
});

const STATE: Record<DrainProgress['state'], { tone: Tone; label: string; description: string }> = {
  draining: { tone: 'warning', label: 'draining', description: 'Weight 0: no new connections; existing ones are finishing' },
  drained: { tone: 'ok', label: 'drained', description: 'Weight 0 and no connections left: safe for maintenance' },
  serving: { tone: 'info', label: 'serving', description: 'Weight above 0 on the VIP holder: still taking new connections' },
  unknown: { tone: 'neutral', label: 'unknown', description: 'No live director holds the VIP, or the real server is absent' },
};

export function DrainStateBadge({ state }: { state: DrainProgress['state'] }) {
  const s = STATE[state];
  return (
    <span data-testid="drain-state" data-state={state}>
      <StatusPill tone={s.tone} title={s.description}>
        {s.label}
      </StatusPill>
    </span>
  );
}

/** The connections still on what is drained (active + inactive per real server, stacked), on the traffic charts' component. */
function ProgressChart({ entries }: { entries: DrainProgress['entries'] }) {
  const { data, from, to } = useMemo(() => {
    const oneService = new Set(entries.map((e) => e.service)).size === 1;
    const series = entries.map((e) => ({
      label: oneService ? e.realServer : `${e.service} → ${e.realServer}`,
      points: e.series.map((p) => ({ t: p.t, activeConns: p.active + p.inactive, inactiveConns: p.inactive, cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 })),
    }));
    const ts = entries.flatMap((e) => e.series.map((p) => p.t));
    return { data: toChartData(series, 'activeConns'), from: Math.min(...ts), to: Math.max(...ts) };
  }, [entries]);
  if (data.xs.length < 2) return null;
  return (
    <div data-testid="drain-progress-chart">
      <TrafficChart data={data} unit="conns" stacked from={from} to={to} height={140} label="Connections (active + inactive) still on what is drained, over time" testId="drain-chart" />
    </div>
  );
}

export function DrainProgressView({ cluster, target, compact = false }: { cluster: string; target: DrainTarget; compact?: boolean }) {
  const q = useQuery(drainQueries.progress(cluster, target));
  if (q.isPending) return <p className="text-sm text-muted">Reading connections…</p>;
  if (q.isError) {
    const e = describeError(q.error);
    return (
      <p role="alert" className="text-sm text-red-800 dark:text-red-300">
        Progress unavailable: {e.detail}
      </p>
    );
  }
  const p = q.data;
  const totals = p.entries.reduce(
    (a, e) => ({ active: a.active + (e.active ?? 0), inactive: a.inactive + (e.inactive ?? 0), persistent: a.persistent + (e.persistent ?? 0) }),
    { active: 0, inactive: 0, persistent: 0 },
  );
  if (compact) {
    return (
      <span className="inline-flex items-center gap-2 text-xs" data-testid="drain-progress-compact">
        <DrainStateBadge state={p.state} />
        <span className="text-muted">
          {formatCount(totals.active)} active · {formatCount(totals.inactive)} inactive · {formatCount(totals.persistent)} persistent
        </span>
      </span>
    );
  }
  const clients = p.connections.flatMap((c) => c.clients);
  const distinct = p.connections.reduce((a, c) => a + c.distinctClients, 0);
  return (
    <div className="space-y-3" data-testid="drain-progress">
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <DrainStateBadge state={p.state} />
        <span>
          <span className="font-medium" data-testid="drain-active">
            {formatCount(totals.active)}
          </span>{' '}
          active, <span className="font-medium">{formatCount(totals.inactive)}</span> inactive,{' '}
          <span className="font-medium">{formatCount(totals.persistent)}</span> persistent
        </span>
        {p.state === 'draining' && p.estimatedSecondsToZero !== null ? (
          <span className="text-muted" title={p.estimateNote ?? undefined} data-testid="drain-estimate">
            zero in ≈ {formatDuration(p.estimatedSecondsToZero * 1000)}
            {p.estimateNote ? ' (at least)' : ''}
          </span>
        ) : null}
      </div>
      <ProgressChart entries={p.entries} />
      <table className="w-full text-left text-xs">
        <thead className="text-muted">
          <tr>
            <th className="py-1 pr-2 font-medium">Service</th>
            <th className="py-1 pr-2 font-medium">Real server</th>
            <th className="py-1 pr-2 font-medium">On</th>
            <th className="py-1 pr-2 text-right font-medium">Weight</th>
            <th className="py-1 pr-2 text-right font-medium">Active</th>
            <th className="py-1 pr-2 text-right font-medium">Inactive</th>
            <th className="py-1 pr-2 text-right font-medium">Persist</th>
            <th className="py-1 font-medium">State</th>
          </tr>
        </thead>
        <tbody>
          {p.entries.map((e) => (
            <tr key={`${e.service} ${e.realServer}`} className="border-t border-line" data-testid="drain-progress-entry" data-state={e.state}>
              <td className="py-1 pr-2 font-mono">{e.service}</td>
              <td className="py-1 pr-2 font-mono">{e.realServer}</td>
              <td className="py-1 pr-2 font-mono text-muted">{e.director ?? '—'}</td>
              <td className="py-1 pr-2 text-right">{formatCount(e.weight)}</td>
              <td className="py-1 pr-2 text-right">{formatCount(e.active)}</td>
              <td className="py-1 pr-2 text-right">{formatCount(e.inactive)}</td>
              <td className="py-1 pr-2 text-right">{formatCount(e.persistent)}</td>
              <td className="py-1">{STATE[e.state === 'absent' ? 'unknown' : e.state].label}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {clients.length > 0 ? (
        <p className="text-xs text-muted" data-testid="drain-clients">
          Still held by {distinct} client{distinct === 1 ? '' : 's'}: <span className="font-mono">{clients.slice(0, 12).join(', ')}</span>
          {distinct > 12 ? ' …' : ''}
        </p>
      ) : null}
      {p.estimateNote ? <p className="text-xs text-muted">{p.estimateNote}</p> : null}
    </div>
  );
}
