'use client';

import dynamic from 'next/dynamic';
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import type { DrainDialogRequest } from './drain-dialog';

// The dialog's code (plans, results, progress with its chart) loads on the first open: a viewer,
// or an operator who only reads, never pays for it. Its opener is taken at the click, before the
// code has arrived, so focus returns to it when the dialog closes.
const DrainDialog = dynamic(() => import('./drain-dialog').then((m) => m.DrainDialog));

// Opens the drain / restore / set-weight dialog from anywhere below (table rows, host page, holds
// panel) without passing callbacks through memoized rows.

type Open = (request: DrainDialogRequest) => void;

const DrainActionsContext = createContext<Open | null>(null);

export function DrainActionsProvider({ children }: { children: ReactNode }) {
  const [shown, setShown] = useState<{ request: DrainDialogRequest; opener: HTMLElement | null } | null>(null);
  const open = useCallback<Open>((request) => {
    const active = document.activeElement;
    setShown({ request, opener: active instanceof HTMLElement && active !== document.body ? active : null });
  }, []);
  const close = useCallback(() => setShown(null), []);
  const value = useMemo(() => open, [open]);
  return (
    <DrainActionsContext.Provider value={value}>
      {children}
      {shown ? (
        <DrainDialog
          key={`${shown.request.cluster} ${shown.request.action} ${shown.request.target} ${shown.request.service ?? ''}`}
          request={shown.request}
          opener={shown.opener}
          onClose={close}
        />
      ) : null}
    </DrainActionsContext.Provider>
  );
}

/** The opener, or null outside a provider (then no action buttons are shown). */
export function useDrainActions(): Open | null {
  return useContext(DrainActionsContext);
}

// 24 px high at least: a target axe (WCAG 2.2 target-size) accepts beside a neighbour's.
const BUTTON = 'inline-flex min-h-6 items-center rounded border border-line-strong px-1.5 text-[11px] leading-4 font-medium hover:bg-hover';

/** Drain / Restore / Weight buttons for one real server of one service (operators only: the caller checks). */
export function RealServerActions({
  cluster,
  service,
  realServer,
  weight,
  held,
}: {
  cluster: string;
  service: string;
  realServer: string;
  weight: number | null;
  held: boolean;
}) {
  const open = useDrainActions();
  if (!open) return null;
  const t = { cluster, service, target: realServer };
  return (
    <span className="ml-auto flex shrink-0 gap-1">
      {held ? (
        <button type="button" className={BUTTON} data-testid="restore-button" onClick={() => open({ ...t, action: 'restore' })} title="Put back the weight held before, on every director">
          Restore
        </button>
      ) : weight !== 0 ? (
        <button type="button" className={`${BUTTON} text-amber-800 dark:text-amber-300`} data-testid="drain-button" onClick={() => open({ ...t, action: 'drain' })} title="Weight 0 on every director, held until restored">
          Drain
        </button>
      ) : null}
      <button type="button" className={BUTTON} data-testid="weight-button" onClick={() => open({ ...t, action: 'weight', weight })} title="Set a weight on every director">
        Weight
      </button>
    </span>
  );
}
