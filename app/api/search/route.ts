import { handle } from '@/server/api/handler';
import { searchFor } from '@/server/api/read/search';

export const dynamic = 'force-dynamic';

// GET /api/search?q=&limit= - clusters, directors, services, real servers and hosts matching q
export const GET = handle({ role: 'viewer' }, (req, _params, actor) => searchFor(actor, new URL(req.url).searchParams));
