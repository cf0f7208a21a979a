'use client';

import { useQuery } from '@tanstack/react-query';
import { ConsolesPanel } from '@/components/consoles/consoles';
import Link from 'next/link';
import { useState } from 'react';
import { clusterQueries, DEFAULT_POLL_MS, STALE_AFTER_POLLS } from '@/lib/api/queries';
import type { ClusterSummary } from '@/lib/models/cluster';
import { formatCount, formatDuration } from '@/lib/format';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState, errorCodeAndMessage } from '@/components/ui/error-state';
import { pageHrefs } from '@/components/ui/links';
import { ClockAndAge, RelativeTime, useClock } from '@/components/ui/relative-time';
import { LoadingBlock } from '@/components/ui/skeleton';
import { StaleBanner } from '@/components/ui/stale-banner';
import { StatusPill } from '@/components/ui/status-pill';
import { useNow } from '@/components/ui/use-now';
import { LastFailover } from '@/components/events/last-failover';
import { OpenHolds } from '@/components/drain/open-holds';
import { useDocumentTitle } from '@/components/ui/use-document-title';
import { overviewTitle, OVERVIEW_VIEW_PARAM, worstFirst, type OverviewView } from '@/lib/overview-health';
import { ClusterHealthPills } from './cluster-health-pills';
import { ClusterTable } from './cluster-table';
import { FindingsList } from './findings-list';
import { RealServerCountsBar } from './real-server-counts';

// The overview: one card per cluster, or one table row per cluster (the default past
// CARDS_UP_TO clusters; ?view=cards|table keeps the choice in a link). Who holds each VIP, how
// many real servers are serving, what is wrong, and whether any of it is old.

const CARDS_UP_TO = 6;

export function ClusterOverview({ view: asked = null }: { view?: OverviewView | null }) {
  const [chosen, setChosen] = useState<OverviewView | null>(asked);
  const query = useQuery(clusterQueries.list());
  const now = useNow();
  // Worst first: a cluster that needs looking at is never below the fold of healthy ones.
  const sorted = worstFirst((query.data?.clusters ?? []).map((c) => ({ ...c, stale: isStale(c, now) })));
  useDocumentTitle(query.data ? overviewTitle(sorted) : null);

  if (query.isPending) return <LoadingBlock label="Loading clusters" />;
  if (query.isError && !query.data) {
    return <ErrorState title="Could not load the clusters" error={query.error} onRetry={() => void query.refetch()} retrying={query.isFetching} />;
  }
  const { clusters, generatedAt } = query.data;
  const view: OverviewView = chosen ?? (clusters.length > CARDS_UP_TO ? 'table' : 'cards');
  const choose = (v: OverviewView) => {
    setChosen(v);
    const url = new URL(window.location.href);
    url.searchParams.set(OVERVIEW_VIEW_PARAM, v);
    window.history.replaceState(window.history.state, '', url);
  };
  const critical = clusters.filter((c) => c.health === 'critical').length;
  const warning = clusters.filter((c) => c.health === 'warning').length;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-baseline gap-x-4 gap-y-1">
        <h1 className="text-xl font-semibold tracking-tight">Clusters</h1>
        <p className="text-sm text-muted" data-testid="overview-summary">
          {clusters.length} {clusters.length === 1 ? 'cluster' : 'clusters'}
          {critical ? <> · <span className="font-medium text-red-700 dark:text-red-300">{critical} critical</span></> : null}
          {warning ? <> · <span className="font-medium text-amber-800 dark:text-amber-300">{warning} with warnings</span></> : null}
        </p>
        {clusters.length > 0 ? (
          <div className="ml-auto flex overflow-hidden rounded-md border border-line-strong text-sm" role="group" aria-label="Show the clusters as" data-testid="overview-view">
            {(['cards', 'table'] as const).map((v) => (
              <button
                key={v}
                type="button"
                aria-pressed={view === v}
                onClick={() => choose(v)}
                data-testid={`overview-view-${v}`}
                className={`px-2.5 py-1 ${view === v ? 'bg-sunken font-medium' : 'text-muted hover:bg-hover'}`}
              >
                {v === 'cards' ? 'Cards' : 'Table'}
              </button>
            ))}
          </div>
        ) : null}
      </div>

      {query.isError ? (
        <StaleBanner
          subject="the console"
          since={query.dataUpdatedAt || generatedAt}
          error={errorCodeAndMessage(query.error)}
          tone="critical"
          data-testid="console-stale-banner"
        >
          Showing the last list received.
        </StaleBanner>
      ) : null}

      {clusters.length === 0 ? (
        <EmptyState title="No clusters configured">Add a cluster to the console configuration and restart it.</EmptyState>
      ) : view === 'table' ? (
        <ClusterTable clusters={sorted} />
      ) : (
        <ul aria-label="Clusters" className="grid gap-4 lg:grid-cols-2 2xl:grid-cols-3">
          {sorted.map((cluster) => (
            <ClusterCard key={cluster.name} cluster={cluster} now={now} />
          ))}
        </ul>
      )}
      {clusters.length > 0 ? <OpenHolds clusters={clusters.map((c) => c.name)} /> : null}
      <ConsolesPanel />
    </div>
  );
}

function isStale(cluster: Pick<ClusterSummary, 'takenAt'>, now: number): boolean {
  return now > 0 && now - cluster.takenAt > STALE_AFTER_POLLS * DEFAULT_POLL_MS;
}

function ClusterCard({ cluster, now }: { cluster: ClusterSummary; now: number }) {
  const clockOf = useClock();
  const headingId = `cluster-${cluster.name}-heading`;
  const stale = isStale(cluster, now);
  const staleDirectors = cluster.directors.filter((d) => !d.live);
  const href = pageHrefs.cluster(cluster.name);

  return (
    <Card as="li" aria-labelledby={headingId} data-testid={`cluster-card-${cluster.name}`} className="flex min-w-0 flex-col">
      <div className="flex items-start gap-3 border-b border-line px-4 py-3">
        <div className="min-w-0 flex-1">
          <h2 id={headingId} className="truncate text-base font-semibold">
            <Link href={href} className="hover:underline focus-visible:underline">
              {cluster.name}
            </Link>
          </h2>
          <p className="text-xs text-muted">
            {formatCount(cluster.serviceCount)} {cluster.serviceCount === 1 ? 'service' : 'services'} · taken <RelativeTime at={cluster.takenAt} />
          </p>
        </div>
        <ClusterHealthPills health={cluster.health} stale={stale} />
      </div>

      <div className="grid flex-1 grid-cols-[minmax(0,1fr)] gap-4 px-4 py-3">
        {stale ? (
          <StaleBanner subject={cluster.name} since={cluster.takenAt} data-testid="cluster-stale-banner" />
        ) : null}

        <div>
          <h3 className="mb-1.5 text-xs font-medium uppercase tracking-wide text-faint">VRRP masters</h3>
          {cluster.instances.length === 0 ? (
            <p className="text-sm text-muted">No VRRP instances reported.</p>
          ) : (
            <ul className="space-y-1">
              {cluster.instances.map((instance) => (
                <li key={instance.name} className="flex flex-wrap items-baseline gap-x-2 text-sm" data-testid={`instance-${instance.name}`}>
                  <span className="w-24 shrink-0 truncate font-mono text-xs text-muted" title={instance.name}>
                    {instance.name}
                  </span>
                  {instance.master ? (
                    <span className="font-semibold" data-testid={`master-${instance.name}`}>
                      {instance.master}
                    </span>
                  ) : (
                    <span data-testid={`master-${instance.name}`} className="font-semibold text-red-700 dark:text-red-300">
                      no master
                    </span>
                  )}
                  {instance.master && instance.masterSince ? (
                    <span className="text-xs text-muted">
                      since {clockOf(instance.masterSince)}
                      {now ? ` (${formatDuration(now - instance.masterSince)})` : ''}
                    </span>
                  ) : null}
                  <span className="basis-full pl-[6.5rem] font-mono text-xs text-muted sm:basis-auto sm:pl-0">{instance.vips.join(', ')}</span>
                </li>
              ))}
            </ul>
          )}
        </div>

        <LastFailover cluster={cluster.name} />

        <div>
          <h3 className="mb-1.5 text-xs font-medium uppercase tracking-wide text-faint">Real servers</h3>
          <RealServerCountsBar counts={cluster.realServers} outHref={`${href}#out-of-rotation`} />
        </div>

        <div>
          <h3 className="mb-1.5 text-xs font-medium uppercase tracking-wide text-faint">Directors</h3>
          <ul className="flex flex-wrap gap-1.5" aria-label={`Directors of ${cluster.name}`}>
            {cluster.directors.map((d) => (
              <li key={d.name} data-testid={`director-${d.name}`} data-live={d.live}>
                <StatusPill tone={d.live ? 'ok' : 'warning'} title={d.error ?? undefined}>
                  {d.name} {d.live ? 'live' : 'stale'}
                </StatusPill>
              </li>
            ))}
          </ul>
          {staleDirectors.length > 0 ? (
            <ul className="mt-2 space-y-1 text-xs break-words text-amber-900 dark:text-amber-200">
              {staleDirectors.map((d) => (
                <li key={d.name}>
                  <span className="font-medium">{d.name}</span>: stale since <ClockAndAge at={d.takenAt} />
                  {d.error ? <> — {d.error}</> : null}
                </li>
              ))}
            </ul>
          ) : null}
        </div>

        <div>
          <h3 className="mb-1.5 text-xs font-medium uppercase tracking-wide text-faint">
            Findings {cluster.findings.length ? <span className="text-muted">({formatCount(cluster.findings.length)})</span> : null}
          </h3>
          <FindingsList findings={cluster.findings} limit={5} moreHref={`${href}#findings`} dense />
        </div>
      </div>
    </Card>
  );
}
