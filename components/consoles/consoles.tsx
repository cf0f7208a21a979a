'use client';

import { useQuery } from '@tanstack/react-query';
import { consoleQueries } from '@/lib/api/queries';
import { formatDuration } from '@/lib/format';
import { STORE_LEASE, type ConsolesView } from '@/lib/models/consoles';
import { Card } from '@/components/ui/card';
import { useClock } from '@/components/ui/relative-time';

// Several consoles on one store (#16): a banner on every page when this console lost its store,
// and on the overview, the consoles sharing it and which clusters each leads.


/** On every page: this console cannot reach its store. Nothing when it can (or before the first answer). */
export function StoreLostBanner() {
  const { data } = useQuery(consoleQueries.list());
  if (!data || data.storeReachable) return null;
  return (
    <div role="alert" data-testid="store-lost-banner" className="mx-auto mt-3 max-w-[1680px] px-4 sm:px-6">
      <div className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-400/30 dark:bg-red-400/10 dark:text-red-200">
        <strong className="font-semibold">This console has lost its store.</strong> It has stopped holding drains, recording events and sending webhooks, and it refuses changes; what
        you see is its own polling of the directors. Use another console, or bring the database back.
        {data.storeError ? <span className="mt-1 block font-mono text-xs">{data.storeError}</span> : null}
      </div>
    </div>
  );
}

/** The consoles sharing the store: shown when there is more than one, or the store is PostgreSQL. */
export function ConsolesPanel() {
  const { data } = useQuery(consoleQueries.list());
  if (!data || (data.store === 'sqlite' && data.consoles.length <= 1)) return null;
  return <ConsolesTable view={data} />;
}

export function ConsolesTable({ view }: { view: ConsolesView }) {
  const clockOf = useClock();
  const lease = (name: string) => view.leases.find((l) => l.name === name);
  return (
    <Card as="section" aria-labelledby="consoles-heading" data-testid="consoles-panel">
      <div className="border-b border-line px-4 py-3">
        <h2 id="consoles-heading" className="text-base font-semibold">
          Consoles sharing the store
        </h2>
        <p className="text-sm text-muted">
          Each cluster is led by one console, which holds its drains, records its events and sends its webhooks; every console serves every page and action. A console that stops
          renewing is replaced within {formatDuration(view.leaseMs)} and a poll.
        </p>
      </div>
      <table className="w-full text-sm">
        <thead className="text-left text-xs uppercase tracking-wide text-muted">
          <tr>
            <th scope="col" className="px-4 py-2 font-medium">Console</th>
            <th scope="col" className="px-4 py-2 font-medium">Started</th>
            <th scope="col" className="px-4 py-2 font-medium">Last seen</th>
            <th scope="col" className="px-4 py-2 font-medium">Leads</th>
          </tr>
        </thead>
        <tbody>
          {view.consoles.map((c) => (
            <tr key={c.id} className="border-t border-line" data-testid={`console-row-${c.id}`}>
              <td className="px-4 py-2">
                <span className="font-mono text-xs">{c.id}</span>
                {c.self ? <span className="ml-2 text-xs text-muted">(this console)</span> : null}
                {!c.live ? <span className="ml-2 text-xs font-medium text-red-700 dark:text-red-300">not beating</span> : null}
              </td>
              <td className="px-4 py-2 tabular-nums">{clockOf(c.startedAt)}</td>
              <td className="px-4 py-2 tabular-nums">{formatDuration(c.seenAgoMs)} ago</td>
              <td className="px-4 py-2">
                {c.leads.length === 0
                  ? <span className="text-muted">nothing</span>
                  : c.leads.map((n) => (
                      <span key={n} className="mr-2 inline-block">
                        {n === STORE_LEASE ? 'store housekeeping' : n}
                        <span className="text-xs text-muted"> (renewed {formatDuration(lease(n)?.ageMs ?? 0)} ago)</span>
                      </span>
                    ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}
