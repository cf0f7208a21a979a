import Link from 'next/link';
import type { Finding } from '@/lib/models/cluster';
import { splitEndpoint } from '@/lib/address';
import { HostLink } from '@/components/ui/links';
import { ClockAndAge } from '@/components/ui/relative-time';
import { StatusPill } from '@/components/ui/status-pill';
import { SEVERITY, sortFindings } from '@/components/ui/tones';

// Open findings, worst first, each with what it is about and since when.

const KIND_LABEL: Record<Finding['kind'], string> = {
  'split-brain': 'Split brain',
  'no-master': 'No master',
  'directors-disagree': 'Directors disagree',
  'director-unreachable': 'Director unreachable',
  'keepalived-down': 'keepalived down',
  'stale-master-claim': 'Stale master claim',
  'conntrack-near-full': 'conntrack near full',
  'orphan-drain': 'Orphaned drain',
  'old-drain': 'Old drain',
  'persistence-quiescent': 'Persistence keeps drained server busy',
  'drain-expired': 'Drain lease expired',
  'drift-repair-failing': 'Held weight cannot be re-applied',
  'parse-error': 'Unreadable output',
  'nm-vip-in-profile': 'VIP in a NetworkManager profile',
  'nm-device-not-connected': 'Interface not connected (NetworkManager)',
  'nm-managed-inconsistent': 'NetworkManager manages VRRP interface on some directors',
  'nm-dhcp-on-vrrp': 'DHCP profile on VRRP interface',
};

export function FindingsList({
  findings,
  limit,
  moreHref,
  dense = false,
  emptyText = 'No open findings.',
}: {
  findings: readonly Finding[];
  /** Show at most this many (worst first) and a "+N more" note. */
  limit?: number;
  /** Where "+N more" leads. */
  moreHref?: string;
  dense?: boolean;
  emptyText?: string;
}) {
  if (findings.length === 0) {
    return (
      <p data-testid="findings-empty" className="flex items-center gap-1.5 text-sm text-muted">
        <span aria-hidden="true" className="text-emerald-600 dark:text-emerald-400">
          ●
        </span>
        {emptyText}
      </p>
    );
  }
  const sorted = sortFindings(findings);
  const shown = limit === undefined ? sorted : sorted.slice(0, limit);
  const hidden = sorted.length - shown.length;
  return (
    <div>
      <ul aria-label="Findings" className={dense ? 'space-y-1.5' : 'divide-y divide-line'}>
        {shown.map((finding) => (
          <li
            key={finding.id}
            data-testid={`finding-${finding.kind}`}
            data-finding-id={finding.id}
            data-severity={finding.severity}
            className={`flex items-start gap-2 ${dense ? 'text-sm' : 'py-2 text-sm first:pt-0 last:pb-0'}`}
          >
            <StatusPill tone={SEVERITY[finding.severity].tone} className="mt-px w-[4.75rem] justify-center">
              {SEVERITY[finding.severity].label}
            </StatusPill>
            <div className="min-w-0 flex-1">
              <p className={dense ? 'truncate' : ''} title={dense ? finding.message : undefined}>
                <span className="font-medium">{KIND_LABEL[finding.kind]}</span>
                <span className="text-muted"> — </span>
                {finding.message}
              </p>
              {dense ? null : (
                <p className="mt-0.5 flex flex-wrap items-center gap-x-3 gap-y-0.5 text-xs text-muted">
                  {finding.director ? <span>director <span className="font-mono text-ink">{finding.director}</span></span> : null}
                  {finding.service ? <span>service <span className="font-mono text-ink">{finding.service}</span></span> : null}
                  {finding.realServer ? (
                    <span>
                      real server{' '}
                      <HostLink address={splitEndpoint(finding.realServer).address} className="font-mono">
                        {finding.realServer}
                      </HostLink>
                    </span>
                  ) : null}
                  <span>
                    since <ClockAndAge at={finding.since} />
                  </span>
                </p>
              )}
            </div>
          </li>
        ))}
      </ul>
      {hidden > 0 ? (
        <p className="mt-2 text-xs text-muted">
          {moreHref ? (
            <Link href={moreHref} className="text-accent hover:underline">
              +{hidden} more
            </Link>
          ) : (
            `+${hidden} more`
          )}
        </p>
      ) : null}
    </div>
  );
}
