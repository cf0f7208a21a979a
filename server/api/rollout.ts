import 'server-only';
import { z } from 'zod';
import type { Actor } from '@/lib/models/auth';
import { ROLLOUT_SECRET_HEADER, RolloutActionRequest, RolloutCallbackRequest, RolloutRequest, type Rollout, type RolloutActionResult, type RolloutList, type RolloutStartResult } from '@/lib/models/rollout';
import { readJsonBody } from '@/server/api/body';
import { ApiError } from '@/server/api/errors';
import { sourceAddressWith } from '@/server/auth/authenticate';
import { getRuntime } from '@/server/runtime';
import type { ActingAs } from '@/server/drain/ports';

// The API's entry points for rolling maintenance (issue #18), one call per route.

function actingAs(actor: Actor | null): ActingAs {
  if (!actor) throw new ApiError('unauthorized', 'log in first');
  return { name: actor.name, role: actor.role, source: actor.source };
}

export const RolloutsQuery = z.object({ all: z.enum(['0', '1']).optional() }).strict();

// GET /api/clusters/:cluster/rollouts?all=1
export function getRollouts(cluster: string, search: URLSearchParams): RolloutList {
  const q = RolloutsQuery.parse(Object.fromEntries(search));
  return getRuntime().rollouts.list(cluster, q.all === '1');
}

// POST /api/clusters/:cluster/rollouts
export async function postRollout(req: Request, cluster: string, actor: Actor | null): Promise<RolloutStartResult> {
  const body = RolloutRequest.parse(await readJsonBody(req));
  return getRuntime().rollouts.start(cluster, body, actingAs(actor));
}

// GET /api/clusters/:cluster/rollouts/:id
export function getRollout(cluster: string, id: string): Rollout {
  return getRuntime().rollouts.get(cluster, id);
}

// POST /api/clusters/:cluster/rollouts/:id
export async function postRolloutAction(req: Request, cluster: string, id: string, actor: Actor | null): Promise<RolloutActionResult> {
  const body = RolloutActionRequest.parse(await readJsonBody(req));
  return getRuntime().rollouts.act(cluster, id, body, actingAs(actor));
}

// POST /api/clusters/:cluster/rollouts/:id/callback  {host?}  X-Rollout-Secret: the secret from the start
export async function postRolloutCallback(req: Request, cluster: string, id: string): Promise<RolloutActionResult> {
  const raw = req.headers.get('content-length') === '0' || !req.body ? {} : await readJsonBody(req);
  const body = RolloutCallbackRequest.parse(raw);
  const rt = getRuntime();
  return rt.rollouts.callbackDone(cluster, id, req.headers.get(ROLLOUT_SECRET_HEADER), body, sourceAddressWith(req, rt.auth.config));
}
