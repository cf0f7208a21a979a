import { handle } from '@/server/api/handler';
import { postWeight } from '@/server/api/drain';

export const dynamic = 'force-dynamic';

// POST /api/clusters/:cluster/weight - {target, service?, weight, reason, ...}: set a weight on every director, held until restored
export const POST = handle<{ cluster: string }>({ role: 'operator', cluster: (p) => p.cluster }, (req, { cluster }, actor) => postWeight(req, cluster, actor));
