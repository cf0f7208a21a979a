import { handle } from '@/server/api/handler';
import { getEvents } from '@/server/api/read/events';

export const dynamic = 'force-dynamic';

// GET /api/clusters/:cluster/events?from=&to=&kind=&format=json|csv - failover history of one cluster
export const GET = handle<{ cluster: string }>({ role: 'viewer', cluster: (p) => p.cluster }, (req, { cluster }) => getEvents(cluster, new URL(req.url).searchParams));
