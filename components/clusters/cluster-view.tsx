'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { isApiError } from '@/lib/api/client';
import { clusterQueries, isSnapshotStale } from '@/lib/api/queries';
import { clusterHealth, type ClusterSnapshot } from '@/lib/models/cluster';
import { formatDuration } from '@/lib/format';
import { ClusterBreadcrumb } from '@/components/ui/breadcrumb';
import { Section } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState, errorCodeAndMessage } from '@/components/ui/error-state';
import { pageHrefs } from '@/components/ui/links';
import { RelativeTime } from '@/components/ui/relative-time';
import { LoadingBlock } from '@/components/ui/skeleton';
import { StaleBanner } from '@/components/ui/stale-banner';
import { useNow } from '@/components/ui/use-now';
import { useDocumentTitle } from '@/components/ui/use-document-title';
import { healthTitle } from '@/lib/overview-health';
import { ServicesTable } from '@/components/services/services-table';
import { DrainActionsProvider } from '@/components/drain/drain-actions';
import { HoldsPanel } from '@/components/drain/holds-panel';
import { MasterSummary } from '@/components/events/master-summary';
import { RecentEvents } from '@/components/events/recent-events';
import { TimelineView } from '@/components/events/timeline-view';
import { ClusterTraffic, WhenNearScreen } from '@/components/charts/lazy-traffic';
import { ClusterHealthPills } from './cluster-health-pills';
import { MaintenanceBanner } from './director-maintenance';
import { DirectorsPanel } from './directors-panel';
import { FindingsList } from './findings-list';
import { InstancesPanel } from './instances-panel';
import { OutOfRotationPanel } from './out-of-rotation-panel';

// One cluster: who holds the VIPs, what each director says, what is wrong, and every service.

/**
 * `firstScreen` (a large cluster, rendered by the page on the server): the first services alone,
 * shown until the full snapshot arrives.
 */
export function ClusterView({ name, firstScreen = null }: { name: string; firstScreen?: ClusterSnapshot | null }) {
  const query = useQuery(clusterQueries.detail(name));

  if (query.isPending) {
    if (firstScreen) return <ClusterDetails snapshot={firstScreen} failure={null} lastReceivedAt={firstScreen.takenAt} />;
    return <LoadingBlock label={`Loading cluster ${name}`} />;
  }
  if (query.isError && !query.data) {
    if (isApiError(query.error) && query.error.isNotFound) {
      return (
        <EmptyState
          title={`No cluster named “${name}”`}
          data-testid="cluster-not-found"
          action={
            <Link href={pageHrefs.overview()} className="text-accent hover:underline">
              Back to all clusters
            </Link>
          }
        >
          {query.error.message}
        </EmptyState>
      );
    }
    return (
      <ErrorState title={`Could not load cluster ${name}`} error={query.error} onRetry={() => void query.refetch()} retrying={query.isFetching} />
    );
  }
  return <ClusterDetails snapshot={query.data} failure={query.isError ? query.error : null} lastReceivedAt={query.dataUpdatedAt} />;
}

function ClusterDetails({ snapshot, failure, lastReceivedAt }: { snapshot: ClusterSnapshot; failure: unknown; lastReceivedAt: number }) {
  const now = useNow();
  const stale = now > 0 && isSnapshotStale(snapshot, now);
  const staleDirectors = snapshot.directors.filter((d) => !d.live);
  const directorNames = snapshot.directors.map((d) => d.name);
  const serviceKeys = snapshot.services.map((s) => s.key);
  useDocumentTitle(healthTitle(snapshot.name, clusterHealth(snapshot.findings), stale));

  return (
    <div className="space-y-6" data-testid="cluster-view" data-cluster={snapshot.name} data-stale={stale}>
      <div>
        <ClusterBreadcrumb cluster={snapshot.name} />
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
          <h1 className="text-xl font-semibold tracking-tight">{snapshot.name}</h1>
          <ClusterHealthPills health={clusterHealth(snapshot.findings)} stale={stale} />
          <p className="text-xs text-muted" data-testid="snapshot-age">
            Snapshot taken <RelativeTime at={snapshot.takenAt} /> · refreshed every {formatDuration(snapshot.pollIntervalMs, { ms: true })}
          </p>
          <Link href={pageHrefs.checks(snapshot.name)} className="text-xs text-accent hover:underline" data-testid="check-cluster-link">
            Check this cluster
          </Link>
          <Link href={pageHrefs.haproxy(snapshot.name)} className="ml-3 text-xs text-accent hover:underline" data-testid="haproxy-link">
            HAProxy pools
          </Link>
          <Link href={pageHrefs.rollouts(snapshot.name)} className="ml-3 text-xs text-accent hover:underline" data-testid="rollouts-link">
            Rollouts
          </Link>
        </div>
        <MasterSummary cluster={snapshot.name} instances={snapshot.instances} />
        <MaintenanceBanner cluster={snapshot.name} />
      </div>

      {failure || stale || staleDirectors.length ? (
        <div className="space-y-2" aria-label="Data freshness warnings" role="group">
          {failure ? (
            <StaleBanner
              subject="the console"
              since={lastReceivedAt || snapshot.takenAt}
              error={errorCodeAndMessage(failure)}
              tone="critical"
              data-testid="console-stale-banner"
            >
              Everything below is the last snapshot received.
            </StaleBanner>
          ) : null}
          {stale && !failure ? <StaleBanner subject={`cluster ${snapshot.name}`} since={snapshot.takenAt} data-testid="cluster-stale-banner" /> : null}
          {staleDirectors.map((d) => (
            <StaleBanner key={d.name} subject={d.name} since={d.takenAt} error={d.error} data-testid={`director-stale-banner-${d.name}`} />
          ))}
        </div>
      ) : null}

      <div className="grid gap-6 xl:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <div className="min-w-0 space-y-6">
          <Section id="recent" title="Last hour" description="Failovers, gaps, split brains and outages, with their causes">
            <div className="rounded-lg border border-line bg-surface">
              <RecentEvents cluster={snapshot.name} />
            </div>
          </Section>
          <Section id="vrrp" title="VRRP instances" description="Master = the director that holds the VIPs (ip addr)">
            <div className="rounded-lg border border-line bg-surface">
              <InstancesPanel instances={snapshot.instances} directors={directorNames} />
            </div>
          </Section>
        </div>
        <Section
          id="findings"
          title="Findings"
          description={snapshot.findings.length ? `${snapshot.findings.length} open` : undefined}
        >
          <div className="rounded-lg border border-line bg-surface px-4 py-3">
            <FindingsList findings={snapshot.findings} />
          </div>
        </Section>
      </div>

      <Section id="directors" title="Directors">
        <DirectorsPanel cluster={snapshot.name} directors={snapshot.directors} pollIntervalMs={snapshot.pollIntervalMs} />
      </Section>

      <Section id="traffic" title="Traffic" description="Connections and rates over time, with failovers, drains and outages marked">
        <WhenNearScreen>
          <ClusterTraffic cluster={snapshot.name} services={serviceKeys} pollMs={snapshot.pollIntervalMs} />
        </WhenNearScreen>
      </Section>

      <DrainActionsProvider>
        <Section id="out-of-rotation" title="Out of rotation" description="Every real server taking no new connections, and why: console hold, keepalived.conf, track file, checker, hand edit">
          <div className="rounded-lg border border-line bg-surface">
            <OutOfRotationPanel snapshot={snapshot} />
          </div>
        </Section>

        <Section id="holds" title="Drains and held weights" description="Kept on every director until restored">
          <div className="rounded-lg border border-line bg-surface">
            <HoldsPanel cluster={snapshot.name} />
          </div>
        </Section>

        <Section id="services" title="Virtual services">
          <ServicesTable
            cluster={snapshot.name}
            services={snapshot.services}
            directors={snapshot.directors}
            pollIntervalMs={snapshot.pollIntervalMs}
            stale={stale || Boolean(failure)}
            loadingTotal={snapshot.servicesTotal}
          />
        </Section>
      </DrainActionsProvider>

      <TimelineView cluster={snapshot.name} limit={300} />
    </div>
  );
}
