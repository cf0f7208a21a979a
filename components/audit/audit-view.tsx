'use client';

import { useQuery } from '@tanstack/react-query';
import { auditQueries } from '@/lib/api/audit-queries';
import type { AuditEntry } from '@/lib/models/audit';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { Section } from '@/components/ui/card';
import { Table, Td, Th, Tr } from '@/components/ui/table';
import { useClock } from '@/components/ui/relative-time';

// The audit log: who did what, from where, to what, and how it went on each director.

const OUTCOME_TONE: Record<AuditEntry['outcome'], string> = {
  attempted: 'bg-sky-100 text-sky-900 dark:bg-sky-400/15 dark:text-sky-200',
  ok: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-400/15 dark:text-emerald-200',
  partial: 'bg-amber-100 text-amber-900 dark:bg-amber-400/15 dark:text-amber-200',
  failed: 'bg-red-100 text-red-900 dark:bg-red-400/15 dark:text-red-200',
  refused: 'bg-zinc-200 text-zinc-900 dark:bg-zinc-400/15 dark:text-zinc-200',
};

/** "dir1: ok · dir2: failed (timeout)" from detail.directors / detail.results, if the entry has them. */
export function directorResults(detail: unknown): string | null {
  if (typeof detail !== 'object' || detail === null) return null;
  const d = detail as Record<string, unknown>;
  const results = d.directors ?? d.results;
  if (Array.isArray(results)) {
    const parts = results.map((r: unknown) => {
      if (typeof r !== 'object' || r === null) return String(r);
      const o = r as Record<string, unknown>;
      const name = typeof o.director === 'string' ? o.director : typeof o.name === 'string' ? o.name : '?';
      const outcome = typeof o.outcome === 'string' ? o.outcome : typeof o.ok === 'boolean' ? (o.ok ? 'ok' : 'failed') : '';
      const err = typeof o.error === 'string' ? ` (${o.error})` : '';
      return `${name}: ${outcome}${err}`;
    });
    return parts.join(' · ');
  }
  if (typeof results === 'object' && results !== null) {
    return Object.entries(results as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' · ');
  }
  return null;
}

/**
 * Changes are audited as an 'attempted' row before the change and an outcome row after it, which
 * names the attempt. An attempt nothing completes: the action is still running, or the console
 * stopped (or could not write the outcome) half-way; what the directors have now is unknown.
 */
export function OutcomeCell({ e }: { e: AuditEntry }) {
  const pill = <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${OUTCOME_TONE[e.outcome]}`}>{e.outcome}</span>;
  if (e.outcome === 'attempted') {
    return (
      <span className="whitespace-nowrap">
        {pill}{' '}
        {e.outcomeId === null ? (
          <span className="text-xs font-medium text-amber-800 dark:text-amber-200" data-testid="audit-no-outcome">
            no outcome recorded
          </span>
        ) : (
          <span className="text-xs text-muted">→ #{e.outcomeId}</span>
        )}
      </span>
    );
  }
  return (
    <span className="whitespace-nowrap">
      {pill}
      {e.attemptId === null ? null : <span className="text-xs text-muted"> of #{e.attemptId}</span>}
    </span>
  );
}

function summary(detail: unknown): string {
  if (typeof detail === 'object' && detail !== null && typeof (detail as { message?: unknown }).message === 'string') {
    return (detail as { message: string }).message;
  }
  if (detail === null || detail === undefined) return '';
  const text = JSON.stringify(detail);
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}

/** Audit rows as a table (the audit page; a rollout's page lists the rows it caused). */
export function AuditTable({ entries, label }: { entries: readonly AuditEntry[]; label: string }) {
  const clockOf = useClock();
  return (
    <div className="rounded-lg border border-line bg-surface">
      <Table aria-label={label} data-testid="audit-table" focusableScroll>
        <thead>
          <tr>
            <Th>#</Th>
            <Th>Time</Th>
            <Th>Actor</Th>
            <Th>Role</Th>
            <Th>Source</Th>
            <Th>Action</Th>
            <Th>Target</Th>
            <Th>Outcome</Th>
            <Th>Per director / detail</Th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <Tr key={e.id} data-testid="audit-row" data-action={e.action} data-outcome={e.outcome} data-id={e.id}>
              <Td className="font-mono text-xs text-muted">{e.id}</Td>
              <Td className="whitespace-nowrap">
                <time dateTime={new Date(e.at).toISOString()} suppressHydrationWarning>
                  {clockOf(e.at, { date: true })}
                </time>
              </Td>
              <Td className="font-medium">{e.actor}</Td>
              <Td>{e.role ?? '—'}</Td>
              <Td className="font-mono text-xs">{e.source}</Td>
              <Td className="font-mono text-xs">{e.action}</Td>
              <Td className="font-mono text-xs">{[e.cluster, e.target].filter(Boolean).join(' / ') || '—'}</Td>
              <Td>
                <OutcomeCell e={e} />
              </Td>
              <Td className="max-w-md text-xs text-muted">{directorResults(e.detail) ?? summary(e.detail)}</Td>
            </Tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}

export function AuditView() {
  const q = useQuery(auditQueries.list());
  return (
    <Section id="audit" title="Audit log" description="Every change (an attempted row before it, the outcome after) and every refused request (counted per source and minute), newest first. Entries are hash-chained: lvsctl audit verify.">
      {q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} retrying={q.isFetching} />
      ) : q.isPending ? (
        <p className="text-sm text-muted">Loading…</p>
      ) : q.data.entries.length === 0 ? (
        <EmptyState title="Nothing recorded yet" />
      ) : (
        <AuditTable entries={q.data.entries} label="Audit log" />
      )}
    </Section>
  );
}
