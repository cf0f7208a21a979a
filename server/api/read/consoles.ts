import 'server-only';
import { coversCluster, type Actor } from '@/lib/models/auth';
import type { ConsolesView } from '@/lib/models/consoles';
import { ApiError } from '@/server/api/errors';
import { STORE_LEASE } from '@/server/leases/leadership';
import { getRuntime } from '@/server/runtime';

// GET /api/consoles: who shares this console's store and leads what. A role limited to some
// clusters sees those clusters' leases (and the store's own); the consoles themselves are listed.
export function getConsoles(actor: Actor | null): ConsolesView {
  if (!actor) throw new ApiError('unauthorized', 'log in first');
  const rt = getRuntime();
  const v = rt.leadership.view();
  const visible = (name: string) => name === STORE_LEASE || coversCluster(actor.clusters, name);
  const leases = v.leases.filter((l) => visible(l.name)).map((l) => ({ name: l.name, holder: l.holder, ageMs: Math.round(l.ageMs), expiresInMs: Math.round(l.expiresInMs) }));
  return {
    store: rt.db.dialect,
    storeReachable: v.storeReachable,
    storeError: v.storeError,
    leaseMs: v.ttlMs,
    consoles: v.consoles.map((c) => ({
      id: c.id,
      host: c.host,
      pid: c.pid,
      startedAt: c.startedAt,
      seenAgoMs: Math.max(0, Math.round(v.at - c.seenAt)),
      live: c.live,
      self: c.self,
      leads: c.leads.filter(visible),
    })),
    leases,
  };
}
