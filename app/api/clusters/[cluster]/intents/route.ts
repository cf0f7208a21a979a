import { handle } from '@/server/api/handler';
import { getIntents } from '@/server/api/drain';

export const dynamic = 'force-dynamic';

// GET /api/clusters/:cluster/intents?history=1 - open drain/weight holds (with history=1: ended ones too)
export const GET = handle<{ cluster: string }>({ role: 'viewer', cluster: (p) => p.cluster }, (req, { cluster }) => getIntents(cluster, new URL(req.url).searchParams));
