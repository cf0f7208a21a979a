'use client';

import { useQuery } from '@tanstack/react-query';
import { diagnosticsQueries } from '@/lib/api/diagnostics';
import type { CheckStatus, DiagnosticCheck } from '@/lib/models/diagnostics';
import { formatCount, formatDuration } from '@/lib/format';
import { ClusterBreadcrumb } from '@/components/ui/breadcrumb';
import { CopyButton } from '@/components/ui/copy-button';
import { Section } from '@/components/ui/card';
import { ErrorState } from '@/components/ui/error-state';
import { RelativeTime } from '@/components/ui/relative-time';
import { StatusPill, type Tone } from '@/components/ui/status-pill';
import { CLUSTER_HEALTH } from '@/components/ui/tones';

// "Check this cluster": one button runs read-only checks on every director and lists what it
// found, the critical ones first, each with the exact fix to copy.

// The words and colours of cluster health and findings (components/ui/tones.ts): one vocabulary.
const STATUS: Record<CheckStatus, { label: string; tone: Tone; order: number }> = {
  problem: { label: CLUSTER_HEALTH.critical.label, tone: 'critical', order: 0 },
  warning: { label: CLUSTER_HEALTH.warning.label, tone: 'warning', order: 1 },
  unknown: { label: 'Unknown', tone: 'neutral', order: 2 },
  ok: { label: CLUSTER_HEALTH.ok.label, tone: 'ok', order: 3 },
  'not-applicable': { label: 'N/A', tone: 'neutral', order: 4 },
};

function CheckRow({ c }: { c: DiagnosticCheck }) {
  const s = STATUS[c.status];
  return (
    <li className="border-b border-line py-3 last:border-b-0" data-testid="diagnostic-check" data-check={c.check} data-status={c.status} data-director={c.director ?? ''} data-host={c.host ?? ''}>
      <div className="flex flex-wrap items-center gap-2">
        <StatusPill tone={s.tone}>{s.label}</StatusPill>
        <span className="font-medium">{c.title}</span>
        {c.director ? <span className="text-xs text-muted">on {c.director}</span> : null}
        {c.host ? <span className="text-xs text-muted">on real server {c.host}</span> : null}
      </div>
      <p className="mt-1 text-sm">{c.detail}</p>
      {c.fix ? (
        <div className="mt-2">
          <div className="flex items-center gap-2 text-xs font-medium text-muted">
            Fix
            <CopyButton text={c.fix} label={`the fix for ${c.title}${c.director ? ` on ${c.director}` : c.host ? ` on ${c.host}` : ''}`} />
          </div>
          <pre className="mt-0.5 overflow-x-auto rounded bg-sunken px-3 py-2 font-mono text-xs whitespace-pre-wrap" data-testid="diagnostic-fix">
            {c.fix}
          </pre>
        </div>
      ) : null}
    </li>
  );
}

export function ClusterChecks({ cluster }: { cluster: string }) {
  const q = useQuery(diagnosticsQueries.run(cluster));
  const report = q.data;
  const checks = report ? [...report.checks].sort((a, b) => STATUS[a.status].order - STATUS[b.status].order) : [];
  const passed = checks.filter((c) => c.status === 'ok' || c.status === 'not-applicable');
  const open = checks.filter((c) => c.status !== 'ok' && c.status !== 'not-applicable');
  return (
    <div className="space-y-6" data-testid="cluster-checks">
      <div>
        <ClusterBreadcrumb cluster={cluster} page="Checks" />
        <h1 className="text-xl font-semibold tracking-tight">Check {cluster}</h1>
        <p className="mt-1 max-w-3xl text-sm text-muted">
          Read-only checks on every director: keepalived -t, IP forwarding for NAT services, the conntrack table, expire_quiescent_template with persistent services,
          expire_nodest_conn, runtime weights against keepalived.conf, and the directors&apos; IPVS tables compared; and on real servers reached over SSH: the VIP on lo and
          ARP settings for direct routing, the route back through the director for NAT, rp_filter. Nothing is changed; each finding says how to fix it.
        </p>
        <button
          type="button"
          onClick={() => void q.refetch()}
          disabled={q.isFetching}
          className="mt-3 rounded bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-60"
          data-testid="run-checks"
        >
          {q.isFetching ? 'Checking…' : report ? 'Check again' : 'Check this cluster'}
        </button>
      </div>
      {q.error ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : null}
      {report ? (
        <Section
          id="checks"
          title={`${formatCount(report.counts.problem)} critical, ${formatCount(report.counts.warning)} warning${report.counts.warning === 1 ? '' : 's'}`}
          description={
            <>
              Ran <RelativeTime at={report.ranAt} /> in {formatDuration(report.durationMs, { ms: true })} · {report.counts.ok} ok, {report.counts.unknown} unknown
            </>
          }
        >
          <ul data-testid="diagnostic-checks">
            {open.map((c) => (
              <CheckRow key={c.id} c={c} />
            ))}
            {passed.length > 0 ? (
              <li>
                {/* Passed and not-applicable checks: one line and a count, opened on demand. */}
                <details data-testid="passed-checks" data-count={passed.length}>
                  <summary className="cursor-pointer py-3 text-sm">
                    <span className="font-medium text-emerald-800 dark:text-emerald-300">✓ {report.counts.ok} passed</span>
                    {passed.length > report.counts.ok ? <span className="text-muted"> · {passed.length - report.counts.ok} not applicable</span> : null}
                  </summary>
                  <ul className="border-t border-line">
                    {passed.map((c) => (
                      <CheckRow key={c.id} c={c} />
                    ))}
                  </ul>
                </details>
              </li>
            ) : null}
          </ul>
        </Section>
      ) : null}
    </div>
  );
}
