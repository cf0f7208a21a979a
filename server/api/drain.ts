import 'server-only';
import { z } from 'zod';
import type { Actor } from '@/lib/models/auth';
import { DrainAction, DrainRequest, RestoreRequest, WaitRequest, WeightRequest, type ActionResult, type DrainPlan, type DrainProgress, type IntentList } from '@/lib/models/drain';
import { readJsonBody } from '@/server/api/body';
import { ApiError } from '@/server/api/errors';
import { getRuntime } from '@/server/runtime';
import type { ActingAs } from '@/server/drain/drain-service';

// The API's entry points for drains (one call per route): parse and validate the request (zod:
// 422 naming the field), then one call into the drain service or its progress tracker.

function actingAs(actor: Actor | null): ActingAs {
  if (!actor) throw new ApiError('unauthorized', 'log in first');
  return { name: actor.name, role: actor.role, source: actor.source };
}

// POST /api/clusters/:cluster/drain
export async function postDrain(req: Request, cluster: string, actor: Actor | null): Promise<ActionResult> {
  const body = DrainRequest.parse(await readJsonBody(req));
  return getRuntime().drain.service.drain(cluster, body, actingAs(actor));
}

// POST /api/clusters/:cluster/weight
export async function postWeight(req: Request, cluster: string, actor: Actor | null): Promise<ActionResult> {
  const body = WeightRequest.parse(await readJsonBody(req));
  return getRuntime().drain.service.setWeight(cluster, body, actingAs(actor));
}

// POST /api/clusters/:cluster/restore
export async function postRestore(req: Request, cluster: string, actor: Actor | null): Promise<ActionResult> {
  const body = RestoreRequest.parse(await readJsonBody(req));
  return getRuntime().drain.service.restore(cluster, body, actingAs(actor));
}

export const IntentsQuery = z.object({ history: z.enum(['0', '1']).optional() }).strict();

// GET /api/clusters/:cluster/intents?history=1
export function getIntents(cluster: string, search: URLSearchParams): IntentList {
  const q = IntentsQuery.parse(Object.fromEntries(search));
  return getRuntime().drain.service.intents(cluster, q.history === '1');
}

export const PlanQuery = z
  .object({
    action: z._default(DrainAction, 'drain'),
    target: z.string().min(1).max(64),
    service: z.string().min(1).max(80).optional(),
    weight: z.coerce.number().int().min(0).max(65535).optional(),
    force: z.enum(['0', '1']).optional(),
  })
  .strict();

// GET /api/clusters/:cluster/drain/plan?action=drain|restore|weight&target=&service=&weight=
export function getPlan(cluster: string, search: URLSearchParams): DrainPlan {
  const q = PlanQuery.parse(Object.fromEntries(search));
  if (q.action === 'weight' && q.weight === undefined) throw new ApiError('validation', 'weight: required for action=weight (0-65535)');
  return getRuntime().drain.service.plan(cluster, { action: q.action, target: q.target, service: q.service, weight: q.weight, force: q.force === '1' });
}

export const ProgressQuery = z
  .object({
    target: z.string().min(1).max(64),
    service: z.string().min(1).max(80).optional(),
    /** 1: also read -Lnc on the VIP holder (expiry timers, clients). */
    connections: z.enum(['0', '1']).optional(),
    /** 1: long-poll until drained (or serving again) or timeout. */
    wait: z.enum(['0', '1']).optional(),
    timeout: z.coerce.number().int().min(0).max(300).optional(),
  })
  .strict();

// GET /api/clusters/:cluster/drain/progress?target=&service=&connections=1&wait=1&timeout=60
export async function getProgress(cluster: string, search: URLSearchParams): Promise<DrainProgress> {
  const q = ProgressQuery.parse(Object.fromEntries(search));
  const progress = getRuntime().drain.progress;
  if (q.wait === '1') return progress.wait(cluster, WaitRequest.parse({ target: q.target, service: q.service, timeoutSeconds: q.timeout ?? 60 }));
  return progress.progress(cluster, q.target, q.service, q.connections === '1');
}
