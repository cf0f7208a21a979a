'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { eventQueries } from '@/lib/api/events-queries';
import { formatGap } from '@/lib/event-text';
import type { ClusterInstance } from '@/lib/models/cluster';
import { eventAnchor } from '@/lib/timeline';
import { pageHrefs } from '@/components/ui/links';
import { ClockAndAge } from '@/components/ui/relative-time';

// The cluster page's header line per VRRP instance: who is master since when, and the last
// failover (from -> to, when, gap, cause; linking to its row on the timeline) from the failover
// history of the last 7 days. An initial election is not a failover.

export function MasterSummary({ cluster, instances }: { cluster: string; instances: readonly ClusterInstance[] }) {
  const failovers = useQuery(eventQueries.list({ cluster, range: { preset: '7d' }, kinds: ['failover'], limit: 200 }));
  if (instances.length === 0) return null;
  return (
    <ul className="mt-1 flex flex-wrap gap-x-6 gap-y-1 text-xs text-muted" data-testid="master-summary">
      {instances.map((i) => {
        const last = failovers.data?.events.find((e) => e.instance === i.name) ?? null;
        return (
          <li key={i.name} data-testid={`master-summary-${i.name}`} data-master={i.master ?? ''}>
            <span className="font-mono">{i.name}</span>:{' '}
            {i.master ? (
              <>
                <span className="font-semibold text-ink">{i.master}</span> master since{' '}
                {i.masterSince ? <ClockAndAge at={i.masterSince} /> : 'unknown'}
              </>
            ) : i.holders.length > 1 ? (
              <span className="font-semibold text-red-700 dark:text-red-300">split brain</span>
            ) : (
              <span className="font-semibold text-red-700 dark:text-red-300">no master</span>
            )}
            {' · '}
            <span data-testid={`last-failover-${i.name}`} data-from-master={last?.fromMaster ?? ''} data-to-master={last?.toMaster ?? ''} data-event-id={last?.id ?? ''}>
              {last ? (
                <>
                  <a href={`#${eventAnchor(last.id)}`} className="text-accent underline underline-offset-2" data-testid={`last-failover-link-${i.name}`}>
                    last failover
                  </a>{' '}
                  <ClockAndAge at={last.at} /> ({last.fromMaster ?? 'unknown'} → {last.toMaster ?? 'unknown'}
                  {last.durationMs !== null ? `, gap ${formatGap(last.durationMs)}` : ''})
                  {last.cause ? <span data-testid={`last-failover-cause-${i.name}`}>: {last.cause}</span> : null}
                </>
              ) : failovers.isPending ? (
                'last failover …'
              ) : (
                'last failover: none in 7 days'
              )}
            </span>
          </li>
        );
      })}
      <li>
        <Link href={pageHrefs.events(cluster)} className="text-accent hover:underline">
          Full timeline
        </Link>
      </li>
    </ul>
  );
}
