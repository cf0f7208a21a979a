'use client';

import { useEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatMetricValue, stack, type ChartData, type ChartMarker, type MarkerKind, type METRIC_INFO } from '@/lib/chart';
import { useTimeZoneChoice } from '@/components/ui/time-zone';

// A time-series chart (uPlot on a canvas: thousands of points per series, tens of series, smooth
// brushing) with the cluster's events drawn on its time axis as HTML over the plot: each marker or
// band is a link to its row on the timeline, with its one-line story on hover and focus. The
// legend is ours, under the chart, with the values under the cursor (or the latest).

/** Okabe-Ito: told apart by colour-blind readers, readable on light and dark surfaces. */
export const SERIES_COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#999999'];

const MARKER_STYLE: Record<MarkerKind, { colour: string; glyph: string; name: string }> = {
  failover: { colour: '#E69F00', glyph: 'F', name: 'failover' },
  'no-master': { colour: '#D55E00', glyph: 'N', name: 'no master' },
  'split-brain': { colour: '#D55E00', glyph: 'S', name: 'split brain' },
  keepalived: { colour: '#CC79A7', glyph: 'K', name: 'keepalived' },
  director: { colour: '#999999', glyph: 'U', name: 'director unreachable' },
  'real-server': { colour: '#D55E00', glyph: 'R', name: 'real server' },
  'drift-repair': { colour: '#56B4E9', glyph: '~', name: 'drift repair' },
  operator: { colour: '#0072B2', glyph: 'D', name: 'operator action' },
};

export interface TrafficChartProps {
  data: ChartData;
  unit: (typeof METRIC_INFO)[keyof typeof METRIC_INFO]['unit'];
  /** Stack the series (their sum is the top line). */
  stacked?: boolean;
  markers?: readonly ChartMarker[];
  /** The x range shown, epoch ms (a series that starts later shows nothing before it started). */
  from: number;
  to: number;
  height?: number;
  /** A range brushed with the mouse, epoch ms. */
  onBrush?: (from: number, to: number) => void;
  /** The accessible name: what the chart shows. */
  label: string;
  testId?: string;
}

const cssVar = (name: string, fallback: string) =>
  typeof document === 'undefined' ? fallback : getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

export function TrafficChart({ data, unit, stacked = false, markers = [], from, to, height = 220, onBrush, label, testId = 'traffic-chart' }: TrafficChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [inst, setInst] = useState<uPlot | null>(null);
  // Bumped when the scale or size changes, so markers are placed again.
  const [layout, setLayout] = useState(0);
  const [cursorIdx, setCursorIdx] = useState<number | null>(null);
  const zone = useTimeZoneChoice();
  // The x window, read by the scale's range function whenever uPlot recomputes it (new data).
  const win = useRef({ from, to });
  const brush = useRef(onBrush);
  useEffect(() => {
    brush.current = onBrush;
  }, [onBrush]);

  const shown = stacked ? stack(data.series) : data.series;

  // (Re)build when the shape changes (series count, stacking, zone); new values alone are setData.
  const shape = `${data.series.map((s) => s.label).join('\u0000')}|${stacked}|${zone}|${unit}|${height}`;
  useEffect(() => {
    let cancelled = false;
    let observer: ResizeObserver | null = null;
    let themeObserver: MutationObserver | null = null;
    void import('uplot').then(({ default: UPlot }) => {
      if (cancelled || !box.current) return;
      const axis = () => cssVar('--color-muted', '#5b5b66');
      const grid = () => cssVar('--color-line', '#e2e2e6');
      const series: uPlot.Series[] = [
        {},
        ...shown.map((s, i) => {
          const colour = SERIES_COLOURS[i % SERIES_COLOURS.length]!;
          return {
            label: s.label,
            stroke: colour,
            width: 1.5,
            fill: stacked ? `${colour}66` : undefined,
            spanGaps: false,
            points: { show: false },
          };
        }),
      ];
      const opts: uPlot.Options = {
        width: box.current.clientWidth || 600,
        height,
        series,
        // Stacked: each series' fill runs from the one below it (uPlot bands), not from zero.
        bands: stacked ? shown.slice(1).map((_, i) => ({ series: [i + 2, i + 1] as [number, number] })) : undefined,
        legend: { show: false },
        cursor: { drag: { x: true, y: false, setScale: false } },
        scales: { x: { time: true, range: () => [win.current.from / 1000, win.current.to / 1000] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] } },
        axes: [
          { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
          { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, size: 64, values: (_u, ticks) => ticks.map((v) => formatMetricValue(v, unit)) },
        ],
        tzDate: zone === 'utc' ? (ts) => UPlot.tzDate(new Date(ts * 1000), 'Etc/UTC') : undefined,
        hooks: {
          setScale: [() => setLayout((n) => n + 1)],
          setSize: [() => setLayout((n) => n + 1)],
          setCursor: [(u) => setCursorIdx(u.cursor.idx ?? null)],
          setSelect: [
            (u) => {
              if (u.select.width < 4) return;
              const a = u.posToVal(u.select.left, 'x') * 1000;
              const b = u.posToVal(u.select.left + u.select.width, 'x') * 1000;
              u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
              brush.current?.(Math.floor(a), Math.ceil(b));
            },
          ],
        },
      };
      const u = new UPlot(opts, [data.xs, ...shown.map((s) => s.values)] as uPlot.AlignedData, box.current);
      plot.current = u;
      setInst(u);
      setLayout((n) => n + 1);
      observer = new ResizeObserver(() => {
        // Observing fires once at once: redraw only when the width really changed.
        if (box.current && box.current.clientWidth !== u.width) u.setSize({ width: box.current.clientWidth, height });
      });
      observer.observe(box.current);
      themeObserver = new MutationObserver(() => u.redraw(false));
      themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    });
    return () => {
      cancelled = true;
      observer?.disconnect();
      themeObserver?.disconnect();
      plot.current?.destroy();
      plot.current = null;
      setInst(null);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- rebuilt on shape only; values go through setData below
  }, [shape]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    win.current = { from, to };
    // Scales reset: x to the new window (range above), y to the new values.
    u.setData([data.xs, ...shown.map((s) => s.values)] as uPlot.AlignedData, true);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `shown` follows data
  }, [data, from, to]);

  const u = inst;
  const idx = cursorIdx ?? (data.xs.length > 0 ? data.xs.length - 1 : null);
  const width = u ? u.over.clientWidth : 0;
  void layout;

  return (
    <figure className="min-w-0" data-testid={testId} data-points={data.xs.length} data-series={data.series.length}>
      <div ref={box} role="group" aria-label={label} className="relative w-full" style={{ minHeight: height }} />
      {u
        ? createPortal(
            <div className="pointer-events-none absolute inset-0" data-testid="chart-markers">
              {markers.map((m) => {
                const x0 = u.valToPos(m.at / 1000, 'x');
                const x1 = m.endAt === null ? x0 : u.valToPos(m.endAt / 1000, 'x');
                if (x1 < 0 || x0 > width) return null;
                const left = Math.max(0, x0);
                const style = MARKER_STYLE[m.kind];
                const band = m.endAt !== null && x1 - x0 >= 2;
                return (
                  <a
                    key={m.key}
                    href={m.href}
                    className="group pointer-events-auto absolute top-0 bottom-0 focus:outline-2 focus:outline-accent"
                    style={{
                      left: band ? left : x0 - 1,
                      width: band ? Math.max(2, Math.min(width, x1) - left) : 3,
                      background: band ? `${style.colour}33` : `${style.colour}cc`,
                      borderLeft: band ? `1px solid ${style.colour}` : undefined,
                      borderRight: band ? `1px solid ${style.colour}` : undefined,
                    }}
                    aria-label={`${style.name}: ${m.label}`}
                    data-testid="chart-marker"
                    data-kind={m.kind}
                    data-at={m.at}
                    data-end={m.endAt ?? ''}
                  >
                    <span
                      aria-hidden="true"
                      className="absolute -top-0.5 left-1/2 -translate-x-1/2 rounded-sm px-0.5 text-[10px] font-bold leading-3 text-white"
                      style={{ background: style.colour }}
                    >
                      {style.glyph}
                    </span>
                    <span className="absolute top-4 left-1/2 z-10 hidden w-max max-w-80 -translate-x-1/2 rounded-md border border-line bg-surface px-2 py-1 text-xs text-ink shadow group-hover:block group-focus:block">
                      {m.label}
                    </span>
                  </a>
                );
              })}
            </div>,
            u.over,
          )
        : null}
      <figcaption className="mt-1 flex flex-wrap gap-x-3 gap-y-0.5 text-xs" data-testid="chart-legend">
        {data.series.map((s, i) => (
          <span key={s.label} className="inline-flex items-center gap-1">
            <span aria-hidden="true" className="inline-block h-2 w-3 rounded-sm" style={{ background: SERIES_COLOURS[i % SERIES_COLOURS.length] }} />
            <span className="font-mono">{s.label}</span>
            <span className="tabular-nums text-muted">{formatMetricValue(idx === null ? null : (s.values[idx] ?? null), unit)}</span>
          </span>
        ))}
        {stacked && data.series.length > 1 ? (
          <span className="text-muted">
            sum{' '}
            <span className="tabular-nums">
              {formatMetricValue(idx === null ? null : data.series.reduce((a, s) => a + (s.values[idx] ?? 0), 0), unit)}
            </span>
          </span>
        ) : null}
      </figcaption>
    </figure>
  );
}
