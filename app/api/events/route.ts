import { handle } from '@/server/api/handler';
import { getEvents } from '@/server/read/events';

export const dynamic = 'force-dynamic';

// GET /api/events?from=&to=&kind=&format=json|csv - failover history of every cluster
export const GET = handle({ role: 'viewer' }, (req) => getEvents(null, new URL(req.url).searchParams));
