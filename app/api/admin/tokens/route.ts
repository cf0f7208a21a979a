import { handle } from '@/server/api/handler';
import { createToken, listTokens } from '@/server/api/admin';

export const dynamic = 'force-dynamic';

// GET /api/admin/tokens - every API token (name, role, last use) within the admin's clusters, never the secret
export const GET = handle({ role: 'admin' }, (_req, _p, actor) => listTokens(actor));

// POST /api/admin/tokens - {name, role, clusters?} creates a token; the secret is in this answer only
export const POST = handle({ role: 'admin' }, (req, _p, actor) => createToken(req, actor));
