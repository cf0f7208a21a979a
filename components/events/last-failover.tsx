'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { eventQueries } from '@/lib/api/events-queries';
import { formatGap } from '@/lib/event-text';
import { eventAnchor } from '@/lib/timeline';
import { pageHrefs } from '@/components/ui/links';
import { ClockAndAge } from '@/components/ui/relative-time';

// An overview card's "last failover": when, from -> to, the gap and the cause, linking to its row
// on the cluster page's timeline. Every card asks the same query (the failovers of all clusters
// in 7 days), so the overview makes one request however many clusters it shows.

const LIMIT = 500;

export function LastFailover({ cluster }: { cluster: string }) {
  const query = useQuery(eventQueries.list({ cluster: null, range: { preset: '7d' }, kinds: ['failover'], limit: LIMIT }));
  const last = query.data?.events.find((e) => e.cluster === cluster) ?? null;
  return (
    <div data-testid={`overview-last-failover-${cluster}`} data-event-id={last?.id ?? ''} data-from-master={last?.fromMaster ?? ''} data-to-master={last?.toMaster ?? ''}>
      <h3 className="mb-1.5 text-xs font-medium uppercase tracking-wide text-faint">Last failover</h3>
      {last ? (
        <p className="text-sm">
          <Link href={`${pageHrefs.cluster(cluster)}#${eventAnchor(last.id)}`} className="text-accent underline underline-offset-2" prefetch={false}>
            <ClockAndAge at={last.at} />
          </Link>{' '}
          {last.instance ? <span className="font-mono text-xs">{last.instance}</span> : null} {last.fromMaster ?? 'unknown'} → {last.toMaster ?? last.director ?? 'unknown'}
          {last.durationMs !== null ? <span className="text-muted">, gap {formatGap(last.durationMs)}</span> : null}
          {last.cause ? (
            <span className="block text-xs text-muted" data-testid="overview-last-failover-cause">
              cause: {last.cause}
            </span>
          ) : null}
        </p>
      ) : (
        <p className="text-sm text-muted">
          {query.isPending ? '…' : query.isError ? 'unknown (events could not be loaded)' : query.data?.truncated ? 'not among the newest failovers: see the timeline' : 'none in 7 days'}
        </p>
      )}
    </div>
  );
}
