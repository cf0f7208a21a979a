import { handle } from '@/server/api/handler';
import { getRollout, postRolloutAction } from '@/server/api/rollout';

export const dynamic = 'force-dynamic';

type P = { cluster: string; id: string };

// GET /api/clusters/:cluster/rollouts/:id - one rollout: hosts and their steps, status, log
export const GET = handle<P>({ role: 'viewer', cluster: (p) => p.cluster }, (_req, { cluster, id }) => getRollout(cluster, id));

// POST /api/clusters/:cluster/rollouts/:id - {action: pause|resume|skip|abort|done|proceed|restore-all, host?, reason?}
export const POST = handle<P>({ role: 'operator', cluster: (p) => p.cluster }, (req, { cluster, id }, actor) => postRolloutAction(req, cluster, id, actor));
