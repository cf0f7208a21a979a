import { handle } from '@/server/api/handler';
import { getMaintenanceStatus } from '@/server/api/maintenance';

export const dynamic = 'force-dynamic';

// GET /api/clusters/:cluster/maintenance - per director: the maintenance track file keepalived tracks (if any), its value, and who put it in maintenance
export const GET = handle<{ cluster: string }>({ role: 'viewer', cluster: (p) => p.cluster }, (_req, { cluster }) => getMaintenanceStatus(cluster));
