'use client';

import { useQuery } from '@tanstack/react-query';
import dynamic from 'next/dynamic';
import { drainQueries } from '@/lib/api/drain';
import type { Intent } from '@/lib/models/drain';
import { useCan } from '@/components/auth/me-context';
import { ErrorText } from '@/components/ui/error-state';
import { RelativeTime } from '@/components/ui/relative-time';
import { StatusPill } from '@/components/ui/status-pill';
import { useNow } from '@/components/ui/use-now';
import { useDrainActions } from './drain-actions';

// A drain's progress (its connection reads, its chart) loads with the first drain listed: a
// cluster with nothing held does not pay for its code.
const DrainProgressView = dynamic(() => import('./drain-progress').then((m) => m.DrainProgressView), {
  loading: () => <p className="text-sm text-muted">Reading connections…</p>,
});

// The console's open holds on this cluster: what is drained or re-weighted, by whom, why, since
// when, how it is held, and (for drains) how far the connections have gone.

const OLD_AFTER_MS = 24 * 3_600_000;

function HoldRow({ intent, cluster, canOperate }: { intent: Intent; cluster: string; canOperate: boolean }) {
  const open = useDrainActions();
  const now = useNow();
  const old = now > 0 && now - intent.createdAt > OLD_AFTER_MS;
  return (
    <li
      className="flex flex-wrap items-center gap-x-3 gap-y-1 border-t border-line px-4 py-2 text-sm first:border-t-0"
      data-testid="hold-row"
      data-real-server-key={intent.realServer}
      data-service-key={intent.service}
      data-kind={intent.kind}
      data-mechanism={intent.mechanism}
    >
      <StatusPill tone={intent.kind === 'drain' ? 'warning' : 'info'}>{intent.kind === 'drain' ? 'drain' : `weight ${intent.weight}`}</StatusPill>
      <span className="font-mono">{intent.realServer}</span>
      <span className="font-mono text-xs text-muted">{intent.service}</span>
      <span className="text-xs text-muted" title={intent.mechanism === 'track-file' ? 'keepalived FILE_CHECK track file written on every director: keepalived itself keeps the weight' : 'ipvsadm -e on every director; the console re-applies it when it drifts'}>
        held by {intent.mechanism === 'track-file' ? 'keepalived track file' : 'console (ipvsadm)'}
      </span>
      <span className="text-xs">
        {intent.actor}: “{intent.reason}”{intent.ticket ? <span className="text-muted"> ({intent.ticket})</span> : null}
      </span>
      <span className={`text-xs ${old ? 'font-semibold text-amber-800 dark:text-amber-300' : 'text-muted'}`} title={old ? 'Held for more than a day: forgotten?' : undefined}>
        since <RelativeTime at={intent.createdAt} />
      </span>
      {intent.expiresAt ? (
        <span className="text-xs text-muted">
          lease ends <RelativeTime at={intent.expiresAt} /> ({intent.onExpiry === 'alert' ? 'alert' : 'restore'})
        </span>
      ) : null}
      {intent.kind === 'drain' ? <DrainProgressView cluster={cluster} target={{ target: intent.realServer, service: intent.service }} compact /> : null}
      {canOperate && open ? (
        <button
          type="button"
          className="ml-auto rounded border border-line-strong px-2 py-0.5 text-xs font-medium hover:bg-hover"
          data-testid="hold-restore-button"
          onClick={() => open({ cluster, action: 'restore', target: intent.realServer, service: intent.service })}
        >
          Restore
        </button>
      ) : null}
    </li>
  );
}

export function HoldsPanel({ cluster }: { cluster: string }) {
  const q = useQuery(drainQueries.intents(cluster));
  const canOperate = useCan('operator', cluster);
  if (q.isPending) return <p className="px-4 py-3 text-sm text-muted">Loading holds…</p>;
  if (q.isError) return <ErrorText error={q.error} prefix="Holds unavailable: " className="px-4 py-3" />;
  const open = q.data.intents.filter((i) => i.endedAt === null);
  if (open.length === 0) return <p className="px-4 py-3 text-sm text-muted" data-testid="holds-empty">No drains or weights held by the console.</p>;
  return (
    <ul data-testid="holds-list">
      {open.map((i) => (
        <HoldRow key={i.id} intent={i} cluster={cluster} canOperate={canOperate} />
      ))}
    </ul>
  );
}
