import { memo } from 'react';
import { sparklineGeometry } from './sparkline-path';

// A tiny inline-SVG line chart: no axes, no library. The last point is dotted so the eye finds
// "now"; the accessible name carries the numbers the picture shows.

export interface SparklineProps {
  values: readonly number[];
  width?: number;
  height?: number;
  /** What the values are, for the accessible name ("connections per second, last 5 min"). */
  label: string;
  /** Formats min/max/last for the accessible name and the tooltip. */
  format?: (value: number) => string;
  className?: string;
  /**
   * Hidden from assistive technology (the tooltip stays): for dense tables whose cells already
   * say the live figure, where a second, older number would only confuse.
   */
  decorative?: boolean;
}

function SparklineImpl({ values, width = 56, height = 16, label, format = String, className = '', decorative = false }: SparklineProps) {
  const g = sparklineGeometry(values, width, height);
  if (!g) {
    return (
      <svg width={width} height={height} className={className} aria-hidden="true" focusable="false">
        <line x1="0" x2={width} y1={height - 1} y2={height - 1} className="stroke-line" strokeDasharray="2 3" />
      </svg>
    );
  }
  const { min, max } = g;
  const last = values[values.length - 1] ?? 0;
  const summary = `${label}: now ${format(last)}, min ${format(min)}, max ${format(max)}`;
  return (
    <svg
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role={decorative ? undefined : 'img'}
      aria-label={decorative ? undefined : summary}
      aria-hidden={decorative ? true : undefined}
      className={`overflow-visible ${className}`}
    >
      <title>{summary}</title>
      <path d={g.d} fill="none" className="stroke-sky-600 dark:stroke-sky-400" strokeWidth="1.25" strokeLinejoin="round" strokeLinecap="round" />
      <circle cx={g.lastX} cy={g.lastY} r="1.75" className="fill-sky-600 dark:fill-sky-400" />
    </svg>
  );
}

export const Sparkline = memo(SparklineImpl);
