import { handle } from '@/server/api/handler';
import { getPlan } from '@/server/api/drain';

export const dynamic = 'force-dynamic';

// GET /api/clusters/:cluster/drain/plan?action=&target=&service=&weight= - impact and exact commands (dry run), changes nothing
export const GET = handle<{ cluster: string }>({ role: 'viewer', cluster: (p) => p.cluster }, (req, { cluster }) => getPlan(cluster, new URL(req.url).searchParams));
