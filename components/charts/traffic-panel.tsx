'use client';

import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { auditQueries } from '@/lib/api/audit-queries';
import { chartQueries, type ChartScope } from '@/lib/api/chart-queries';
import { DEFAULT_POLL_MS } from '@/lib/api/queries';
import {
  CHART_METRICS,
  CHART_PRESETS,
  chartMarkers,
  chartMetricFromUrl,
  chartRangeFromUrl,
  chartStateToUrl,
  METRIC_INFO,
  resolveChartRange,
  seriesLabel,
  toChartData,
  type ChartMetric,
  type ChartRange,
} from '@/lib/chart';
import { ErrorState } from '@/components/ui/error-state';
import { useClock } from '@/components/ui/relative-time';
import { useNow } from '@/components/ui/use-now';
import { TrafficChart } from './traffic-chart';

// A traffic chart with its controls: range (15 min to 7 days, or a brushed window, kept in the
// URL so a link shows the same picture), metric, and the cluster's events and operator actions
// marked on the time axis. The whole cluster, a service stacked by real server, or a host stacked
// by service.

const PRESET_LABEL: Record<(typeof CHART_PRESETS)[number], string> = { '15m': '15 min', '1h': '1 h', '6h': '6 h', '24h': '24 h', '7d': '7 d' };

export function TrafficPanel({
  cluster,
  scope,
  pollMs = DEFAULT_POLL_MS,
  testId = 'traffic-panel',
}: {
  cluster: string;
  scope: ChartScope;
  pollMs?: number;
  testId?: string;
}) {
  const params: URLSearchParams | null = useSearchParams();
  const [range, setRange] = useState<ChartRange>(() => chartRangeFromUrl(params));
  const [metric, setMetric] = useState<ChartMetric>(() => chartMetricFromUrl(params));
  const now = useNow();
  const clock = useClock();

  useEffect(() => {
    const next = chartStateToUrl(window.location.search, range, metric);
    window.history.replaceState(window.history.state, '', `${window.location.pathname}${next ? `?${next}` : ''}${window.location.hash}`);
  }, [range, metric]);

  const history = useQuery(chartQueries.history(cluster, scope, range, pollMs));
  const events = useQuery(chartQueries.events(cluster, range, pollMs));
  const audit = useQuery(auditQueries.list(cluster));

  // The x range: the data's own window for a fixed range, else the sliding one.
  const { from, to } = history.data ? { from: history.data.from, to: range.preset === 'custom' ? history.data.to : Math.max(history.data.to, now) } : resolveChartRange(range, now);

  const data = useMemo(() => {
    const series = (history.data?.series ?? [])
      // A service's own total is the top of its stack: stack the real servers only.
      .filter((s) => scope.kind !== 'service' || s.realServer !== null)
      .map((s) => ({ label: seriesLabel(s, scope.kind === 'host' ? 'service' : 'realServer'), points: s.points }));
    return toChartData(series, metric);
  }, [history.data, metric, scope.kind]);

  const markers = useMemo(
    () =>
      chartMarkers(
        events.data?.events ?? [],
        audit.data?.entries ?? [],
        { cluster, service: scope.kind === 'service' ? scope.service : undefined, host: scope.kind === 'host' ? scope.host : undefined },
        from,
        to,
        now,
      ),
    [events.data, audit.data, cluster, scope, from, to, now],
  );

  const onBrush = useCallback((a: number, b: number) => setRange({ preset: 'custom', from: a, to: b }), []);
  const info = METRIC_INFO[metric];
  const what = scope.kind === 'cluster' ? `cluster ${cluster}` : scope.kind === 'service' ? `${scope.service} by real server` : `${scope.host} by service`;
  const empty = history.data !== undefined && data.xs.length === 0;

  return (
    <div className="rounded-lg border border-line bg-surface px-4 py-3" data-testid={testId} data-range={range.preset} data-metric={metric}>
      <div className="mb-2 flex flex-wrap items-center gap-x-3 gap-y-2 text-xs">
        <div role="group" aria-label="Chart range" className="inline-flex overflow-hidden rounded-md border border-line">
          {CHART_PRESETS.map((p) => (
            <button
              key={p}
              type="button"
              aria-pressed={range.preset === p}
              onClick={() => setRange({ preset: p })}
              className={`px-2 py-1 ${range.preset === p ? 'bg-accent font-medium text-white dark:text-canvas' : 'bg-surface text-ink hover:bg-hover'}`}
              data-testid={`chart-range-${p}`}
            >
              {PRESET_LABEL[p]}
            </button>
          ))}
        </div>
        {range.preset === 'custom' ? (
          <span className="inline-flex items-center gap-2" data-testid="chart-custom-range">
            <span>
              {clock(range.from, { date: true })} – {clock(range.to, { date: true })}
            </span>
            <button type="button" className="rounded-md border border-line px-2 py-1 hover:bg-hover" onClick={() => setRange({ preset: '1h' })}>
              Back to the last hour
            </button>
          </span>
        ) : (
          <span className="text-faint">Drag across the chart to zoom</span>
        )}
        <label className="ml-auto inline-flex items-center gap-1 text-muted">
          Metric
          <select
            value={metric}
            onChange={(e) => setMetric(e.target.value as ChartMetric)}
            className="rounded-md border border-line bg-surface px-1.5 py-1 text-xs text-ink"
            data-testid="chart-metric"
          >
            {CHART_METRICS.map((m) => (
              <option key={m} value={m}>
                {METRIC_INFO[m].label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {history.error ? (
        <ErrorState error={history.error} title="Could not load the history" />
      ) : empty ? (
        <p className="py-8 text-center text-sm text-muted" data-testid="chart-empty">
          Nothing was recorded for {what} in this range.
        </p>
      ) : (
        <TrafficChart
          data={data}
          unit={info.unit}
          stacked={scope.kind !== 'cluster'}
          markers={markers}
          from={from}
          to={to}
          onBrush={onBrush}
          label={`${info.label}, ${what}, ${data.series.length} series, ${markers.length} events marked`}
        />
      )}
      {history.data?.resolutionMs ? (
        <p className="mt-1 text-[11px] text-faint" data-testid="chart-resolution">
          {info.label} · {scope.kind === 'cluster' ? 'sum of the services on their VIP holders' : 'from the VIP holder'} · one point per{' '}
          {history.data.resolutionMs >= 60_000 ? `${history.data.resolutionMs / 60_000} min` : `${history.data.resolutionMs / 1000} s`} or coarser where only rollups remain · {markers.length}{' '}
          {markers.length === 1 ? 'event' : 'events'} marked
        </p>
      ) : null}
    </div>
  );
}

/** The cluster page's chart: the whole cluster, or one service picked here (kept in the URL as chartService). */
export function ClusterTraffic({ cluster, services, pollMs }: { cluster: string; services: readonly string[]; pollMs: number }) {
  const params: URLSearchParams | null = useSearchParams();
  // Taken as the link says: the first screen may not list every service yet (and a service gone
  // since still has its history).
  const [service, setService] = useState<string>(() => (params?.get('chartService') ?? '').slice(0, 200));
  const choices = service && !services.includes(service) ? [...services, service] : services;
  useEffect(() => {
    const q = new URLSearchParams(window.location.search);
    if (service) q.set('chartService', service);
    else q.delete('chartService');
    const next = q.toString();
    window.history.replaceState(window.history.state, '', `${window.location.pathname}${next ? `?${next}` : ''}${window.location.hash}`);
  }, [service]);
  const scope = useMemo<ChartScope>(() => (service ? { kind: 'service', service } : { kind: 'cluster' }), [service]);
  return (
    <div className="space-y-2">
      <label className="inline-flex items-center gap-2 text-xs text-muted">
        Show
        <select
          value={service}
          onChange={(e) => setService(e.target.value)}
          className="max-w-full rounded-md border border-line bg-surface px-1.5 py-1 font-mono text-xs text-ink"
          data-testid="chart-scope"
        >
          <option value="">the whole cluster</option>
          {choices.map((s) => (
            <option key={s} value={s}>
              {s} by real server
            </option>
          ))}
        </select>
      </label>
      <TrafficPanel key={service} cluster={cluster} scope={scope} pollMs={pollMs} />
    </div>
  );
}
