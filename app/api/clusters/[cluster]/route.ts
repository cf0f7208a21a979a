import { handle } from '@/server/api/handler';
import { getClusterSnapshot } from '@/server/read/clusters';

export const dynamic = 'force-dynamic';

// GET /api/clusters/:cluster - the full merged snapshot
export const GET = handle<{ cluster: string }>({ role: 'viewer', cluster: (p) => p.cluster }, (_req, { cluster }) => getClusterSnapshot(cluster));
