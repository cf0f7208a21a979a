import { handle } from '@/server/api/handler';
import { me } from '@/server/api/login';

export const dynamic = 'force-dynamic';

// GET /api/me - who is logged in: name, role, clusters, how (401 when nobody)
export const GET = handle({ role: 'viewer' }, (_req, _p, actor) => me(actor));
