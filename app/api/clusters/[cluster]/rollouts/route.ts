import { handle } from '@/server/api/handler';
import { getRollouts, postRollout } from '@/server/api/rollout';

export const dynamic = 'force-dynamic';

type P = { cluster: string };

// GET /api/clusters/:cluster/rollouts?all=1 - running and paused rollouts (all=1: the last 50 as well)
export const GET = handle<P>({ role: 'viewer', cluster: (p) => p.cluster }, (req, { cluster }) => getRollouts(cluster, new URL(req.url).searchParams));

// POST /api/clusters/:cluster/rollouts - {hosts, batchSize?, reason, ...}: start a rolling maintenance (checked against the capacity floor first)
export const POST = handle<P>({ role: 'operator', cluster: (p) => p.cluster }, (req, { cluster }, actor) => postRollout(req, cluster, actor));
