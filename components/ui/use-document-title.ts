'use client';

import { useEffect } from 'react';

// The browser tab's title from live data ("▲ lab · LVS console"). Set after every render, so the
// route's own title (set by Next.js on navigation) is replaced as soon as the data is there.
export function useDocumentTitle(title: string | null): void {
  useEffect(() => {
    if (title !== null && document.title !== `${title} · LVS console`) document.title = `${title} · LVS console`;
  });
}
