import { handle } from '@/server/api/handler';
import { getHaproxyHolds } from '@/server/api/haproxy';

export const dynamic = 'force-dynamic';

// GET /api/clusters/:cluster/haproxy/holds - the open HAProxy holds, from the console's store (no instance is read)
export const GET = handle<{ cluster: string }>({ role: 'viewer', cluster: (p) => p.cluster }, (_req, { cluster }) => getHaproxyHolds(cluster));
