'use client';

import { useQueries } from '@tanstack/react-query';
import Link from 'next/link';
import { drainQueries } from '@/lib/api/drain';
import { haproxyQueries } from '@/lib/api/haproxy';
import type { Intent } from '@/lib/models/drain';
import type { HaproxyHold } from '@/lib/models/haproxy';
import { Section } from '@/components/ui/card';
import { pageHrefs } from '@/components/ui/links';
import { RelativeTime } from '@/components/ui/relative-time';
import { StatusPill } from '@/components/ui/status-pill';

// Every drain and weight the console holds, in every cluster the viewer may see, in one list on
// the overview (issue 22, item 5): what is out before a maintenance window, or was forgotten after
// one. Read from the console's own store (no director is asked); each row links to its cluster's
// holds panel, where the progress and the Restore button are. Oldest first: the forgotten ones top.
// HAProxy holds (drain, maint, weight of a backend's server) are listed with them, from the same
// store (GET …/haproxy/holds reads no instance), each linking to its cluster's HAProxy page.

export function OpenHolds({ clusters }: { clusters: readonly string[] }) {
  const results = useQueries({ queries: clusters.map((c) => drainQueries.intents(c)) });
  const haproxy = useQueries({ queries: clusters.map((c) => haproxyQueries.holds(c)) });
  const holds: { cluster: string; intent: Intent }[] = [];
  results.forEach((r, i) => {
    const cluster = clusters[i];
    if (cluster === undefined) return;
    for (const intent of r.data?.intents ?? []) if (intent.endedAt === null) holds.push({ cluster, intent });
  });
  holds.sort((a, b) => a.intent.createdAt - b.intent.createdAt);
  const haproxyHolds = haproxy.flatMap((r) => r.data?.holds ?? []).sort((a, b) => a.createdAt - b.createdAt);
  const unreadable = clusters.filter((_, i) => results[i]?.isError || haproxy[i]?.isError);
  const loading = results.some((r) => r.isPending) || haproxy.some((r) => r.isPending);
  const count = holds.length + haproxyHolds.length;
  return (
    <Section id="open-holds" title="Held by the console" description="Drains and weights kept on every director, and HAProxy servers kept out or re-weighted, until restored, in every cluster">
      <div className="rounded-lg border border-line bg-surface" data-testid="open-holds" data-count={count}>
        {count === 0 ? (
          <p className="px-4 py-3 text-sm text-muted" data-testid="open-holds-empty">
            {loading ? 'Loading holds…' : 'No drains, weights or HAProxy holds kept by the console in any cluster.'}
          </p>
        ) : (
          <ul>
            {haproxyHolds.map((h) => (
              <HaproxyHoldRow key={`h${h.cluster} ${h.id}`} hold={h} />
            ))}
            {holds.map(({ cluster, intent }) => (
              <li
                key={`${cluster} ${intent.id}`}
                className="flex flex-wrap items-center gap-x-3 gap-y-1 border-t border-line px-4 py-2 text-sm first:border-t-0"
                data-testid="open-hold"
                data-cluster={cluster}
                data-real-server-key={intent.realServer}
                data-service-key={intent.service}
              >
                <Link href={`${pageHrefs.cluster(cluster)}#holds`} className="font-medium text-accent underline underline-offset-2" data-testid="open-hold-link">
                  {cluster}
                </Link>
                <StatusPill tone={intent.kind === 'drain' ? 'warning' : 'info'}>{intent.kind === 'drain' ? 'drain' : `weight ${intent.weight}`}</StatusPill>
                <span className="font-mono">{intent.realServer}</span>
                <span className="font-mono text-xs text-muted">{intent.service}</span>
                <span className="text-xs">
                  {intent.actor}: “{intent.reason}”{intent.ticket ? <span className="text-muted"> ({intent.ticket})</span> : null}
                </span>
                <span className="text-xs text-muted">
                  since <RelativeTime at={intent.createdAt} />
                  {intent.expiresAt ? (
                    <>
                      {' '}
                      · lease ends <RelativeTime at={intent.expiresAt} />
                    </>
                  ) : null}
                </span>
              </li>
            ))}
          </ul>
        )}
        {unreadable.length > 0 ? (
          <p role="alert" className="border-t border-line px-4 py-2 text-sm text-red-800 dark:text-red-300" data-testid="open-holds-unreadable">
            Holds of {unreadable.join(', ')} could not be read: they may hold more than listed here.
          </p>
        ) : null}
      </div>
    </Section>
  );
}

function HaproxyHoldRow({ hold: h }: { hold: HaproxyHold }) {
  const what = h.aspect === 'state' ? `HAProxy ${h.state ?? 'state'}` : `HAProxy weight ${h.weight ?? '?'}`;
  return (
    <li
      className="flex flex-wrap items-center gap-x-3 gap-y-1 border-t border-line px-4 py-2 text-sm first:border-t-0"
      data-testid="open-haproxy-hold"
      data-cluster={h.cluster}
      data-backend={h.backend}
      data-server={h.server}
      data-aspect={h.aspect}
    >
      <Link href={pageHrefs.haproxy(h.cluster)} className="font-medium text-accent underline underline-offset-2" data-testid="open-hold-link">
        {h.cluster}
      </Link>
      <StatusPill tone={h.aspect === 'state' ? 'warning' : 'info'}>{what}</StatusPill>
      <span className="font-mono">
        {h.backend}/{h.server}
      </span>
      <span className="text-xs">
        {h.actor}: “{h.reason}”
      </span>
      <span className="text-xs text-muted">
        since <RelativeTime at={h.createdAt} />
      </span>
    </li>
  );
}
