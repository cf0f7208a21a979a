import { handle } from '@/server/api/handler';
import { getProgress } from '@/server/api/drain';

export const dynamic = 'force-dynamic';

// GET /api/clusters/:cluster/drain/progress?target=&service=&connections=1&wait=1&timeout=S - drain progress on the VIP holder; wait=1 long-polls until drained
export const GET = handle<{ cluster: string }>({ role: 'viewer', cluster: (p) => p.cluster }, (req, { cluster }) => getProgress(cluster, new URL(req.url).searchParams));
