import { handle } from '@/server/api/handler';
import { getWebhookStatus } from '@/server/api/read/webhooks';

export const dynamic = 'force-dynamic';

// GET /api/admin/webhooks - each webhook's last delivery (no URLs), within the admin's clusters
export const GET = handle({ role: 'admin' }, (_req, _p, actor) => getWebhookStatus(actor));
