'use client';

import { createContext, useContext } from 'react';

// What rows need but should not receive as props, so memoized rows re-render only when their own
// data changes. Two contexts: the stable one, and the sparkline gate that flips while scrolling
// (only the metric cells listen to it).

export interface ServicesTableContextValue {
  cluster: string;
  pollIntervalMs: number;
  /** Director name → live, to mark stale values in the per-director details. */
  directorLive: Readonly<Record<string, boolean>>;
  onToggle: (serviceKey: string) => void;
}

export const ServicesTableContext = createContext<ServicesTableContextValue | null>(null);

export function useServicesTable(): ServicesTableContextValue {
  const value = useContext(ServicesTableContext);
  if (!value) throw new Error('useServicesTable must be used inside <ServicesTable>');
  return value;
}

/** False while the list scrolls: rows flying past do not fetch their sparklines. */
export const SparklineGateContext = createContext<boolean>(true);

export function useSparklinesEnabled(): boolean {
  return useContext(SparklineGateContext);
}
