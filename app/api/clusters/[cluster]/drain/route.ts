import { handle } from '@/server/api/handler';
import { postDrain } from '@/server/api/drain';

export const dynamic = 'force-dynamic';

// POST /api/clusters/:cluster/drain - {target, service?, reason, ticket?, expiresInMinutes?, onExpiry?, force?, dryRun?}: weight 0 on every director, held until restored
export const POST = handle<{ cluster: string }>({ role: 'operator', cluster: (p) => p.cluster }, (req, { cluster }, actor) => postDrain(req, cluster, actor));
