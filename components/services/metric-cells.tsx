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
      <div
        role="cell"
        className="flex min-w-0 items-center justify-end gap-1.5 px-2"
        title={rates ? `in ${formatPps(rates.inPps)}, out ${formatPps(rates.outPps)}` : undefined}
      >
        <Sparkline decorative values={series.pps} width={36} height={14} label="Packets per second in and out, last 5 min" format={formatSi} />
        <span className="min-w-0 flex-1 truncate text-right whitespace-nowrap">
          <Num value={rates?.inPps} />
          <span className="text-faint"> · </span>
          <Num value={rates?.outPps} />
        </span>
      </div>
      <div
        role="cell"
        className="flex min-w-0 items-center justify-end gap-1.5 px-2"
        title={rates ? `in ${formatBytesPerSecond(rates.inBps)}, out ${formatBytesPerSecond(rates.outBps)}` : undefined}
      >
        <Sparkline decorative values={series.bps} width={36} height={14} label="Bytes per second in and out, last 5 min" format={(v) => formatBytesPerSecond(v)} />
        <span className="min-w-0 flex-1 truncate text-right whitespace-nowrap">
          <Num value={rates?.inBps} />
          <span className="text-faint"> · </span>
          <Num value={rates?.outBps} />
        </span>
      </div>
    </>
  );
}
