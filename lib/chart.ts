import type { AuditEntry } from '@/lib/models/audit';
import type { HistoryPoint, HistoryResponse } from '@/lib/models/cluster';
import type { ClusterEvent } from '@/lib/models/events';
import { describeEvent, formatGap } from '@/lib/event-text';
import { buildTimeline, eventAnchor } from '@/lib/timeline';

// Pure: what a traffic chart draws. History series become aligned columns (gaps where nothing
// was recorded, never a line to zero), optionally stacked; events and operator actions become
// markers and bands on the time axis; the range lives in the page's URL.

export const CHART_PRESETS = ['15m', '1h', '6h', '24h', '7d'] as const;
export type ChartPreset = (typeof CHART_PRESETS)[number];
export const CHART_PRESET_MS: Record<ChartPreset, number> = { '15m': 900_000, '1h': 3_600_000, '6h': 6 * 3_600_000, '24h': 24 * 3_600_000, '7d': 7 * 24 * 3_600_000 };

/** A preset that slides with the clock, or a fixed (brushed) window. */
export type ChartRange = { preset: ChartPreset } | { preset: 'custom'; from: number; to: number };

export const CHART_URL_KEYS = { range: 'chart', from: 'chartFrom', to: 'chartTo', metric: 'metric' } as const;
const DEFAULT_PRESET: ChartPreset = '1h';

export function resolveChartRange(r: ChartRange, now: number): { from: number; to: number } {
  return r.preset === 'custom' ? { from: r.from, to: r.to } : { from: now - CHART_PRESET_MS[r.preset], to: now };
}

const time = (v: string | null): number | null => (v !== null && /^\d{1,15}$/.test(v) ? Number(v) : null);

/** The range a URL asks for; anything unreadable is the default (the last hour). */
export function chartRangeFromUrl(params: { get(key: string): string | null } | null): ChartRange {
  const preset = params?.get(CHART_URL_KEYS.range) ?? null;
  if (preset === 'custom') {
    const from = time(params?.get(CHART_URL_KEYS.from) ?? null);
    const to = time(params?.get(CHART_URL_KEYS.to) ?? null);
    if (from !== null && to !== null && from < to) return { preset, from, to };
  }
  return { preset: (CHART_PRESETS as readonly string[]).includes(preset ?? '') ? (preset as ChartPreset) : DEFAULT_PRESET };
}

/** `search` with the range (and metric) written in, the defaults left out. */
export function chartStateToUrl(search: string, range: ChartRange, metric: ChartMetric): string {
  const params = new URLSearchParams(search);
  for (const k of Object.values(CHART_URL_KEYS)) params.delete(k);
  if (range.preset !== DEFAULT_PRESET) params.set(CHART_URL_KEYS.range, range.preset);
  if (range.preset === 'custom') {
    params.set(CHART_URL_KEYS.from, String(Math.floor(range.from)));
    params.set(CHART_URL_KEYS.to, String(Math.floor(range.to)));
  }
  if (metric !== DEFAULT_METRIC) params.set(CHART_URL_KEYS.metric, metric);
  return params.toString();
}

/** How often a range is re-read: a short one every poll, a long one rarely (its rollups change slowly), a fixed one never. */
export function chartRefetchMs(r: ChartRange, pollMs: number): number | false {
  if (r.preset === 'custom') return false;
  return r.preset === '15m' || r.preset === '1h' ? pollMs : r.preset === '6h' ? 30_000 : 60_000;
}

export const CHART_METRICS = ['activeConns', 'inactiveConns', 'cps', 'inPps', 'outPps', 'inBps', 'outBps'] as const;
export type ChartMetric = (typeof CHART_METRICS)[number];
const DEFAULT_METRIC: ChartMetric = 'activeConns';

export const METRIC_INFO: Record<ChartMetric, { label: string; unit: 'conns' | 'per-s' | 'bytes-per-s' | 'packets-per-s' }> = {
  activeConns: { label: 'Active connections', unit: 'conns' },
  inactiveConns: { label: 'Inactive connections', unit: 'conns' },
  cps: { label: 'New connections/s', unit: 'per-s' },
  inPps: { label: 'Packets/s in', unit: 'packets-per-s' },
  outPps: { label: 'Packets/s out', unit: 'packets-per-s' },
  inBps: { label: 'Bytes/s in', unit: 'bytes-per-s' },
  outBps: { label: 'Bytes/s out', unit: 'bytes-per-s' },
};

export function chartMetricFromUrl(params: { get(key: string): string | null } | null): ChartMetric {
  const m = params?.get(CHART_URL_KEYS.metric) ?? '';
  return (CHART_METRICS as readonly string[]).includes(m) ? (m as ChartMetric) : DEFAULT_METRIC;
}

const SI = ['', 'k', 'M', 'G', 'T'];
/** An axis or legend value with its unit: "1.2k", "3.4 MB/s", "12 /s". */
export function formatMetricValue(v: number | null, unit: (typeof METRIC_INFO)[ChartMetric]['unit']): string {
  if (v === null || !Number.isFinite(v)) return '–';
  let x = Math.abs(v);
  let i = 0;
  while (x >= 1000 && i < SI.length - 1) {
    x /= 1000;
    i++;
  }
  const n = `${v < 0 ? '-' : ''}${x >= 100 || Number.isInteger(x) ? Math.round(x) : x.toFixed(1)}`;
  switch (unit) {
    case 'conns':
      return `${n}${SI[i]}`;
    case 'per-s':
      return `${n}${SI[i]}/s`;
    case 'packets-per-s':
      return `${n}${SI[i]} pkt/s`;
    case 'bytes-per-s':
      return `${n} ${SI[i]}B/s`;
  }
}

export interface ChartSeries {
  label: string;
  /** One value per x; null: nothing recorded (a gap). */
  values: (number | null)[];
}

export interface ChartData {
  /** Epoch seconds (uPlot's x unit). */
  xs: number[];
  series: ChartSeries[];
}

/**
 * Columns for a chart: the union of the series' times, a null where a series has no point, and a
 * null row wherever the recording stopped for longer than its usual step (a director unreachable,
 * the console down): the line breaks instead of being drawn across.
 */
export function toChartData(series: readonly { label: string; points: readonly HistoryPoint[] }[], metric: ChartMetric): ChartData {
  const times = new Set<number>();
  const spans = new Map<number, number>();
  for (const s of series)
    for (const p of s.points) {
      times.add(p.t);
      spans.set(p.t, Math.max(spans.get(p.t) ?? 0, p.spanMs ?? 0));
    }
  const ts = [...times].sort((a, b) => a - b);
  const steps = ts.slice(1).map((t, i) => t - ts[i]!);
  const median = [...steps].sort((a, b) => a - b)[Math.floor(steps.length / 2)] ?? 0;
  const xs: number[] = [];
  const gapAt = new Set<number>();
  ts.forEach((t, i) => {
    const prev = ts[i - 1];
    if (prev !== undefined && t - prev > Math.max(2.5 * (spans.get(prev) ?? 0), 3 * median)) {
      // One empty row just after the last point before the gap breaks every line there.
      const at = prev + Math.max(spans.get(prev) ?? 0, median);
      xs.push(at / 1000);
      gapAt.add(xs.length - 1);
    }
    xs.push(t / 1000);
  });
  return {
    xs,
    series: series.map((s) => {
      const byT = new Map(s.points.map((p) => [p.t / 1000, p[metric]]));
      return { label: s.label, values: xs.map((x, i) => (gapAt.has(i) ? null : (byT.get(x) ?? null))) };
    }),
  };
}

/** Stacked columns: each series is the running sum up to it (a missing value adds nothing, and stays a gap in its own band). */
export function stack(series: readonly ChartSeries[]): ChartSeries[] {
  const n = series[0]?.values.length ?? 0;
  const sum = new Array<number>(n).fill(0);
  return series.map((s) => ({
    label: s.label,
    values: s.values.map((v, i) => {
      if (v === null) return null;
      sum[i]! += v;
      return sum[i]!;
    }),
  }));
}

/** The label of a series: the cluster, the service, or one of its real servers. */
export function seriesLabel(s: HistoryResponse['series'][number], by: 'service' | 'realServer'): string {
  if (s.service === '') return 'whole cluster';
  if (by === 'service') return s.service;
  return s.realServer ?? 'service total';
}

export type MarkerKind = 'failover' | 'no-master' | 'split-brain' | 'keepalived' | 'director' | 'real-server' | 'drift-repair' | 'operator';

export interface ChartMarker {
  key: string;
  kind: MarkerKind;
  /** Epoch ms. */
  at: number;
  /** For a band (a no-master gap, a split brain, an outage): its end; null for a point. */
  endAt: number | null;
  /** One line: what, by whom, why. */
  label: string;
  /** Where it is told in full (the timeline, scrolled to it). */
  href: string;
}

/** Which events and actions a chart marks: the cluster's own, a service's, or a host's. */
export interface MarkerScope {
  cluster: string;
  /** A service key: its real servers' events, and actions naming its address. */
  service?: string;
  /** A host address: its real servers' events and actions naming it. */
  host?: string;
}

const bracket = (a: string) => (a.includes(':') ? `[${a}]` : a);

function realServerInScope(e: ClusterEvent, s: MarkerScope): boolean {
  if (s.service !== undefined) return e.service === s.service;
  if (s.host !== undefined) return e.realServer?.startsWith(`${bracket(s.host)}:`) ?? false;
  return false;
}

/** The services and real servers a drain, restore or weight row changed (its detail's plan entries). */
function auditTouches(a: AuditEntry): { services: string[]; realServers: string[] } {
  const d = (typeof a.detail === 'object' && a.detail !== null ? a.detail : {}) as { service?: unknown; entries?: unknown };
  const entries = Array.isArray(d.entries) ? (d.entries as { service?: unknown; realServer?: unknown }[]) : [];
  const str = (v: unknown): v is string => typeof v === 'string';
  return {
    services: [...(str(d.service) ? [d.service] : []), ...entries.map((e) => e.service).filter(str)],
    realServers: entries.map((e) => e.realServer).filter(str),
  };
}

function auditInScope(a: AuditEntry, s: MarkerScope): boolean {
  if (s.service === undefined && s.host === undefined) return true;
  const t = auditTouches(a);
  if (s.service !== undefined) return t.services.includes(s.service);
  const prefix = `${bracket(s.host!)}:`;
  return a.target === s.host || (a.target ?? '').startsWith(prefix) || t.realServers.some((r) => r.startsWith(prefix));
}

function timelineHref(cluster: string, at: number, id?: string): string {
  const q = new URLSearchParams({ range: 'custom', from: String(Math.floor(at - 600_000)), to: String(Math.floor(at + 600_000)) });
  return `/clusters/${encodeURIComponent(cluster)}/events?${q.toString()}${id ? `#${eventAnchor(id)}` : ''}`;
}

/**
 * The markers of a chart, oldest first: failovers (with the no-master gap before them as a band),
 * gaps and split brains, keepalived and directors down (bands while they lasted), real servers
 * down and up (on a service's or host's chart), drift repairs, and operator actions with who and why.
 */
export function chartMarkers(events: readonly ClusterEvent[], audit: readonly AuditEntry[], scope: MarkerScope, from: number, to: number, now: number): ChartMarker[] {
  const items = buildTimeline(events, audit, { groups: [], cluster: scope.cluster, from, to });
  const out: ChartMarker[] = [];
  for (const item of items) {
    if (item.type === 'event') {
      const e = item.event;
      const base = { key: item.key, at: e.at, endAt: null as number | null, label: describeEvent(e, { cluster: false }), href: timelineHref(e.cluster, e.at, e.id) };
      switch (e.kind) {
        case 'failover': {
          // The gap is drawn before the new master's time: the time nobody held the VIP.
          const gap = item.gapMs;
          out.push({ ...base, kind: 'failover', at: gap ? e.at - gap : e.at, endAt: gap ? e.at : null, label: `${base.label}${gap !== null ? ` (gap ${formatGap(gap)})` : ''}` });
          break;
        }
        case 'split-brain':
          out.push({ ...base, kind: 'split-brain', endAt: e.endedAt ?? now });
          break;
        case 'keepalived-down':
          out.push({ ...base, kind: 'keepalived', endAt: e.endedAt ?? now });
          break;
        case 'keepalived-up':
          out.push({ ...base, kind: 'keepalived' });
          break;
        case 'director-unreachable':
          out.push({ ...base, kind: 'director', endAt: e.endedAt ?? now });
          break;
        case 'real-server-down':
        case 'real-server-up':
          if (realServerInScope(e, scope)) out.push({ ...base, kind: 'real-server' });
          break;
        case 'drift-repair':
          out.push({ ...base, kind: 'drift-repair' });
          break;
        case 'no-master':
          // Told by the failover that ended it; one that has not ended (or ended with no new master) stands alone.
          if (!events.some((f) => f.kind === 'failover' && f.cluster === e.cluster && f.instance === e.instance && e.endedAt !== null && Math.abs(f.at - e.endedAt) <= 3000)) {
            out.push({ ...base, kind: 'no-master', endAt: e.endedAt ?? now });
          }
          break;
        default:
          break;
      }
    } else {
      const a = item.entry;
      if (a.outcome === 'refused' || !auditInScope(a, scope)) continue;
      const detail = (typeof a.detail === 'object' && a.detail !== null ? a.detail : {}) as { reason?: unknown };
      const reason = typeof detail.reason === 'string' && detail.reason ? ` (${detail.reason})` : '';
      out.push({
        key: item.key,
        kind: a.action === 'drift-repair' ? 'drift-repair' : 'operator',
        at: a.at,
        endAt: null,
        label: `${a.action} ${a.target ?? ''} by ${a.actor}${reason}${a.outcome === 'ok' ? '' : `: ${a.outcome}`}`.replace(/\s+/g, ' '),
        href: timelineHref(scope.cluster, a.at),
      });
    }
  }
  return out.filter((m) => (m.endAt ?? m.at) >= from && m.at <= to).sort((a, b) => a.at - b.at || a.key.localeCompare(b.key));
}
