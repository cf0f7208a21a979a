import 'server-only';
import { withinScope, type Actor } from '@/lib/models/auth';
import type { WebhookStatusList } from '@/lib/models/webhooks';
import { ApiError } from '@/server/api/errors';
import { getRuntime } from '@/server/runtime';

// GET /api/admin/webhooks: each configured webhook's name, events and last delivery; never its URL.
// An admin limited to some clusters sees only webhooks limited to (some of) its clusters: one for
// every cluster carries other clusters' events.
export function getWebhookStatus(actor: Actor | null): WebhookStatusList {
  if (!actor) throw new ApiError('unauthorized', 'log in first');
  return { webhooks: getRuntime().webhooks.list().filter((w) => withinScope(actor.clusters, w.clusters)) };
}
