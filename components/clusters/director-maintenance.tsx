'use client';

import { useQuery } from '@tanstack/react-query';
import dynamic from 'next/dynamic';
import { useState } from 'react';
import { maintenanceQueries } from '@/lib/api/maintenance';
import type { MaintenanceAction } from '@/lib/models/maintenance';
import { useCan } from '@/components/auth/me-context';
import { ClockAndAge, RelativeTime } from '@/components/ui/relative-time';
import { StatusPill } from '@/components/ui/status-pill';

// A director's maintenance on its card: "in maintenance since … by …" (or that keepalived does not
// track the maintenance file), and for operators the button that opens the pre-flight dialog. The
// dialog's code loads on its first open: a viewer never pays for it.

const MaintenanceDialog = dynamic(() => import('./maintenance-dialog').then((m) => m.MaintenanceDialog));

/** One line per director in maintenance, under the cluster's header: who took it out, when, why. */
export function MaintenanceBanner({ cluster }: { cluster: string }) {
  const status = useQuery(maintenanceQueries.status(cluster));
  const held = (status.data?.directors ?? []).filter((d) => d.maintenance !== null || (d.value ?? 0) !== 0);
  if (held.length === 0) return null;
  return (
    <ul className="mt-1 space-y-0.5 text-sm" aria-label="Directors in maintenance" data-testid="maintenance-banner">
      {held.map((d) => (
        <li key={d.director} data-director={d.director}>
          <a href={`#director-${d.director}`} className="font-mono font-medium text-accent hover:underline">
            {d.director}
          </a>{' '}
          in maintenance
          {d.maintenance ? (
            <span className="text-muted">
              {' '}
              since <ClockAndAge at={d.maintenance.createdAt} /> by {d.maintenance.actor} — {d.maintenance.reason}
            </span>
          ) : (
            <span className="text-muted"> (its track file holds {d.value}; not set by this console)</span>
          )}
        </li>
      ))}
    </ul>
  );
}

export function DirectorMaintenance({ cluster, director }: { cluster: string; director: string }) {
  const status = useQuery(maintenanceQueries.status(cluster));
  const canAct = useCan('operator', cluster);
  const [open, setOpen] = useState<{ action: MaintenanceAction; opener: HTMLElement | null } | null>(null);
  const mine = status.data?.directors.find((d) => d.director === director);
  if (!mine) return null;
  const m = mine.maintenance;
  const held = m !== null || (mine.value ?? 0) !== 0;
  const action: MaintenanceAction = held ? 'exit' : 'enter';
  return (
    <div className="flex flex-wrap items-center gap-2 text-xs" data-testid="director-maintenance" data-in-maintenance={held} data-configured={mine.trackFile !== null}>
      {held ? (
        <span className="flex flex-wrap items-center gap-1.5">
          <StatusPill tone="warning">in maintenance</StatusPill>
          {m ? (
            <span className="text-muted">
              since <ClockAndAge at={m.createdAt} /> by <span className="font-medium text-ink">{m.actor}</span> — {m.reason}
              {m.ticket ? ` (${m.ticket})` : ''}
              {m.expiresAt !== null ? (
                <>
                  ; given back by itself <RelativeTime at={m.expiresAt} />
                </>
              ) : null}
            </span>
          ) : (
            <span className="text-muted">its track file holds {mine.value} (not set by this console)</span>
          )}
        </span>
      ) : mine.trackFile === null ? (
        <span className="text-muted" data-testid="maintenance-not-configured">
          Maintenance: keepalived does not track the maintenance file (the button shows the lines to add)
        </span>
      ) : null}
      {canAct ? (
        <button
          type="button"
          className="ml-auto rounded-md border border-line-strong px-2 py-0.5 hover:bg-hover"
          data-testid={held ? 'give-back-button' : 'maintenance-button'}
          onClick={(e) => setOpen({ action, opener: e.currentTarget })}
        >
          {held ? 'Give back…' : 'Maintenance…'}
        </button>
      ) : null}
      {open ? <MaintenanceDialog cluster={cluster} director={director} action={open.action} opener={open.opener} onClose={() => setOpen(null)} /> : null}
    </div>
  );
}
