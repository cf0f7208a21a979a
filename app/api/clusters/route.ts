import { handle } from '@/server/api/handler';
import { listClustersFor } from '@/server/api/read/scoped';

export const dynamic = 'force-dynamic';

// GET /api/clusters - one summary per cluster: masters, counts, findings
export const GET = handle({ role: 'viewer' }, (_req, _p, actor) => listClustersFor(actor));
