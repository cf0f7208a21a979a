'use client';

import { createContext, useContext, type ReactNode } from 'react';
import { coversCluster, roleAtLeast, type Me, type Role } from '@/lib/models/auth';

// Who is looking, for components that show or hide actions (the API decides again on every call).

const MeContext = createContext<Me | null>(null);

export function MeProvider({ me, children }: { me: Me | null; children: ReactNode }) {
  return <MeContext.Provider value={me}>{children}</MeContext.Provider>;
}

export function useMe(): Me | null {
  return useContext(MeContext);
}

/** Whether the current user has `role` on `cluster` (cluster-scoped roles included). */
export function useCan(role: Role, cluster: string | null): boolean {
  const me = useMe();
  if (!me || !roleAtLeast(me.role, role)) return false;
  return cluster === null || coversCluster(me.clusters, cluster);
}
