import { handle } from '@/server/api/handler';
import { getHostFor } from '@/server/api/read/scoped';

export const dynamic = 'force-dynamic';

// GET /api/hosts/:address - every service, in every cluster, that this real server belongs to
export const GET = handle<{ address: string }>({ role: 'viewer' }, (_req, { address }, actor) => getHostFor(address, actor));
