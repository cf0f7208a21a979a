'use client';

import Link from 'next/link';
import type { ClusterSummary } from '@/lib/models/cluster';
import { formatCount } from '@/lib/format';
import { pageHrefs } from '@/components/ui/links';
import { RelativeTime } from '@/components/ui/relative-time';
import { Table, Td, Th, Tr } from '@/components/ui/table';
import { sortFindings } from '@/components/ui/tones';
import { ClusterHealthPills } from './cluster-health-pills';

// The overview as one table, a row per cluster (issue 22 item 9: many clusters). The same facts as
// a card, one line each: health, who holds each VRRP instance, the real servers in and out of
// rotation, the directors not answering, the worst finding. Worst first, as the cards.

/** Instances grouped by their master: "dir1 (VI_V4, VI_V6)"; no master first. */
function mastersOf(instances: ClusterSummary['instances']): { master: string | null; names: string[] }[] {
  const by = new Map<string | null, string[]>();
  for (const i of instances) by.set(i.master, [...(by.get(i.master) ?? []), i.name]);
  return [...by.entries()].map(([master, names]) => ({ master, names })).sort((a, b) => Number(a.master !== null) - Number(b.master !== null));
}

export function ClusterTable({ clusters }: { clusters: readonly (ClusterSummary & { stale: boolean })[] }) {
  return (
    <Table aria-label="Clusters" data-testid="cluster-table">
      <thead>
        <tr>
          <Th>Cluster</Th>
          <Th>Health</Th>
          <Th>VRRP masters</Th>
          <Th numeric>Services</Th>
          <Th>Real servers</Th>
          <Th>Directors</Th>
          <Th>Worst finding</Th>
          <Th>Taken</Th>
        </tr>
      </thead>
      <tbody>
        {clusters.map((c) => {
          const down = c.directors.filter((d) => !d.live);
          const worst = sortFindings(c.findings)[0];
          const rs = c.realServers;
          return (
            <Tr key={c.name} data-testid={`cluster-row-${c.name}`} data-health={c.health}>
              <Td className="font-semibold">
                <Link href={pageHrefs.cluster(c.name)} className="hover:underline focus-visible:underline">
                  {c.name}
                </Link>
              </Td>
              <Td className="whitespace-nowrap">
                <ClusterHealthPills health={c.health} stale={c.stale} />
              </Td>
              <Td data-testid="cluster-table-masters">
                {c.instances.length === 0 ? (
                  <span className="text-muted">none reported</span>
                ) : (
                  mastersOf(c.instances).map(({ master, names }) => (
                    <span key={master ?? ''} className="mr-3 whitespace-nowrap">
                      {master === null ? <span className="font-semibold text-red-700 dark:text-red-300">no master</span> : <span className="font-semibold">{master}</span>}{' '}
                      <span className="font-mono text-xs text-muted">({names.join(', ')})</span>
                    </span>
                  ))
                )}
              </Td>
              <Td numeric>{formatCount(c.serviceCount)}</Td>
              <Td className="whitespace-nowrap">
                {formatCount(rs.up)} up
                {rs.drained ? <span className="text-amber-900 dark:text-amber-300"> · {formatCount(rs.drained)} out</span> : null}
                {rs.down ? <span className="text-red-700 dark:text-red-300"> · {formatCount(rs.down)} down</span> : null}
                {rs.unknown ? <span className="text-muted"> · {formatCount(rs.unknown)} unknown</span> : null}
              </Td>
              <Td className="whitespace-nowrap">
                {down.length === 0 ? (
                  <span>{c.directors.length} live</span>
                ) : (
                  <span className="text-amber-900 dark:text-amber-200" title={down.map((d) => `${d.name}: ${d.error ?? 'stale'}`).join('\n')}>
                    {c.directors.length - down.length}/{c.directors.length} live · {down.map((d) => d.name).join(', ')} stale
                  </span>
                )}
              </Td>
              <Td className="max-w-md text-xs" data-testid="cluster-table-finding">
                {worst ? (
                  <span className={worst.severity === 'critical' ? 'text-red-800 dark:text-red-300' : worst.severity === 'warning' ? 'text-amber-900 dark:text-amber-300' : 'text-muted'}>
                    {worst.message}
                    {c.findings.length > 1 ? <span className="text-muted"> (+{formatCount(c.findings.length - 1)})</span> : null}
                  </span>
                ) : (
                  <span className="text-muted">none</span>
                )}
              </Td>
              <Td className="whitespace-nowrap text-xs text-muted">
                <RelativeTime at={c.takenAt} />
              </Td>
            </Tr>
          );
        })}
      </tbody>
    </Table>
  );
}
