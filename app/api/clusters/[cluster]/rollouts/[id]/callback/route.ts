import { handle } from '@/server/api/handler';
import { postRolloutCallback } from '@/server/api/rollout';

export const dynamic = 'force-dynamic';

type P = { cluster: string; id: string };

// POST /api/clusters/:cluster/rollouts/:id/callback - {host?} with X-Rollout-Secret: a pipeline says a host's maintenance is done.
// No account: the rollout's own secret (given once, at its start; only its hash is stored) is the credential, checked by the service.
export const POST = handle<P>({ role: 'public' }, (req, { cluster, id }) => postRolloutCallback(req, cluster, id));
