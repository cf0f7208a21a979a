'use client';

import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { clusterQueries } from '@/lib/api/queries';
import type { HistoryPoint } from '@/lib/models/cluster';
import type { IpvsRates } from '@/lib/models/ipvsadm';
import { formatBytesPerSecond, formatCps, formatPps, formatSi } from '@/lib/format';
import { Sparkline } from '@/components/ui/sparkline';
import { useServicesTable, useSparklinesEnabled } from './table-context';

// The three rate cells of a row (conn/s, packets/s, bytes/s): the live figure from the snapshot
// and a sparkline from the history API, fetched only for rows on screen and not while scrolling.

/** Sparklines refresh no faster than this: they are context, the figures next to them are live. */
const SPARKLINE_REFRESH_MIN_MS = 5000;
const EMPTY: readonly HistoryPoint[] = [];

function Num({ value, className = '' }: { value: number | null | undefined; className?: string }) {
  const zero = value === 0 || value === null || value === undefined;
  return <span className={`${zero ? 'text-faint' : ''} ${className}`}>{formatSi(value)}</span>;
}

export function MetricCells({ service, realServer, rates }: { service: string; realServer: string | null; rates: IpvsRates | null }) {
  const { cluster, pollIntervalMs } = useServicesTable();
  const enabled = useSparklinesEnabled();
  const { data } = useQuery(
    clusterQueries.history({
      cluster,
      service,
      realServer,
      pollIntervalMs: Math.max(pollIntervalMs, SPARKLINE_REFRESH_MIN_MS),
      enabled,
    }),
  );
  const points = data ?? EMPTY;
  const series = useMemo(
    () => ({
      cps: points.map((p) => p.cps),
      pps: points.map((p) => p.inPps + p.outPps),
      bps: points.map((p) => p.inBps + p.outBps),
    }),
    [points],
  );
  return (
    <>
      <div role="cell" className="flex min-w-0 items-center justify-end gap-1.5 px-2" title={rates ? formatCps(rates.cps) : undefined}>
        <Sparkline decorative values={series.cps} width={40} height={14} label="Connections per second, last 5 min" format={formatSi} />
        <Num value={rates?.cps} className="min-w-8 text-right" />
      </div>
      <InOutCell series={series.pps} label="Packets per second in and out, last 5 min" inValue={rates?.inPps} outValue={rates?.outPps} format={formatPps} sparkFormat={formatSi} />
      <InOutCell
        series={series.bps}
        label="Bytes per second in and out, last 5 min"
        inValue={rates?.inBps}
        outValue={rates?.outBps}
        format={formatBytesPerSecond}
        sparkFormat={(v) => formatBytesPerSecond(v)}
      />
    </>
  );
}

/** A traffic figure by direction: a sparkline of in + out, then "in · out". */
function InOutCell({ series, label, inValue, outValue, format, sparkFormat }: {
  series: number[];
  label: string;
  inValue: number | undefined;
  outValue: number | undefined;
  format: (v: number) => string;
  sparkFormat: (v: number) => string;
}) {
  return (
    <div
      role="cell"
      className="flex min-w-0 items-center justify-end gap-1.5 px-2"
      title={inValue !== undefined && outValue !== undefined ? `in ${format(inValue)}, out ${format(outValue)}` : undefined}
    >
      <Sparkline decorative values={series} width={36} height={14} label={label} format={sparkFormat} />
      <span className="min-w-0 flex-1 truncate text-right whitespace-nowrap">
        <Num value={inValue} />
        <span className="text-faint"> · </span>
        <Num value={outValue} />
      </span>
    </div>
  );
}
