import { handle } from '@/server/api/handler';
import { getHaproxy, postHaproxyAction } from '@/server/api/haproxy';

export const dynamic = 'force-dynamic';

// GET /api/clusters/:cluster/haproxy - every configured HAProxy instance's frontends, backends and servers (show stat)
export const GET = handle<{ cluster: string }>({ role: 'viewer', cluster: (p) => p.cluster }, (_req, { cluster }) => getHaproxy(cluster));

// POST /api/clusters/:cluster/haproxy - {action: drain|maint|ready|weight, backend, server, weight?, reason}: on every instance, verified, audited
export const POST = handle<{ cluster: string }>({ role: 'operator', cluster: (p) => p.cluster }, (req, { cluster }, actor) => postHaproxyAction(req, cluster, actor));
