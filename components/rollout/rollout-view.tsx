'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { isApiError } from '@/lib/api/client';
import { auditQueries } from '@/lib/api/audit-queries';
import { rolloutQueries } from '@/lib/api/rollout-queries';
import { formatDuration } from '@/lib/format';
import { rolloutActive, type Rollout } from '@/lib/models/rollout';
import { AuditTable } from '@/components/audit/audit-view';
import { useCan } from '@/components/auth/me-context';
import { Breadcrumb } from '@/components/ui/breadcrumb';
import { Section } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { pageHrefs } from '@/components/ui/links';
import { ClockAndAge } from '@/components/ui/relative-time';
import { LoadingBlock } from '@/components/ui/skeleton';
import { StatusPill } from '@/components/ui/status-pill';
import { rolloutProgress, stateTone } from './board-model';
import { RampWeights, RolloutBoard, RolloutLog } from './rollout-board';
import { ActionOutcome, RolloutControls, useRolloutActions } from './rollout-controls';

// One rollout: what it is doing (its status sentence, why it stopped), the board of hosts by step,
// the controls for operators, the ramp's weights per server and the log. Read every 2 s while the
// console drives it.

export function RolloutView({ cluster, id }: { cluster: string; id: string }) {
  const q = useQuery(rolloutQueries.detail(cluster, id));
  const crumbs = (
    <Breadcrumb
      items={[
        { label: 'Clusters', href: pageHrefs.overview() },
        { label: cluster, href: pageHrefs.cluster(cluster) },
        { label: 'Rollouts', href: pageHrefs.rollouts(cluster) },
        { label: `#${id}` },
      ]}
    />
  );
  if (q.isPending) {
    return (
      <div>
        {crumbs}
        <LoadingBlock label={`Loading rollout #${id}`} />
      </div>
    );
  }
  if (q.isError && !q.data) {
    return (
      <div>
        {crumbs}
        {isApiError(q.error) && q.error.isNotFound ? (
          <EmptyState
            title={`No rollout #${id} in ${cluster}`}
            data-testid="rollout-not-found"
            action={
              <Link href={pageHrefs.rollouts(cluster)} className="text-accent hover:underline">
                All rollouts of {cluster}
              </Link>
            }
          >
            {q.error.message}
          </EmptyState>
        ) : (
          <ErrorState title={`Could not read rollout #${id}`} error={q.error} onRetry={() => void q.refetch()} retrying={q.isFetching} />
        )}
      </div>
    );
  }
  return (
    <div>
      {crumbs}
      <RolloutDetails cluster={cluster} rollout={q.data} readError={q.isError ? q.error : null} />
    </div>
  );
}

function RolloutDetails({ cluster, rollout: r, readError }: { cluster: string; rollout: Rollout; readError: unknown }) {
  const canAct = useCan('operator', cluster);
  const actions = useRolloutActions(cluster, r.id);
  const progress = rolloutProgress(r);
  const o = r.options;
  const headingId = `rollout-${r.id}-heading`;
  return (
    <section aria-labelledby={headingId} className="space-y-5" data-testid="rollout-view" data-id={r.id} data-state={r.state}>
      <div className="space-y-1">
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
          <h1 id={headingId} className="text-xl font-semibold tracking-tight">
            Rollout #{r.id}
          </h1>
          <StatusPill tone={stateTone(r)} data-testid="rollout-state">
            {r.state}
          </StatusPill>
          {r.kind === 'ramp' ? <StatusPill tone="neutral">ramp only</StatusPill> : null}
          <span className="text-xs text-muted">
            {progress.done} of {progress.total} host{progress.total === 1 ? '' : 's'} done{progress.skipped ? `, ${progress.skipped} skipped` : ''}
          </span>
        </div>
        <p className="text-sm" data-testid="rollout-status">
          {r.status}
        </p>
        <p className="text-xs text-muted">
          Started <ClockAndAge at={r.createdAt} /> by <span className="font-medium text-ink">{r.actor}</span> — {r.reason}
          {r.ticket ? ` (${r.ticket})` : ''}
          {r.endedAt !== null ? (
            <>
              {' '}
              · {r.state === 'aborted' ? 'aborted' : 'ended'} <ClockAndAge at={r.endedAt} />
              {r.endedBy ? ` by ${r.endedBy}` : ''}
            </>
          ) : null}
        </p>
        <p className="text-xs text-muted" data-testid="rollout-options">
          {o.batchSize} host{o.batchSize === 1 ? '' : 's'} per batch · drain deadline {formatDuration(o.drainDeadlineSeconds * 1000)}, then{' '}
          {o.onDeadline === 'wait' ? 'wait for an operator' : 'proceed'} · maintenance{' '}
          {o.maintenance === 'manual' ? 'until an operator says done' : `of ${formatDuration((o.maintenanceSeconds ?? 0) * 1000)}`} · ramp {o.ramp.join(', ')} % every{' '}
          {formatDuration(o.stepSeconds * 1000)} · check up to {formatDuration(o.checkSeconds * 1000)}
          {o.checkNewConnections ? ' (new connections must reach it)' : ''}
        </p>
      </div>

      {r.stopped ? (
        <div
          role="alert"
          className="rounded-lg border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-900 dark:border-red-400/30 dark:bg-red-400/10 dark:text-red-200"
          data-testid="rollout-stopped"
        >
          <p className="font-semibold">Stopped by the console</p>
          <p className="mt-1">{r.stopped}</p>
          {r.state === 'paused' ? <p className="mt-1 text-xs">Resume tries the step again; Skip leaves a host as it is; Abort stops here.</p> : null}
        </div>
      ) : null}
      {readError ? <ErrorState title="Could not read the rollout again: this is the last answer" error={readError} /> : null}

      {canAct ? (
        <div className="space-y-2">
          <RolloutControls rollout={r} actions={actions} />
          <ActionOutcome actions={actions} />
        </div>
      ) : null}

      <Section id="board" title="Hosts">
        <RolloutBoard rollout={r} busy={actions.pending} {...(canAct ? { onHostAction: (action, host) => actions.run({ action, host }) } : {})} />
      </Section>

      <Section id="ramp" title="Ramp-up weights" description="Each server's weight at every step of the ramp (✓: applied and verified on every director)">
        <RampWeights rollout={r} />
      </Section>

      <Section id="log" title="Log" description="Newest first">
        <RolloutLog rollout={r} />
      </Section>

      <Section id="audit" title="Audit" description="What this rollout caused and who acted on it: its start, each drain, re-weight and restore it made, every action on it; newest first">
        <RolloutAudit cluster={cluster} rollout={r} />
      </Section>
    </section>
  );
}

function RolloutAudit({ cluster, rollout }: { cluster: string; rollout: Rollout }) {
  const q = useQuery(auditQueries.rollout(cluster, rollout.id, rolloutActive(rollout) ? 5000 : false));
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} retrying={q.isFetching} />;
  if (q.isPending) return <p className="text-sm text-muted">Loading…</p>;
  if (q.data.entries.length === 0) return <EmptyState title="Nothing recorded yet" />;
  return <AuditTable entries={q.data.entries} label={`Audit of rollout #${rollout.id}`} />;
}
