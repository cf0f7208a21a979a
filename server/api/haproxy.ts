import 'server-only';
import type { Actor } from '@/lib/models/auth';
import type { HaproxyActionResult, HaproxyHoldList, HaproxyView } from '@/lib/models/haproxy';
import { readJsonBody } from '@/server/api/body';
import { ApiError } from '@/server/api/errors';
import { getRuntime } from '@/server/runtime';

// The API's entry points for HAProxy pools (one call per route).

// GET /api/clusters/:cluster/haproxy
export function getHaproxy(cluster: string): Promise<HaproxyView> {
  return getRuntime().haproxy.read(cluster);
}

// GET /api/clusters/:cluster/haproxy/holds
export function getHaproxyHolds(cluster: string): HaproxyHoldList {
  return getRuntime().haproxy.holds(cluster);
}

// POST /api/clusters/:cluster/haproxy  {action, backend, server, weight?, reason}
export async function postHaproxyAction(req: Request, cluster: string, actor: Actor | null): Promise<HaproxyActionResult> {
  if (!actor) throw new ApiError('unauthorized', 'log in first');
  return getRuntime().haproxy.act(cluster, await readJsonBody(req), actor);
}
