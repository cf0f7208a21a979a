import 'server-only';
import { z } from 'zod';
import { coversCluster, type Actor } from '@/lib/models/auth';
import type { AuditList } from '@/lib/models/audit';
import { ApiError } from '@/server/api/errors';
import { getRuntime } from '@/server/runtime';

// GET /api/audit: the audit log, newest first. An actor scoped to clusters sees only entries of
// those clusters, and asking for another cluster's (?cluster=) is refused (403), as on its routes.

export const AuditQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).default(200),
    before: z.coerce.number().int().min(1).optional(),
    cluster: z.string().min(1).max(63).optional(),
    action: z.string().min(1).max(200).optional(),
    /** Only what rollout ID caused (with cluster). */
    rollout: z.string().regex(/^\d{1,15}$/, 'rollout is a rollout number').optional(),
  })
  .strict();

export function getAudit(actor: Actor | null, search: URLSearchParams): AuditList {
  const q = AuditQuery.parse(Object.fromEntries(search));
  const audit = getRuntime().audit;
  const scope = actor?.clusters ?? null;
  if (q.cluster !== undefined && !coversCluster(scope, q.cluster)) {
    throw new ApiError('forbidden', `your ${actor?.role ?? 'viewer'} role does not cover cluster ${q.cluster}`);
  }
  const entries = audit.list({ cluster: q.cluster ?? null, beforeId: q.before, limit: scope === null ? q.limit : 5000, action: q.action, rollout: q.rollout });
  return { entries: scope === null ? entries : entries.filter((e) => e.cluster !== null && coversCluster(scope, e.cluster)).slice(0, q.limit) };
}
