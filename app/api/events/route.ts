import { handle } from '@/server/api/handler';
import { getAllEventsFor } from '@/server/api/read/scoped';

export const dynamic = 'force-dynamic';

// GET /api/events?from=&to=&kind=&format=json|csv - failover history of every cluster
export const GET = handle({ role: 'viewer' }, (req, _p, actor) => getAllEventsFor(actor, new URL(req.url).searchParams));
