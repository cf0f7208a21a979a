import 'server-only';
import type { WebhookStatusList } from '@/lib/models/webhooks';
import { getRuntime } from '@/server/runtime';

// GET /api/admin/webhooks: each configured webhook's name, events and last delivery; never its URL.
export function getWebhookStatus(): WebhookStatusList {
  return { webhooks: getRuntime().webhooks.list() };
}
