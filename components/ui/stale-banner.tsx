'use client';

import type { ReactNode } from 'react';
import { formatDuration } from '@/lib/format';
import { useClock } from './relative-time';
import { useNow } from './use-now';

/**
 * Says plainly that what is on screen is old: "Data from dir2 is stale since 12:03:04 (41 s):
 * connect-timeout: …". The sentence is an alert (announced once); the ticking age is not.
 */
export function StaleBanner({
  subject,
  since,
  error,
  tone = 'warning',
  children,
  'data-testid': testId = 'stale-banner',
}: {
  /** Whose data: "dir2", "this cluster", "the console". */
  subject: string;
  /** Since when the data is stale (the last good observation), or null for never. */
  since: number | null;
  error?: { code: string; message: string } | null;
  tone?: 'warning' | 'critical';
  children?: ReactNode;
  'data-testid'?: string;
}) {
  const now = useNow();
  const clockOf = useClock();
  const colours =
    tone === 'critical'
      ? 'border-red-300 bg-red-50 text-red-900 dark:border-red-400/30 dark:bg-red-400/10 dark:text-red-200'
      : 'border-amber-300 bg-amber-50 text-amber-950 dark:border-amber-400/30 dark:bg-amber-400/10 dark:text-amber-100';
  return (
    <div data-testid={testId} data-subject={subject} className={`flex items-start gap-2 rounded-md border px-3 py-2 text-sm ${colours}`}>
      <span aria-hidden="true" className="mt-px font-bold">
        {tone === 'critical' ? '■' : '▲'}
      </span>
      <p className="min-w-0">
        <span role="alert">
          <strong className="font-semibold">
            {since === null ? `No data from ${subject} yet` : `Data from ${subject} is stale since ${clockOf(since)}`}
          </strong>
        </span>
        {since !== null && now ? (
          <span aria-hidden="true" className="tabular-nums">
            {' '}
            ({formatDuration(Math.max(0, now - since))})
          </span>
        ) : null}
        {error ? (
          <>
            {': '}
            <span className="font-mono text-xs">{error.code}</span>
            {`: ${error.message}`}
          </>
        ) : null}
        {children ? <> {children}</> : null}
      </p>
    </div>
  );
}
