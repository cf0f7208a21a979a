'use client';

import dynamic from 'next/dynamic';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Skeleton } from '@/components/ui/skeleton';

// Charts load when they come near the screen: their code, uPlot (~21 KiB gzip) and their history
// reads are not paid by an operator who opened the page for its tables (the cluster page stays
// inside its JS budget). Once shown, a chart stays mounted and keeps polling.

const placeholder = () => <Skeleton className="h-72 w-full" />;
export const ClusterTraffic = dynamic(() => import('./traffic-panel').then((m) => m.ClusterTraffic), { loading: placeholder });
export const TrafficPanel = dynamic(() => import('./traffic-panel').then((m) => m.TrafficPanel), { loading: placeholder });

/** Renders `children` once the box is within `margin` of the viewport. */
export function WhenNearScreen({ children, margin = '300px' }: { children: ReactNode; margin?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [near, setNear] = useState(false);
  useEffect(() => {
    if (near || !box.current) return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) setNear(true);
    }, { rootMargin: margin });
    io.observe(box.current);
    return () => io.disconnect();
  }, [near, margin]);
  return <div ref={box}>{near ? children : placeholder()}</div>;
}
