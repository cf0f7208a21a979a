import { handle } from '@/server/api/handler';
import { clusterSnapshotResponse } from '@/server/api/read/clusters';

export const dynamic = 'force-dynamic';

// GET /api/clusters/:cluster - the full merged snapshot (ETag: 304 when unchanged)
export const GET = handle<{ cluster: string }>({ role: 'viewer', cluster: (p) => p.cluster }, (req, { cluster }) => clusterSnapshotResponse(cluster, req));
