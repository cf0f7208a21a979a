'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { rolloutQueries } from '@/lib/api/rollout-queries';
import type { Rollout } from '@/lib/models/rollout';
import { useCan } from '@/components/auth/me-context';
import { ClusterBreadcrumb } from '@/components/ui/breadcrumb';
import { Section } from '@/components/ui/card';
import { ErrorState } from '@/components/ui/error-state';
import { pageHrefs } from '@/components/ui/links';
import { RelativeTime } from '@/components/ui/relative-time';
import { LoadingBlock } from '@/components/ui/skeleton';
import { StatusPill } from '@/components/ui/status-pill';
import { Table, Td, Th, Tr } from '@/components/ui/table';
import { rolloutProgress, sortRollouts, stateTone } from './board-model';
import { NewRolloutForm } from './new-rollout-form';

// A cluster's rollouts: the active ones first, then the recent ended ones (read every 5 s), and for
// operators the "New rollout" form.

function RolloutTable({ cluster, rollouts, label }: { cluster: string; rollouts: readonly Rollout[]; label: string }) {
  return (
    <div className="rounded-lg border border-line bg-surface">
      <Table aria-label={label} data-testid="rollout-table">
        <thead>
          <tr>
            <Th>Rollout</Th>
            <Th>State</Th>
            <Th numeric>Hosts done</Th>
            <Th>Status</Th>
            <Th>By</Th>
            <Th>Reason</Th>
            <Th>Started</Th>
          </tr>
        </thead>
        <tbody>
          {rollouts.map((r) => {
            const p = rolloutProgress(r);
            return (
              <Tr key={r.id} data-testid="rollout-row" data-id={r.id} data-state={r.state}>
                <Td>
                  <Link href={pageHrefs.rollout(cluster, r.id)} className="font-medium text-accent hover:underline">
                    Rollout #{r.id}
                  </Link>
                  {r.kind === 'ramp' ? <span className="ml-1 text-xs text-muted">(ramp)</span> : null}
                </Td>
                <Td>
                  <StatusPill tone={stateTone(r)}>{r.state}</StatusPill>
                </Td>
                <Td numeric>
                  {p.done}/{p.total}
                  {p.skipped ? <span className="text-xs text-muted"> ({p.skipped} skipped)</span> : null}
                </Td>
                <Td className="max-w-md text-xs">
                  {r.stopped ? <span className="block text-red-800 dark:text-red-300">Stopped: {r.stopped}</span> : null}
                  {r.status}
                </Td>
                <Td className="text-xs">{r.actor}</Td>
                <Td className="max-w-xs text-xs">
                  {r.reason}
                  {r.ticket ? <span className="text-muted"> ({r.ticket})</span> : null}
                </Td>
                <Td className="text-xs whitespace-nowrap">
                  <RelativeTime at={r.createdAt} />
                </Td>
              </Tr>
            );
          })}
        </tbody>
      </Table>
    </div>
  );
}

export function RolloutsPage({ cluster }: { cluster: string }) {
  const q = useQuery(rolloutQueries.list(cluster, true));
  const canAct = useCan('operator', cluster);
  const { active, recent } = sortRollouts(q.data?.rollouts ?? []);
  return (
    <div className="space-y-6" data-testid="rollouts-page">
      <div>
        <ClusterBreadcrumb cluster={cluster} page="Rollouts" />
        <h1 className="text-xl font-semibold tracking-tight">Rollouts of {cluster}</h1>
        <p className="mt-1 max-w-3xl text-sm text-muted">
          Rolling maintenance: hosts are patched one batch at a time. Each host is drained from every service it serves on every director, waits until drained (or the
          deadline), stays out for its maintenance, then comes back with its weight ramped up in steps, each verified, and is checked (keepalived&apos;s checker says up,
          new connections reach it) before the next batch starts. The capacity floor is checked before every batch; a failure pauses the rollout and says why.
        </p>
      </div>
      {q.isPending ? <LoadingBlock label={`Loading the rollouts of ${cluster}`} /> : null}
      {q.isError ? <ErrorState title={`Could not read the rollouts of ${cluster}`} error={q.error} onRetry={() => void q.refetch()} retrying={q.isFetching} /> : null}
      {q.data ? (
        <>
          <Section id="active" title="Active rollouts" description={active.length ? `${active.length} running or paused` : undefined}>
            {active.length ? (
              <RolloutTable cluster={cluster} rollouts={active} label="Active rollouts" />
            ) : (
              <p className="text-sm text-muted" data-testid="no-active-rollout">
                No rollout is running or paused.
              </p>
            )}
          </Section>
          <Section id="recent" title="Recent rollouts">
            {recent.length ? <RolloutTable cluster={cluster} rollouts={recent} label="Recent rollouts" /> : <p className="text-sm text-muted">None yet.</p>}
          </Section>
        </>
      ) : null}
      {canAct ? (
        <Section id="new-rollout" title="New rollout">
          <NewRolloutForm cluster={cluster} />
        </Section>
      ) : null}
    </div>
  );
}
