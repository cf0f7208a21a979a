import { handle } from '@/server/api/handler';
import { listClusters } from '@/server/read/clusters';

export const dynamic = 'force-dynamic';

// GET /api/clusters - one summary per cluster: masters, counts, findings
export const GET = handle({ role: 'viewer' }, () => listClusters());
