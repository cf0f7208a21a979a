'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { drainQueries } from '@/lib/api/drain';
import { formatCount, formatDuration } from '@/lib/format';
import { describeError } from '@/components/ui/error-state';
import { connectedClients } from './connected-clients';

// "Still connected" on the rollout board, for a host draining or past its drain deadline: who still
// holds it (the drain progress with connections, as the drain dialog reads it). Folded by default:
// reading the connection tables costs the directors, so it is read only while open, every 5 s.

export const STILL_CONNECTED_POLL_MS = 5000;

export function StillConnected({ cluster, host, describedBy }: { cluster: string; host: string; describedBy?: string }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="max-w-64 text-xs" onToggle={(e) => setOpen(e.currentTarget.open)} data-testid="rollout-still-connected" data-host={host}>
      <summary className="cursor-pointer font-medium text-accent" aria-describedby={describedBy}>
        Still connected
      </summary>
      {open ? <StillConnectedBody cluster={cluster} host={host} /> : null}
    </details>
  );
}

/** The host's connections now (read while shown, every 5 s). */
export function StillConnectedBody({ cluster, host }: { cluster: string; host: string }) {
  const q = useQuery(drainQueries.progress(cluster, { target: host }, STILL_CONNECTED_POLL_MS));
  if (q.isPending) return <p className="mt-1 text-muted">Reading connections…</p>;
  if (q.isError && !q.data) {
    return (
      <p role="alert" className="mt-1 text-red-800 dark:text-red-300">
        Connections unavailable: {describeError(q.error).detail}
      </p>
    );
  }
  const c = connectedClients(q.data);
  return (
    <div className="mt-1 space-y-1" data-testid="rollout-still-connected-body" data-entries={c.entries} data-clients={c.distinctClients}>
      <p>
        <span className="font-medium" data-testid="rollout-connected-entries">
          {formatCount(c.entries)}
        </span>{' '}
        connection entr{c.entries === 1 ? 'y' : 'ies'} from{' '}
        <span className="font-medium" data-testid="rollout-connected-clients">
          {formatCount(c.distinctClients)}
        </span>{' '}
        client{c.distinctClients === 1 ? '' : 's'}
      </p>
      {c.clients.length > 0 ? (
        <p className="font-mono break-words" data-testid="rollout-connected-addresses">
          {c.clients.join(', ')}
          {c.more > 0 ? <span className="font-sans text-muted"> and {formatCount(c.more)} more</span> : null}
        </p>
      ) : null}
      {c.estimatedSecondsToZero !== null ? (
        <p className="text-muted" data-testid="rollout-connected-estimate">
          zero in ≈ {formatDuration(c.estimatedSecondsToZero * 1000)}
          {c.estimateNote ? ' (at least)' : ''}
        </p>
      ) : null}
      {c.estimateNote ? <p className="text-muted">{c.estimateNote}</p> : null}
      {c.errors.map((e) => (
        <p key={e} className="text-red-800 dark:text-red-300">
          Not read: {e}
        </p>
      ))}
      {q.isError ? <p className="text-amber-900 dark:text-amber-200">Last read failed: {describeError(q.error).detail}</p> : null}
    </div>
  );
}
