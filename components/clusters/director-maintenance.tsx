'use client';

import { useQuery } from '@tanstack/react-query';
import dynamic from 'next/dynamic';
import { createContext, useContext, useState, type ReactNode } from 'react';
import { maintenanceQueries } from '@/lib/api/maintenance';
import type { MaintenanceAction } from '@/lib/models/maintenance';
import { useCan } from '@/components/auth/me-context';
import { ClockAndAge, RelativeTime } from '@/components/ui/relative-time';
import { StatusPill } from '@/components/ui/status-pill';

// A director's maintenance on its card: "in maintenance since … by …" (or that keepalived does not
// track the maintenance file), and for operators the button that opens the pre-flight dialog. The
// dialog's code loads on its first open: a viewer never pays for it.

const MaintenanceDialog = dynamic(() => import('./maintenance-dialog').then((m) => m.MaintenanceDialog));

interface MaintenanceRequest {
  director: string;
  action: MaintenanceAction;
  opener: HTMLElement | null;
}

const OpenMaintenance = createContext<((r: MaintenanceRequest) => void) | null>(null);

/**
 * Holds the open maintenance dialog for every director card inside it. A card moves between the
 * panel's "needing attention" list and its folded healthy ones as its director's state changes —
 * as it does during a switch (a slow refresh, keepalived's new role) — and a dialog kept in the
 * card's own state went with the old card while the action ran.
 */
export function MaintenanceDialogHost({ cluster, children }: { cluster: string; children: ReactNode }) {
  const [open, setOpen] = useState<MaintenanceRequest | null>(null);
  return (
    <OpenMaintenance.Provider value={setOpen}>
      {children}
      {open ? <MaintenanceDialog cluster={cluster} director={open.director} action={open.action} opener={open.opener} onClose={() => setOpen(null)} /> : null}
    </OpenMaintenance.Provider>
  );
}

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
  const hosted = useContext(OpenMaintenance);
  // Outside a host (a card rendered on its own) the dialog lives with the card.
  const [own, setOwn] = useState<MaintenanceRequest | null>(null);
  const openDialog = hosted ?? setOwn;
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
          onClick={(e) => openDialog({ director, action, opener: e.currentTarget })}
        >
          {held ? 'Give back…' : 'Maintenance…'}
        </button>
      ) : null}
      {own ? <MaintenanceDialog cluster={cluster} director={director} action={own.action} opener={own.opener} onClose={() => setOwn(null)} /> : null}
    </div>
  );
}
