import { handle } from '@/server/api/handler';
import { deleteMaintenance, getMaintenancePreflight, postMaintenance } from '@/server/api/maintenance';

export const dynamic = 'force-dynamic';

type P = { cluster: string; director: string };
const access = { role: 'operator', cluster: (p: P) => p.cluster } as const;

// GET /api/clusters/:cluster/directors/:director/maintenance?action=enter|exit&force=1 - the pre-flight alone (reads both directors' connection tables: operators only)
export const GET = handle<P>(access, (req, { cluster, director }) => getMaintenancePreflight(cluster, director, new URL(req.url).searchParams));

// POST /api/clusters/:cluster/directors/:director/maintenance - {reason, ticket?, force?, dryRun?}: move the VIPs off the director (its track file), verified, rolled back when they do not move
export const POST = handle<P>(access, (req, { cluster, director }, actor) => postMaintenance(req, cluster, director, actor));

// DELETE /api/clusters/:cluster/directors/:director/maintenance - {reason?, force?, dryRun?}: give the director back
export const DELETE = handle<P>(access, (req, { cluster, director }, actor) => deleteMaintenance(req, cluster, director, actor));
