'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useMemo } from 'react';
import { isApiError } from '@/lib/api/client';
import { haproxyQueries } from '@/lib/api/haproxy';
import { hostQueries } from '@/lib/api/queries';
import { haproxyRowsOfHost } from '@/lib/models/haproxy';
import type { HostMembership } from '@/lib/models/cluster';
import { formatBytesPerSecond, formatCount, formatCps, formatForward, formatSi } from '@/lib/format';
import { Breadcrumb } from '@/components/ui/breadcrumb';
import { Section } from '@/components/ui/card';
import { TrafficPanel, WhenNearScreen } from '@/components/charts/lazy-traffic';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState, errorCodeAndMessage } from '@/components/ui/error-state';
import { ClusterLink, pageHrefs } from '@/components/ui/links';
import { LoadingBlock } from '@/components/ui/skeleton';
import { StaleBanner } from '@/components/ui/stale-banner';
import { StatusPill } from '@/components/ui/status-pill';
import { Table, Td, Th, Tr } from '@/components/ui/table';
import { RS_HEALTH } from '@/components/ui/tones';
import { useCan } from '@/components/auth/me-context';
import { DrainActionsProvider, useDrainActions } from '@/components/drain/drain-actions';
import { realServerRowData, weightTitle, WeightValue } from '@/components/services/weight-value';
import { HaproxyHostMemberships } from '@/components/haproxy/haproxy-pools';

// One real server everywhere it serves: every service in every cluster, with its weight and
// connections on each director at once (the view for "drain this host" and "is it empty yet"),
// and the HAProxy backends of those clusters that have it as a server, with their own actions.

type Entry = HostMembership['entries'][number];

export function HostView({ address }: { address: string }) {
  const query = useQuery(hostQueries.detail(address));

  if (query.isPending) return <LoadingBlock label={`Loading host ${address}`} />;
  if (query.isError && !query.data) {
    if (isApiError(query.error) && query.error.isNotFound) return <NotAMember address={address} />;
    return <ErrorState title={`Could not load host ${address}`} error={query.error} onRetry={() => void query.refetch()} retrying={query.isFetching} />;
  }
  return (
    <DrainActionsProvider>
      <HostDetails membership={query.data} failure={query.isError ? query.error : null} lastReceivedAt={query.dataUpdatedAt} />
    </DrainActionsProvider>
  );
}

/**
 * "Drain this host in every service of cluster C" (and restore), for each cluster it serves: drain
 * everywhere, its HAProxy servers in that cluster included (the pools read is the one the HAProxy
 * section below polls).
 */
function HostClusterActions({ address, cluster, held, serving }: { address: string; cluster: string; held: boolean; serving: boolean }) {
  const open = useDrainActions();
  const can = useCan('operator', cluster);
  const pools = useQuery(haproxyQueries.pools(cluster));
  const haproxyServers = haproxyRowsOfHost(pools.data?.instances ?? [], address).reduce((n, b) => n + b.rows.length, 0);
  if (!open || !can) return null;
  const button = 'rounded-md border border-line-strong px-2.5 py-1 text-sm font-medium hover:bg-hover';
  return (
    <span className="flex items-center gap-2" data-testid="host-cluster-actions" data-cluster={cluster}>
      {serving ? (
        <button type="button" className={`${button} text-amber-800 dark:text-amber-300`} data-testid="drain-host-button" onClick={() => open({ cluster, action: 'drain', target: address, haproxy: true })}>
          {haproxyServers > 0 ? `Drain everywhere in ${cluster} (LVS and ${haproxyServers} HAProxy)` : `Drain in every service of ${cluster}`}
        </button>
      ) : null}
      {held ? (
        <button type="button" className={button} data-testid="restore-host-button" onClick={() => open({ cluster, action: 'restore', target: address, haproxy: true })}>
          Restore in {cluster}
        </button>
      ) : null}
    </span>
  );
}

function NotAMember({ address }: { address: string }) {
  return (
    <EmptyState
      title={`${address} is not a real server of any cluster`}
      data-testid="host-not-found"
      action={
        <Link href={pageHrefs.overview()} className="text-accent hover:underline">
          Back to all clusters
        </Link>
      }
    >
      No virtual service on any director lists this address.
    </EmptyState>
  );
}

function HostDetails({ membership, failure, lastReceivedAt }: { membership: HostMembership; failure: unknown; lastReceivedAt: number }) {
  const entries = useMemo(
    () =>
      [...membership.entries].sort(
        (a, b) => a.cluster.localeCompare(b.cluster) || a.service.localeCompare(b.service) || a.realServer.port - b.realServer.port,
      ),
    [membership.entries],
  );
  const summary = useMemo(() => {
    const clusters = new Set(entries.map((e) => e.cluster));
    const counts = { up: 0, drained: 0, down: 0, unknown: 0 };
    let active = 0;
    let inactive = 0;
    let persistent = 0;
    for (const { realServer } of entries) {
      counts[realServer.health] += 1;
      active += realServer.activeConns ?? 0;
      inactive += realServer.inactiveConns ?? 0;
      persistent += realServer.persistentConns ?? 0;
    }
    return { clusters: clusters.size, counts, active, inactive, persistent };
  }, [entries]);

  return (
    <div className="space-y-5" data-testid="host-view" data-address={membership.address}>
      <div>
        <Breadcrumb items={[{ label: 'Clusters', href: pageHrefs.overview() }, { label: 'Hosts' }, { label: membership.address }]} />
        <h1 className="font-mono text-xl font-semibold tracking-tight">
          {membership.names.length > 0 ? (
            <>
              <span data-testid="host-names">{membership.names.join(', ')}</span> <span className="text-muted">({membership.address})</span>
            </>
          ) : (
            membership.address
          )}
        </h1>
        <p className="mt-1 flex flex-wrap gap-x-3 text-sm text-muted tabular-nums" data-testid="host-summary">
          <span>
            {entries.length} {entries.length === 1 ? 'service' : 'services'} in {summary.clusters} {summary.clusters === 1 ? 'cluster' : 'clusters'}
          </span>
          <span>
            <span className="text-emerald-800 dark:text-emerald-300">{summary.counts.up} up</span>
            {summary.counts.drained ? <span className="text-amber-900 dark:text-amber-300"> · {summary.counts.drained} drained</span> : null}
            {summary.counts.down ? <span className="text-red-700 dark:text-red-300"> · {summary.counts.down} down</span> : null}
          </span>
          <span data-testid="host-connections" data-active-conns={summary.active} data-inactive-conns={summary.inactive} data-persistent-conns={summary.persistent}>
            {formatCount(summary.active)} active · {formatCount(summary.inactive)} inactive · {formatCount(summary.persistent)} persistent connections
          </span>
        </p>
        <div className="mt-2 flex flex-wrap gap-2">
          {[...new Set(entries.map((e) => e.cluster))].map((c) => (
            <HostClusterActions
              key={c}
              address={membership.address}
              cluster={c}
              held={entries.some((e) => e.cluster === c && Boolean(e.realServer.hold))}
              serving={entries.some((e) => e.cluster === c && e.realServer.weight !== 0)}
            />
          ))}
        </div>
      </div>

      {failure ? (
        <StaleBanner subject="the console" since={lastReceivedAt} error={errorCodeAndMessage(failure)} tone="critical" data-testid="console-stale-banner">
          Everything below is the last answer received.
        </StaleBanner>
      ) : null}

      {entries.length === 0 ? (
        <NotAMember address={membership.address} />
      ) : (
        <Section id="memberships" title="Services using this host">
          <div className={`rounded-lg border border-line bg-surface ${failure ? 'opacity-60' : ''}`}>
            <Table aria-label={`Services using ${membership.address}`} data-testid="host-table">
              <thead>
                <tr>
                  <Th>Cluster</Th>
                  <Th>Virtual service</Th>
                  <Th>Real server</Th>
                  <Th>Fwd</Th>
                  <Th numeric>Weight</Th>
                  <Th>Health</Th>
                  <Th numeric>Active</Th>
                  <Th numeric>Inactive</Th>
                  <Th numeric>Persist</Th>
                  <Th numeric>Conn/s</Th>
                  <Th numeric>Bytes/s in·out</Th>
                  <Th title="Each director's own weight and connections">On each director</Th>
                </tr>
              </thead>
              <tbody>
                {entries.map((entry) => (
                  <HostRow key={`${entry.cluster}\n${entry.service}\n${entry.realServer.key}`} entry={entry} />
                ))}
              </tbody>
            </Table>
          </div>
        </Section>
      )}

      {[...new Set(entries.map((e) => e.cluster))].map((c) => (
        <Section key={c} id={`traffic-${c}`} title={`Traffic in ${c}`} description="This host's connections and rates in each service, stacked, with the cluster's events marked">
          <WhenNearScreen>
            <TrafficPanel cluster={c} scope={{ kind: 'host', host: membership.address }} testId="host-traffic" />
          </WhenNearScreen>
        </Section>
      ))}

      {[...new Set(entries.map((e) => e.cluster))].map((c) => (
        <HaproxyHostMemberships key={c} cluster={c} address={membership.address} />
      ))}
    </div>
  );
}

function HostRow({ entry }: { entry: Entry }) {
  const { realServer: rs } = entry;
  const health = RS_HEALTH[rs.health];
  const directors = Object.keys(rs.perDirector).sort();
  return (
    <Tr
      aria-label={`${rs.key} in ${entry.service} on ${entry.cluster}`}
      data-testid="host-row"
      data-cluster={entry.cluster}
      {...realServerRowData(entry.service, rs)}
      className="tabular-nums"
    >
      <Td>
        <ClusterLink name={entry.cluster} />
      </Td>
      <Td className="font-mono text-xs whitespace-nowrap">{entry.service}</Td>
      <Td className="font-mono text-xs whitespace-nowrap">{rs.key}</Td>
      <Td className="text-xs text-muted">{formatForward(rs.forward)}</Td>
      <Td numeric title={weightTitle(rs)}>
        <WeightValue rs={rs} />
      </Td>
      <Td>
        <StatusPill tone={health.tone} title={health.description}>
          {health.label}
        </StatusPill>
      </Td>
      <Td numeric>{formatCount(rs.activeConns)}</Td>
      <Td numeric>{formatCount(rs.inactiveConns)}</Td>
      <Td numeric>{formatCount(rs.persistentConns)}</Td>
      <Td numeric title={rs.rates ? formatCps(rs.rates.cps) : undefined}>
        {formatSi(rs.rates?.cps)}
      </Td>
      <Td numeric className="whitespace-nowrap" title={rs.rates ? `in ${formatBytesPerSecond(rs.rates.inBps)}, out ${formatBytesPerSecond(rs.rates.outBps)}` : undefined}>
        {formatSi(rs.rates?.inBps)} · {formatSi(rs.rates?.outBps)}
      </Td>
      <Td className="text-xs">
        <ul className="space-y-0.5">
          {directors.map((name) => {
            const values = rs.perDirector[name];
            if (!values) return null;
            const isActive = name === entry.activeDirector;
            return (
              <li
                key={name}
                data-testid={`host-director-${name}`}
                data-weight={values.weight ?? ''}
                data-active-conns={values.activeConns ?? ''}
                className={`flex gap-2 whitespace-nowrap ${rs.differs.length ? '' : 'text-muted'}`}
              >
                <span className={`w-16 truncate font-mono ${isActive ? 'font-semibold text-ink' : ''}`} title={isActive ? `${name} holds the VIP` : name}>
                  {name}
                </span>
                {values.present ? (
                  <span>
                    w <span className={rs.differs.includes('weight') ? 'font-semibold text-amber-900 dark:text-amber-200' : ''}>{formatCount(values.weight)}</span>
                    {' · '}
                    {formatCount(values.activeConns)} act · {formatCount(values.inactiveConns)} inact
                  </span>
                ) : (
                  <span className="font-medium text-amber-900 dark:text-amber-200">absent</span>
                )}
              </li>
            );
          })}
        </ul>
        {rs.differs.length ? (
          <span className="mt-0.5 inline-block font-medium text-amber-900 dark:text-amber-200" data-testid="differs-marker">
            <span aria-hidden="true">≠ </span>directors disagree on {rs.differs.join(', ')}
          </span>
        ) : null}
      </Td>
    </Tr>
  );
}
