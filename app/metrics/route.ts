import { handle } from '@/server/api/handler';
import { metricsGrant, metricsResponse } from '@/server/api/metrics';

export const dynamic = 'force-dynamic';

// GET /metrics - Prometheus text format: viewer+, or the metrics token, or an allowed address
export const GET = handle({ role: 'viewer', grant: metricsGrant }, (_req, _p, actor) => metricsResponse(actor));
