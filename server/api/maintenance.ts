import 'server-only';
import { z } from 'zod';
import type { Actor } from '@/lib/models/auth';
import { GiveBackRequest, MaintenanceAction, MaintenanceRequest, type MaintenancePreflight, type MaintenanceResult, type MaintenanceStatus } from '@/lib/models/maintenance';
import { readJsonBody } from '@/server/api/body';
import { ApiError } from '@/server/api/errors';
import { getRuntime } from '@/server/runtime';
import type { ActingAs } from '@/server/drain/ports';

// The API's entry points for director maintenance (issue 17), one call per route.

function actingAs(actor: Actor | null): ActingAs {
  if (!actor) throw new ApiError('unauthorized', 'log in first');
  return { name: actor.name, role: actor.role, source: actor.source };
}

// GET /api/clusters/:cluster/maintenance
export function getMaintenanceStatus(cluster: string): MaintenanceStatus {
  return getRuntime().maintenance.status(cluster);
}

export const PreflightQuery = z.object({ action: z.optional(MaintenanceAction), force: z.enum(['0', '1']).optional() }).strict();

// GET /api/clusters/:cluster/directors/:director/maintenance?action=enter|exit&force=1
export function getMaintenancePreflight(cluster: string, director: string, search: URLSearchParams): Promise<MaintenancePreflight> {
  const q = PreflightQuery.parse(Object.fromEntries(search));
  return getRuntime().maintenance.preflight(cluster, director, q.action ?? 'enter', q.force === '1');
}

// POST /api/clusters/:cluster/directors/:director/maintenance  {reason, ticket?, force?, dryRun?}
export async function postMaintenance(req: Request, cluster: string, director: string, actor: Actor | null): Promise<MaintenanceResult> {
  const body = MaintenanceRequest.parse(await readJsonBody(req));
  return getRuntime().maintenance.enter(cluster, director, body, actingAs(actor));
}

// DELETE /api/clusters/:cluster/directors/:director/maintenance  {reason?, force?, dryRun?}
export async function deleteMaintenance(req: Request, cluster: string, director: string, actor: Actor | null): Promise<MaintenanceResult> {
  const raw = req.headers.get('content-length') === '0' || !req.body ? {} : await readJsonBody(req);
  const body = GiveBackRequest.parse(raw);
  return getRuntime().maintenance.exit(cluster, director, body, actingAs(actor));
}
