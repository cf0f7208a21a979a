import { handle } from '@/server/api/handler';
import { postRestore } from '@/server/api/drain';

export const dynamic = 'force-dynamic';

// POST /api/clusters/:cluster/restore - {target, service?, reason?, dryRun?}: put back the weight held before, end the hold
export const POST = handle<{ cluster: string }>({ role: 'operator', cluster: (p) => p.cluster }, (req, { cluster }, actor) => postRestore(req, cluster, actor));
