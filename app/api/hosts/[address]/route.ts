import { handle } from '@/server/api/handler';
import { getHost } from '@/server/read/clusters';

export const dynamic = 'force-dynamic';

// GET /api/hosts/:address - every service, in every cluster, that this real server belongs to
export const GET = handle<{ address: string }>({ role: 'viewer' }, (_req, { address }) => getHost(address));
