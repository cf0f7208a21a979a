import { handle } from '@/server/api/handler';
import { diagnoseClusterNow } from '@/server/api/diagnostics';

export const dynamic = 'force-dynamic';

// GET /api/clusters/:cluster/diagnostics - "check this cluster": read-only checks on every director (keepalived -t, sysctls, tables), each with its fix
export const GET = handle<{ cluster: string }>({ role: 'viewer', cluster: (p) => p.cluster }, (_req, { cluster }) => diagnoseClusterNow(cluster));
