import { handle } from '@/server/api/handler';
import { getHistory } from '@/server/api/read/clusters';

export const dynamic = 'force-dynamic';

// GET /api/clusters/:cluster/history?service=&realServer=&from=&to= - samples for charts
export const GET = handle<{ cluster: string }>({ role: 'viewer', cluster: (p) => p.cluster }, (req, { cluster }) => getHistory(cluster, new URL(req.url).searchParams));
