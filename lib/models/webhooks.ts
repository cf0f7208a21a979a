import { z } from 'zod/mini';
import { EventKind } from './events';

// GET /api/admin/webhooks: each configured webhook's last delivery. Never the URL (a secret).

export const WebhookDelivery = z.object({
  at: z.number(),
  eventId: z.string(),
  kind: EventKind,
  ok: z.boolean(),
  /** HTTP status of the last attempt, null when none answered. */
  status: z.nullable(z.number()),
  attempts: z.number(),
  error: z.nullable(z.string()),
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

export const WebhookStatus = z.object({
  name: z.string(),
  format: z.enum(['json', 'slack']),
  events: z.array(EventKind),
  clusters: z.nullable(z.array(z.string())),
  /** Also sent the audit log's head (anchors). */
  auditHead: z.boolean(),
  sent: z.number(),
  failed: z.number(),
  last: z.nullable(WebhookDelivery),
});
export type WebhookStatus = z.infer<typeof WebhookStatus>;

export const WebhookStatusList = z.object({ webhooks: z.array(WebhookStatus) });
export type WebhookStatusList = z.infer<typeof WebhookStatusList>;
