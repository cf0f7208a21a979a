import { handle } from '@/server/api/handler';
import { getConsoles } from '@/server/api/read/consoles';

export const dynamic = 'force-dynamic';

// GET /api/consoles - the consoles sharing the store, the leases each holds, and the store's reachability
export const GET = handle({ role: 'viewer' }, (_req, _p, actor) => getConsoles(actor));
