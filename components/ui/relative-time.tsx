'use client';

import { formatClock, formatRelative } from '@/lib/format';
import { useTimeZone } from './time-zone';
import { useNow } from './use-now';

/** The wall-clock time with its zone, in the zone the operator chose (top bar: Local / UTC). */
export function useClock(): (at: number, options?: { date?: boolean }) => string {
  const now = useNow();
  const timeZone = useTimeZone();
  return (at, options = {}) => formatClock(at, { ...(now ? { now } : {}), ...(timeZone ? { timeZone } : {}), zone: true, ...options });
}

/**
 * "12 s ago", ticking, with the wall-clock time in the tooltip and the machine-readable time in
 * dateTime. Before the first client tick it shows the wall-clock time (same on server and client).
 */
export function RelativeTime({ at, className = '', prefix = '' }: { at: number | null; className?: string; prefix?: string }) {
  const now = useNow();
  const clockOf = useClock();
  if (at === null) return <span className={className}>never</span>;
  const clock = clockOf(at);
  return (
    <time dateTime={new Date(at).toISOString()} title={clock} className={className} suppressHydrationWarning>
      {prefix}
      {now ? formatRelative(at, now) : clock}
    </time>
  );
}

/** "12:03:04 UTC (41 s ago)": a point in time and how long ago it was. */
export function ClockAndAge({ at, className = '' }: { at: number | null; className?: string }) {
  const now = useNow();
  const clockOf = useClock();
  if (at === null) return <span className={className}>never</span>;
  return (
    <time dateTime={new Date(at).toISOString()} className={className} suppressHydrationWarning>
      {clockOf(at)}
      {now ? <span className="text-muted"> ({formatRelative(at, now)})</span> : null}
    </time>
  );
}
